import { roundShift } from "../numeric/fixed-point";
import { toField } from "../numeric/field";
import { GadgetMutation, MutationContext } from "./types";

export const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(i)) & 1n);

/** v mod 2^n in [0, 2^n). */
export const lowBits = (v: bigint, n: number) => ((v % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n));

/** Writes `v` (as a field element) to the wire of signal `name`, if it exists. */
export function setter(m: MutationContext) {
  return (changes: Map<number, bigint>, name: string, v: bigint) => {
    const w = m.wire(name);
    if (w !== undefined) changes.set(w, toField(v));
  };
}

/**
 * The quotient ±1 with the remainder moved by ∓2^shift, every digit re-written: the forgery a rescale,
 * a fused rescale-ReLU and a table's split share. `qbits`/`rbits` name the digit arrays under `base`.
 */
export function quotientShifts(m: MutationContext, base: string, qbits: string, rbits: string, extra?: (changes: Map<number, bigint>, q: bigint) => void): GadgetMutation[] {
  const set = setter(m);
  const S = m.site.shift;
  const offset = 1n << BigInt(m.site.width - 1);
  const shifted = m.t + (S > 0 ? 1n << BigInt(S - 1) : 0n) + (offset << BigInt(S));
  const q = roundShift(m.t, S);
  return [1n, -1n].map((dq) => {
    const q2 = q + dq;
    const r2 = shifted - ((q2 + offset) << BigInt(S)); // the remainder that would balance the sum
    const changes = new Map<number, bigint>();
    bitsOf(q2 + offset, m.site.width).forEach((b, i) => set(changes, `${base}.${qbits}[${i}]`, b));
    if (S > 0) bitsOf(lowBits(r2, S), S).forEach((b, i) => set(changes, `${base}.${rbits}[${i}]`, b));
    extra?.(changes, q2);
    return { label: `quotient ${dq > 0 ? "+" : "-"}1, remainder ${dq > 0 ? "-" : "+"}2^${S}`, changes };
  });
}

/** The sign bit of a range check flipped, with the output a ReLU would then give. */
export function signFlip(m: MutationContext): GadgetMutation[] {
  const set = setter(m);
  const changes = new Map<number, bigint>();
  const nonneg = m.t >= 0n ? 1n : 0n;
  set(changes, `main.g${m.k}.range.nonneg`, 1n - nonneg);
  set(changes, `main.g${m.k}.range.bits[${m.site.width - 1}]`, 1n - nonneg);
  set(changes, `main.g${m.k}.out`, nonneg ? 0n : m.t);
  return [{ label: "sign flipped", changes }];
}

export const one = (name: string) => () => name;
export const two = (a: string, b: string) => (i: number) => (i === 0 ? a : b);
