import { fail, invariant } from "../errors";

/**
 * Several signed values to one field element: value v of a `bits`-wide group is stored as the
 * offset-binary digit v + 2^(bits-1) in [0, 2^bits), little-endian. The packing is injective only
 * because every value is proven to lie in its range (inputs by their range check, outputs by the
 * bounds of the gadgets that produce them, private parameters by a range check of their own).
 */
export interface Packing {
  /** Signed width of each value. */
  bits: number;
  /** Values per field element: floor(253 / bits), so a word is below 2^253 < p. */
  perWord: number;
  /** Values in the group. */
  values: number;
  /** Field elements: ceil(values / perWord). */
  words: number;
}

/** Bits a packed word may use: 2^253 is below the BN254 scalar field modulus (about 2^253.6). */
export const WORD_BITS = 253;

export function packing(values: number, bits: number): Packing {
  invariant(Number.isInteger(bits) && bits >= 1 && bits <= WORD_BITS, `cannot pack ${bits}-bit values`);
  const perWord = Math.floor(WORD_BITS / bits);
  return { bits, perWord, values, words: Math.ceil(values / perWord) };
}

export function packWords(values: bigint[], p: Packing): bigint[] {
  if (values.length !== p.values) fail(`expected ${p.values} values to pack, got ${values.length}`);
  const offset = 1n << BigInt(p.bits - 1);
  const words: bigint[] = [];
  for (let w = 0; w < p.words; w++) {
    let word = 0n;
    const chunk = values.slice(w * p.perWord, (w + 1) * p.perWord);
    for (let j = chunk.length - 1; j >= 0; j--) {
      const digit = chunk[j] + offset;
      if (digit < 0n || digit >= 1n << BigInt(p.bits)) fail(`value ${chunk[j]} does not fit a signed ${p.bits}-bit packing`);
      word = (word << BigInt(p.bits)) | digit;
    }
    words.push(word);
  }
  return words;
}

export function unpackWords(words: bigint[], p: Packing): bigint[] {
  if (words.length !== p.words) fail(`expected ${p.words} packed words, got ${words.length}`);
  const offset = 1n << BigInt(p.bits - 1);
  const mask = (1n << BigInt(p.bits)) - 1n;
  const out: bigint[] = [];
  for (let i = 0; i < p.values; i++) {
    const word = words[Math.floor(i / p.perWord)];
    out.push(((word >> BigInt((i % p.perWord) * p.bits)) & mask) - offset);
  }
  return out;
}
