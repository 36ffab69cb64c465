import { fail, invariant } from "../errors";
import { CalibratedWidth, Domain, SiteInfo } from "../ops/domain";
import { floorDivSigned, isqrt, roundShift, signedRange, signedWidth } from "../numeric/fixed-point";

export interface Interval {
  lo: bigint;
  hi: bigint;
}

/** A non-linear step as the interval pass sees it: the width its range check needs. */
export type SiteKind = "rescale" | "relu" | "rescaleRelu" | "mul" | "nonneg" | "isZero" | "bits" | "div" | "dot" | "split" | "sdiv" | "sqrt";

/**
 * A non-linear step as the interval pass sees it. `width` is the signed width its range check needs
 * (the bit count for `bits`, the quotient's width for `div` and `sdiv`, the term count for `dot`, the root's
 * unsigned width for `sqrt`); `shift` is the rescale shift, or for `div` and `sdiv` the unsigned width that
 * bounds the remainder and the divisor's magnitude.
 */
export interface Site extends SiteInfo {
  kind: SiteKind;
  shift: number;
  width: number;
  /** The width is a calibrated one (QuantParams.widths), narrower than the worst case. */
  calibrated?: true;
}

/** The kinds a calibrated width may narrow: a range check whose result is a rounded value, a ReLU or a sign. */
export const CALIBRATED_KINDS: ReadonlySet<SiteKind> = new Set(["rescale", "relu", "rescaleRelu", "nonneg"]);

/** The key of QuantParams.widths: one entry per node and gadget kind. */
export const widthKey = (node: string, kind: SiteKind): string => `${node}|${kind}`;

/** The calibrated width of element `index` (its channel's, for a per-channel entry). */
export function widthOf(w: CalibratedWidth | undefined, index: number): number | undefined {
  return w === undefined || typeof w === "number" ? w : w.channels[Math.floor(index / w.plane) % w.channels.length];
}

/** No bound may reach this, so no sum or product of in-range values can wrap around the field. */
export const MAX_SAFE_BITS = 250;

const LIMIT = 1n << BigInt(MAX_SAFE_BITS);

/**
 * Widths a gadget's constraints may reach: an integer below 2^252 is below p/2 (p ≈ 2^253.6), which is
 * what lets a field equation stand for the integer one (see src/audit/field-wrap.ts, which checks every
 * constraint again after emission).
 */
export const MAX_CONSTRAINT_BITS = 252;

/** Refuses a gadget whose constraints could reach 2^bits: the precondition of its template. */
function requireWidth(site: SiteInfo, kind: SiteKind, bits: number, what: string): void {
  if (bits > MAX_CONSTRAINT_BITS)
    fail(`node "${site.node}" (${kind}): ${what} is ${bits} bits, above the ${MAX_CONSTRAINT_BITS} that keep its constraints from wrapping the field; lower inputBits or scaleBits`);
}

/**
 * Worst-case bounds over every input in the declared range. They size each range check exactly, so
 * an honest input can always be proven and no intermediate value can wrap around the field.
 */
export class IntervalDomain implements Domain<Interval> {
  staticRange(v: Interval): Interval {
    return v;
  }

  readonly sites: Site[] = [];

  /**
   * `paramRange`: with private parameters, the range the circuit range-checks every committed
   * parameter to. A prover may commit any parameters in it, so every bound must hold for all of them,
   * not only for the compile-time weights.
   */
  constructor(
    private readonly paramRange?: Interval,
    /** QuantParams.widths: calibrated widths by node and kind. */
    private readonly caps: Record<string, CalibratedWidth> = {},
  ) {}

  constant(c: bigint): Interval {
    return { lo: c, hi: c };
  }
  add(a: Interval, b: Interval): Interval {
    return this.check({ lo: a.lo + b.lo, hi: a.hi + b.hi });
  }
  mulConst(a: Interval, c: bigint): Interval {
    return this.check(c >= 0n ? { lo: a.lo * c, hi: a.hi * c } : { lo: a.hi * c, hi: a.lo * c });
  }
  affine(xs: Interval[], ws: bigint[], bias: bigint): Interval {
    let lo = bias;
    let hi = bias;
    for (let i = 0; i < xs.length; i++) {
      const w = ws[i];
      if (w >= 0n) { lo += xs[i].lo * w; hi += xs[i].hi * w; }
      else { lo += xs[i].hi * w; hi += xs[i].lo * w; }
    }
    return this.check({ lo, hi });
  }
  rescale(a: Interval, shift: number, site: SiteInfo): Interval {
    const c = this.capped(site, "rescale", { lo: roundShift(a.lo, shift), hi: roundShift(a.hi, shift) });
    return this.site(site, "rescale", shift, c.width, c.v, c.calibrated);
  }
  relu(a: Interval, site: SiteInfo): Interval {
    const c = this.capped(site, "relu", a);
    return this.site(site, "relu", 0, c.width, { lo: c.v.lo > 0n ? c.v.lo : 0n, hi: c.v.hi > 0n ? c.v.hi : 0n }, c.calibrated);
  }
  rescaleRelu(a: Interval, shift: number, site: SiteInfo): Interval {
    const c = this.capped(site, "rescaleRelu", { lo: roundShift(a.lo, shift), hi: roundShift(a.hi, shift) });
    return this.site(site, "rescaleRelu", shift, c.width, { lo: c.v.lo > 0n ? c.v.lo : 0n, hi: c.v.hi > 0n ? c.v.hi : 0n }, c.calibrated);
  }

