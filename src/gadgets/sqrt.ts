import { fail } from "../errors";
import { isqrt } from "../numeric/fixed-point";
import { GadgetDef, GadgetMutation, MutationContext, Terms } from "./types";
import { bitsOf, lowBits, one, setter } from "./mutations";

/**
 * floor(sqrt(in)) (IntegerSqrt(width)): the root s is width-bit (Bits), sq = s·s, and both
 * lo = in − sq and hi = sq + 2·s − in are (width + 1)-bit. So s² <= in <= s² + 2s < (s + 1)², which has one
 * solution s >= 0 for in >= 0 and none for in < 0. Every term stays below 2^(2·width+1) besides `in`
 * itself, which the bounds pass keeps below 2^250 (its precondition: 2·width + 1 <= 252).
 */
export const sqrt: GadgetDef = {
  template: { instance: (s) => `IntegerSqrt(${s.width})`, input: one("in"), output: one("out") },
  // Bits(width) of s, the square, two Bits(width + 1) gaps.
  constraints: (s) => 3 * s.width + 6,
  r1cs(w, g) {
    const x = g.inputs[0];
    const n = g.site.width;
    const xv = w.value(x);
    if (w.witnessing && xv < 0n) fail(`node "${g.site.node}" takes the square root of a negative value (${xv}): the proof cannot be made`);
    const sv = () => (xv < 0n ? 0n : isqrt(xv));
    const s = w.wire(sv, "out");
    w.bitsOfWire(s, n, "sRange.bits");
    const sq = w.product(new Map([[s, 1n]]), new Map([[s, 1n]]), () => sv() * sv(), "sq");
    // lo = in − sq
    const lo: Terms = new Map(w.terms(x));
    lo.set(sq, (lo.get(sq) ?? 0n) - 1n);
    const loBits = w.bits(() => xv - sv() * sv(), 0, n + 1, "lo.bits");
    w.linear(w.recombine(loBits), negateTerms(lo));
    // hi = sq + 2s − in
    const hi: Terms = new Map();
    for (const [k, v] of w.terms(x)) hi.set(k, -v);
    hi.set(sq, (hi.get(sq) ?? 0n) + 1n);
    hi.set(s, (hi.get(s) ?? 0n) + 2n);
    const hiBits = w.bits(() => sv() * sv() + 2n * sv() - xv, 0, n + 1, "hi.bits");
    w.linear(w.recombine(hiBits), negateTerms(hi));
    w.setSignal(g, 0, s);
  },
  mutations: (m) => (m.t < 0n ? [] : [1n, -1n].map((ds) => shifted(m, isqrt(m.t) + ds))),
};

function negateTerms(t: Terms): Terms {
  const out: Terms = new Map();
  for (const [k, v] of t) out.set(k, -v);
  return out;
}

/** The root moved by ±1, its square and both gaps re-decomposed coherently. */
function shifted(m: MutationContext, s: bigint): GadgetMutation {
  const set = setter(m);
  const n = m.site.width;
  const g = `main.g${m.k}`;
  const changes = new Map<number, bigint>();
  set(changes, `${g}.out`, s);
  set(changes, `${g}.sq`, s * s);
  bitsOf(lowBits(s, n), n).forEach((v, i) => set(changes, `${g}.sRange.bits[${i}]`, v));
  bitsOf(lowBits(m.t - s * s, n + 1), n + 1).forEach((v, i) => set(changes, `${g}.lo.bits[${i}]`, v));
  bitsOf(lowBits(s * s + 2n * s - m.t, n + 1), n + 1).forEach((v, i) => set(changes, `${g}.hi.bits[${i}]`, v));
  return { label: `root ${s > isqrt(m.t) ? "+" : "-"}1`, changes };
}
