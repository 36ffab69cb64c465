// The flagship (issue 8) on a reduced copy of mnist_gan's graph (gan_mini: same ops, latent 8 -> 12x12): a
// prompt's seed is expanded to the latent inside the circuit, the generator's gadgets are R1CS linked to the
// circom interface, the image is public through a fingerprint bound to the recipient, and
// ProvenImageCollection mints it with its proof, revealing an earlier commitment. The full mnist_gan runs in
// `npm run bench:gan`.
import fs from "fs";
import path from "path";
import { expect } from "chai";
import { getBytes } from "ethers";
import hre from "hardhat";
import { constraintsByWire, readR1cs, unsatisfiedConstraints } from "../../src/backend/r1cs";
import { importOnnx } from "../../src/onnx/import";
import { artifact } from "../../src/pipeline/manifest";
import { Manifest } from "../../src/pipeline/manifest";
import { linkedModelWitness } from "../../src/pipeline/prove";
import { packWords } from "../../src/privacy/packing";
import { latentFromSeed, outputChallenge, promptSeed, recipientContext } from "../../src/privacy/seeded";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { decodeSvgUri, decodeTokenUri } from "../../src/statements/token-uri";
import { ensureExampleModel } from "../../src/examples";
import { deployImageCollection } from "../../deploy/lib/proven-image";
import { imageShape, MintedImage, proveAndMintImage } from "../../src/mint/proven-image";
import { commitPrompt } from "../../src/statements/prompt-commitment";
import { encodeMintProof, promptBytes, svgRunPixels } from "../../src/statements/proven-image";
import { TestCircuit, violatedAfter } from "../circuit/helpers";
import { rejectsWith } from "./helpers";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MODEL = "gan_mini";


