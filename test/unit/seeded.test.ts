import { expect } from "chai";
import { keccak256 } from "ethers";
import { poseidon2 } from "poseidon-lite";
import { packing, packWords } from "../../src/privacy/packing";
import { latentFromSeed, outputChallenge, outputFingerprint, promptSeed, recipientContext } from "../../src/privacy/seeded";
import { FIELD_MODULUS as P } from "../../src/numeric/field";
import { expectZkmlError } from "./helpers";

// The references below are written independently of seeded.ts (byte concatenation by hand, powers of r
// one by one, digits by string slicing), so a shared mistake would have to be made twice.

const hex32 = (v: bigint) => v.toString(16).padStart(64, "0");

function powMod(b: bigint, e: number): bigint {
  let out = 1n;
  for (let i = 0; i < e; i++) out = (out * b) % P;
  return out;
}

describe("seeded generator statement: seed, latent, challenge, fingerprint", () => {
  it("seeds a prompt with keccak256 of its bytes, shifted right by 8 bits", () => {
    // keccak256("") is the well-known c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470.
    expect(promptSeed("")).to.equal(0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a4n);
    expect(promptSeed("a cat")).to.equal(BigInt(keccak256(Buffer.from("a cat", "utf8"))) >> 8n);
    expect(promptSeed(new Uint8Array([0xff, 0x00]))).to.equal(BigInt(keccak256(new Uint8Array([0xff, 0x00]))) >> 8n);
    // UTF-8, not UTF-16 or Latin-1.
    expect(promptSeed("é")).to.equal(promptSeed(new Uint8Array([0xc3, 0xa9])));
  });

  it("gives different prompts different seeds, all below 2^248 (so below the field modulus)", () => {
    const prompts = ["a cat", "a cat ", "A cat", "a dog", "0", "1", "\u0000"];
    const seeds = prompts.map((p) => promptSeed(p));
    expect(new Set(seeds).size).to.equal(prompts.length);
    for (const s of seeds) expect(s < 1n << 248n).to.equal(true);
  });

  it("expands the seed into digits of Poseidon(seed, k), little-endian, offset by 2^(bits-1)", () => {
    const seed = promptSeed("seven");
    const bits = 10;
    const latent = latentFromSeed(seed, 100, bits);
    expect(latent).to.have.length(100);
    // 25 digits per block (250 / 10): input 27 is digit 2 of block 1. Read it from the block's binary string.
    const block1 = poseidon2([seed, 1n]).toString(2).padStart(250, "0");
    const digit = BigInt("0b" + block1.slice(250 - 30, 250 - 20));
    expect(latent[27]).to.equal(digit - 512n);
    // Input 0 is the low 10 bits of block 0; input 99 the top digit of block 3.
    expect(latent[0]).to.equal((poseidon2([seed, 0n]) % 1024n) - 512n);
    expect(latent[99]).to.equal(((poseidon2([seed, 3n]) >> 240n) % 1024n) - 512n);
  });

  it("uses floor(250 / bits) digits per block (bits that do not divide 250 leave the top bits unused)", () => {
    const seed = 12345n;
    const latent = latentFromSeed(seed, 40, 12); // 20 per block: input 20 starts block 1
    expect(latent[20]).to.equal((poseidon2([seed, 1n]) % 4096n) - 2048n);
    expect(latent[19]).to.equal(((poseidon2([seed, 0n]) >> 228n) % 4096n) - 2048n);
  });

  it("keeps the latent in the signed range, spread over it, and deterministic", () => {
    const latent = latentFromSeed(promptSeed("range"), 1000, 8);
    for (const v of latent) expect(v >= -128n && v < 128n).to.equal(true);
    expect(Math.min(...latent.map(Number))).to.be.lessThan(-100);
    expect(Math.max(...latent.map(Number))).to.be.greaterThan(100);
    expect(latentFromSeed(promptSeed("range"), 1000, 8)).to.deep.equal(latent);
    expect(latentFromSeed(promptSeed("range!"), 1000, 8)).to.not.deep.equal(latent);
    // A prefix of a longer latent is the shorter latent.
    expect(latentFromSeed(promptSeed("range"), 7, 8)).to.deep.equal(latent.slice(0, 7));
  });

  it("refuses digit widths and seeds the circuit cannot use", () => {
    expectZkmlError(() => latentFromSeed(1n, 4, 0), "latent digits must be 1..250 bits");
    expectZkmlError(() => latentFromSeed(1n, 4, 251), "latent digits");
    expectZkmlError(() => latentFromSeed(P, 4, 8), "field element");
  });

  it("hashes the words as 32-byte big-endian words followed by the 32-byte context, mod p", () => {
    const words = [1n, (1n << 250n) - 3n, 0n];
    const ctx = recipientContext("0x000000000000000000000000000000000000dEaD");
    expect(ctx).to.equal(0xdeadn);
    const bytes = Buffer.from(words.map(hex32).join("") + hex32(ctx), "hex");
    expect(bytes).to.have.length(128);
    const digest = BigInt(keccak256(bytes));
    expect(outputChallenge(words, ctx)).to.equal(digest % P);
    expect(outputChallenge(words, ctx + 1n)).to.not.equal(outputChallenge(words, ctx));
    expect(outputChallenge([2n, ...words.slice(1)], ctx)).to.not.equal(outputChallenge(words, ctx));
  });

  it("fingerprints words as sum words[j] * r^(j+1) mod p", () => {
    const p = packing(784, 10);
    const values = Array.from({ length: 784 }, (_, i) => BigInt((i * 37) % 1024) - 512n);
    const words = packWords(values, p);
    expect(words).to.have.length(32);
    const r = outputChallenge(words, recipientContext("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
    let expected = 0n;
    words.forEach((w, j) => (expected = (expected + w * powMod(r, j + 1)) % P));
    expect(outputFingerprint(words, r)).to.equal(expected);
    expect(outputFingerprint([5n], 3n)).to.equal(15n);
    expect(outputFingerprint([5n, 7n], 3n)).to.equal(5n * 3n + 7n * 9n);
    expect(outputFingerprint([], 3n)).to.equal(0n);
  });
});

