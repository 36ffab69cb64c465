import { floorDiv } from "../numeric/fixed-point";
import { FIELD_MODULUS } from "../numeric/field";
import { GadgetDef, GadgetMutation, MutationContext, negate } from "./types";
import { bitsOf, lowBits, one, setter, two } from "./mutations";

/**
 * floor(a / b): a − r = q·b with q in `width` signed bits and 0 <= r, b − r − 1 < 2^shift (FloorDiv).
 * Precondition (asserted by the bounds pass): width + shift <= 252, so |q·b| < p/2.
 */
export const div: GadgetDef = {
  template: { instance: (s) => `FloorDiv(${s.width}, ${s.shift})`, input: two("a", "b"), output: one("out") },
  constraints: (s) => s.width + 2 * s.shift + 4,
  r1cs(w, g) {
    const [a, b] = g.inputs;
    const { width, shift } = g.site;
    const av = w.value(a);
    const bv = w.value(b);
    const qv = () => (bv === 0n ? 0n : floorDiv(av, bv));
    const q = w.wire(qv, "out");
    const r = w.wire(() => av - qv() * bv, "r");
    w.digitsOf(new Map([[q, 1n]]), w.witnessing ? qv() : 0n, 0, width, ["", "qRange.bits"]);
    w.bitsOfWire(r, shift, "rRange.bits");
    const gap = w.terms(b);
    gap.set(r, (gap.get(r) ?? 0n) - 1n);
    gap.set(0, (gap.get(0) ?? 0n) - 1n);
    const gapBits = w.bits(() => bv - (av - qv() * bv) - 1n, 0, shift, "gap.bits");
    w.linear(w.recombine(gapBits), negate(gap));
    const c = w.terms(a);
    c.set(r, (c.get(r) ?? 0n) - 1n);
    w.constrain(new Map([[q, 1n]]), w.operand(b), c);
    w.setSignal(g, 0, q);
  },
  mutations: (m) => (m.divisor === undefined ? [] : wrappedQuotients(m, m.divisor)),
};

/**
 * Issue 14, F1: a − r = q·b also holds in the field for a + j·p = q'·b + r', so the coherent forgery is
 * q' = ⌊(a + j·p)/b⌋ with r' = (a + j·p) mod b, every bit re-decomposed. A circuit within the width
 * precondition refuses it: q' ≈ j·p/b does not fit the quotient's range check.
 */
function wrappedQuotients(m: MutationContext, b: bigint): GadgetMutation[] {
  const set = setter(m);
  const { width, shift } = m.site;
  const g = `main.g${m.k}`;
  return [1n, 2n, -1n].map((j) => {
    const A = m.t + j * FIELD_MODULUS;
    const q = floorDiv(A, b);
    const r = A - q * b;
    const changes = new Map<number, bigint>();
    set(changes, `${g}.out`, q);
    set(changes, `${g}.r`, r);
    bitsOf(lowBits(q + (1n << BigInt(width - 1)), width), width).forEach((v, i) => set(changes, `${g}.qRange.bits[${i}]`, v));
    bitsOf(lowBits(r, shift), shift).forEach((v, i) => set(changes, `${g}.rRange.bits[${i}]`, v));
    bitsOf(lowBits(b - r - 1n, shift), shift).forEach((v, i) => set(changes, `${g}.gap.bits[${i}]`, v));
    return { label: `quotient wrapped by ${j}·p/b`, changes };
  });
}
