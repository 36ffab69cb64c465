import { fail, invariant } from "../errors";
import { roundShift, signedWidth } from "../numeric/fixed-point";
import { multilinearBasis } from "./composite";
import { Domain, SiteInfo } from "./domain";

/**
 * The exp-based activations as piecewise polynomials read off one signed decomposition.
 *
 * The input is decomposed once (`Domain.split`, which also does the rescale a linear layer's output
 * needs), and everything else comes from those bits: the sign is the top bit; the value lies in the
 * tabulated range [-R, R) (or [-R, 0)) exactly when the bits between the table's and the top one are
 * all equal to the sign-extension (one isZero of their sum); the table's argument u = x + R is then
 * the low bits as they are. Beyond the range the output is the function's limit.
 *
 * Within the range, the top t bits of u pick one of 2^t segments and the low F bits, less 2^(F-1),
 * are the offset delta from its middle (so |delta|^k needs k fewer bits). Each segment has its own
 * polynomial of degree d in delta, interpolating f at the d + 1 Chebyshev-Lobatto points of the
 * segment: its two ends are among them, so the pieces join and f(0) is exact up to the coefficients'
 * rounding (exact once rounded to the output step).
 * The segment's coefficients are multilinear in the t segment bits (their Moebius transform), so
 * selecting all d + 1 coefficients costs the 2^t - t - 1 products of the bits' monomials, shared;
 * Horner's rule then costs d products. Everything is exact integer arithmetic at scale s + P, with P
 * fraction bits below the output step, so nothing is rounded before the end: either one rescale by P
 * ("rounded"), or not at all ("fine"), leaving the rounding to whatever rescales the result next
 * (Gelu's product, or the linear layer Elu feeds, whose rescale exists anyway).
 *
 * Error (documented bound, checked against every input step by test/unit/activations.test.ts):
 *   |approx - f| <= M_{d+1} h^(d+1) W_d / (d+1)!         the interpolation remainder
 *                 + 2^-(s+P) * sum_k 2^(k(F-1)) / 2     the integer coefficients' rounding
 *                 + 2^-s / 2                            the final rounding ("rounded" only)
 *                 + tail                                the function's distance from its limit beyond R
 * with h = 2^(F - s) the segment width, M_{d+1} = max |f^(d+1)| over the range and W_d the largest
 * |prod (z - z_i)| over the nodes z_i scaled to [0, 1] (W_4 = 0.00363, vs 2^-9 for Chebyshev-Gauss
 * nodes, which would not include the ends).
 */

export type TableMode = "rounded" | "fine";

export interface TableDesign {
  /** t: 2^t segments over the range (fewer at a scale too coarse to fill them). */
  segmentBits: number;
  /** d: the degree of each segment's polynomial. */
  degree: number;
}

export interface FunctionSpec {
  name: string;
  f: (x: number) => number;
  /** "signed": tabulated on [-R, R); "negative": on [-R, 0), the caller handling x >= 0. */
  domain: "signed" | "negative";
  /** R = 2^log2Range. */
  log2Range: number;
  /** The value beyond the range: f's limits at -infinity and (signed only) +infinity. */
  below: number;
  above: number;
  /** maxDerivative[k] = max |f^(k)| over the range (k = 1..5), for the documented bound. */
  maxDerivative: number[];
  /** max |f(x) - limit| beyond the range. */
  tail: number;
  /** The design when the result is rounded here, where the rescale's P bits cost, and when it is not. */
  rounded: TableDesign;
  fine: TableDesign;
}

/** Extra fraction bits beyond d(F-1): the coefficients' rounding then stays within 1/4 output step. */
const PRECISION_MARGIN = 2;

