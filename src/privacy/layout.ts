import { fail } from "../errors";
import { Interval } from "../quantize/interval";
import { paramBits, signedWidth } from "../numeric/fixed-point";
import { Packing, packing, packWords } from "./packing";
import { Visibility } from "./visibility";

/**
 * How one group of values (the model's outputs or inputs) appears among the public signals:
 *  - "packed": the values themselves, `packing.perWord` to a signal;
 *  - "commitment": one signal, the Poseidon commitment to the packed values (see commitment.ts);
 *  - "none": not at all;
 *  - "seed" (inputs): one signal, the seed the circuit expands to the inputs (seeded.ts);
 *  - "fingerprint" (outputs): one signal, sum(word_j * r^(j+1)) of the packed words, for the challenge
 *    r at `challengeOffset` (a public input the verifier derives from the claimed words).
 */
export interface ValueGroup {
  encoding: "packed" | "commitment" | "none" | "seed" | "fingerprint";
  /** With "fingerprint": where the challenge r is among the public signals. */
  challengeOffset?: number;
  /** Index of the group's first public signal (meaningless when `count` is 0). */
  offset: number;
  /** Public signals the group takes. */
  count: number;
  packing: Packing;
  /** Fixed-point fraction bits of the values. */
  scaleBits: number;
  /**
   * A "commitment" with a private salt as its first word: the inputs' (visibility.inputSalt), or, inside a
   * chain with salted links, both sides of every link (the same salt on both, so the commitments still match
   * exactly when the activations do, while a public link no longer lets anyone test a guess of them).
   */
  salted?: boolean;
  /**
   * A "commitment" that links two segments of a chain (src/pipeline/chain.ts): made with the link tag on
   * both sides of a boundary, so one segment's output commitment equals the next one's input commitment
   * exactly when they commit to the same values packed the same way.
   */
  linked?: boolean;
  /**
   * Inputs only: the graph inputs whose values are exact integers (int64, bool, ...: scale 0, not
   * `scaleBits`), by their first value's index among the inputs. Absent when every input is a float.
   */
  integers?: { name: string; start: number; count: number }[];
}

/**
 * The public signals of a model's proofs, in snarkjs order: the circuit's outputs (output values or
 * their commitment, the model commitment, the input commitment) then its public inputs (packed input
 * values, then each binding).
 */
export interface SignalLayout {
  count: number;
  outputs: ValueGroup;
  /** With private parameters: the commitment to them, and how they are packed for it. */
  modelCommitment?: { offset: number; packing: Packing };
  inputs: ValueGroup;
  bindings: { name: string; offset: number }[];
}

/** Which sides of a chain segment are links to its neighbours, and whether links are salted. */
export interface ChainLinks {
  input?: boolean;
  output?: boolean;
  salted?: boolean;
}

export interface LayoutSource {
  inputCount: number;
  inputBits: number;
  outputBounds: Interval[];
  /** Quantized private parameters (their widths set the packing; the values are never written out). */
  params?: bigint[];
  scaleBits: number;
  /** Graph inputs held as exact integers (scale 0), see ValueGroup.integers. */
  integerInputs?: { name: string; start: number; count: number }[];
}

/**
 * `links`: inside a chain of segments, the inputs and/or outputs are a link commitment (one public signal
 * each, see ValueGroup.linked) instead of what the model's visibility says; `salted`: each link with a salt.
 */
export function signalLayout(src: LayoutSource, v: Visibility, bindings: string[], links: ChainLinks = {}): SignalLayout {
  if ((links.input && (v.input !== "hashed" || v.inputSalt !== (links.salted === true))) || (links.output && v.output !== "hashed") || (links.input || links.output ? v.params !== "fixed" : false))
    fail(`a chain link needs hashed values (salted as the links are) and fixed parameters on its side (got ${JSON.stringify(v)})`);
  let next = 0;
  const take = (n: number) => ((next += n), next - n);
  const outBits = Math.max(1, ...src.outputBounds.map((b) => signedWidth(b.lo, b.hi)));
  const outPacking = packing(src.outputBounds.length, outBits);
  const outputs: ValueGroup =
    v.output === "public"
      ? { encoding: "packed", offset: take(outPacking.words), count: outPacking.words, packing: outPacking, scaleBits: src.scaleBits }
      : { encoding: v.output === "fingerprint" ? "fingerprint" : "commitment", offset: take(1), count: 1, packing: outPacking, scaleBits: src.scaleBits, ...(links.output ? { linked: true, ...(links.salted ? { salted: true } : {}) } : {}) };
  let modelCommitment: SignalLayout["modelCommitment"];
  if (v.params === "private") {
    const ps = src.params ?? [];
    if (ps.length === 0) fail(`params: "private" needs layer weights to hide (Gemm, MatMul, Conv or ConvTranspose), and this model has none`);
    modelCommitment = { offset: take(1), packing: packing(ps.length, paramBits(ps)) };
  }
  const inPacking = packing(src.inputCount, src.inputBits);
  let inputs: ValueGroup;
  if (v.input === "hashed")
    inputs = { encoding: "commitment", offset: take(1), count: 1, packing: inPacking, scaleBits: src.scaleBits, salted: v.inputSalt, ...(links.input ? { linked: true } : {}) };
  else if (v.input === "seeded") inputs = { encoding: "seed", offset: take(1), count: 1, packing: inPacking, scaleBits: src.scaleBits };
  else if (v.input === "private") inputs = { encoding: "none", offset: next, count: 0, packing: inPacking, scaleBits: src.scaleBits };
  else inputs = { encoding: "packed", offset: take(inPacking.words), count: inPacking.words, packing: inPacking, scaleBits: src.scaleBits };
  if (src.integerInputs?.length) inputs.integers = src.integerInputs;
  if (outputs.encoding === "fingerprint") outputs.challengeOffset = take(1);
  const bound = bindings.map((name) => ({ name, offset: take(1) }));
  return { count: next, outputs, modelCommitment, inputs, bindings: bound };
}

const ENCODING = { none: 0, packed: 1, commitment: 2, seed: 3, fingerprint: 4 } as const;

/** `ZkmlModel.Layout` (contracts/ZkmlModel.sol) for a layout, as ethers encodes a struct argument. */
export function solidityLayout(l: SignalLayout, scaleBits: number) {
  if (l.inputs.encoding === "seed" || l.outputs.encoding === "fingerprint")
    fail(`ZkmlModel does not take seeded inputs or fingerprinted outputs; verify such proofs as contracts/ProvenImageCollection.sol does`);
  const group = (g: ValueGroup) => ({ encoding: ENCODING[g.encoding], offset: g.offset, values: g.packing.values, bits: g.packing.bits });
  return {
    signalCount: l.count,
    outputs: group(l.outputs),
    inputs: group(l.inputs),
    modelCommitmentOffset: l.modelCommitment ? BigInt(l.modelCommitment.offset) : (1n << 256n) - 1n,
    bindingsOffset: l.count - l.bindings.length,
    bindingCount: l.bindings.length,
    scaleBits,
  };
}

/** The witness input for quantized model inputs: `in`, plus their packed words when inputs are public. */
export function modelWitnessInput(layout: SignalLayout, inputs: bigint[]): Record<string, string[]> {
  const w: Record<string, string[]> = { in: inputs.map(String) };
  if (layout.inputs.encoding === "packed") w.inPacked = packWords(inputs, layout.inputs.packing).map(String);
  return w;
}
