import { fail } from "../errors";
import { Domain, SiteInfo } from "../ops/domain";
import { MAX_SAFE_BITS, roundShift, signedWidth } from "./fixed-point";

export interface Interval {
  lo: bigint;
  hi: bigint;
}

/** A non-linear step as the interval pass sees it: the width its range check needs. */
export type SiteKind = "rescale" | "relu" | "rescaleRelu" | "mul" | "nonneg" | "isZero" | "bits" | "div" | "dot" | "split";

/**
 * A non-linear step as the interval pass sees it. `width` is the signed width its range check needs
 * (the bit count for `bits`, the quotient's width for `div`, the term count for `dot`); `shift` is the rescale shift, or for
 * `div` the unsigned width that bounds the remainder and the divisor.
 */
export interface Site extends SiteInfo {
  kind: SiteKind;
  shift: number;
  width: number;
}

const LIMIT = 1n << BigInt(MAX_SAFE_BITS);

/**
 * Worst-case bounds over every input in the declared range. They size each range check exactly, so
 * an honest input can always be proven and no intermediate value can wrap around the field.
 */
export class IntervalDomain implements Domain<Interval> {
  readonly sites: Site[] = [];

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
    const out = { lo: roundShift(a.lo, shift), hi: roundShift(a.hi, shift) };
    this.sites.push({ ...site, kind: "rescale", shift, width: signedWidth(out.lo, out.hi) });
    return out;
  }
  relu(a: Interval, site: SiteInfo): Interval {
    this.sites.push({ ...site, kind: "relu", shift: 0, width: signedWidth(a.lo, a.hi) });
    return { lo: a.lo > 0n ? a.lo : 0n, hi: a.hi > 0n ? a.hi : 0n };
  }
  rescaleRelu(a: Interval, shift: number, site: SiteInfo): Interval {
    const q = { lo: roundShift(a.lo, shift), hi: roundShift(a.hi, shift) };
    this.sites.push({ ...site, kind: "rescaleRelu", shift, width: signedWidth(q.lo, q.hi) });
    return { lo: q.lo > 0n ? q.lo : 0n, hi: q.hi > 0n ? q.hi : 0n };
  }

  mul(a: Interval, b: Interval, site: SiteInfo): Interval {
    const ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
    this.sites.push({ ...site, kind: "mul", shift: 0, width: 0 });
    return this.check({ lo: ps.reduce((m, v) => (v < m ? v : m)), hi: ps.reduce((m, v) => (v > m ? v : m)) });
  }
  nonneg(a: Interval, site: SiteInfo): Interval {
    this.sites.push({ ...site, kind: "nonneg", shift: 0, width: signedWidth(a.lo, a.hi) });
    return { lo: a.hi < 0n ? 0n : a.lo >= 0n ? 1n : 0n, hi: a.hi < 0n ? 0n : 1n };
  }
  isZero(_a: Interval, site: SiteInfo): Interval {
    this.sites.push({ ...site, kind: "isZero", shift: 0, width: 0 });
    return { lo: 0n, hi: 1n };
  }
  bits(_a: Interval, n: number, site: SiteInfo): Interval[] {
    // Not checked against the interval: callers decompose values they bring into range by
    // construction (a clamp through two Relu), a correlation interval arithmetic cannot see. The
    // circuit proves the range either way, and the evaluator refuses an honest value outside it.
    this.sites.push({ ...site, kind: "bits", shift: 0, width: n });
    return Array.from({ length: n }, () => ({ lo: 0n, hi: 1n }));
  }
  div(a: Interval, b: Interval, site: SiteInfo): Interval {
    // The circuit enforces b >= 1, so only [max(lo, 1), hi] matters; |floor(a / b)| <= |a| there.
    if (b.hi < 1n) fail(`node "${site.node}" divides by a value that is never positive ([${b.lo}, ${b.hi}])`);
    const q = { lo: a.lo < 0n ? a.lo : 0n, hi: a.hi > 0n ? a.hi : 0n };
    let bw = 1;
    while (1n << BigInt(bw) <= b.hi) bw++;
    this.sites.push({ ...site, kind: "div", shift: bw, width: signedWidth(q.lo, q.hi) });
    return q;
  }
  split(a: Interval, shift: number, site: SiteInfo): Interval[] {
    const width = signedWidth(roundShift(a.lo, shift), roundShift(a.hi, shift));
    this.sites.push({ ...site, kind: "split", shift, width });
    return Array.from({ length: width }, () => ({ lo: 0n, hi: 1n }));
  }
  within(a: Interval, lo: bigint, hi: bigint): Interval {
    const out = { lo: a.lo > lo ? a.lo : lo, hi: a.hi < hi ? a.hi : hi };
    if (out.lo > out.hi) fail(`internal error: the declared range [${lo}, ${hi}] misses the bounds [${a.lo}, ${a.hi}]`);
    return out;
  }

  param(_id: number, value: bigint): Interval {
    // The bounds of the committed parameters themselves: the circuit is sized for this model's weights.
    return { lo: value, hi: value };
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

  private check(v: Interval): Interval {
    if (v.lo <= -LIMIT || v.hi >= LIMIT)
      fail(`an intermediate value may exceed 2^${MAX_SAFE_BITS} and wrap around the field; lower scaleBits or inputBits`);
    return v;
  }
}
