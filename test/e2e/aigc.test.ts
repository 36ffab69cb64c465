// The ERC-7007 collection over pixel_gen, deployed with deploy/modules/aigc.ts (Ignition) on the in-process network:
// a real proof mints; every way of attaching content the model did not compute for that recipient is refused, and so
// is a sniper who proves a pending mint's prompt afresh for himself (commit-reveal, issue 14).
import { expect } from "chai";
import { id, keccak256, toBeHex, zeroPadValue } from "ethers";
import hre from "hardhat";
import path from "path";
import { decodeValues, encodeProof, encodeValues, mintArgs, MintArgs, svgPixels, tokenIdOf } from "../../src/statements/aigc";
import { decodeSvgUri, decodeTokenUri, expectedGray } from "../../src/statements/token-uri";
import { asciiGrays } from "../../src/util/render";
import { ensureExampleModel, exampleModelDir } from "../../src/examples";
import { commitPrompt, newSalt, promptCommitment } from "../../src/statements/prompt-commitment";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { compileModel } from "../../src/pipeline/compile";
import type { Manifest } from "../../src/pipeline/manifest";
import type { ProveResult } from "../../src/pipeline/prove";
import { BN254_P, BN254_Q, FIXED_GAS, inOneBlock, minedRevert } from "./helpers";
import { solidityLayout } from "../../src/privacy/layout";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Signer = Awaited<ReturnType<typeof hre.ethers.getSigners>>[number];

const MODEL = "pixel_gen";
/** The same ONNX and settings compiled under another name: same signal layout, its own keys and modelHash. */
const TWIN = "pixel_gen_twin";

/** ERC-165 id of an interface: the XOR of its functions' selectors. */
const interfaceId = (signatures: string[]) =>
  "0x" + signatures.reduce((acc, sig) => acc ^ BigInt(id(sig).slice(0, 10)), 0n).toString(16).padStart(8, "0");

