// ProvenImageCollection with a mock verifier that accepts exactly the public signals the test expects: the
// contract must compute [S, seed, r] exactly as src/privacy/seeded.ts does, refuse non-canonical images,
// bind each proof to its recipient, mint only the reveal of an earlier commitment, and render the stored
// image on-chain.
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { AbiCoder, getBytes, getCreateAddress, hexlify, id, keccak256, solidityPacked, toUtf8Bytes } from "ethers";
import hre from "hardhat";
import { decodeSvgUri, decodeTokenUri, expectedGray } from "../../src/statements/token-uri";
import { commitPrompt, newSalt, promptCommitment } from "../../src/statements/prompt-commitment";
import { encodeMintProof, encodeWords, imageSignals, promptBytes, svgRunPixels } from "../../src/statements/proven-image";
import { packing, packWords } from "../../src/privacy/packing";
import { BN254_P, FIXED_GAS, inOneBlock, minedRevert } from "./helpers";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Signer = Awaited<ReturnType<typeof hre.ethers.getSigners>>[number];

const abi = AbiCoder.defaultAbiCoder();
const SIDE = 28;
const BITS = 10;
const SCALE_BITS = 8;
const PACK = packing(SIDE * SIDE, BITS);
const MODEL_HASH = id("mnist_gan test model");
/** Any proof points: the mock ignores them. */
const POINTS: { a: [string, string]; b: [[string, string], [string, string]]; c: [string, string] } = { a: ["1", "2"], b: [["3", "4"], ["5", "6"]], c: ["7", "8"] };
const PROOF = encodeMintProof(POINTS);

/**
 * A digit-like test image at scale 2^8: a bright ring on a black (slightly negative) background, with a
 * gradient inside, values clamped above 1.0 and below 0 so the gray-level clamp is exercised.
 */
function ringImage(shift = 0): bigint[] {
  const out: bigint[] = [];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const d = Math.hypot(x - 13.5 - shift, y - 13.5);
      const v = d > 7 && d < 10 ? 300 : d <= 7 ? Math.round(x * 9 - 40) : -20;
      out.push(BigInt(Math.max(-512, Math.min(511, v))));
    }
  }
  return out;
}

/** Every pixel differs from its left neighbour and is non-black: one SVG run per pixel, the worst case. */
function noiseImage(): bigint[] {
  return Array.from({ length: SIDE * SIDE }, (_, i) => BigInt(1 + ((i * 97) % 255) + (i % 2)));
}

