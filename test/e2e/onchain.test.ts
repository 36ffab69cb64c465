// End to end: credit_mlp compiled through hre.zkml, its generated verifier deployed on Hardhat's
// in-process network, and real vs. tampered proofs checked both on-chain and off-chain.
import { expect } from "chai";
import hre from "hardhat";
import path from "path";
import type { Groth16Calldata } from "../../src/backend/groth16";
import { Groth16Proof, releaseSnarkjs } from "../../src/backend/snarkjs";
import type { Manifest } from "../../src/pipeline/manifest";
import type { ProveResult } from "../../src/pipeline/prove";
import { ensureExampleModel, EXAMPLE_MODEL, exampleModelDir } from "../../src/examples";
import { callVerifyProof } from "../../src/statements/verifier";
import { addMod, BN254_P, BN254_Q, cloneCalldata, cloneProof, decodePublicSignals, fieldToSigned } from "./helpers";

const MODEL = EXAMPLE_MODEL;

/** One tampering applied consistently to the Solidity calldata and to the snarkjs proof/signals. */
interface Tamper {
  name: string;
  calldata: (cd: Groth16Calldata) => void;
  offchain: (proof: Groth16Proof, signals: string[]) => void;
}

describe("e2e: credit_mlp verified on-chain", function () {
  let m: Manifest;
  let r: ProveResult;
  let verifier: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  after(releaseSnarkjs);

  before(async function () {
    const root = hre.config.paths.root;
    ensureExampleModel(root);
    const [built] = await hre.zkml.compile({ name: MODEL });
    m = built.manifest;
    await hre.run("compile", { quiet: true });
    r = await hre.zkml.prove(MODEL, path.join(exampleModelDir(root), "input.json"));
    verifier = await hre.zkml.deployVerifier(MODEL);
  });

  it("generates a verifier whose public-signal layout matches the manifest", function () {
    expect(m.contractName).to.equal("CreditMlpVerifier");
    const { outputs, inputs, count } = m.publicSignals;
    // credit_mlp: 2 logits [reject, approve] packed in one signal + 6 features packed in another; the
    // tamper cases below enumerate both.
    expect([outputs.packing.values, inputs.packing.values]).to.deep.equal([2, 6]);
    expect([outputs.count, inputs.count]).to.deep.equal([1, 1]);
    expect(outputs.offset).to.equal(0);
    expect(inputs.offset).to.equal(outputs.count);
    expect(count).to.equal(outputs.count + inputs.count);
    expect(r.publicSignals).to.have.length(count);
    expect(r.calldata.publicSignals).to.have.length(count);
    // The function takes exactly `count` public signals.
    const fn = verifier.interface.getFunction("verifyProof");
    expect(fn.inputs[3].type).to.equal(`uint256[${count}]`);
  });

  it("accepts the real proof on-chain and off-chain", async function () {
    expect(await callVerifyProof(verifier, r.calldata)).to.equal(true);
    const off = await hre.zkml.verify(MODEL, r.proof, r.publicSignals);
    expect(off.valid, off.reason).to.equal(true);
  });

  it("the on-chain accepted outputs decode to ProveResult.outputs", async function () {
    // The calldata the contract accepted (hex) is the same field elements as the snarkjs signals (decimal).
    expect(r.calldata.publicSignals.map((s) => BigInt(s))).to.deep.equal(r.publicSignals.map((s) => BigInt(s)));
    expect(await callVerifyProof(verifier, r.calldata)).to.equal(true);

    const decoded = decodePublicSignals(m, r.calldata.publicSignals);
    const proved = r.outputs.flatMap((o) => o.values);
    expect(decoded.outputs).to.deep.equal(proved);
    expect(r.outputs.map((o) => o.name)).to.deep.equal(m.outputs.map((o) => o.name));

    // And the decoded inputs are the quantized example input.
    const raw = require(path.join(exampleModelDir(hre.config.paths.root), "input.json")).input_data.flat() as number[];
    const step = 2 ** -m.publicSignals.inputs.scaleBits;
    decoded.inputs.forEach((v, i) => expect(Math.abs(v - raw[i])).to.be.at.most(step / 2));

    // The off-chain verifier reports the same outputs.
    const off = await hre.zkml.verify(MODEL, r.proof, r.publicSignals);
    expect(off.outputs?.flatMap((o) => o.values)).to.deep.equal(proved);
  });

  it("negative outputs are packed as offset-binary digits below 2^(bits-1)", function () {
    // credit_mlp's example input gives a negative "approve" logit, so the sign decoding is exercised.
    const proved = r.outputs.flatMap((o) => o.values);
    const negatives = proved.map((v, i) => [v, i] as const).filter(([v]) => v < 0);
    expect(negatives.length, "expected at least one negative logit in the example").to.be.greaterThan(0);
    const { bits } = m.publicSignals.outputs.packing;
    const word = BigInt(r.publicSignals[m.publicSignals.outputs.offset]);
    for (const [, i] of negatives) expect((word >> BigInt(i * bits)) & ((1n << BigInt(bits)) - 1n)).to.be.lessThan(1n << BigInt(bits - 1));
    expect(fieldToSigned(BN254_P - 1n)).to.equal(-1n);
    expect(fieldToSigned(1n)).to.equal(1n);
  });

  describe("tampered proofs are rejected on-chain and off-chain", function () {
    const tampers: Tamper[] = [];

    // Every public signal (the packed outputs, then the packed inputs) changed by +1 and by -1.
    for (let i = 0; i < 2; i++) {
      for (const d of [1n, -1n]) {
        tampers.push({
          name: `public signal ${i} ${d > 0n ? "+" : "-"} 1`,
          calldata: (cd) => void (cd.publicSignals[i] = addMod(cd.publicSignals[i], d, BN254_P)),
          offchain: (_p, s) => void (s[i] = addMod(s[i], d, BN254_P)),
        });
      }
    }
    // The two output logits swapped inside their packed word (a plausible forgery: flip the decision).
    const swapLogits = (word: string) => {
      const bits = BigInt(m.publicSignals.outputs.packing.bits);
      const mask = (1n << bits) - 1n;
      const w = BigInt(word);
      return String(((w & mask) << bits) | ((w >> bits) & mask));
    };
    tampers.push({
      name: "output logits swapped",
      calldata: (cd) => void (cd.publicSignals[0] = swapLogits(cd.publicSignals[0])),
      offchain: (_p, s) => void (s[0] = swapLogits(s[0])),
    });
    // Proof points. Their coordinates live in the base field Fq.
    tampers.push({
      name: "a[0] + 1",
      calldata: (cd) => void (cd.a[0] = addMod(cd.a[0], 1n, BN254_Q)),
      offchain: (p) => void (p.pi_a[0] = addMod(p.pi_a[0], 1n, BN254_Q)),
    });
    tampers.push({
      name: "a negated (-A, still on the curve)",
      calldata: (cd) => void (cd.a[1] = addMod("0", -BigInt(cd.a[1]), BN254_Q)),
      offchain: (p) => void (p.pi_a[1] = addMod("0", -BigInt(p.pi_a[1]), BN254_Q)),
    });
    tampers.push({
      name: "c[1] + 1",
      calldata: (cd) => void (cd.c[1] = addMod(cd.c[1], 1n, BN254_Q)),
      offchain: (p) => void (p.pi_c[1] = addMod(p.pi_c[1], 1n, BN254_Q)),
    });
    // snarkjs's calldata already swaps each Fq2 coordinate of b for the EVM precompile; undoing that swap is a classic bug.
    tampers.push({
      name: "b coordinates swapped (b[0][0] <-> b[0][1], b[1][0] <-> b[1][1])",
      calldata: (cd) => void (cd.b = [[cd.b[0][1], cd.b[0][0]], [cd.b[1][1], cd.b[1][0]]]),
      offchain: (p) => void (p.pi_b = [[p.pi_b[0][1], p.pi_b[0][0]], [p.pi_b[1][1], p.pi_b[1][0]], p.pi_b[2]]),
    });
    tampers.push({
      name: "a and c exchanged",
      calldata: (cd) => void ([cd.a, cd.c] = [cd.c, cd.a]),
      offchain: (p) => void ([p.pi_a, p.pi_c] = [p.pi_c, p.pi_a]),
    });

    for (const t of tampers) {
      it(`rejects: ${t.name}`, async function () {
        const cd = cloneCalldata(r.calldata);
        t.calldata(cd);
        expect(cd, "the tampering changed nothing").to.not.deep.equal(r.calldata);
        const onchain = await callVerifyProof(verifier, cd);
        expect(onchain, `on-chain verifyProof returned ${onchain}`).to.be.oneOf([false, "revert"]);

        const proof = cloneProof(r.proof);
        const signals = [...r.publicSignals];
        t.offchain(proof, signals);
        const off = await hre.zkml.verify(MODEL, proof, signals);
        expect(off.valid, "off-chain hre.zkml.verify accepted a tampered proof").to.equal(false);
      });
    }

    // A signal >= p aliases the same field element (s + p = s mod p) and must not be accepted.
    for (const i of [0, 1]) {
      it(`rejects: public signal ${i} + p (>= the BN254 scalar field modulus)`, async function () {
        const cd = cloneCalldata(r.calldata);
        cd.publicSignals[i] = String(BigInt(cd.publicSignals[i]) + BN254_P);
        const onchain = await callVerifyProof(verifier, cd);
        expect(onchain, `on-chain verifyProof returned ${onchain}`).to.be.oneOf([false, "revert"]);

        const signals = [...r.publicSignals];
        signals[i] = String(BigInt(signals[i]) + BN254_P);
        const off = await hre.zkml.verify(MODEL, r.proof, signals);
        expect(off.valid).to.equal(false);
      });
    }

    it("rejects: public signal = p exactly", async function () {
      const cd = cloneCalldata(r.calldata);
      cd.publicSignals[0] = String(BN254_P);
      expect(await callVerifyProof(verifier, cd)).to.be.oneOf([false, "revert"]);
      const signals = [...r.publicSignals];
      signals[0] = String(BN254_P);
      expect((await hre.zkml.verify(MODEL, r.proof, signals)).valid).to.equal(false);
    });

    // Last in this block (mocha runs a describe's own tests before its nested describes).
    it("still accepts the real proof after all the tampering (the clones left it untouched)", async function () {
      expect(await callVerifyProof(verifier, r.calldata)).to.equal(true);
      expect((await hre.zkml.verify(MODEL, r.proof, r.publicSignals)).valid).to.equal(true);
    });
  });
});