/** A function tabulated at one scale: what every domain needs, and the bounds the tests check. */
export interface PolyTable {
  spec: FunctionSpec;
  scale: number;
  mode: TableMode;
  /** Bits of u = x*2^s + 2^m: m = log2Range + scale, plus the sign for a signed table. */
  m: number;
  inputBits: number;
  segmentBits: number;
  fracBits: number;
  degree: number;
  /** The table's value is at scale s + precision before the (optional) final rounding. */
  precision: number;
  /** mle[k][S]: coefficient k of the segment polynomials, multilinear in the segment bits. */
  mle: bigint[][];
  /** Range of the table's value at scale s + precision, over every input u. */
  lo: bigint;
  hi: bigint;
  /** The documented worst-case error (see above). */
  bound: number;
  /** The actual worst case over every input step of the range, plus the tail. */
  maxError: number;
}

/** The documented bound for one table. */
function errorBound(spec: FunctionSpec, scale: number, mode: TableMode, fracBits: number, degree: number, precision: number): number {
  const h = 2 ** (fracBits - scale);
  let fit = 0;
  if (degree > 0) {
    let fact = 1;
    for (let k = 2; k <= degree + 1; k++) fact *= k;
    const M = spec.maxDerivative[degree + 1];
    invariant(M !== undefined, `${spec.name} has no derivative bound of order ${degree + 1}`);
    fit = (M * h ** (degree + 1) * nodeFactor(degree)) / fact;
  }
  let coef = 0;
  for (let k = 0; k <= degree; k++) coef += 2 ** (k * Math.max(0, fracBits - 1));
  coef *= 2 ** -(scale + precision) / 2;
  return fit + coef + (mode === "rounded" ? 2 ** -scale / 2 : 0) + spec.tail;
}

/**
 * Chebyshev-Lobatto points on [0, 1]: both segment ends are nodes, so the pieces join continuously
 * and are exact (up to rounding) at every segment boundary, 0 included.
 */
function fitNodes(d: number): number[] {
  return Array.from({ length: d + 1 }, (_, i) => (d === 0 ? 0 : (1 - Math.cos((i * Math.PI) / d)) / 2));
}

/**
 * max over z in [0, 1] of prod |z - z_i|, the node factor of the interpolation remainder, sampled at
 * 2^16 + 1 points: the product is a degree-(d+1) polynomial, flat at its maxima, so the sampled
 * maximum is short of the true one by a relative 1e-8 or so, which the 1e-6 margin covers.
 */
function nodeFactor(d: number): number {
  const nodes = fitNodes(d);
  let max = 0;
  for (let k = 0; k <= 1 << 16; k++) {
    const z = k / (1 << 16);
    max = Math.max(max, Math.abs(nodes.reduce((p, zi) => p * (z - zi), 1)));
  }
  return max * (1 + 1e-6);
}

