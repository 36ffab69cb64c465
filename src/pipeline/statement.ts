// The statement of a compiled model's proof, without files or a prover: the witness input the circuit takes for
// quantized inputs and bound values, the commitments a proof carries, and its public signals decoded. Everything
// here runs in a browser as well as in Node (app/ bundles it to prove in a Web Worker); src/pipeline/prove.ts
// builds on it.
import { fail, invariant } from "../errors";
import { FIELD_MODULUS, toField } from "../numeric/field";
import { COMMITMENT_TAG, commitValues } from "../privacy/commitment";
import { modelWitnessInput } from "../privacy/layout";
import { unpackWords } from "../privacy/packing";
import { quantizeInputs, readModelInput } from "./input";
import type { Manifest } from "./manifest";

/** A model input (EZKL's `{ input_data }` or named tensors, see ./input.ts) quantized as the circuit takes it, flat. */
export function quantizedInputs(m: Pick<Manifest, "inputs" | "quant">, rawInput: unknown): bigint[] {
  return quantizeInputs(readModelInput(rawInput, m.inputs), m.inputs, m.quant).flat();
}

/** What the circuit's witness is computed from besides the quantized inputs. */
export interface CircuitExtras {
  /** Values of the model's bound public inputs (e.g. { recipient: "0xabc…" }). */
  bindings?: Record<string, bigint | string | number>;
  /** Private parameters (params: "private"). */
  params?: bigint[];
  /** The salt of a salted input commitment. */
  salt?: bigint;
  /** Seeded inputs: the seed. */
  seed?: bigint;
  /** Fingerprinted outputs: the challenge r. */
  challenge?: bigint;
}

/** The witness input of model `m`'s circuit (circom's input JSON: `in`, packed inputs, bindings, ...), as decimal strings. */
export function circuitInput(m: Manifest, inputs: bigint[], extras: CircuitExtras = {}): Record<string, unknown> {
  const input: Record<string, unknown> = { ...modelWitnessInput(m.publicSignals, inputs), ...bindingInputs(m, extras.bindings ?? {}) };
  if (extras.params) input.params = extras.params.map(String);
  if (extras.salt !== undefined) input.inSalt = extras.salt.toString();
  if (extras.seed !== undefined) input.inSeed = extras.seed.toString();
  if (extras.challenge !== undefined) input.outChallenge = extras.challenge.toString();
  return input;
}

/** Decimal field elements of the commitments a proof makes public. */
export interface Commitments {
  output?: string;
  model?: string;
  input?: string;
}

/** The commitments a proof of these quantized values must carry, computed off-chain. */
export function commitmentsOf(m: Manifest, inputs: bigint[], outputs: bigint[], params: bigint[] | undefined, salt?: bigint): Commitments {
  const layout = m.publicSignals;
  const c: Commitments = {};
  if (layout.outputs.encoding === "commitment") c.output = commitValues(COMMITMENT_TAG.output, outputs, layout.outputs.packing).toString();
  if (layout.modelCommitment) {
    invariant(params, `model "${m.name}" has private parameters but none were given`);
    c.model = commitValues(COMMITMENT_TAG.params, params, layout.modelCommitment.packing).toString();
  }
  if (layout.inputs.encoding === "commitment") c.input = commitValues(COMMITMENT_TAG.input, inputs, layout.inputs.packing, salt).toString();
  return c;
}

/** The commitments among a proof's public signals. */
export function commitmentsIn(m: Manifest, publicSignals: string[]): Commitments {
  const layout = m.publicSignals;
  const at = (i: number) => BigInt(publicSignals[i]).toString();
  const c: Commitments = {};
  if (layout.outputs.encoding === "commitment") c.output = at(layout.outputs.offset);
  if (layout.modelCommitment) c.model = at(layout.modelCommitment.offset);
  if (layout.inputs.encoding === "commitment") c.input = at(layout.inputs.offset);
  return c;
}

/** Each declared binding as a decimal field element; a missing, unknown or out-of-field value is an error. */
export function bindingInputs(m: Manifest, values: Record<string, bigint | string | number>): Record<string, string> {
  const declared = (m.publicSignals.bindings ?? []).map((b) => b.name);
  const unknown = Object.keys(values).filter((k) => !declared.includes(k));
  if (unknown.length > 0) fail(`model "${m.name}" has no binding ${unknown.map((k) => `"${k}"`).join(", ")}; its bindings: ${declared.join(", ") || "none"}`);
  const out: Record<string, string> = {};
  for (const name of declared) {
    const v = values[name];
    if (v === undefined) fail(`model "${m.name}" proofs are bound to "${name}": give its value (e.g. --bind ${name}=0x...)`);
    let x: bigint;
    try {
      x = BigInt(v);
    } catch {
      fail(`binding "${name}" = ${JSON.stringify(v)} is not an integer (decimal or 0x-hex)`);
    }
    if (x < 0n || x >= FIELD_MODULUS) fail(`binding "${name}" = ${v} is not an element of the BN254 scalar field`);
    out[name] = x.toString();
  }
  return out;
}

/** Signed integers packed in the output part of the public signals (outputs must be public). */
export function decodeOutputs(m: Manifest, publicSignals: string[]): bigint[] {
  const { offset, count, encoding, packing } = m.publicSignals.outputs;
  if (encoding !== "packed") fail(`model "${m.name}" keeps its outputs private (output: "hashed"); only their commitment is public`);
  return unpackWords(publicSignals.slice(offset, offset + count).map((s) => BigInt(s)), packing);
}

/** Signed integers packed in the input part of the public signals (inputs must be public). */
export function decodeInputs(m: Manifest, publicSignals: string[]): bigint[] {
  const { offset, count, encoding, packing } = m.publicSignals.inputs;
  if (encoding !== "packed") fail(`model "${m.name}" keeps its inputs private (input: "${m.visibility.input}")`);
  return unpackWords(publicSignals.slice(offset, offset + count).map((s) => BigInt(s)), packing);
}

/** Public signals (field elements, as decimal strings) for quantized inputs and outputs. */
export function encodeSignals(values: bigint[]): string[] {
  return values.map((v) => toField(v).toString());
}

/** Flat values split into the model's outputs (name, shape, values). */
export function splitOutputs<T>(m: Pick<Manifest, "outputs">, flat: T[]): { name: string; shape: number[]; values: T[] }[] {
  let at = 0;
  return m.outputs.map((o) => {
    const n = o.shape.reduce((a, b) => a * b, 1);
    const values = flat.slice(at, at + n);
    at += n;
    return { name: o.name, shape: o.shape, values };
  });
}