describe("e2e: flagship GAN image minted as ERC-7007 with its proof (gan_mini)", function () {
  let m: Manifest;
  let dir: string;
  let deployed: { verifier: Contract; collection: Contract };
  let minted: MintedImage;
  let alice: string;
  let bob: string;

  before(async function () {
    ensureExampleModel(hre.config.paths.root, undefined, MODEL);
    const [built] = await hre.zkml.compile({ name: MODEL });
    ({ manifest: m, dir } = built);
    await hre.run("compile", { quiet: true });
    [alice, bob] = (await hre.ethers.getSigners()).map((s) => s.address);
    deployed = await deployImageCollection(hre, m);
    minted = await proveAndMintImage(hre, m, deployed, "a proven digit", alice);
  });

  it("compiles with the direct R1CS body to three public signals: fingerprint, seed, challenge", function () {
    expect(m.circuit.body).to.equal("direct");
    expect(m.publicSignals.count).to.equal(3);
    expect([m.publicSignals.outputs.encoding, m.publicSignals.inputs.encoding]).to.deep.equal(["fingerprint", "seed"]);
  });

  it("proves the image the evaluator computes from the prompt's seed, close to onnxruntime's", function () {
    const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")), MODEL);
    const latent = latentFromSeed(promptSeed("a proven digit"), 8, m.quant.inputBits);
    const expected = evaluateQuantized(quantizeModel(graph, m.quant), [latent]).flatMap((o) => o.data);
    expect(minted.proved.packedOutputs).to.deep.equal(packWords(expected, m.publicSignals.outputs.packing).map(String));
    expect(minted.proved.publicSignals[1]).to.equal(promptSeed("a proven digit").toString());
    expect(minted.proved.reference!.maxAbsError).to.be.lessThan(2 ** -6);
  });

  it("mints to the recipient; tokenURI's on-chain SVG is the proven image", async function () {
    const { collection } = deployed;
    expect(await collection.ownerOf(minted.tokenId)).to.equal(alice);
    const { width, height } = imageShape(m);
    const proven = minted.proved.outputs[0].values.map((v) => Math.round(255 * Math.min(1, Math.max(0, v))));
    expect([...getBytes(await collection.image(minted.tokenId))]).to.deep.equal(proven);
    const svg = svgRunPixels(decodeSvgUri(String(decodeTokenUri(await collection.tokenURI(minted.tokenId)).image)));
    expect([svg.width, svg.height]).to.deep.equal([width, height]);
    expect(svg.grays).to.deep.equal(proven);
    console.log(`      commitPrompt gas: ${minted.commitGas}; mintWithProof gas: ${minted.mintGas} (transactions, incl. 21000 base each)`);
  });

  it("verifies within the 230k gas target", function () {
    expect(minted.verifyGas).to.be.lessThanOrEqual(230_000n);
  });

  it("refuses the proof for another recipient, another prompt, or a changed pixel", async function () {
    const { collection } = deployed;
    const prompt = "another digit";
    const proved = await hre.zkml.prove(MODEL, { prompt }, { context: recipientContext(alice), reference: false });
    const words = proved.packedOutputs.map(BigInt);
    const proof = encodeMintProof(proved.calldata);
    /** Commits to the mint (a block earlier), then reveals it. */
    const mint = async (to: string, p: string, w: bigint[]) => {
      const { salt } = await commitPrompt(collection, promptBytes(p), to);
      return collection.mintWithProof(to, promptBytes(p), w, proof, salt);
    };
    await expect(mint(bob, prompt, words)).to.be.revertedWithCustomError(collection, "InvalidProof");
    await expect(mint(alice, "yet another digit", words)).to.be.revertedWithCustomError(collection, "InvalidProof");
    const changed = [...words];
    changed[0] ^= 1n; // the first pixel's lowest bit
    await expect(mint(alice, prompt, changed)).to.be.revertedWithCustomError(collection, "InvalidProof");
    await expect(mint(alice, prompt, words)).to.emit(collection, "Transfer");
  });

  it("says what a seeded model takes, and that other models take no prompt", async function () {
    await rejectsWith(hre.zkml.prove(MODEL, { input_data: [[0, 0, 0, 0, 0, 0, 0, 0]] }), /takes a seeded input: give \{ "prompt"/);
    await rejectsWith(hre.zkml.prove(MODEL, { seed: "-1" }), /not an element of the BN254 scalar field/);
    await rejectsWith(hre.zkml.prove(MODEL, { prompt: 7 }), /takes a seeded input/);
    ensureExampleModel(hre.config.paths.root, undefined, "credit_mlp");
    await hre.zkml.compile({ name: "credit_mlp" });
    await rejectsWith(hre.zkml.prove("credit_mlp", { prompt: "a loan" }), /does not take a prompt/);
  });

  it("every single-wire change to the proof's witness breaks a constraint (seed expansion, generator, fingerprint)", async function () {
    const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")), MODEL);
    const qmodel = quantizeModel(graph, m.quant);
    const seed = promptSeed("a witness to tamper with");
    const latent = latentFromSeed(seed, 8, m.quant.inputBits);
    const outputs = evaluateQuantized(qmodel, [latent]).flatMap((o) => o.data);
    const r = outputChallenge(packWords(outputs, m.publicSignals.outputs.packing), recipientContext(alice));
    const honest = await linkedModelWitness(dir, m, qmodel, { in: latent.map(String), inSeed: seed.toString(), outChallenge: r.toString() }, latent, outputs);
    const r1cs = readR1cs(artifact(dir, m, "r1cs"), true);
    expect(unsatisfiedConstraints(r1cs, honest)).to.deep.equal([]);
    const c: TestCircuit = { r1cs, byWire: constraintsByWire(r1cs), sym: new Map(), witness: async () => [] };
    const survivors: number[] = [];
    // Public signals included: a seed or challenge in no constraint would verify with any value.
    for (let wire = 1; wire < r1cs.nWires; wire++) {
      if (violatedAfter(c, honest, new Map([[wire, honest[wire] + 1n]])).length === 0) survivors.push(wire);
    }
    expect(survivors, "wires that can change with every constraint still satisfied").to.deep.equal([]);
  });
});
