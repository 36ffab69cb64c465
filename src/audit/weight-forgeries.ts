import { ZkmlError } from "../errors";
import { buildBody } from "../emit/r1cs";
import { CircuitProgram } from "../lower";
import { commitValues, COMMITMENT_TAG } from "../privacy/commitment";
import { SignalLayout } from "../privacy/layout";
import { unpackWords } from "../privacy/packing";
import { signedRange } from "../numeric/fixed-point";

/**
 * Issue 14, F2: with private parameters the prover commits to weights of its choosing, anywhere in the
 * range the circuit checks them to. The forgery is a satisfying witness whose public outputs do not
 * say what those committed weights compute: an output pushed past its packing digit carries into its
 * neighbour. For weight sets at the extremes of the committed range (and random ones inside it), this
 * computes the circuit's witness and compares the outputs it publishes with what the body computes.
 */

export interface WeightForgeryReport {
  /** Weight sets × inputs tried. */
  tried: number;
  /** Weight sets the honest prover cannot prove (a range check inside the body fails): never a forgery. */
  noWitness: number;
  /** Published outputs that differ from what the committed weights compute: must be empty. */
  forgeries: string[];
}

export interface WeightForgeryTarget {
  program: CircuitProgram;
  layout: SignalLayout;
  /** The compile-time weights (their packing width is the committed range). */
  params: bigint[];
  /** Quantized model inputs to try. */
  inputs: bigint[][];
  /** The circuit's full witness for these weights and inputs (throws if no witness exists). */
  witness: (params: bigint[], inputs: bigint[]) => Promise<bigint[]>;
}

/** Single-weight moves tried per model at most (a seeded sample beyond). */
const MAX_MOVES = 256;

function sample<T>(xs: T[], n: number, random: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

export async function weightForgeries(t: WeightForgeryTarget, random: () => number): Promise<WeightForgeryReport> {
  const bits = t.layout.modelCommitment!.packing.bits;
  const { lo, hi } = signedRange(bits);
  const n = t.params.length;
  const span = Number(hi - lo + 1n);
  const clamp = (v: bigint) => (v < lo ? lo : v > hi ? hi : v);
  const sets: [string, bigint[]][] = [
    ["every weight at the top of its range", Array(n).fill(hi)],
    ["every weight at the bottom", Array(n).fill(lo)],
    ["alternating extremes", t.params.map((_, i) => (i % 2 ? lo : hi))],
    ["random in range", t.params.map(() => lo + BigInt(Math.floor(random() * span)))],
    ["random in range", t.params.map(() => lo + BigInt(Math.floor(random() * span)))],
  ];
  // The model's own weights scaled up: outputs grow past their digit while every range check inside the
  // body may still hold (the window in which F2 was forged), at every power of two the range allows.
  for (let j = 1; j < bits; j++) sets.push([`weights × 2^${j}`, t.params.map((v) => clamp(v << BigInt(j)))]);
  // One weight moved by ±2^j: a single output pushed up while the rest stay put.
  const moves: [number, number, bigint][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < bits; j++) for (const sign of [1n, -1n]) moves.push([i, j, sign]);
  for (const [i, j, sign] of sample(moves, MAX_MOVES, random))
    sets.push([`weight ${i} ${sign > 0n ? "+" : "-"} 2^${j}`, t.params.map((v, k) => (k === i ? clamp(v + sign * (1n << BigInt(j))) : v))]);
  const report: WeightForgeryReport = { tried: 0, noWitness: 0, forgeries: [] };
  const ports = { input: () => 0, param: () => 0, output: () => 0, firstWire: 1 };
  for (const [label, params] of sets)
    for (const inputs of t.inputs) {
      report.tried++;
      let computed: bigint[];
      let witness: bigint[];
      try {
        computed = buildBody(t.program, ports, { values: { inputs, params } }).outputs!;
        witness = await t.witness(params, inputs);
      } catch (e) {
        if (!(e instanceof ZkmlError) && !/assert|constraint|range/i.test(String((e as Error).message))) throw e;
        report.noWitness++;
        continue;
      }
      if (!publishes(t.layout, witness, computed)) report.forgeries.push(`${label}: the published outputs differ from what the committed weights compute`);
    }
  return report;
}

/** Whether the witness's public outputs are exactly `computed` (packed, or committed to). */
function publishes(layout: SignalLayout, witness: bigint[], computed: bigint[]): boolean {
  const published = witness.slice(1, 1 + layout.count);
  const out = layout.outputs;
  if (out.encoding === "packed") return unpackWords(published.slice(out.offset, out.offset + out.count), out.packing).every((v, i) => v === computed[i]);
  try {
    return published[out.offset] === commitValues(COMMITMENT_TAG.output, computed, out.packing);
  } catch (e) {
    if (e instanceof ZkmlError) return false; // a computed output outside its digit: no honest commitment exists
    throw e;
  }
}
