import { Gadget, LinExpr } from "../lower";
import { Site } from "../quantize/interval";

/** A sparse linear combination: wire -> coefficient (an integer, reduced mod p when written). */
export type Terms = Map<number, bigint>;

/** -t. */
export function negate(t: Terms): Terms {
  const out: Terms = new Map();
  for (const [w, k] of t) out.set(w, -k);
  return out;
}

/**
 * What a gadget's direct R1CS emission (src/emit/r1cs.ts) can do: allocate wires (computing their
 * witness values when a witness is being made) and write constraints. Each helper writes the same
 * constraints as the zkml.circom template it is named after.
 */
export interface BodyWriter {
  /** Whether a witness is being computed (values are 0 otherwise). */
  readonly witnessing: boolean;
  /** The expression over wires (the constant on wire 0). */
  terms(e: LinExpr): Terms;
  /** The expression's value (witness mode). */
  value(e: LinExpr): bigint;
  valueOfWire(w: number): bigint;
  /** An expression small enough for a product constraint: itself, or a new wire equal to it. */
  operand(e: LinExpr): Terms;
  /** A new wire named `name` within the gadget; `value` is only called in witness mode. */
  wire(value: () => bigint, name: string): number;
  constrain(a: Terms, b: Terms, c: Terms): void;
  /** sum(a) + sum(b) = 0. */
  linear(a: Terms, b?: Terms): void;
  /** n boolean wires holding bits from..from+n-1 of t() (Bits' booleanity). */
  bits(t: () => bigint, from: number, n: number, name: string): number[];
  /** sum(bits[i] · 2^(shift+i)), added into `into`. */
  recombine(bits: number[], shift?: number, into?: Terms): Terms;
  /**
   * Offset-binary digits of round-half-up(e / 2^shift) in `width` bits (SignedDigits / RescaleRangeCheck).
   * With shift >= 1, r holds the remainder's bits 1..shift-1: bit 0 has no wire, its booleanity is the
   * recombination (src/emit/r1cs.ts, digitsOf).
   */
  digits(e: LinExpr, shift: number, width: number, names: [r: string, q: string]): { q: number[]; r: number[] };
  digitsOf(e: Terms, v: bigint, shift: number, width: number, names: [r: string, q: string]): { q: number[]; r: number[] };
  /** SignedRangeCheck(n) of e: its bits, the top one is e >= 0. */
  signedRange(e: LinExpr, n: number, name: string): number[];
  /** Bits(n) of an existing wire. */
  bitsOfWire(w: number, n: number, name: string): void;
  /** sum(bits·2^i) - 2^(n-1). */
  signedValue(bits: number[]): Terms;
  signedOf(bits: number[]): bigint;
  bitValue(w: number): bigint;
  /** A new wire equal to t (one linear constraint). */
  define(t: Terms, v: () => bigint, name: string): number;
  /** A new wire equal to a·b (one product constraint). */
  product(a: Terms, b: Terms, v: () => bigint, name: string): number;
  /** Output i of gadget g lives on `wire`. */
  setSignal(g: Gadget, i: number, wire: number): void;
}

/** One coherent alternative a cheating prover would try on a gadget, written to every wire it names. */
export interface GadgetMutation {
  label: string;
  changes: Map<number, bigint>;
}

/** What the audit knows about one gadget instance in one honest witness. */
export interface MutationContext {
  /** The gadget's number: its signals are `main.g<k>.…`. */
  k: number;
  site: Site;
  /** Its (first) input's honest value. */
  t: bigint;
  /** A div's honest divisor. */
  divisor?: bigint;
  /** A signal's witness index, if circom kept it. */
  wire(name: string): number | undefined;
}

/**
 * Everything about one gadget kind: its circom template, its constraint count, its direct R1CS (and
 * witness), and the forgeries the audit tries on it. The registry (index.ts) is typed so that a kind
 * without all of these does not compile.
 */
export interface GadgetDef {
  /** How a site instantiates its template of circuits/lib/zkml.circom, and the template's signal names. */
  template: { instance(s: Site): string; input(i: number, s: Site): string; output(i: number): string };
  /** Constraints of one instance (before circom's -O2, which only removes linear ones). */
  constraints(s: Site): number;
  /** The same constraint system as the template, written to the direct body, with its witness. */
  r1cs(w: BodyWriter, g: Gadget): void;
  /** Coherent forgeries for the audit. */
  mutations(m: MutationContext): GadgetMutation[];
  /** Constraints whose soundness is a field argument, not an integer one (IsZero's inverse). */
  fieldArgument?: true;
}
