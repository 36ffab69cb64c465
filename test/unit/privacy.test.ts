import { expect } from "chai";
import { poseidon2, poseidon3 } from "poseidon-lite";
import { COMMITMENT_TAG, commitValues, spongeCommitment } from "../../src/privacy/commitment";
import { signalLayout } from "../../src/privacy/layout";
import { packing, packWords, unpackWords } from "../../src/privacy/packing";
import { PUBLIC_VISIBILITY, Visibility } from "../../src/privacy/visibility";
import { expectZkmlError } from "./helpers";

describe("privacy: packing", () => {
  it("fits floor(253 / bits) values per word, so every word stays below the field modulus", () => {
    expect(packing(6, 24)).to.deep.equal({ bits: 24, perWord: 10, values: 6, words: 1 });
    expect(packing(784, 9)).to.deep.equal({ bits: 9, perWord: 28, values: 784, words: 28 });
    const p = packing(10, 24);
    const top = packWords(Array(10).fill((1n << 23n) - 1n), p)[0];
    expect(top < 1n << 253n).to.equal(true);
  });

  it("stores v + 2^(bits-1) little-endian and round-trips the whole signed range", () => {
    const p = packing(3, 4);
    expect(packWords([-8n, 0n, 7n], p)).to.deep.equal([0n + (8n << 4n) + (15n << 8n)]);
    const all = Array.from({ length: 16 }, (_, i) => BigInt(i - 8));
    const q = packing(16, 4);
    expect(unpackWords(packWords(all, q), q)).to.deep.equal(all);
  });

  it("refuses a value outside the packing width (it would collide with a neighbour)", () => {
    expectZkmlError(() => packWords([8n], packing(1, 4)), "does not fit a signed 4-bit packing");
    expectZkmlError(() => packWords([-9n], packing(1, 4)), "does not fit");
    expectZkmlError(() => packWords([1n, 2n], packing(1, 4)), "expected 1 values");
  });
});

describe("privacy: commitments", () => {
  it("chains circomlib-compatible Poseidon over chunks of 15 words, starting from the tag", () => {
    // poseidon2([1, 2]) is circomlib's published test vector.
    expect(poseidon2([1n, 2n])).to.equal(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    expect(spongeCommitment(5n, [1n, 2n])).to.equal(poseidon3([5n, 1n, 2n]));
    const words = Array.from({ length: 16 }, (_, i) => BigInt(i + 1));
    const first = spongeCommitment(5n, words.slice(0, 15));
    expect(spongeCommitment(5n, words)).to.equal(poseidon2([first, 16n]));
  });

  it("differs by tag, by salt and by any single value", () => {
    const p = packing(4, 8);
    const v = [1n, -2n, 3n, 4n];
    const base = commitValues(COMMITMENT_TAG.input, v, p);
    expect(commitValues(COMMITMENT_TAG.output, v, p)).to.not.equal(base);
    expect(commitValues(COMMITMENT_TAG.input, v, p, 0n)).to.not.equal(base);
    expect(commitValues(COMMITMENT_TAG.input, v, p, 1n)).to.not.equal(commitValues(COMMITMENT_TAG.input, v, p, 2n));
    expect(commitValues(COMMITMENT_TAG.input, [1n, -2n, 3n, 5n], p)).to.not.equal(base);
  });
});

describe("privacy: public-signal layout", () => {
  const src = { inputCount: 25, inputBits: 24, outputBounds: [{ lo: -300n, hi: 200n }, { lo: 0n, hi: 1n }], scaleBits: 12, params: [-100n, 50n, 127n] };
  const layout = (v: Partial<Visibility>, bindings: string[] = []) => signalLayout(src, { ...PUBLIC_VISIBILITY, ...v }, bindings);

  it("public: packed outputs (width from their bounds), packed inputs, then the bindings", () => {
    const l = layout({}, ["recipient"]);
    expect(l.outputs).to.include({ encoding: "packed", offset: 0, count: 1 });
    expect(l.outputs.packing.bits).to.equal(10); // [-300, 200] needs 10 signed bits
    expect(l.inputs).to.include({ encoding: "packed", offset: 1, count: 3 }); // 25 inputs, 10 per word
    expect(l.bindings).to.deep.equal([{ name: "recipient", offset: 4 }]);
    expect(l.count).to.equal(5);
    expect(l.modelCommitment).to.equal(undefined);
  });

  it("private parameters and hashed data: one signal per commitment, whatever the sizes", () => {
    const l = layout({ input: "hashed", params: "private", output: "hashed", inputSalt: true });
    expect(l.outputs).to.include({ encoding: "commitment", offset: 0, count: 1 });
    expect(l.modelCommitment?.offset).to.equal(1);
    expect(l.modelCommitment?.packing.bits).to.equal(8); // parameters in [-100, 127]
    expect(l.inputs).to.include({ encoding: "commitment", offset: 2, count: 1, salted: true });
    expect(l.count).to.equal(3);
  });

  it("private inputs take no public signal", () => {
    const l = layout({ input: "private" });
    expect(l.inputs).to.include({ encoding: "none", count: 0 });
    expect(l.count).to.equal(1);
  });

  it("refuses private parameters for a model without layer weights", () => {
    expectZkmlError(() => signalLayout({ ...src, params: [] }, { ...PUBLIC_VISIBILITY, params: "private" }, []), 'params: "private" needs layer weights');
  });
});