describe("e2e: ProvenImageCollection (mock verifier)", function () {
  let verifier: Contract;
  let collection: Contract;
  let alice: Signer;
  let bob: Signer;
  let relayer: Signer;
  const values = ringImage();
  const words = packWords(values, PACK);

  before(async function () {
    [alice, bob, relayer] = await hre.ethers.getSigners();
    verifier = await hre.ethers.deployContract("MockImageVerifier");
    collection = await hre.ethers.deployContract("ProvenImageCollection", [await verifier.getAddress(), MODEL_HASH, SIDE, SIDE, BITS, SCALE_BITS, "Proven Digits", "PDIG", 1]);
  });

  /** Makes the mock accept exactly the signals of (prompt, image, recipient) as the TS reference computes them. */
  async function expectSignals(prompt: string | Uint8Array, w: bigint[], recipient: string): Promise<void> {
    await (await verifier.setExpected(imageSignals(prompt, w, recipient))).wait();
  }

  /** Commits `from` to minting `prompt` to `to` (mined in its own block), then sends the mint that reveals it. */
  async function mint(from: Signer, to: string, prompt: string | Uint8Array, w: bigint[], proof = PROOF, on: Contract = collection) {
    const { salt } = await commitPrompt(on, promptBytes(prompt), to, from);
    return on.connect(from).mintWithProof(to, promptBytes(prompt), w, proof, salt);
  }

  it("derives its packing from the image size and digit width: 25 digits per word, 32 words", async function () {
    expect(PACK.perWord).to.equal(25);
    expect(words).to.have.length(32);
    expect(await collection.perWord()).to.equal(25n);
    expect(await collection.wordCount()).to.equal(32n);
    expect([await collection.width(), await collection.height(), await collection.bits(), await collection.scaleBits()]).to.deep.equal([28n, 28n, 10n, 8n]);
    expect(await collection.modelHash()).to.equal(MODEL_HASH);
  });

  it("computes the public signals [S, seed, r] exactly as the TS reference does", async function () {
    const prompt = "a handwritten seven";
    const onChain = await collection.publicSignals(toUtf8Bytes(prompt), words, alice.address);
    expect([...onChain]).to.deep.equal(imageSignals(prompt, words, alice.address));
    expect(onChain[1]).to.equal(BigInt(keccak256(toUtf8Bytes(prompt))) >> 8n);
  });

  it("mints with a proof of the exact signals: stores the image, emits Transfer and AigcData", async function () {
    const prompt = "a handwritten seven";
    await expectSignals(prompt, words, alice.address);
    const tokenId = BigInt(keccak256(toUtf8Bytes(prompt)));
    const ercProof = abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [POINTS.a, POINTS.b, POINTS.c, alice.address]);
    // A relayer commits and submits; the token goes to the recipient the signals were computed for.
    const commit = await commitPrompt(collection, toUtf8Bytes(prompt), alice.address, relayer);
    const tx = await collection.connect(relayer).mintWithProof(alice.address, toUtf8Bytes(prompt), words, PROOF, commit.salt);
    await expect(tx).to.emit(collection, "Transfer").withArgs(hre.ethers.ZeroAddress, alice.address, tokenId);
    const receipt = await tx.wait();
    // AigcData's prompt and aigcData are indexed, so the log holds their hashes.
    const logs = receipt.logs.map((l: { topics: string[]; data: string }) => collection.interface.parseLog(l)).filter((l: { name: string } | null) => l?.name === "AigcData");
    expect(logs).to.have.length(1);
    expect(logs[0].args.tokenId).to.equal(tokenId);
    expect(logs[0].args.prompt.hash).to.equal(keccak256(toUtf8Bytes(prompt)));
    expect(logs[0].args.aigcData.hash).to.equal(keccak256(encodeWords(words)));
    expect(logs[0].args.proof).to.equal(ercProof);
    console.log(`      commitPrompt gas: ${commit.gasUsed}; mintWithProof gas (28x28, ${words.length} words, mock verifier): ${receipt.gasUsed}`);

    expect(await collection.ownerOf(tokenId)).to.equal(alice.address);
    expect(await collection.tokenId(toUtf8Bytes(prompt))).to.equal(tokenId);
    expect(await collection.prompt(tokenId)).to.equal(hexlify(toUtf8Bytes(prompt)));
    expect([...(await collection.words(tokenId))]).to.deep.equal(words);
    expect(await collection.aigcData(tokenId)).to.equal(encodeWords(words));
    expect([...getBytes(await collection.image(tokenId))]).to.deep.equal(values.map((v) => expectedGray(v, SCALE_BITS)));
    // ERC-7007 verify holds for the emitted bytes, and only for the recipient they carry.
    expect(await collection.verify(toUtf8Bytes(prompt), encodeWords(words), ercProof)).to.equal(true);
    const forBob = abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [POINTS.a, POINTS.b, POINTS.c, bob.address]);
    expect(await collection.verify(toUtf8Bytes(prompt), encodeWords(words), forBob)).to.equal(false);
  });

  it("keeps the words as the code of a data contract that starts with STOP, and reads them back exactly", async function () {
    const prompt = "a handwritten eight";
    const w = packWords(ringImage(2), PACK);
    await expectSignals(prompt, w, alice.address);
    // The mint's only CREATE comes from the collection at its current nonce.
    const store = getCreateAddress({ from: collection.target as string, nonce: await hre.ethers.provider.getTransactionCount(collection.target) });
    expect(await hre.ethers.provider.getCode(store)).to.equal("0x");
    await (await mint(relayer, alice.address, prompt, w)).wait();
    const tokenId = BigInt(keccak256(toUtf8Bytes(prompt)));
    const code = await hre.ethers.provider.getCode(store);
    expect(code.slice(0, 4)).to.equal("0x00");
    expect(code).to.equal("0x00" + solidityPacked(["uint256[]"], [w]).slice(2));
    expect(getBytes(code)).to.have.length(1 + 32 * 32);
    expect([...(await collection.words(tokenId))]).to.deep.equal(w);
    expect(await collection.aigcData(tokenId)).to.equal(encodeWords(w));
    // A call into the data contract stops at its first byte: it succeeds and returns nothing.
    expect(await hre.ethers.provider.call({ to: store, data: "0x12345678" })).to.equal("0x");
  });

  it("mints a prompt once", async function () {
    const prompt = "a handwritten seven";
    const tokenId = BigInt(keccak256(toUtf8Bytes(prompt)));
    await expect(mint(alice, alice.address, prompt, words)).to.be.revertedWithCustomError(collection, "PromptAlreadyMinted").withArgs(tokenId);
  });

  it("binds the proof to its recipient: the same proof for another `to` changes r and fails", async function () {
    const prompt = "a handwritten three";
    await expectSignals(prompt, words, alice.address);
    const [, seedA, rA] = imageSignals(prompt, words, alice.address);
    const [, seedB, rB] = imageSignals(prompt, words, bob.address);
    expect(seedB).to.equal(seedA);
    expect(rB).to.not.equal(rA);
    await expect(mint(relayer, bob.address, prompt, words)).to.be.revertedWithCustomError(collection, "InvalidProof");
    // Bob's own proof mints to Bob.
    await expectSignals(prompt, words, bob.address);
    await expect(mint(relayer, bob.address, prompt, words)).to.emit(collection, "AigcData");
  });

  it("reverts InvalidProof when the verifier rejects (other image, other prompt)", async function () {
    const prompt = "a handwritten four";
    const other = packWords(ringImage(1), PACK);
    await expectSignals(prompt, other, alice.address);
    await expect(mint(alice, alice.address, prompt, words)).to.be.revertedWithCustomError(collection, "InvalidProof");
    await expect(mint(alice, alice.address, "a handwritten four!", other)).to.be.revertedWithCustomError(collection, "InvalidProof");
    await expect(mint(alice, alice.address, prompt, other)).to.emit(collection, "Transfer");
  });

  it("refuses a non-canonical word (it could alias another image modulo p), checked before the verifier", async function () {
    const prompt = "a handwritten five";
    const tooBig = [...words];
    tooBig[3] = 1n << 250n; // 25 digits of 10 bits use 250 bits
    await expect(mint(alice, alice.address, prompt, tooBig)).to.be.revertedWithCustomError(collection, "WordOutOfRange").withArgs(3, 1n << 250n);
    // The last word holds 784 - 31 * 25 = 9 digits: 90 bits.
    const lastTooBig = [...words];
    lastTooBig[31] = words[31] | (1n << 90n);
    await expect(mint(alice, alice.address, prompt, lastTooBig)).to.be.revertedWithCustomError(collection, "WordOutOfRange").withArgs(31, lastTooBig[31]);
    const modP = [...words];
    modP[0] = words[0] + BN254_P;
    await expect(mint(alice, alice.address, prompt, modP)).to.be.revertedWithCustomError(collection, "WordOutOfRange");
    // At the bound minus one the word is canonical (the mock then rejects the signals).
    const top = [...words];
    top[0] = (1n << 250n) - 1n;
    await expect(mint(alice, alice.address, prompt, top)).to.be.revertedWithCustomError(collection, "InvalidProof");
  });

  it("refuses a wrong word count and a malformed proof", async function () {
    const prompt = "a handwritten six";
    await expect(mint(alice, alice.address, prompt, words.slice(0, 31))).to.be.revertedWithCustomError(collection, "WrongWordCount").withArgs(32, 31);
    await expect(mint(alice, alice.address, prompt, [...words, 0n])).to.be.revertedWithCustomError(collection, "WrongWordCount").withArgs(32, 33);
    await expect(mint(alice, alice.address, prompt, words, PROOF + "00")).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
    await expect(mint(alice, alice.address, prompt, words, PROOF.slice(0, -64))).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
  });

  it("rejects malformed ERC-7007 encodings in verify", async function () {
    const prompt = toUtf8Bytes("a handwritten seven");
    const ercProof = abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [POINTS.a, POINTS.b, POINTS.c, alice.address]);
    await expect(collection.verify(prompt, encodeWords(words.slice(1)), ercProof)).to.be.revertedWithCustomError(collection, "InvalidAigcDataEncoding").withArgs(32);
    await expect(collection.verify(prompt, encodeWords(words) + "00", ercProof)).to.be.revertedWithCustomError(collection, "InvalidAigcDataEncoding");
    await expect(collection.verify(prompt, encodeWords(words), PROOF)).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
    const dirtyAddress = ercProof.slice(0, -64) + "ff" + ercProof.slice(-62);
    await expect(collection.verify(prompt, encodeWords(words), dirtyAddress)).to.be.revertedWithCustomError(collection, "InvalidProofEncoding");
  });

  it("never attaches data after mint", async function () {
    const tokenId = BigInt(keccak256(toUtf8Bytes("a handwritten seven")));
    await expect(collection.addAigcData(tokenId, "0x", "0x", "0x")).to.be.revertedWithCustomError(collection, "AigcDataAlreadyAdded").withArgs(tokenId);
    await expect(collection.addAigcData(1n, "0x", "0x", "0x")).to.be.revertedWithCustomError(collection, "ERC721NonexistentToken");
  });

  it("supports ERC-165, ERC-721, ERC-7007 and its enumerable extension", async function () {
    for (const iface of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x702c55a6", "0xfa1a557a"]) {
      expect(await collection.supportsInterface(iface), iface).to.equal(true);
    }
    expect(await collection.supportsInterface("0xffffffff")).to.equal(false);
  });

  it("renders tokenURI as JSON whose image is an SVG of exactly the stored pixels", async function () {
    const prompt = "a handwritten seven";
    const tokenId = BigInt(keccak256(toUtf8Bytes(prompt)));
    const est = (fn: string) => hre.ethers.provider.estimateGas({ to: collection.target, data: collection.interface.encodeFunctionData(fn, [tokenId]) });
    const json = decodeTokenUri(await collection.tokenURI(tokenId));
    expect(json.name).to.equal(`Proven Digits #0x${(tokenId >> 224n).toString(16).padStart(8, "0")}`);
    expect(json.prompt).to.equal(prompt);
    expect(json.prompt_hex).to.equal(hexlify(toUtf8Bytes(prompt)));
    expect(BigInt(json.seed as string)).to.equal(tokenId >> 8n);
    expect([json.aigc_type, json.proof_type, json.width, json.height]).to.deep.equal(["image", "validity", 28, 28]);
    expect(json.model_hash).to.equal(MODEL_HASH);
    expect((json.verifier as string).toLowerCase()).to.equal((await verifier.getAddress()).toLowerCase());
    expect(json.aigc_data).to.equal(json.image);
    const svg = decodeSvgUri(json.image as string);
    const px = svgRunPixels(svg);
    const grays = values.map((v) => expectedGray(v, SCALE_BITS));
    expect([px.width, px.height]).to.deep.equal([28, 28]);
    expect(px.grays).to.deep.equal(grays);
    expect(px.runs).to.equal(countRuns(grays, SIDE));
    expect(new Set(px.grays).size).to.equal(new Set(grays).size);
    expect(new Set(grays).size).to.be.greaterThan(10);
    console.log(`      tokenURI: ${px.runs} runs in ${px.levels} levels, SVG ${svg.length} bytes, ${await est("tokenURI")} gas (image(): ${await est("image")})`);
  });

  it("renders the worst case (784 runs) within an eth_call budget", async function () {
    const prompt = "noise";
    const noise = noiseImage();
    const w = packWords(noise, PACK);
    await expectSignals(prompt, w, bob.address);
    await (await mint(alice, bob.address, prompt, w)).wait();
    const tokenId = BigInt(keccak256(toUtf8Bytes(prompt)));
    const gas = await hre.ethers.provider.estimateGas({ to: await collection.getAddress(), data: collection.interface.encodeFunctionData("tokenURI", [tokenId]) });
    const px = svgRunPixels(decodeSvgUri(decodeTokenUri(await collection.tokenURI(tokenId)).image as string));
    expect(px.runs).to.equal(784);
    expect(px.grays).to.deep.equal(noise.map((v) => expectedGray(v, SCALE_BITS)));
    console.log(`      tokenURI of 784 distinct runs: ${gas} gas`);
    // EIP-7825 (Osaka) caps a transaction at 2^24 gas, and Hardhat applies the cap to eth_call as well.
    expect(gas < 1n << 24n).to.equal(true);
  });

  it("shows a prompt that is not UTF-8 as hex, and escapes JSON in a text prompt", async function () {
    const raw = Uint8Array.of(0xff, 0xfe, 0x41);
    const quoted = 'say "hi"\\\n';
    for (const prompt of [raw, toUtf8Bytes(quoted), toUtf8Bytes("é ✓ 😀"), Uint8Array.of(0xed, 0xa0, 0x80)]) {
      await expectSignals(prompt, words, alice.address);
      await (await mint(alice, alice.address, prompt, words)).wait();
    }
    const metadata = async (p: Uint8Array) => decodeTokenUri(await collection.tokenURI(BigInt(keccak256(p))));
    expect((await metadata(raw)).prompt).to.equal("0xfffe41");
    expect((await metadata(toUtf8Bytes(quoted))).prompt).to.equal(quoted);
    expect((await metadata(toUtf8Bytes("é ✓ 😀"))).prompt).to.equal("é ✓ 😀");
    // An encoded surrogate (U+D800) is not valid UTF-8.
    expect((await metadata(Uint8Array.of(0xed, 0xa0, 0x80))).prompt).to.equal("0xeda080");
  });

  it("handles a non-square image packed in one word (5x3 at 16 bits: 15 digits, 240 bits)", async function () {
    const small = await hre.ethers.deployContract("ProvenImageCollection", [await verifier.getAddress(), MODEL_HASH, 5, 3, 16, 12, "Small", "SML", 1]);
    const p = packing(15, 16);
    expect([p.perWord, p.words]).to.deep.equal([15, 1]);
    expect(await small.wordCount()).to.equal(1n);
    const px = [-4096, 0, 1, 8, 2048, 4095, 4096, 4097, 30000, -32768, 32767, 16, 24, 2047, 2049].map(BigInt);
    const w = packWords(px, p);
    await expectSignals("small", w, alice.address);
    await (await mint(alice, alice.address, "small", w, PROOF, small)).wait();
    const tokenId = BigInt(keccak256(toUtf8Bytes("small")));
    const grays = px.map((v) => expectedGray(v, 12));
    expect([...getBytes(await small.image(tokenId))]).to.deep.equal(grays);
    const svg = svgRunPixels(decodeSvgUri(decodeTokenUri(await small.tokenURI(tokenId)).image as string));
    expect([svg.width, svg.height, ...svg.grays]).to.deep.equal([5, 3, ...grays]);
    await expect(mint(alice, alice.address, "small2", [1n << 240n], PROOF, small)).to.be.revertedWithCustomError(small, "WordOutOfRange");
  });

  describe("commit-reveal: a mint reveals a commitment its sender made in an earlier block (issue 14)", function () {
    const ercProof = (recipient: string) => abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [POINTS.a, POINTS.b, POINTS.c, recipient]);
    const receiptOf = (tx: { hash: string }) => hre.ethers.provider.getTransactionReceipt(tx.hash);
    const revertOf = (tx: { hash: string }) => minedRevert(hre.network.provider, collection, tx);

    it("computes the commitment as the TS helper does, records its block per committer and emits PromptCommitted", async function () {
      const p = promptBytes("a commitment to check");
      const salt = newSalt();
      const c = promptCommitment(p, alice.address, salt, bob.address);
      expect(await collection.promptCommitment(keccak256(p), alice.address, salt, bob.address)).to.equal(c);
      expect(await collection.minRevealDelay()).to.equal(1n);
      const tx = await collection.connect(bob).commitPrompt(c);
      const receipt = await tx.wait();
      await expect(tx).to.emit(collection, "PromptCommitted").withArgs(bob.address, c, receipt.blockNumber);
      expect(await collection.committedAt(bob.address, c)).to.equal(receipt.blockNumber);
      expect(await collection.committedAt(alice.address, c)).to.equal(0n);
      console.log(`      commitPrompt gas: ${receipt.gasUsed} (transaction, incl. 21000 base)`);
    });

    it("refuses a sniper who proves a pending reveal's prompt for himself and front-runs it in the same block; the committer's mint wins", async function () {
      const prompt = "a digit only alice knows until she mints it";
      const p = promptBytes(prompt);
      const tokenId = BigInt(keccak256(p));
      await expectSignals(prompt, words, alice.address);
      // Stands for the proof Bob makes for himself in under a second once he has seen the prompt: his signals verify.
      await (await verifier.alsoAccept(imageSignals(prompt, words, bob.address))).wait();
      expect(await collection.verify(p, encodeWords(words), ercProof(bob.address))).to.equal(true);
      // Alice commits; her reveal goes out for the very next block.
      const commit = await commitPrompt(collection, p, alice.address, alice);

      const bobSalt = newSalt();
      const txs: Record<string, { hash: string }> = await inOneBlock(hre.network.provider, async () => {
        const reveal = await collection.connect(alice).mintWithProof(alice.address, p, words, PROOF, commit.salt, FIXED_GAS);
        // Bob reads the pending reveal out of the mempool...
        const pending = await hre.ethers.provider.getTransaction(reveal.hash);
        expect(pending?.blockNumber).to.equal(null);
        const [, seenPrompt, seenWords] = collection.interface.parseTransaction(pending!)!.args;
        expect(seenPrompt).to.equal(hexlify(p));
        // ...and outbids it: a mint for himself without a commitment, then a commitment and its reveal.
        const tip = { ...FIXED_GAS, maxFeePerGas: reveal.maxFeePerGas! * 10n, maxPriorityFeePerGas: reveal.maxPriorityFeePerGas! * 10n };
        const bobCommitment = promptCommitment(seenPrompt, bob.address, bobSalt, bob.address);
        const uncommitted = await collection.connect(bob).mintWithProof(bob.address, seenPrompt, [...seenWords], PROOF, bobSalt, tip);
        const bobCommit = await collection.connect(bob).commitPrompt(bobCommitment, tip);
        const bobReveal = await collection.connect(bob).mintWithProof(bob.address, seenPrompt, [...seenWords], PROOF, bobSalt, tip);
        return { reveal, uncommitted, bobCommit, bobReveal };
      });
      const r = Object.fromEntries(await Promise.all(Object.entries(txs).map(async ([k, tx]) => [k, (await receiptOf(tx))!])));
      const block = commit.blockNumber + 1;
      for (const k of Object.keys(r)) expect(r[k].blockNumber, k).to.equal(block);
      // Bob's transactions ran first, and only his commitment went through.
      for (const k of ["uncommitted", "bobCommit", "bobReveal"]) expect(r[k].index, k).to.be.lessThan(r.reveal.index);
      expect([r.uncommitted.status, r.bobCommit.status, r.bobReveal.status, r.reveal.status]).to.deep.equal([0, 1, 0, 1]);
      expect(await revertOf(txs.uncommitted)).to.deep.equal({ name: "NoCommitment", args: [bob.address, promptCommitment(p, bob.address, bobSalt, bob.address)] });
      expect(await revertOf(txs.bobReveal)).to.deep.equal({ name: "CommitmentTooRecent", args: [BigInt(block), BigInt(block)] });
      expect(await collection.ownerOf(tokenId)).to.equal(alice.address);
      // A block later Bob's commitment is old enough, but the prompt is minted.
      await expect(collection.connect(bob).mintWithProof(bob.address, p, words, PROOF, bobSalt)).to.be.revertedWithCustomError(collection, "PromptAlreadyMinted").withArgs(tokenId);
    });

    it("refuses a reveal in the block of its commitment, and takes it in the next", async function () {
      const prompt = "a digit revealed too soon";
      const p = promptBytes(prompt);
      await expectSignals(prompt, words, alice.address);
      const salt = newSalt();
      const [commitTx, revealTx] = await inOneBlock(hre.network.provider, async () => [
        await collection.connect(alice).commitPrompt(promptCommitment(p, alice.address, salt, alice.address), FIXED_GAS),
        await collection.connect(alice).mintWithProof(alice.address, p, words, PROOF, salt, FIXED_GAS),
      ]);
      const [c, r] = [(await receiptOf(commitTx))!, (await receiptOf(revealTx))!];
      expect(r.blockNumber).to.equal(c.blockNumber);
      expect([c.status, r.status]).to.deep.equal([1, 0]);
      expect(await revertOf(revealTx)).to.deep.equal({ name: "CommitmentTooRecent", args: [BigInt(c.blockNumber), BigInt(c.blockNumber)] });
      const again = await collection.connect(alice).mintWithProof(alice.address, p, words, PROOF, salt);
      expect((await again.wait()).blockNumber).to.equal(c.blockNumber + 1);
      expect(await collection.ownerOf(BigInt(keccak256(p)))).to.equal(alice.address);
    });

    it("refuses a wrong salt, another recipient, and another sender, even one who copied the commitment", async function () {
      const prompt = "a digit with one commitment";
      const p = promptBytes(prompt);
      const commit = await commitPrompt(collection, p, alice.address, alice);
      await expectSignals(prompt, words, alice.address);
      await (await verifier.alsoAccept(imageSignals(prompt, words, bob.address))).wait();
      const reveal = (from: Signer, to: string, salt: string) => collection.connect(from).mintWithProof(to, p, words, PROOF, salt);
      const wrongSalt = newSalt();
      await expect(reveal(alice, alice.address, wrongSalt)).to.be.revertedWithCustomError(collection, "NoCommitment")
        .withArgs(alice.address, promptCommitment(p, alice.address, wrongSalt, alice.address));
      // Bob's proof is valid, but Alice committed to minting to herself.
      await expect(reveal(alice, bob.address, commit.salt)).to.be.revertedWithCustomError(collection, "NoCommitment")
        .withArgs(alice.address, promptCommitment(p, bob.address, commit.salt, alice.address));
      // Bob sends Alice's reveal, salt included: the commitment names its committer.
      await expect(reveal(bob, alice.address, commit.salt)).to.be.revertedWithCustomError(collection, "NoCommitment")
        .withArgs(bob.address, promptCommitment(p, alice.address, commit.salt, bob.address));
      // Copying Alice's commitment lands in Bob's own records: hers is untouched and his is useless.
      await (await collection.connect(bob).commitPrompt(commit.commitment)).wait();
      expect(await collection.committedAt(alice.address, commit.commitment)).to.equal(commit.blockNumber);
      for (const to of [alice.address, bob.address]) await expect(reveal(bob, to, commit.salt)).to.be.revertedWithCustomError(collection, "NoCommitment");
      await expect(reveal(alice, alice.address, commit.salt)).to.emit(collection, "Transfer").withArgs(hre.ethers.ZeroAddress, alice.address, BigInt(keccak256(p)));
    });

    it("uses a commitment once: the mint deletes it (PromptRevealed), a reverted mint leaves it", async function () {
      const prompt = "a digit committed once";
      const p = promptBytes(prompt);
      const commit = await commitPrompt(collection, p, alice.address, alice);
      await expectSignals(prompt, words, alice.address);
      expect(await collection.committedAt(alice.address, commit.commitment)).to.equal(commit.blockNumber);
      const other = packWords(ringImage(4), PACK);
      await expect(collection.connect(alice).mintWithProof(alice.address, p, other, PROOF, commit.salt)).to.be.revertedWithCustomError(collection, "InvalidProof");
      expect(await collection.committedAt(alice.address, commit.commitment)).to.equal(commit.blockNumber);
      await expect(collection.connect(alice).mintWithProof(alice.address, p, words, PROOF, commit.salt))
        .to.emit(collection, "PromptRevealed").withArgs(alice.address, commit.commitment);
      expect(await collection.committedAt(alice.address, commit.commitment)).to.equal(0n);
      await expect(collection.connect(alice).mintWithProof(alice.address, p, words, PROOF, commit.salt)).to.be.revertedWithCustomError(collection, "PromptAlreadyMinted");
    });

    it("waits minRevealDelay blocks: with a delay of 3, reveals 1 and 2 blocks later are refused, 3 blocks later it mints", async function () {
      const slow: Contract = await hre.ethers.deployContract("ProvenImageCollection", [await verifier.getAddress(), MODEL_HASH, SIDE, SIDE, BITS, SCALE_BITS, "Slow", "SLOW", 3]);
      expect(await slow.minRevealDelay()).to.equal(3n);
      const p = promptBytes("a patient digit");
      await expectSignals("a patient digit", words, alice.address);
      const salt = newSalt();
      const committed = (await (await slow.connect(alice).commitPrompt(promptCommitment(p, alice.address, salt, alice.address))).wait()).blockNumber;
      // Calls on the pending block, which is where a transaction sent now would run; they leave the chain as it is.
      for (const k of [1, 2]) {
        await expect(slow.connect(alice).mintWithProof.staticCall(alice.address, p, words, PROOF, salt, { blockTag: "pending" }))
          .to.be.revertedWithCustomError(slow, "CommitmentTooRecent").withArgs(committed, committed + k);
        await mine();
      }
      const tx = await slow.connect(alice).mintWithProof(alice.address, p, words, PROOF, salt);
      expect((await tx.wait()).blockNumber).to.equal(committed + 3);
      // The helper mines the blocks a longer delay needs on a dev chain.
      await expectSignals("another patient digit", words, alice.address);
      const minted = await (await mint(alice, alice.address, "another patient digit", words, PROOF, slow)).wait();
      expect(await slow.ownerOf(BigInt(keccak256(promptBytes("another patient digit"))))).to.equal(alice.address);
      const [log] = (await slow.queryFilter(slow.filters.PromptCommitted(alice.address), minted.blockNumber - 3, minted.blockNumber)).slice(-1);
      expect(minted.blockNumber - log.blockNumber).to.equal(3);
    });
  });

  it("rejects constructor settings it cannot render or pack", async function () {
    const factory = await hre.ethers.getContractFactory("ProvenImageCollection");
    const v = await verifier.getAddress();
    const deploy = (args: unknown[]) => factory.deploy(...(args as [string, string, number, number, number, number, string, string, number]));
    await expect(deploy([alice.address, MODEL_HASH, 28, 28, 10, 8, "x", "x", 1])).to.be.revertedWithCustomError(factory, "NoVerifierCode");
    await expect(deploy([v, MODEL_HASH, 0, 28, 10, 8, "x", "x", 1])).to.be.revertedWithCustomError(factory, "InvalidImageSize");
    await expect(deploy([v, MODEL_HASH, 28, 28, 0, 8, "x", "x", 1])).to.be.revertedWithCustomError(factory, "InvalidDigitBits");
    await expect(deploy([v, MODEL_HASH, 28, 28, 254, 8, "x", "x", 1])).to.be.revertedWithCustomError(factory, "InvalidDigitBits");
    await expect(deploy([v, MODEL_HASH, 28, 28, 10, 65, "x", "x", 1])).to.be.revertedWithCustomError(factory, "UnsupportedScaleBits");
    await expect(deploy([v, MODEL_HASH, 28, 28, 10, 8, "x", "x", 0])).to.be.revertedWithCustomError(factory, "InvalidRevealDelay").withArgs(0);
  });
});

/** Horizontal runs of equal non-black pixels, row by row: what the SVG should draw. */
function countRuns(grays: number[], width: number): number {
  let runs = 0;
  grays.forEach((g, i) => {
    if (g !== 0 && (i % width === 0 || grays[i - 1] !== g)) runs++;
  });
  return runs;
}
