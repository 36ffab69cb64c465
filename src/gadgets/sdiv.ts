import { fail } from "../errors";
import { floorDivSigned } from "../numeric/fixed-point";
import { FIELD_MODULUS } from "../numeric/field";
import { GadgetDef, GadgetMutation, MutationContext, Terms } from "./types";
import { bitsOf, lowBits, one, setter, two } from "./mutations";

/**
 * floor(a / b) for a divisor of either sign (SignedFloorDiv(qwidth, rbits)). With n the boolean "b > 0"
 * and s = 2n − 1:
 *  - bsel = n·b, so |b| = 2·bsel − b is ±b;
 *  - r (the remainder's magnitude) and gap = |b| − r − 1 are rbits-bit: so |b| >= 1 as an integer, which
 *    holds for exactly one n when b != 0 and for none when b = 0 (a zero divisor is unsatisfiable);
 *  - rsel = n·r, so s·r = 2·rsel − r;
 *  - a − s·r = q·b with q in qwidth signed bits.
 * Then s·a = q·|b| + r with 0 <= r < |b|: q is the unique floor(a / b), and the remainder a − q·b = s·r
 * has the sign of b. Precondition (asserted by the bounds pass): qwidth + rbits <= 252, so |q·b| < p/2.
 */
export const sdiv: GadgetDef = {
  template: { instance: (s) => `SignedFloorDiv(${s.width}, ${s.shift})`, input: two("a", "b"), output: one("out") },
  // q's range check (qwidth + 1), r's and gap's bits (2·(rbits + 1)), n's booleanity, bsel, rsel, the division.
  constraints: (s) => s.width + 2 * s.shift + 7,
  r1cs(w, g) {
    const [a, b] = g.inputs;
    const { width, shift } = g.site;
    const av = w.value(a);
    const bv = w.value(b);
    if (w.witnessing && bv === 0n) fail(`node "${g.site.node}" divides by 0: the proof cannot be made`);
    const qv = () => (bv === 0n ? 0n : floorDivSigned(av, bv));
    const rv = () => {
      const r = av - qv() * bv;
      return r < 0n ? -r : r;
    };
    const q = w.wire(qv, "out");
    const r = w.wire(rv, "r");
    const n = w.wire(() => (bv > 0n ? 1n : 0n), "bnonneg");
    w.constrain(new Map([[n, 1n]]), new Map([[n, 1n], [0, -1n]]), new Map());
    const bTerms = w.operand(b);
    const bsel = w.product(new Map([[n, 1n]]), bTerms, () => (bv > 0n ? bv : 0n), "bsel");
    w.digitsOf(new Map([[q, 1n]]), w.witnessing ? qv() : 0n, 0, width, ["", "qRange.bits"]);
    w.bitsOfWire(r, shift, "rRange.bits");
    // gap = |b| − r − 1 = 2·bsel − b − r − 1
    const gap: Terms = new Map();
    for (const [k, v] of w.terms(b)) gap.set(k, -v);
    gap.set(bsel, (gap.get(bsel) ?? 0n) + 2n);
    gap.set(r, (gap.get(r) ?? 0n) - 1n);
    gap.set(0, (gap.get(0) ?? 0n) - 1n);
    const gapBits = w.bits(() => (bv < 0n ? -bv : bv) - rv() - 1n, 0, shift, "gap.bits");
    const minus: Terms = new Map();
    for (const [k, v] of gap) minus.set(k, -v);
    w.linear(w.recombine(gapBits), minus);
    const rsel = w.product(new Map([[n, 1n]]), new Map([[r, 1n]]), () => (bv > 0n ? rv() : 0n), "rsel");
    // a − (2·rsel − r) = q·b
    const c = w.terms(a);
    c.set(rsel, (c.get(rsel) ?? 0n) - 2n);
    c.set(r, (c.get(r) ?? 0n) + 1n);
    w.constrain(new Map([[q, 1n]]), bTerms, c);
    w.setSignal(g, 0, q);
  },
  mutations: (m) => (m.divisor === undefined ? [] : [...wrappedQuotients(m, m.divisor), signFlipped(m, m.divisor)]),
};

/** Every wire of the gadget written for a chosen (q, sign bit), the remainder re-derived, all bits re-decomposed. */
function coherent(m: MutationContext, b: bigint, q: bigint, A: bigint, n: bigint, label: string): GadgetMutation {
  const set = setter(m);
  const { width, shift } = m.site;
  const g = `main.g${m.k}`;
  const s = 2n * n - 1n;
  const r = s * (A - q * b); // the magnitude the division constraint then needs
  const absB = s * b;
  const changes = new Map<number, bigint>();
  set(changes, `${g}.out`, q);
  set(changes, `${g}.r`, r);
  set(changes, `${g}.bnonneg`, n);
  set(changes, `${g}.bsel`, n * b);
  set(changes, `${g}.rsel`, n * r);
  bitsOf(lowBits(q + (1n << BigInt(width - 1)), width), width).forEach((v, i) => set(changes, `${g}.qRange.bits[${i}]`, v));
  bitsOf(lowBits(r, shift), shift).forEach((v, i) => set(changes, `${g}.rRange.bits[${i}]`, v));
  bitsOf(lowBits(absB - r - 1n, shift), shift).forEach((v, i) => set(changes, `${g}.gap.bits[${i}]`, v));
  return { label, changes };
}

/**
 * Issue 14, F1, for the signed division: a + j·p = q'·b + r' also satisfies a − r = q·b in the field. Within
 * the width precondition q' ≈ j·p/b does not fit the quotient's range check.
 */
function wrappedQuotients(m: MutationContext, b: bigint): GadgetMutation[] {
  if (b === 0n) return [];
  const n = b > 0n ? 1n : 0n;
  return [1n, 2n, -1n].map((j) => {
    const A = m.t + j * FIELD_MODULUS;
    return coherent(m, b, floorDivSigned(A, b), A, n, `quotient wrapped by ${j}·p/b`);
  });
}

/** The divisor's sign bit flipped: |b| would be −|b|, so the gap cannot be decomposed. */
function signFlipped(m: MutationContext, b: bigint): GadgetMutation {
  const n = b > 0n ? 0n : 1n;
  // The quotient the flipped sign would make consistent: s·a = q·(s·b) + r with the flipped s is still a = q·b + s·r.
  const q = b === 0n ? 0n : floorDivSigned(m.t, b) + (b > 0n ? 1n : -1n);
  return coherent(m, b, q, m.t, n, "divisor's sign flipped");
}