  mul(a: Interval, b: Interval, site: SiteInfo): Interval {
    if (a === b) {
      // One value times itself (Pow 2, Mul(x, x)): a square is never negative, whatever the assignment.
      const m = -a.lo > a.hi ? -a.lo : a.hi;
      const lo = a.lo > 0n ? a.lo * a.lo : a.hi < 0n ? a.hi * a.hi : 0n;
      this.sites.push({ ...site, kind: "mul", shift: 0, width: 0 });
      return this.check({ lo, hi: m * m });
    }
    const ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
    this.sites.push({ ...site, kind: "mul", shift: 0, width: 0 });
    return this.check({ lo: ps.reduce((m, v) => (v < m ? v : m)), hi: ps.reduce((m, v) => (v > m ? v : m)) });
  }
  nonneg(a: Interval, site: SiteInfo): Interval {
    const c = this.capped(site, "nonneg", a);
    return this.site(site, "nonneg", 0, c.width, { lo: c.v.hi < 0n ? 0n : c.v.lo >= 0n ? 1n : 0n, hi: c.v.hi < 0n ? 0n : 1n }, c.calibrated);
  }
  isZero(_a: Interval, site: SiteInfo): Interval {
    this.sites.push({ ...site, kind: "isZero", shift: 0, width: 0 });
    return { lo: 0n, hi: 1n };
  }
  bits(_a: Interval, n: number, site: SiteInfo): Interval[] {
    // Not checked against the interval: callers decompose values they bring into range by
    // construction (a clamp through two Relu), a correlation interval arithmetic cannot see. The
    // circuit proves the range either way, and the evaluator refuses an honest value outside it.
    this.site(site, "bits", 0, n, undefined);
    return Array.from({ length: n }, () => ({ lo: 0n, hi: 1n }));
  }
  div(a: Interval, b: Interval, site: SiteInfo): Interval {
    // The circuit enforces b >= 1, so only [max(lo, 1), hi] matters; |floor(a / b)| <= |a| there.
    if (b.hi < 1n) fail(`node "${site.node}" divides by a value that is never positive ([${b.lo}, ${b.hi}])`);
    const q = { lo: a.lo < 0n ? a.lo : 0n, hi: a.hi > 0n ? a.hi : 0n };
    let bw = 1;
    while (1n << BigInt(bw) <= b.hi) bw++;
    const width = signedWidth(q.lo, q.hi);
    // FloorDiv's a − r = q·b: |q| < 2^(width−1) and b < 2^(bw+1) (r and b − r − 1 are bw-bit), so
    // |q·b| < 2^(width+bw). Above 2^252 a second (q, r) from a + k·p satisfies it (issue 14, F1).
    requireWidth(site, "div", width + bw, `Div's quotient (${width} bits) times its divisor (${bw} bits)`);
    this.sites.push({ ...site, kind: "div", shift: bw, width });
    return q;
  }
  sdiv(a: Interval, b: Interval, site: SiteInfo): Interval {
    // The circuit admits only b != 0, so b ranges over [b.lo, -1] and [1, b.hi]. On each piece a/b is
    // monotone in a and in b, so the floor quotient's extremes are at the corners (floor is monotone).
    const pieces: Interval[] = [];
    if (b.lo <= -1n) pieces.push({ lo: b.lo, hi: b.hi < -1n ? b.hi : -1n });
    if (b.hi >= 1n) pieces.push({ lo: b.lo > 1n ? b.lo : 1n, hi: b.hi });
    if (pieces.length === 0) fail(`node "${site.node}" divides by a value that is always 0`);
    const qs = pieces.flatMap((p) => [a.lo, a.hi].flatMap((x) => [p.lo, p.hi].map((y) => floorDivSigned(x, y))));
    const q = { lo: qs.reduce((m, v) => (v < m ? v : m)), hi: qs.reduce((m, v) => (v > m ? v : m)) };
    const mag = -b.lo > b.hi ? -b.lo : b.hi;
    let bw = 1;
    while (1n << BigInt(bw) <= mag) bw++;
    const width = signedWidth(q.lo, q.hi);
    // Both gadgets prove a − r = q·b with |q| < 2^(width−1) and |b| < 2^(bw+1), so |q·b| < 2^(width+bw).
    requireWidth(site, b.lo >= 1n ? "div" : "sdiv", width + bw, `Div's quotient (${width} bits) times its divisor (${bw} bits)`);
    // A divisor that is always positive needs no sign: the cheaper FloorDiv serves (the evaluator and the
    // lowering follow the kind recorded here).
    this.sites.push({ ...site, kind: b.lo >= 1n ? "div" : "sdiv", shift: bw, width });
    return q;
  }
  sqrt(a: Interval, site: SiteInfo): Interval {
    if (a.hi < 0n) fail(`node "${site.node}" takes the square root of a value that is always negative ([${a.lo}, ${a.hi}])`);
    const hi = isqrt(a.hi);
    let width = 1;
    while (1n << BigInt(width) <= hi) width++;
    // IntegerSqrt proves s in [0, 2^width) and x − s² and s² + 2s − x in [0, 2^(width+1)): its widest term is
    // s² + 2s < 2^(2·width+1), and x itself is bounded by this pass.
    requireWidth(site, "sqrt", 2 * width + 1, `its root (${width} bits) squared`);
    this.sites.push({ ...site, kind: "sqrt", shift: 0, width });
    return { lo: isqrt(a.lo > 0n ? a.lo : 0n), hi };
  }
  split(a: Interval, shift: number, site: SiteInfo): Interval[] {
    const width = signedWidth(roundShift(a.lo, shift), roundShift(a.hi, shift));
    this.site(site, "split", shift, width, undefined);
    return Array.from({ length: width }, () => ({ lo: 0n, hi: 1n }));
  }
  within(a: Interval, lo: bigint, hi: bigint): Interval {
    const out = { lo: a.lo > lo ? a.lo : lo, hi: a.hi < hi ? a.hi : hi };
    invariant(out.lo <= out.hi, `the declared range [${lo}, ${hi}] misses the bounds [${a.lo}, ${a.hi}]`);
    return out;
  }