/** Polynomial through (z_i, y_i) by Gaussian elimination: coefficients a_0..a_d of sum a_k z^k. */
function interpolate(z: number[], y: number[]): number[] {
  const n = z.length;
  const a = z.map((zi, i) => [...Array.from({ length: n }, (_, k) => zi ** k), y[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/** Moebius transform: v[j] = sum over subsets S of j's bits of out[S]. */
function moebius(v: bigint[]): bigint[] {
  const out = [...v];
  for (let bit = 1; bit < out.length; bit <<= 1)
    for (let j = 0; j < out.length; j++) if (j & bit) out[j] -= out[j ^ bit];
  return out;
}

const cache = new Map<string, PolyTable>();

export function polyTable(spec: FunctionSpec, scale: number, mode: TableMode): PolyTable {
  const key = `${spec.name}/${scale}/${mode}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const m = spec.log2Range + scale;
  if (m < 1) fail(`scale 2^-${scale} is too coarse for ${spec.name}`);
  const inputBits = spec.domain === "signed" ? m + 1 : m;
  const design = spec[mode];
  const t = Math.min(design.segmentBits, inputBits);
  const F = inputBits - t;
  const d = F === 0 ? 0 : design.degree;
  // delta is centred on the segment (|delta| <= 2^(F-1)), so delta^k needs k fewer fraction bits.
  const half = F === 0 ? 0 : 2 ** (F - 1);
  const P = d === 0 ? 0 : d * (F - 1) + PRECISION_MARGIN;
  const h = 2 ** (F - scale);
  // z - 1/2 for z in [0, 1] across the segment.
  const nodes = fitNodes(d).map((z) => z - 0.5);
  const coefs: bigint[][] = Array.from({ length: d + 1 }, () => []);
  for (let j = 0; j < 2 ** t; j++) {
    const x0 = (j * 2 ** F - 2 ** m) / 2 ** scale;
    const a = interpolate(nodes, nodes.map((z) => spec.f(x0 + (z + 0.5) * h)));
    a.forEach((ak, k) => coefs[k].push(BigInt(Math.round(ak * 2 ** (scale + P - k * F)))));
  }
  // Every input step, exactly as the circuit computes it: the range for the bounds pass and the
  // actual error for the tests.
  let lo = 0n;
  let hi = 0n;
  let maxError = 0;
  const unit = 2 ** -(scale + P);
  for (let j = 0; j < 2 ** t; j++) {
    for (let delta = 0; delta < 2 ** F; delta++) {
      const dl = BigInt(delta - half);
      let y = coefs[d][j];
      for (let k = d - 1; k >= 0; k--) y = coefs[k][j] + dl * y;
      if ((j === 0 && delta === 0) || y < lo) lo = y;
      if ((j === 0 && delta === 0) || y > hi) hi = y;
      const approx = mode === "rounded" ? Number(roundShift(y, P)) * 2 ** -scale : Number(y) * unit;
      const x = (j * 2 ** F + delta - 2 ** m) / 2 ** scale;
      maxError = Math.max(maxError, Math.abs(approx - spec.f(x)));
    }
  }
  const table: PolyTable = {
    spec, scale, mode, m, inputBits, segmentBits: t, fracBits: F, degree: d, precision: P,
    mle: coefs.map(moebius), lo, hi,
    bound: errorBound(spec, scale, mode, F, d, P),
    maxError: maxError + spec.tail,
  };
  cache.set(key, table);
  return table;
}

/** The constraints a lookup costs beyond its decomposition, for a value of `width` bits (docs, tests). */
export function lookupCost(table: PolyTable, width: number): number {
  const t = table.segmentBits;
  const between = Math.max(0, width - 1 - table.m);
  const flag = between === 0 ? 0 : between === 1 || (table.spec.domain === "negative" && between === 2) ? between : 3;
  const rounding = table.mode === "rounded" && table.precision > 0 ? table.precision + signedWidth(roundShift(table.lo, table.precision), roundShift(table.hi, table.precision)) + 1 : 0;
  return flag + (2 ** t - t - 1) + table.degree + rounding + 1;
}

/** A value decomposed once: its offset-binary bits at scale s, the rounded value and its sign. */
export interface Decomposed<T> {
  bits: T[];
  /** round(x * 2^s) as a linear expression of the bits. */
  q: T;
  /** 1 when q >= 0 (the top bit). */
  nonneg: T;
  scale: number;
}

/** x (at xScale) rounded to scale s and decomposed, in one range-checked step. */
export function decompose<T>(dom: Domain<T>, x: T, xScale: number, s: number, site: SiteInfo): Decomposed<T> {
  const up = xScale < s ? dom.mulConst(x, 1n << BigInt(s - xScale)) : x;
  const bits = dom.split(up, Math.max(0, xScale - s), site);
  const w = bits.length;
  const q = dom.affine(bits, bits.map((_, i) => 1n << BigInt(i)), -(1n << BigInt(w - 1)));
  return { bits, q, nonneg: bits[w - 1], scale: s };
}

/** 1 - b for a bit. */
function not<T>(dom: Domain<T>, b: T): T {
  return dom.add(dom.constant(1n), dom.mulConst(b, -1n));
}

/**
 * 1 when the value lies in the table's range. Its bits above the table's (up to the sign) must all
 * be the sign extension: 1 for a negative value, 0 for a non-negative one (and, for a one-sided
 * table, the value negative). Few bits are compared by products, more by one isZero of a sum that is
 * zero exactly then.
 */
function inRange<T>(dom: Domain<T>, spec: FunctionSpec, x: Decomposed<T>, m: number, site: SiteInfo): T {
  const w = x.bits.length;
  const between = x.bits.slice(Math.min(m, w - 1), w - 1);
  const k = BigInt(between.length);
  const sum = between.length ? dom.affine(between, between.map(() => 1n), 0n) : dom.constant(0n);
  if (spec.domain === "negative") {
    if (between.length === 0) return not(dom, x.nonneg);
    if (between.length <= 2) return [...between, not(dom, x.nonneg)].reduce((a, b) => dom.mul(a, b, site));
    // (k - sum) and nonneg are both >= 0: their sum is 0 only when both are.
    return dom.isZero(dom.add(dom.add(dom.constant(k), dom.mulConst(sum, -1n)), x.nonneg), site);
  }
  if (between.length === 0) return dom.constant(1n);
  if (between.length === 1) {
    // b == 1 - nonneg, i.e. b xor nonneg.
    const b = between[0];
    return dom.add(dom.add(b, x.nonneg), dom.mulConst(dom.mul(b, x.nonneg, site), -2n));
  }
  // nonneg = 1: sum >= 0, zero when all are 0; nonneg = 0: sum - k <= 0, zero when all are 1.
  return dom.isZero(dom.add(sum, dom.mulConst(not(dom, x.nonneg), -k)), site);
}

/** The table's polynomial at u (its bits, least significant first): value at scale s + precision. */
export function evaluateTable<T>(dom: Domain<T>, table: PolyTable, u: T[], site: SiteInfo): T {
  const F = table.fracBits;
  const basis = multilinearBasis(dom, u.slice(F), site);
  const coef = (k: number) => dom.affine(basis.slice(1), table.mle[k].slice(1), table.mle[k][0]);
  const delta = dom.affine(u.slice(0, F), u.slice(0, F).map((_, i) => 1n << BigInt(i)), F === 0 ? 0n : -(1n << BigInt(F - 1)));
  let y = coef(table.degree);
  for (let k = table.degree - 1; k >= 0; k--) y = dom.add(coef(k), dom.mul(delta, y, site));
  return dom.within(y, table.lo, table.hi);
}

/**
 * f(x) for a decomposed x. A signed table returns f everywhere; a one-sided ("negative") table
 * returns f for x < 0 and, for x >= 0, `atNonneg` (a value at the result's scale, default 0). The
 * result is at `scale`: x's scale, or that plus the table's precision in "fine" mode. It is two
 * signals and a constant, so every linear layer that reads it carries two terms per input.
 */
export function lookup<T>(
  dom: Domain<T>,
  spec: FunctionSpec,
  x: Decomposed<T>,
  mode: TableMode,
  site: SiteInfo,
  atNonneg?: (scale: number) => T,
): { v: T; scale: number } {
  const table = polyTable(spec, x.scale, mode);
  const w = x.bits.length;
  // Bits of u = x + 2^m: below the value's own width they are the sign extension, 1 - nonneg.
  const u = Array.from({ length: table.m }, (_, i) => (i < w - 1 ? x.bits[i] : not(dom, x.nonneg)));
  if (spec.domain === "signed") u.push(x.nonneg);
  const e = inRange(dom, spec, x, table.m, site);
  let y = evaluateTable(dom, table, u, site);
  let scale = x.scale + table.precision;
  if (mode === "rounded" && table.precision > 0) {
    y = dom.rescale(y, table.precision, site);
    scale = x.scale;
  }
  const limit = (v: number) => BigInt(Math.round(v * 2 ** scale));
  const below = dom.constant(limit(spec.below));
  // Beyond the range: `below`, or for x >= 0 `above` (signed) or atNonneg (one-sided).
  const flat = spec.domain === "signed"
    ? dom.add(below, dom.mulConst(x.nonneg, limit(spec.above) - limit(spec.below)))
    : atNonneg
      ? dom.add(below, dom.mul(x.nonneg, dom.add(atNonneg(scale), dom.mulConst(below, -1n)), site))
      : dom.mulConst(not(dom, x.nonneg), limit(spec.below));
  // A one-sided table is in range only for x < 0, where flat is the constant `below`.
  const offset = spec.domain === "signed" ? flat : below;
  return { v: dom.add(flat, dom.mul(e, dom.add(y, dom.mulConst(offset, -1n)), site)), scale };
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): only used to fill tables. */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// The derivative bounds are maxima over the real line of closed forms: sigmoid's and tanh's
// derivatives are polynomials in the function itself (e.g. sigmoid''' = s(1-s)(1 - 6s + 6s^2)), the
// normal CDF's are Hermite polynomials times the density, exp's is exp (at most 1 for x <= 0).

export const SIGMOID: FunctionSpec = {
  name: "sigmoid", f: sigmoid, domain: "signed", log2Range: 4, below: 0, above: 1, tail: sigmoid(-16),
  maxDerivative: [0, 0.25, 0.096225, 0.125, 0.12768, 0.25],
  rounded: { segmentBits: 5, degree: 3 }, fine: { segmentBits: 4, degree: 4 },
};
export const TANH: FunctionSpec = {
  name: "tanh", f: Math.tanh, domain: "signed", log2Range: 3, below: -1, above: 1, tail: 1 - Math.tanh(8),
  maxDerivative: [0, 1, 0.7698, 2, 4.0859, 16],
  rounded: { segmentBits: 5, degree: 3 }, fine: { segmentBits: 4, degree: 4 },
};
/** erf on [-4, 4); the tail includes the 1.5e-7 of the formula the table is filled from. */
export const ERF: FunctionSpec = {
  name: "erf", f: erf, domain: "signed", log2Range: 2, below: -1, above: 1, tail: 1 - erf(4) + 1.5e-7,
  maxDerivative: [0, 1.1284, 0.96788, 2.2568, 4.4047, 13.541],
  rounded: { segmentBits: 4, degree: 3 }, fine: { segmentBits: 3, degree: 4 },
};
/** The normal CDF (1 + erf(x / sqrt 2)) / 2 on [-4, 4), Gelu's factor. */
export const PHI: FunctionSpec = {
  name: "phi", f: (x) => (1 + erf(x / Math.SQRT2)) / 2, domain: "signed", log2Range: 2, below: 0, above: 1,
  tail: (1 - erf(4 / Math.SQRT2)) / 2 + 1e-7,
  maxDerivative: [0, 0.39894, 0.24197, 0.39894, 0.55059, 1.1968],
  rounded: { segmentBits: 4, degree: 2 }, fine: { segmentBits: 3, degree: 4 },
};
/** exp on [-8, 0): Softmax feeds it x - max(x) <= 0. */
export const EXP_NEGATIVE: FunctionSpec = {
  name: "exp", f: Math.exp, domain: "negative", log2Range: 3, below: 0, above: 0, tail: Math.exp(-8),
  maxDerivative: [0, 1, 1, 1, 1, 1],
  rounded: { segmentBits: 4, degree: 3 }, fine: { segmentBits: 2, degree: 4 },
};
/** exp(x) - 1 on [-8, 0): the negative branch of Elu. */
export const EXPM1_NEGATIVE: FunctionSpec = {
  name: "expm1", f: (x) => Math.expm1(x), domain: "negative", log2Range: 3, below: -1, above: 0, tail: Math.exp(-8),
  maxDerivative: [0, 1, 1, 1, 1, 1],
  rounded: { segmentBits: 4, degree: 3 }, fine: { segmentBits: 2, degree: 4 },
};

// Specs of logexp.ts (Exp, Log, Softplus, Mish, Celu, LogSoftmax, ReduceLogSumExp). Derivative bounds
// of the closed forms below were maximised symbolically on a 4001-point grid (sympy), plus 2%.

/**
 * exp on [-2^r, 2^r) (r = 1..4), for Exp: its derivatives are exp itself, at most e^R. Segments of
 * width 1 and degree 4 keep the relative error below h^5 W_4 / 5! = 3.0e-5 (an eighth of 2^-12) on
 * every segment; the absolute bound grows with e^R, as float32's own error does.
 */
export function expSpec(r: number): FunctionSpec {
  const R = 2 ** r;
  const e = Math.exp(R);
  return {
    name: `exp/${r}`, f: Math.exp, domain: "signed", log2Range: r, below: 0, above: e, tail: Math.exp(-R),
    maxDerivative: [0, e, e, e, e, e],
    rounded: { segmentBits: r + 1, degree: 4 }, fine: { segmentBits: r + 1, degree: 4 },
  };
}

/**
 * log(1 + e^-|x|) = softplus(x) - relu(x) on [-16, 16): symmetric, with its kink at 0 on a segment
 * boundary (so each piece is smooth). Its k-th derivative is sigmoid's (k-1)-th; tail log1p(e^-16).
 */
export const SOFTPLUS_GAP: FunctionSpec = {
  name: "softplus-gap", f: (x) => Math.log1p(Math.exp(-Math.abs(x))), domain: "signed", log2Range: 4, below: 0, above: 0,
  tail: Math.log1p(Math.exp(-16)),
  maxDerivative: [0, 0.5, 0.25, 0.096225, 0.125, 0.12768],
  rounded: { segmentBits: 5, degree: 3 }, fine: { segmentBits: 5, degree: 4 },
};

const mishFactor = (x: number) => Math.tanh(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** tanh(softplus(x)) on [-16, 16), Mish's factor: 0 below (|x| T(x) <= 16 e^-16 there), 1 above. */
export const MISH_FACTOR: FunctionSpec = {
  name: "mish-factor", f: mishFactor, domain: "signed", log2Range: 4, below: 0, above: 1, tail: Math.max(mishFactor(-16), 1 - mishFactor(16)),
  maxDerivative: [0, 0.3283, 0.1886, 0.2808, 0.4397, 0.9860],
  rounded: { segmentBits: 5, degree: 3 }, fine: { segmentBits: 5, degree: 4 },
};

/**
 * ln(2 + x) on [-1, 0), i.e. ln(1 + z) for the mantissa fraction z = x + 1 in [0, 1) of Log: the k-th
 * derivative is (k-1)! / (1 + z)^k, at most (k-1)!.
 */
export const LN_MANTISSA: FunctionSpec = {
  name: "ln-mantissa", f: (x) => Math.log(2 + x), domain: "negative", log2Range: 0, below: 0, above: 0, tail: 0,
  maxDerivative: [0, 1, 1, 2, 6, 24],
  rounded: { segmentBits: 4, degree: 3 }, fine: { segmentBits: 4, degree: 4 },
};

/**
 * alpha * expm1(x / alpha) on [-R, 0), Celu's negative branch, R = 2^ceil(log2(8 alpha)) >= 8: the k-th
 * derivative is alpha^(1-k) e^(x/alpha), the tail alpha e^(-R/alpha) <= alpha e^-8, as Elu's.
 */
export function celuSpec(alpha: number): FunctionSpec {
  const r = Math.max(3, Math.ceil(Math.log2(8 * alpha)));
  return {
    name: `celu*${alpha}`, f: (x) => alpha * Math.expm1(x / alpha), domain: "negative", log2Range: r, below: -alpha, above: 0,
    tail: alpha * Math.exp(-(2 ** r) / alpha),
    maxDerivative: [0, 1, 1 / alpha, alpha ** -2, alpha ** -3, alpha ** -4],
    rounded: { segmentBits: 4, degree: 3 }, fine: { segmentBits: 2, degree: 4 },
  };
}
