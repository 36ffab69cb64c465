import * as poseidon from "poseidon-lite";
import { fail, invariant } from "../errors";
import { Packing, packWords } from "./packing";

/**
 * Poseidon commitments, exactly as circuits/lib/commitment.circom computes them with circomlib's
 * Poseidon (computed here with poseidon-lite, which implements the same permutation and constants):
 *
 *   h_0 = tag;  h_{k+1} = Poseidon(h_k, chunk_k)  over chunks of up to 15 words;  commitment = h_last.
 *
 * The tag keeps an input commitment from ever equalling an output or model commitment. The link tag is
 * the one exception by design: a chain's boundary activations are committed with it on both sides, as
 * the output of one segment and the input of the next (src/pipeline/chain.ts). The word count
 * is fixed by the model's layout, so chunking needs no length padding.
 */
export const COMMITMENT_TAG = { input: 1n, output: 2n, params: 3n, link: 4n } as const;

export const SPONGE_RATE = 15;

type PoseidonFn = (inputs: bigint[]) => bigint;
const ARITY: PoseidonFn[] = [
  poseidon.poseidon1, poseidon.poseidon2, poseidon.poseidon3, poseidon.poseidon4, poseidon.poseidon5, poseidon.poseidon6,
  poseidon.poseidon7, poseidon.poseidon8, poseidon.poseidon9, poseidon.poseidon10, poseidon.poseidon11, poseidon.poseidon12,
  poseidon.poseidon13, poseidon.poseidon14, poseidon.poseidon15, poseidon.poseidon16,
] as unknown as PoseidonFn[];

export function spongeCommitment(tag: bigint, words: bigint[]): bigint {
  invariant(words.length > 0, "nothing to commit to");
  let h = tag;
  for (let i = 0; i < words.length; i += SPONGE_RATE) {
    const chunk = words.slice(i, i + SPONGE_RATE);
    h = ARITY[chunk.length]([h, ...chunk]); // ARITY[n] takes n + 1 inputs
  }
  return h;
}

/** The commitment to quantized values packed as `p` (with the salt first, when there is one). */
export function commitValues(tag: bigint, values: bigint[], p: Packing, salt?: bigint): bigint {
  const words = packWords(values, p);
  return spongeCommitment(tag, salt === undefined ? words : [salt, ...words]);
}