  param(_id: number, value: bigint): Interval {
    // Without a committed range (the probe pass that only collects the weights) the value itself.
    return this.paramRange ?? { lo: value, hi: value };
  }
  dot(xs: Interval[], ws: Interval[], site: SiteInfo): Interval {
    let lo = 0n;
    let hi = 0n;
    for (let i = 0; i < xs.length; i++) {
      const ps = [xs[i].lo * ws[i].lo, xs[i].lo * ws[i].hi, xs[i].hi * ws[i].lo, xs[i].hi * ws[i].hi];
      lo += ps.reduce((m, v) => (v < m ? v : m));
      hi += ps.reduce((m, v) => (v > m ? v : m));
    }
    this.sites.push({ ...site, kind: "dot", shift: 0, width: xs.length });
    return this.check({ lo, hi });
  }

  /**
   * The value a range check proves, as the worst case gives it or narrowed to a calibrated width: the
   * check then enforces [-2^(w-1), 2^(w-1)), so the value's bounds shrink to that for everything after.
   * A cap that misses the worst-case interval entirely, or is no narrower, is ignored.
   */
  private capped(site: SiteInfo, kind: SiteKind, v: Interval): { v: Interval; width: number; calibrated?: true } {
    const width = signedWidth(v.lo, v.hi);
    const cap = widthOf(this.caps[widthKey(site.node, kind)], site.index);
    if (cap === undefined || cap >= width) return { v, width };
    const r = signedRange(cap);
    const lo = v.lo > r.lo ? v.lo : r.lo;
    const hi = v.hi < r.hi ? v.hi : r.hi;
    return lo > hi ? { v, width } : { v: { lo, hi }, width: cap, calibrated: true };
  }

  /**
   * Records a decomposing site. Its digits spell t < 2^(width+shift) (zkml.circom's SignedDigits and
   * RescaleRangeCheck), so width + shift is the precondition that keeps q·2^shift + r = t from wrapping.
   */
  private site<R>(site: SiteInfo, kind: SiteKind, shift: number, width: number, out: R, calibrated?: true): R {
    requireWidth(site, kind, width + shift, `its decomposition (${width} bits after a shift of ${shift})`);
    this.sites.push(calibrated ? { ...site, kind, shift, width, calibrated } : { ...site, kind, shift, width });
    return out;
  }

  private check(v: Interval): Interval {
    if (v.lo <= -LIMIT || v.hi >= LIMIT)
      fail(`an intermediate value may exceed 2^${MAX_SAFE_BITS} and wrap around the field; lower scaleBits or inputBits`);
    return v;
  }
}