describe("e2e: ERC-7007 AigcCollection over pixel_gen", function () {
  let m: Manifest;
  let twin: Manifest;
  let collection: Contract;
  let model: Contract;
  let twinCollection: Contract;
  let alice: Signer;
  let mallory: Signer;
  let bob: Signer;

  after(releaseSnarkjs);

  before(async function () {
    const root = hre.config.paths.root;
    ensureExampleModel(root, undefined, MODEL);
    [{ manifest: m }] = await hre.zkml.compile({ name: MODEL });
    const cfg = hre.config.zkml;
    ({ manifest: twin } = await compileModel({
      name: TWIN,
      onnx: cfg.models[MODEL].onnx,
      buildDir: cfg.buildDir,
      verifiersDir: cfg.verifiersDir,
      quant: { scaleBits: cfg.models[MODEL].scaleBits, inputBits: cfg.models[MODEL].inputBits },
      bindings: cfg.models[MODEL].bind,
      log: () => undefined,
    }));
    await hre.run("compile", { quiet: true });
    // Imported only now: reading deploy/modules/aigc.ts reads the compiled model's manifest.
    const { aigcModule } = await import("../../deploy/modules/aigc");
    ({ collection, model } = await hre.ignition.deploy(aigcModule(m)));
    ({ collection: twinCollection } = await hre.ignition.deploy(aigcModule(twin)));
    [alice, mallory, bob] = await hre.ethers.getSigners();
  });

  /** Proves `prompt` with `name`'s circuit, bound to `recipient`, and returns the collection's arguments. */
  async function proveFor(prompt: number[], recipient: string, name = MODEL): Promise<MintArgs & { r: ProveResult }> {
    const r = await hre.zkml.prove(name, { input_data: [prompt] }, { bindings: { recipient }, reference: false });
    return { ...mintArgs(name === MODEL ? m : twin, r.calldata, recipient), r };
  }

  /** Commits `from` to minting `a.prompt` to `to` (mined in its own block), then sends the mint that reveals it. */
  async function mint(from: Signer, to: string, a: Pick<MintArgs, "prompt" | "aigcData" | "proof">, on: Contract = collection) {
    const { salt } = await commitPrompt(on, a.prompt, to, from);
    return on.connect(from).mintWithProof(to, a.prompt, a.aigcData, a.proof, salt);
  }

  it("is wired from the manifest: recipient-bound adapter, model commitment, signal layout", async function () {
    // 16 pixels packed into a few signals, the 4 prompt values into one, then the recipient.
    expect(m.publicSignals.outputs.count).to.be.lessThan(4);
    expect(m.publicSignals.bindings).to.deep.equal([{ name: "recipient", offset: m.publicSignals.outputs.count + 1 }]);
    expect([m.publicSignals.outputs.packing.values, m.publicSignals.inputs.packing.values]).to.deep.equal([16, 4]);
    expect(await model.valuesArePublic()).to.equal(true);
    expect(await collection.model()).to.equal(await model.getAddress());
    expect(await model.modelHash()).to.equal(m.modelHash);
    expect(await model.bindingCount()).to.equal(1n);
    expect(twin.modelHash).to.not.equal(m.modelHash);
    expect(twin.publicSignals.count).to.equal(m.publicSignals.count);
  });

  it("supports the ERC-7007 (0x702c55a6), ERC-7007 Enumerable, ERC-721 and ERC-165 interfaces", async function () {
    const erc7007 = interfaceId(["addAigcData(uint256,bytes,bytes,bytes)", "verify(bytes,bytes,bytes)"]);
    const enumerable = interfaceId(["tokenId(bytes)", "prompt(uint256)"]);
    expect(erc7007).to.equal("0x702c55a6");
    expect(enumerable).to.equal("0xfa1a557a");
    for (const iid of [erc7007, enumerable, "0x80ac58cd", "0x5b5e139f", "0x01ffc9a7"]) expect(await collection.supportsInterface(iid), iid).to.equal(true);
    expect(await collection.supportsInterface("0xffffffff")).to.equal(false);
  });

  describe("minting with a valid proof", function () {
    let args: MintArgs & { r: ProveResult };
    let prompt: number[];

    before(async function () {
      prompt = require(path.join(exampleModelDir(hre.config.paths.root, MODEL), "input.json")).input_data[0];
      args = await proveFor(prompt, alice.address);
    });

    it("verify() holds for the proof before minting", async function () {
      expect(await collection.verify(args.prompt, args.aigcData, args.proof)).to.equal(true);
    });

    it("mints token keccak256(prompt) to the recipient, emitting Transfer and AigcData", async function () {
      const commit = await commitPrompt(collection, args.prompt, alice.address, alice);
      const tx = await collection.connect(alice).mintWithProof(alice.address, args.prompt, args.aigcData, args.proof, commit.salt);
      await expect(tx).to.emit(collection, "Transfer").withArgs(hre.ethers.ZeroAddress, alice.address, args.tokenId);
      await expect(tx).to.emit(collection, "AigcData").withArgs(args.tokenId, args.prompt, args.aigcData, args.proof);
      await expect(tx).to.emit(collection, "PromptRevealed").withArgs(alice.address, commit.commitment);
      const receipt = await tx.wait();
      console.log(`      commitPrompt gas: ${commit.gasUsed}; mintWithProof gas: ${receipt.gasUsed} (transactions, incl. 21000 base each)`);
      expect(args.tokenId).to.equal(BigInt(keccak256(args.prompt)));
      expect(await collection.ownerOf(args.tokenId)).to.equal(alice.address);
      expect(await collection.balanceOf(alice.address)).to.equal(1n);
    });

    it("enumerates: prompt(tokenId) and tokenId(prompt) map both ways; aigcData(tokenId) is the proven output", async function () {
      expect(await collection.prompt(args.tokenId)).to.equal(args.prompt);
      expect(await collection.tokenId(args.prompt)).to.equal(args.tokenId);
      expect(await collection.aigcData(args.tokenId)).to.equal(args.aigcData);
      // The stored prompt is the quantized prompt the proof's public inputs hold.
      expect(decodeValues(await collection.prompt(args.tokenId))).to.deep.equal(prompt.map((x) => BigInt(Math.round(x * 2 ** m.quant.scaleBits))));
      const unminted = encodeValues([1n, 2n, 3n, 4n]);
      await expect(collection.tokenId(unminted)).to.be.revertedWithCustomError(collection, "ERC721NonexistentToken").withArgs(tokenIdOf(unminted));
      await expect(collection.prompt(12345n)).to.be.revertedWithCustomError(collection, "ERC721NonexistentToken").withArgs(12345n);
    });

    it("tokenURI is on-chain JSON with the prompt, the outputs, the model commitment and an SVG of the image", async function () {
      const json = decodeTokenUri(await collection.tokenURI(args.tokenId));
      expect(json.name).to.equal(`Pixel Gen #0x${args.tokenId.toString(16).padStart(64, "0").slice(0, 8)}`);
      expect(json.description).to.be.a("string").and.match(/zero-knowledge proof/);
      expect(json.prompt_values).to.deep.equal(prompt);
      expect(json.prompt).to.equal(JSON.stringify(prompt));
      expect(json.output_values).to.deep.equal(args.r.outputs[0].values);
      expect(json.scale_bits).to.equal(m.quant.scaleBits);
      expect(json.model_hash).to.equal(m.modelHash);
      expect(String(json.model).toLowerCase()).to.equal((await model.getAddress()).toLowerCase());
      expect([json.aigc_type, json.proof_type]).to.deep.equal(["image", "validity"]);
      expect(json.aigc_data).to.equal(json.image);

      const svg = decodeSvgUri(json.image as string);
      expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 4 4" width="320" height="320" shape-rendering="crispEdges">(<rect [^<>]*\/>){16}<\/svg>$/);
      const { width, height, grays } = svgPixels(svg);
      expect([width, height]).to.deep.equal([4, 4]);
      expect(grays).to.deep.equal(args.outputs.map((q) => expectedGray(q, m.quant.scaleBits)));
      // Outputs outside [0, 1] are clamped: the sample image has a slightly negative pixel.
      expect(args.outputs.some((q) => q < 0n), "expected a clamped (negative) output in the sample").to.equal(true);
      console.log(asciiGrays(grays, width).map((l) => `      |${l}|`).join("\n"));
    });

    it("verify() keeps holding for the minted data after a transfer (the proof names the minter)", async function () {
      await collection.connect(alice).transferFrom(alice.address, bob.address, args.tokenId);
      expect(await collection.ownerOf(args.tokenId)).to.equal(bob.address);
      expect(await collection.verify(args.prompt, args.aigcData, args.proof)).to.equal(true);
      expect(await collection.verify(args.prompt, args.aigcData, encodeProof(args.r.calldata, bob.address))).to.equal(false);
    });

    it("rejects the same prompt twice, even with a fresh valid proof for another recipient", async function () {
      await expect(mint(alice, alice.address, args)).to.be.revertedWithCustomError(collection, "PromptAlreadyMinted").withArgs(args.tokenId);
      const again = await proveFor(prompt, mallory.address);
      expect(await collection.verify(again.prompt, again.aigcData, again.proof)).to.equal(true);
      await expect(mint(mallory, mallory.address, again)).to.be.revertedWithCustomError(collection, "PromptAlreadyMinted").withArgs(args.tokenId);
    });

    it("addAigcData cannot attach data: not to a minted token, not with unproven data, not to a missing token", async function () {
      await expect(collection.addAigcData(args.tokenId, args.prompt, args.aigcData, args.proof))
        .to.be.revertedWithCustomError(collection, "AigcDataAlreadyAdded").withArgs(args.tokenId);
      const forged = encodeValues(args.outputs.map(() => 4096n));
      await expect(collection.connect(bob).addAigcData(args.tokenId, args.prompt, forged, args.proof))
        .to.be.revertedWithCustomError(collection, "AigcDataAlreadyAdded").withArgs(args.tokenId);
      const other = await proveFor([0.9, 0.9, -0.9, 0.1], alice.address);
      await expect(collection.addAigcData(other.tokenId, other.prompt, other.aigcData, other.proof))
        .to.be.revertedWithCustomError(collection, "ERC721NonexistentToken").withArgs(other.tokenId);
      expect(await collection.aigcData(args.tokenId)).to.equal(args.aigcData);
    });
  });

  describe("commit-reveal against sniping (issue 14)", function () {
    const receiptOf = (tx: { hash: string }) => hre.ethers.provider.getTransactionReceipt(tx.hash);

    it("a sniper who sees a pending mint, proves its prompt for himself and front-runs it in the same block is refused; the committer's mint wins", async function () {
      const a = await proveFor([0.45, -0.15, 0.8, -0.6], alice.address);
      const commit = await commitPrompt(collection, a.prompt, alice.address, alice);
      const bobSalt = newSalt();
      let proveMs = 0;
      const txs: Record<string, { hash: string }> = await inOneBlock(hre.network.provider, async () => {
        const reveal = await collection.connect(alice).mintWithProof(alice.address, a.prompt, a.aigcData, a.proof, commit.salt, FIXED_GAS);
        // Bob reads the prompt out of the pending reveal and proves it for himself: pixel_gen proves in under a second.
        const pending = await hre.ethers.provider.getTransaction(reveal.hash);
        expect(pending?.blockNumber).to.equal(null);
        const seen: string = collection.interface.parseTransaction(pending!)!.args[1];
        const t0 = Date.now();
        const b = await proveFor(decodeValues(seen).map((q) => Number(q) / 2 ** m.quant.scaleBits), bob.address);
        proveMs = Date.now() - t0;
        expect(b.prompt).to.equal(seen);
        expect(await collection.verify(b.prompt, b.aigcData, b.proof)).to.equal(true);
        // He outbids Alice: a mint without a commitment, then a commitment and its reveal, all in her reveal's block.
        const tip = { ...FIXED_GAS, maxFeePerGas: reveal.maxFeePerGas! * 10n, maxPriorityFeePerGas: reveal.maxPriorityFeePerGas! * 10n };
        const uncommitted = await collection.connect(bob).mintWithProof(bob.address, b.prompt, b.aigcData, b.proof, bobSalt, tip);
        const bobCommit = await collection.connect(bob).commitPrompt(promptCommitment(b.prompt, bob.address, bobSalt, bob.address), tip);
        const bobReveal = await collection.connect(bob).mintWithProof(bob.address, b.prompt, b.aigcData, b.proof, bobSalt, tip);
        return { reveal, uncommitted, bobCommit, bobReveal };
      });
      console.log(`      Bob's proof for himself took ${proveMs} ms`);
      const r = Object.fromEntries(await Promise.all(Object.entries(txs).map(async ([k, tx]) => [k, (await receiptOf(tx))!])));
      const block = commit.blockNumber + 1;
      for (const k of Object.keys(r)) expect(r[k].blockNumber, k).to.equal(block);
      for (const k of ["uncommitted", "bobCommit", "bobReveal"]) expect(r[k].index, k).to.be.lessThan(r.reveal.index);
      expect([r.uncommitted.status, r.bobCommit.status, r.bobReveal.status, r.reveal.status]).to.deep.equal([0, 1, 0, 1]);
      const revertOf = (tx: { hash: string }) => minedRevert(hre.network.provider, collection, tx);
      expect(await revertOf(txs.uncommitted)).to.deep.equal({ name: "NoCommitment", args: [bob.address, promptCommitment(a.prompt, bob.address, bobSalt, bob.address)] });
      expect(await revertOf(txs.bobReveal)).to.deep.equal({ name: "CommitmentTooRecent", args: [BigInt(block), BigInt(block)] });
      expect(await collection.ownerOf(a.tokenId)).to.equal(alice.address);
      console.log(`      commitPrompt gas: ${commit.gasUsed}; mintWithProof gas: ${r.reveal.gasUsed} (the winning reveal)`);
    });

    it("a reveal in its commitment's block, a wrong salt, another recipient or another sender's commitment (CommitmentTooRecent, NoCommitment)", async function () {
      const a = await proveFor([-0.35, 0.65, -0.95, 0.25], alice.address);
      const salt = newSalt();
      const [commitTx, early] = await inOneBlock(hre.network.provider, async () => [
        await collection.connect(alice).commitPrompt(promptCommitment(a.prompt, alice.address, salt, alice.address), FIXED_GAS),
        await collection.connect(alice).mintWithProof(alice.address, a.prompt, a.aigcData, a.proof, salt, FIXED_GAS),
      ]);
      const committed = (await receiptOf(commitTx))!.blockNumber;
      expect((await receiptOf(early))!.blockNumber).to.equal(committed);
      expect(await minedRevert(hre.network.provider, collection, early)).to.deep.equal({ name: "CommitmentTooRecent", args: [BigInt(committed), BigInt(committed)] });

      const reveal = (from: Signer, to: string, s: string) => collection.connect(from).mintWithProof(to, a.prompt, a.aigcData, a.proof, s);
      const wrong = newSalt();
      await expect(reveal(alice, alice.address, wrong)).to.be.revertedWithCustomError(collection, "NoCommitment")
        .withArgs(alice.address, promptCommitment(a.prompt, alice.address, wrong, alice.address));
      // Alice committed to minting to herself, not to Bob (even with a valid proof for Bob).
      const b = await proveFor([-0.35, 0.65, -0.95, 0.25], bob.address);
      await expect(reveal(alice, bob.address, salt)).to.be.revertedWithCustomError(collection, "NoCommitment");
      await expect(collection.connect(alice).mintWithProof(bob.address, b.prompt, b.aigcData, b.proof, salt)).to.be.revertedWithCustomError(collection, "NoCommitment");
      // Mallory replays Alice's reveal, salt included, or copies her commitment first: the committer is bound.
      await expect(reveal(mallory, alice.address, salt)).to.be.revertedWithCustomError(collection, "NoCommitment")
        .withArgs(mallory.address, promptCommitment(a.prompt, alice.address, salt, mallory.address));
      await (await collection.connect(mallory).commitPrompt(promptCommitment(a.prompt, alice.address, salt, alice.address))).wait();
      await expect(reveal(mallory, alice.address, salt)).to.be.revertedWithCustomError(collection, "NoCommitment");
      expect(await collection.committedAt(alice.address, promptCommitment(a.prompt, alice.address, salt, alice.address))).to.equal(committed);
      // The commitment is single-use: the mint deletes it.
      await expect(reveal(alice, alice.address, salt)).to.emit(collection, "Transfer").withArgs(hre.ethers.ZeroAddress, alice.address, a.tokenId);
      expect(await collection.committedAt(alice.address, promptCommitment(a.prompt, alice.address, salt, alice.address))).to.equal(0n);
    });
  });

  describe("rejections", function () {
    it("a tampered proof (InvalidProof)", async function () {
      const a = await proveFor([0.1, 0.2, 0.3, 0.4], alice.address);
      const cd = a.r.calldata;
      const negA = { ...cd, a: [cd.a[0], toBeHex((BN254_Q - BigInt(cd.a[1])) % BN254_Q)] as [string, string] };
      const bumpC = { ...cd, c: [cd.c[0], toBeHex((BigInt(cd.c[1]) + 1n) % BN254_Q)] as [string, string] };
      const swapB = { ...cd, b: [[cd.b[0][1], cd.b[0][0]], [cd.b[1][1], cd.b[1][0]]] as typeof cd.b };
      for (const t of [negA, bumpC, swapB]) {
        const proof = encodeProof(t, alice.address);
        expect(await collection.verify(a.prompt, a.aigcData, proof)).to.equal(false);
        await expect(mint(alice, alice.address, { ...a, proof })).to.be.revertedWithCustomError(collection, "InvalidProof");
      }
      await mint(alice, alice.address, a); // the untampered proof still mints
    });

    it("a proof front-run by another account for itself (RecipientMismatch, or InvalidProof once rewritten)", async function () {
      const a = await proveFor([-0.7, 0.35, 0.05, 0.6], alice.address);
      // Mallory copies Alice's pending transaction's arguments but mints to herself (with a commitment of her own).
      await expect(mint(mallory, mallory.address, a)).to.be.revertedWithCustomError(collection, "RecipientMismatch").withArgs(alice.address, mallory.address);
      // ...or also rewrites the recipient the proof carries: the proof is bound to Alice, so it no longer verifies.
      const rewritten = encodeProof(a.r.calldata, mallory.address);
      expect(await collection.verify(a.prompt, a.aigcData, rewritten)).to.equal(false);
      await expect(mint(mallory, mallory.address, { ...a, proof: rewritten })).to.be.revertedWithCustomError(collection, "InvalidProof");
      // Submitting it unchanged only mints to Alice (relaying is allowed, stealing is not).
      await mint(mallory, alice.address, a);
      expect(await collection.ownerOf(a.tokenId)).to.equal(alice.address);
    });

    it("a proof of another model with the same signal layout (InvalidProof)", async function () {
      const a = await proveFor([0.25, 0.5, -0.75, 1], alice.address, TWIN);
      expect(await twinCollection.verify(a.prompt, a.aigcData, a.proof)).to.equal(true);
      expect(await collection.verify(a.prompt, a.aigcData, a.proof)).to.equal(false);
      await expect(mint(alice, alice.address, a)).to.be.revertedWithCustomError(collection, "InvalidProof");
      await mint(alice, alice.address, a, twinCollection);
      expect(await twinCollection.ownerOf(a.tokenId)).to.equal(alice.address);
    });

    it("aigcData that differs from the proven outputs, or a prompt the proof was not made for (InvalidProof)", async function () {
      const a = await proveFor([-0.2, -0.4, 0.6, -0.8], alice.address);
      const brighter = encodeValues(a.outputs.map((q, i) => (i === 5 ? q + 1n : q)));
      const swapped = encodeValues([a.outputs[1], a.outputs[0], ...a.outputs.slice(2)]);
      const white = encodeValues(a.outputs.map(() => 4096n));
      for (const aigcData of [brighter, swapped, white]) {
        expect(await collection.verify(a.prompt, aigcData, a.proof)).to.equal(false);
        await expect(mint(alice, alice.address, { ...a, aigcData })).to.be.revertedWithCustomError(collection, "InvalidProof");
      }
      const otherPrompt = encodeValues(a.inputs.map((q, i) => (i === 0 ? q + 1n : q)));
      await expect(mint(alice, alice.address, { ...a, prompt: otherPrompt })).to.be.revertedWithCustomError(collection, "InvalidProof");
    });

    it("a value outside its packing width, which would alias another packed value (ValueOutOfRange)", async function () {
      const a = await proveFor([0.6, 0.6, 0.6, 0.6], alice.address);
      // outputs[3] + 2^bits would carry into outputs[4]'s digit: accepting it would let one proof back two byte strings.
      const span = 1n << BigInt(m.publicSignals.outputs.packing.bits);
      const aliased = a.outputs.map((q, i) => (i === 3 ? q + span : q));
      await expect(mint(alice, alice.address, { ...a, aigcData: encodeValues(aliased) }))
        .to.be.revertedWithCustomError(model, "ValueOutOfRange").withArgs(aliased[3]);
      const big = a.inputs.map((q, i) => (i === 2 ? BN254_P : q));
      await expect(collection.verify(encodeValues(big), a.aigcData, a.proof)).to.be.revertedWithCustomError(model, "ValueOutOfRange").withArgs(BN254_P);
      const veryNegative = a.inputs.map((q, i) => (i === 0 ? -(BN254_P / 2n) - 1n : q));
      await expect(mint(alice, alice.address, { ...a, prompt: encodeValues(veryNegative) }))
        .to.be.revertedWithCustomError(model, "ValueOutOfRange").withArgs(veryNegative[0]);
    });

    it("malformed encodings (wrong count, non-canonical bytes, a dirty recipient word)", async function () {
      const a = await proveFor([0.3, -0.3, 0.3, -0.3], alice.address);
      await expect(collection.verify(encodeValues(a.inputs.slice(1)), a.aigcData, a.proof)).to.be.revertedWithCustomError(collection, "InvalidPromptEncoding").withArgs(4);
      // A trailing byte would give the same values another token id: only the canonical encoding is accepted.
      await expect(mint(alice, alice.address, { ...a, prompt: a.prompt + "00" })).to.be.revertedWithCustomError(collection, "InvalidPromptEncoding").withArgs(4);
      const offset64 = "0x" + zeroPadValue("0x40", 32).slice(2) + "00".repeat(32) + a.prompt.slice(2 + 64);
      await expect(mint(alice, alice.address, { ...a, prompt: offset64 })).to.be.revertedWithCustomError(collection, "InvalidPromptEncoding").withArgs(4);
      await expect(mint(alice, alice.address, { ...a, aigcData: encodeValues(a.outputs.slice(0, 15)) })).to.be.revertedWithCustomError(collection, "InvalidAigcDataEncoding").withArgs(16);
      await expect(mint(alice, alice.address, { ...a, proof: a.proof.slice(0, -64) })).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
      const dirty = a.proof.slice(0, -64) + "ff" + a.proof.slice(-62);
      await expect(collection.verify(a.prompt, a.aigcData, dirty)).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
    });

    it("a contract recipient that does not accept ERC-721 tokens (ERC721InvalidReceiver)", async function () {
      const adapter = await model.getAddress(); // a contract without onERC721Received
      const a = await proveFor([-0.5, 0.5, -0.5, 0.5], adapter);
      await expect(mint(alice, adapter, a)).to.be.revertedWithCustomError(collection, "ERC721InvalidReceiver").withArgs(adapter);
    });

    it("a model that is not bound to exactly one value, the recipient (constructor)", async function () {
      const verifier = await model.verifier();
      const factory = await hre.ethers.getContractFactory("ZkmlModel");
      const layout = solidityLayout(m.publicSignals, 12);
      const withBindings = (n: number, scaleBits = 12) => ({ ...layout, signalCount: layout.bindingsOffset + n, bindingCount: n, scaleBits });
      const unbound = await factory.deploy(verifier, m.modelHash, withBindings(0), 0n);
      const twoBindings = await factory.deploy(verifier, m.modelHash, withBindings(2), 0n);
      const tooFine = await factory.deploy(verifier, m.modelHash, withBindings(1, 65), 0n);
      const Collection = await hre.ethers.getContractFactory("AigcCollection");
      await expect(Collection.deploy(await unbound.getAddress(), "x", "X", 1)).to.be.revertedWithCustomError(Collection, "ModelNotRecipientBound").withArgs(0);
      await expect(Collection.deploy(await twoBindings.getAddress(), "x", "X", 1)).to.be.revertedWithCustomError(Collection, "ModelNotRecipientBound").withArgs(2);
      await expect(Collection.deploy(await tooFine.getAddress(), "x", "X", 1)).to.be.revertedWithCustomError(Collection, "UnsupportedScaleBits").withArgs(65);
      await expect(Collection.deploy(await model.getAddress(), "x", "X", 0)).to.be.revertedWithCustomError(Collection, "InvalidRevealDelay").withArgs(0);
    });
  });
});
