import { expect } from "chai";
import hre from "hardhat";
import fs from "fs";
import os from "os";
import path from "path";
import { deepMlpOnnx } from "../../src/examples/models/deep_mlp";
import { importOnnx } from "../../src/onnx/import";
import { sliceGraph } from "../../src/ir/cut";
import { COMMITMENT_TAG, commitValues } from "../../src/privacy/commitment";
import { unpackWords } from "../../src/privacy/packing";
import { solidityLayout } from "../../src/privacy/layout";
import { asProof, statement } from "../../src/statements/zkml-model";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { estimateGraph } from "../../src/quantize/estimate";
import {
  chainActivations,
  chainCutPoints,
  chainInputs,
  chainLinkSalts,
  ChainProof,
  chooseCuts,
  compileChain,
  CompiledChain,
  proveChain,
  proveSegment,
  verifyChain,
} from "../../src/pipeline/chain";
import { expectZkmlError } from "../unit/helpers";
import { rejectsWith } from "./helpers";

/**
 * Issue 20: one inference proven as a chain of segments cut at layer boundaries, linked by Poseidon
 * commitments to the boundary activations.
 */
describe("segmented proving (chain of segment proofs)", function () {
  const QUANT = { scaleBits: 8, inputBits: 12 };
  const WIDTHS = [6, 12, 12, 12, 3]; // Gemm Relu (a1) Gemm Relu (a2) Gemm Relu (a3) Gemm
  let dir: string;
  let onnx: string;
  let compiled: CompiledChain;
  let proved: ChainProof;
  const input = { input_data: [[0.5, -0.25, 0.75, -1, 0.125, 0.9]] };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-"));
    onnx = path.join(dir, "deep.onnx");
    fs.writeFileSync(onnx, deepMlpOnnx({ widths: WIDTHS, seed: 20 }));
    compiled = await compileChain({ name: "chain_demo", onnx, buildDir: path.join(dir, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT, segments: { cuts: ["a1", "a2"] }, log: () => undefined });
    proved = await proveChain(compiled.dir, input);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("cuts only at layer boundaries at the model scale, and sizes segments to a constraint target", () => {
    const graph = importOnnx(fs.readFileSync(onnx), "deep");
    // After each Relu exactly one tensor crosses, at the model scale; a Gemm's output is left at twice the scale.
    expect(chainCutPoints(graph, QUANT).map((c) => c.tensor)).to.deep.equal(["a1", "a2", "a3"]);
    expectZkmlError(() => chooseCuts("deep", graph, QUANT, { cuts: ["h1"] }), /"h1" is not a layer boundary/, /a1, a2, a3/);
    // The target: the largest layer between two boundaries, so every segment can meet it.
    const points = [undefined, ...chainCutPoints(graph, QUANT), undefined];
    const estimate = (from: (typeof points)[number], to: (typeof points)[number]) => estimateGraph(sliceGraph(graph, from, to), QUANT).constraints;
    const limit = Math.max(...points.slice(1).map((to, i) => estimate(points[i], to)));
    expect(estimate(undefined, undefined)).to.be.greaterThan(limit);
    const cuts = chooseCuts("deep", graph, QUANT, { maxConstraints: limit });
    expect(cuts.length).to.be.greaterThan(0);
    const bounds = [undefined, ...cuts, undefined];
    for (let i = 0; i + 1 < bounds.length; i++) expect(estimate(bounds[i], bounds[i + 1])).to.be.at.most(limit);
    // Greedy: no two neighbouring segments would fit the target together.
    for (let i = 0; i + 2 < bounds.length; i++) expect(estimate(bounds[i], bounds[i + 2])).to.be.greaterThan(limit);
  });

  it("compiles each segment with its own keys and links the boundaries with one commitment on each side", () => {
    const segs = compiled.manifest.segments;
    expect(segs.map((s) => [s.from?.tensor, s.to?.tensor])).to.deep.equal([[undefined, "a1"], ["a1", "a2"], ["a2", undefined]]);
    console.log(`      constraints per segment: ${segs.map((s) => s.constraints).join(", ")}`);
    for (const s of segs) expect(s.constraints).to.be.greaterThan(0);
    expect(new Set(segs.map((s) => s.vkeySha256)).size).to.equal(3);
    // Public model inputs and outputs at the ends; a link commitment on each side of a cut.
    expect(segs[0].publicSignals.inputs.encoding).to.equal("packed");
    expect(segs[2].publicSignals.outputs.encoding).to.equal("packed");
    for (let i = 0; i < 2; i++) {
      const out = segs[i].publicSignals.outputs;
      const inp = segs[i + 1].publicSignals.inputs;
      expect([out.encoding, out.linked, inp.encoding, inp.linked]).to.deep.equal(["commitment", true, "commitment", true]);
      // The next segment's inputs are packed at the width the previous outputs are, and (ReLU outputs: never
      // negative) range-checked unsigned at one bit less, so later bounds do not grow a bit per cut.
      expect(inp.packing).to.deep.equal(out.packing);
      expect([segs[i + 1].quant.inputBits, segs[i + 1].quant.inputUnsigned]).to.deep.equal([out.packing.bits - 1, true]);
    }
  });

  it("proves the chain; its output equals the bit-exact evaluator on the whole model", async () => {
    const graph = importOnnx(fs.readFileSync(onnx), "deep");
    const q = chainInputs(compiled.dir, compiled.manifest, input);
    const expected = evaluateQuantized(quantizeModel(graph, QUANT), [q]).flatMap((v) => v.data);
    expect(proved.outputs.map(BigInt)).to.deep.equal(expected);
    // The last segment's public signals carry the same values.
    const last = compiled.manifest.segments[2].publicSignals;
    expect(unpackWords(proved.segments[2].publicSignals.slice(last.outputs.offset, last.outputs.offset + last.outputs.count).map(BigInt), last.outputs.packing)).to.deep.equal(expected);
    expect(await verifyChain(compiled.dir, proved.segments)).to.deep.equal({ valid: true });
    // Each link is the Poseidon commitment (link tag) to the boundary activations the evaluator gives.
    const acts = chainActivations(compiled.dir, compiled.manifest, q);
    const seg0 = compiled.manifest.segments[0].publicSignals.outputs;
    expect(BigInt(proved.segments[0].publicSignals[seg0.offset])).to.equal(commitValues(COMMITMENT_TAG.link, acts[1], seg0.packing));
  });

  it("rejects a forged link: a segment proven on other activations than the previous segment's outputs", async () => {
    const acts = chainActivations(compiled.dir, compiled.manifest, chainInputs(compiled.dir, compiled.manifest, input));
    const forged = acts[2].slice();
    forged[0] += 1n;
    // The forged segment's proof is valid on its own...
    const other = await proveSegment(compiled.dir, 2, forged);
    const alone = await verifyChain(compiled.dir, [proved.segments[0], proved.segments[1], other]);
    // ...but its input commitment is not the previous segment's output commitment.
    expect(alone.valid).to.equal(false);
    expect(alone.reason).to.match(/^link 1 -> 2: segment 2 was proven on other activations/);
    // Proofs in the wrong order, or a missing segment, are refused too.
    expect((await verifyChain(compiled.dir, [proved.segments[0], proved.segments[2], proved.segments[1]])).valid).to.equal(false);
    expect((await verifyChain(compiled.dir, proved.segments.slice(0, 2))).reason).to.match(/has 3 segments, got 2 proofs/);
  });

  it("refuses a negative activation at a ReLU boundary: the next segment checks its inputs unsigned", async () => {
    const acts = chainActivations(compiled.dir, compiled.manifest, chainInputs(compiled.dir, compiled.manifest, input));
    const negative = acts[1].slice();
    negative[0] = -1n;
    const hi = 2n ** BigInt(compiled.manifest.segments[1].quant.inputBits) - 1n;
    await rejectsWith(proveSegment(compiled.dir, 1, negative), new RegExp(`^segment 1 of "chain_demo": input 0 is -1, outside the range its circuit checks, \\[0, ${hi}\\]$`));
  });

  it("salts every link when asked: the same chain check, links that reveal nothing, a segment proven with another salt refused", async () => {
    const salted = await compileChain({ name: "chain_demo", onnx, buildDir: path.join(dir, "build-salted"), quant: QUANT, segments: { cuts: ["a1", "a2"], saltedLinks: true }, log: () => undefined });
    expect(salted.manifest.saltedLinks).to.equal(true);
    const segs = salted.manifest.segments;
    expect([segs[0].publicSignals.outputs.salted, segs[1].publicSignals.inputs.salted, segs[1].publicSignals.outputs.salted, segs[2].publicSignals.inputs.salted]).to.deep.equal([true, true, true, true]);
    expect(segs[0].publicSignals.inputs.salted).to.not.equal(true); // the model's own inputs keep their visibility
    const p = await proveChain(salted.dir, input, { linkSecret: "test secret" });
    expect(p.outputs).to.deep.equal(proved.outputs);
    expect(await verifyChain(salted.dir, p.segments)).to.deep.equal({ valid: true });
    const acts = chainActivations(salted.dir, salted.manifest, chainInputs(salted.dir, salted.manifest, input));
    const salts = chainLinkSalts(salted.manifest, "test secret");
    const out0 = segs[0].publicSignals.outputs;
    const link = BigInt(p.segments[0].publicSignals[out0.offset]);
    expect(link).to.equal(commitValues(COMMITMENT_TAG.link, acts[1], out0.packing, salts[0]));
    expect(link).to.not.equal(commitValues(COMMITMENT_TAG.link, acts[1], out0.packing));
    // Segment 1 proven on the right activations but another input salt: its input link is not segment 0's output link.
    const other = await proveSegment(salted.dir, 1, acts[1], { linkSalts: { in: salts[0] + 1n, out: salts[1] } });
    const check = await verifyChain(salted.dir, [p.segments[0], other, p.segments[2]]);
    expect(check.valid).to.equal(false);
    expect(check.reason).to.match(/^link 0 -> 1: /);
    await rejectsWith(proveSegment(salted.dir, 1, acts[1]), /^segment 1 of "chain_demo": its input link is salted: give the link's salt$/);
  });

  it("is served from its build cache when nothing changed", async () => {
    const again = await compileChain({ name: "chain_demo", onnx, buildDir: path.join(dir, "build"), quant: QUANT, segments: { cuts: ["a1", "a2"] }, log: () => undefined });
    expect(again.cached).to.equal(true);
    expect(again.manifest.chainHash).to.equal(compiled.manifest.chainHash);
  });

  describe("on-chain: ChainVerifier", () => {
    let chain: Awaited<ReturnType<typeof hre.ethers.deployContract>>;
    let adapters: Awaited<ReturnType<typeof hre.ethers.deployContract>>[];
    const proofs = () => proved.segments.map((p) => asProof(p.calldata));
    const links = (segs = proved.segments) => segs.slice(0, -1).map((p, i) => BigInt(p.publicSignals[compiled.manifest.segments[i].publicSignals.outputs.offset]));
    const whole = () => {
      const q = chainInputs(compiled.dir, compiled.manifest, input);
      return statement({ inputs: q, outputs: proved.outputs.map(BigInt) });
    };

    before(async () => {
      await hre.run("compile", { quiet: true });
      adapters = [];
      for (const s of compiled.manifest.segments) {
        const verifier = await hre.ethers.deployContract(s.contractName);
        adapters.push(await hre.ethers.deployContract("ZkmlModel", [await verifier.getAddress(), s.modelHash, solidityLayout(s.publicSignals, QUANT.scaleBits), 0n]));
      }
      chain = await hre.ethers.deployContract("ChainVerifier", [await Promise.all(adapters.map((a) => a.getAddress()))]);
    });

    it("verifies every segment proof and link in one call, and exposes the chain's identity", async () => {
      expect(await chain.segmentCount()).to.equal(3n);
      expect(await chain.chainHash()).to.equal(compiled.manifest.chainHash);
      expect(await chain.verifyStatement(proofs(), links(), whole())).to.equal(true);
      await chain.requireStatement(proofs(), links(), whole());
      const signals = proved.segments.map((p) => p.publicSignals.map(BigInt));
      expect(await chain.verify(proofs(), signals)).to.equal(true);
      // Gas: the whole chain, and each segment's proof alone through its adapter.
      const total = await chain.verifyStatement.estimateGas(proofs(), links(), whole());
      const each = await Promise.all(adapters.map((a, i) => a.verify.estimateGas(proofs()[i], signals[i])));
      console.log(`      gas: chain of ${each.length} segments ${total} (${total / BigInt(each.length)} per segment); each segment alone ${each.join(", ")}`);
    });

    it("rejects a forged link and a statement of other outputs or inputs", async () => {
      const acts = chainActivations(compiled.dir, compiled.manifest, chainInputs(compiled.dir, compiled.manifest, input));
      const forged = acts[2].slice();
      forged[0] += 1n;
      const other = await proveSegment(compiled.dir, 2, forged);
      const forgedProofs = [...proofs().slice(0, 2), asProof(other.calldata)];
      const otherOutputs = statement({ inputs: whole().inputs, outputs: other.outputs.map(BigInt) });
      // With the honest link the forged segment fails; with its own input commitment as the link, segment 1 fails.
      expect(await chain.verifyStatement(forgedProofs, links(), otherOutputs)).to.equal(false);
      const forgedLink = BigInt(other.publicSignals[compiled.manifest.segments[2].publicSignals.inputs.offset]);
      expect(await chain.verifyStatement(forgedProofs, [links()[0], forgedLink], otherOutputs)).to.equal(false);
      await expect(chain.requireStatement(forgedProofs, links(), otherOutputs)).to.be.revertedWithCustomError(chain, "InvalidProof");
      // Raw signals: the broken link is named.
      const signals = [...proved.segments.slice(0, 2), other].map((p) => p.publicSignals.map(BigInt));
      await expect(chain.verify(forgedProofs, signals)).to.be.revertedWithCustomError(chain, "BrokenLink").withArgs(2n, links()[1], forgedLink);
      const short = [signals[0].slice(0, -1), ...signals.slice(1)];
      await expect(chain.verify(forgedProofs, short)).to.be.revertedWithCustomError(chain, "WrongSignalCount").withArgs(BigInt(signals[0].length), BigInt(short[0].length));
      // The honest proofs do not prove other outputs, nor other inputs.
      const wrong = whole();
      wrong.outputs = wrong.outputs.map((v, i) => (i === 0 ? v + 1n : v));
      expect(await chain.verifyStatement(proofs(), links(), wrong)).to.equal(false);
      const wrongIn = whole();
      wrongIn.inputs = wrongIn.inputs.map((v, i) => (i === 0 ? v + 1n : v));
      expect(await chain.verifyStatement(proofs(), links(), wrongIn)).to.equal(false);
      await expect(chain.verifyStatement(proofs().slice(0, 2), links(), whole())).to.be.revertedWithCustomError(chain, "WrongSegmentCount").withArgs(3n, 2n);
    });

    it("refuses segments that do not form a chain", async () => {
      const addrs = await Promise.all(adapters.map((a) => a.getAddress()));
      const factory = await hre.ethers.getContractFactory("ChainVerifier");
      // The last segment cannot come before another: its outputs are public values, not a link commitment.
      await expect(factory.deploy([addrs[2], addrs[1]])).to.be.revertedWithCustomError(chain, "InvalidChainLayout").withArgs(0n);
      await expect(factory.deploy([addrs[0]])).to.be.revertedWithCustomError(chain, "WrongSegmentCount");
    });
  });
});
