import { fail, invariant } from "../errors";
import { Domain, SiteInfo } from "../ops/domain";
import { floorDiv, floorDivSigned, isqrt, roundShift } from "../numeric/fixed-point";
import { Site } from "./interval";

/**
 * The bit-exact reference: plain integer arithmetic with the circuit's rounding. It also enforces the
 * widths the circuit range-checks, so a value the circuit could not prove is reported here first.
 */
export class IntegerDomain implements Domain<bigint> {
  private next = 0;
  /** The input of every non-linear step, in site order (what the audit needs to forge coherently). */
  readonly trace: bigint[] = [];
  /** The divisor of every `div` step, by site (the audit's wrap forgery needs both operands). */
  readonly divisors: bigint[] = [];

  constructor(private readonly sites: Site[]) {}

  constant(c: bigint): bigint {
    return c;
  }
  add(a: bigint, b: bigint): bigint {
    return a + b;
  }
  mulConst(a: bigint, c: bigint): bigint {
    return a * c;
  }
  affine(xs: bigint[], ws: bigint[], bias: bigint): bigint {
    let acc = bias;
    for (let i = 0; i < xs.length; i++) acc += xs[i] * ws[i];
    return acc;
  }
  rescale(a: bigint, shift: number, _site: SiteInfo): bigint {
    this.trace.push(a);
    return this.fits(roundShift(a, shift));
  }
  relu(a: bigint, _site: SiteInfo): bigint {
    this.trace.push(a);
    this.fits(a);
    return a > 0n ? a : 0n;
  }
  rescaleRelu(a: bigint, shift: number, _site: SiteInfo): bigint {
    this.trace.push(a);
    const q = this.fits(roundShift(a, shift));
    return q > 0n ? q : 0n;
  }

  mul(a: bigint, b: bigint, _site: SiteInfo): bigint {
    this.trace.push(a);
    this.site();
    return a * b;
  }
  nonneg(a: bigint, _site: SiteInfo): bigint {
    this.trace.push(a);
    this.fits(a);
    return a >= 0n ? 1n : 0n;
  }
  isZero(a: bigint, _site: SiteInfo): bigint {
    this.trace.push(a);
    this.site();
    return a === 0n ? 1n : 0n;
  }
  bits(a: bigint, n: number, _site: SiteInfo): bigint[] {
    this.trace.push(a);
    const site = this.site();
    invariant(a >= 0n && a < 1n << BigInt(n), `value ${a} at node "${site.node}" is outside [0, 2^${n})`);
    return Array.from({ length: n }, (_, i) => (a >> BigInt(i)) & 1n);
  }
  div(a: bigint, b: bigint, _site: SiteInfo): bigint {
    this.divisors[this.trace.length] = b;
    this.trace.push(a);
    const site = this.sites[this.next];
    if (b < 1n || b >= 1n << BigInt(site?.shift ?? 0))
      fail(`value ${b} at node "${site?.node}" cannot be a divisor: it must lie in [1, 2^${site?.shift})`);
    return this.fits(floorDiv(a, b));
  }
  sdiv(a: bigint, b: bigint, site: SiteInfo): bigint {
    const s = this.sites[this.next];
    if (s?.kind === "div") return this.div(a, b, site);
    this.divisors[this.trace.length] = b;
    this.trace.push(a);
    if (b === 0n) fail(`node "${s?.node}" divides by 0 (element ${s?.index}): the circuit admits no witness for this input, so no proof can be made`);
    if ((b < 0n ? -b : b) >= 1n << BigInt(s?.shift ?? 0))
      fail(`value ${b} at node "${s?.node}" cannot be a divisor: its magnitude must lie below 2^${s?.shift}`);
    return this.fits(floorDivSigned(a, b));
  }
  sqrt(a: bigint, _site: SiteInfo): bigint {
    this.trace.push(a);
    const s = this.site();
    if (a < 0n) fail(`node "${s.node}" takes the square root of a negative value (${a} at element ${s.index}): the circuit admits no witness for this input, so no proof can be made`);
    const r = isqrt(a);
    invariant(r < 1n << BigInt(s.width), `square root ${r} at node "${s.node}" exceeds its proven ${s.width}-bit bound`);
    return r;
  }
  split(a: bigint, shift: number, _site: SiteInfo): bigint[] {
    this.trace.push(a);
    const width = this.sites[this.next]?.width ?? 0;
    const q = this.fits(roundShift(a, shift));
    const biased = q + (1n << BigInt(width - 1));
    return Array.from({ length: width }, (_, i) => (biased >> BigInt(i)) & 1n);
  }
  within(a: bigint, lo: bigint, hi: bigint): bigint {
    invariant(a >= lo && a <= hi, `${a} is outside the range [${lo}, ${hi}] its table declared`);
    return a;
  }

  param(_id: number, value: bigint): bigint {
    return value;
  }
  dot(xs: bigint[], ws: bigint[], _site: SiteInfo): bigint {
    this.trace.push(0n);
    this.site();
    let acc = 0n;
    for (let i = 0; i < xs.length; i++) acc += xs[i] * ws[i];
    return acc;
  }

  private site(): Site {
    const site = this.sites[this.next++];
    invariant(site, "evaluator and bounds pass disagree on the number of non-linear steps");
    return site;
  }

  private fits(v: bigint): bigint {
    const site = this.sites[this.next++];
    invariant(site, "evaluator and bounds pass disagree on the number of non-linear steps");
    const half = 1n << BigInt(site.width - 1);
    if (site.calibrated && (v < -half || v >= half))
      fail(`node "${site.node}" (element ${site.index}) reaches ${v}, outside the ${site.width}-bit width calibrated for it: this input lies beyond what the calibration inputs (and their margin) covered, so the circuit cannot prove it; recompile with calibration inputs like it or without calibrated widths`);
    invariant(v >= -half && v < half, `value ${v} at node "${site.node}" exceeds its proven ${site.width}-bit bound`);
    return v;
  }
}
