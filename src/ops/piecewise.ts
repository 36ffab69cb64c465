import { fail } from "../errors";
import { Domain, SiteInfo } from "./domain";
import { clamp, oneHot } from "./composite";

/**
 * A real function approximated by linear interpolation on a uniform grid, for the exp-based
 * activations. The input is clamped to [lo, lo + 2^log2Span) (outside it the functions used here are
 * flat to well below one output step), split into 2^segmentBits segments by the top bits of its
 * constrained decomposition, and interpolated between the two rounded grid values of its segment.
 *
 * Error (documented bound, checked by test/unit/piecewise.test.ts over every input step):
 *   |approx - f| <= h^2/8 * max|f''| + 1 output step (grid rounding + final rounding) + tail,
 * with h = 2^(log2Span - segmentBits) and tail = the largest |f(x) - f(clamped x)| outside the range.
 */
export interface PiecewiseSpec {
  name: string;
  f: (x: number) => number;
  /** The range starts at lo, or, with `top`, ends at top inclusive (so exp is exact at 0). */
  lo: number;
  top?: boolean;
  log2Span: number;
  segmentBits: number;
  /** max |f''| over the range, for the documented error bound. */
  maxSecondDerivative: number;
  /** max |f(x) - f(clamp(x))| outside the range. */
  tail: number;
}

/** The documented worst-case error of `spec` at output scale 2^-scale. */
export function piecewiseErrorBound(spec: PiecewiseSpec, scale: number): number {
  const h = 2 ** (spec.log2Span - spec.segmentBits);
  return (h * h) / 8 * spec.maxSecondDerivative + 2 ** -scale + spec.tail;
}

/** The first integer of the clamped range at scale 2^-scale. */
export function piecewiseStart(spec: PiecewiseSpec, scale: number): bigint {
  const lo = BigInt(Math.round(spec.lo * 2 ** scale));
  return spec.top ? lo + 1n : lo;
}

/** Segments actually used: at a coarse scale the range has fewer input steps than segments. */
export function segmentBitsAt(spec: PiecewiseSpec, scale: number): number {
  return Math.min(spec.segmentBits, spec.log2Span + scale);
}

/** Grid values round(f(x_i) * 2^scale) at x_i = start + i*2^(m - t), i = 0 .. 2^t. */
export function piecewiseTable(spec: PiecewiseSpec, scale: number): bigint[] {
  const start = Number(piecewiseStart(spec, scale));
  const t = segmentBitsAt(spec, scale);
  const step = 2 ** (spec.log2Span + scale - t);
  return Array.from({ length: 2 ** t + 1 }, (_, i) =>
    BigInt(Math.round(spec.f((start + i * step) / 2 ** scale) * 2 ** scale)),
  );
}

/**
 * f(x) for x at scale 2^-scale, returned at the same scale. Cost: two Relu for the clamp, one
 * decomposition of log2Span + scale bits, 2^segmentBits - 2 products for the segment selection, one
 * product and one rescale for the interpolation.
 */
export function piecewise<T>(dom: Domain<T>, spec: PiecewiseSpec, x: T, scale: number, site: SiteInfo): T {
  if (spec.log2Span + scale < 1) fail(`${site.node}: scale 2^-${scale} is too coarse for ${spec.name}`);
  const m = spec.log2Span + scale;
  const t = segmentBitsAt(spec, scale);
  const lo = piecewiseStart(spec, scale);
  const span = 1n << BigInt(m);
  const c = clamp(dom, x, lo, lo + span - 1n, site);
  const bits = dom.bits(dom.add(c, dom.constant(-lo)), m, site);
  const fracBits = m - t;
  const frac = dom.affine(bits.slice(0, fracBits), bits.slice(0, fracBits).map((_, i) => 1n << BigInt(i)), 0n);
  const sel = oneHot(dom, bits.slice(fracBits), site);
  const table = piecewiseTable(spec, scale);
  const base = dom.affine(sel, table.slice(0, -1).map((v) => v << BigInt(fracBits)), 0n);
  const slope = dom.affine(sel, table.slice(0, -1).map((v, i) => table[i + 1] - v), 0n);
  const y = dom.add(base, dom.mul(frac, slope, site));
  return fracBits === 0 ? y : dom.rescale(y, fracBits, site);
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

export const SIGMOID: PiecewiseSpec = {
  name: "sigmoid", f: sigmoid, lo: -16, log2Span: 5, segmentBits: 7, maxSecondDerivative: 0.0963, tail: sigmoid(-16),
};
export const TANH: PiecewiseSpec = {
  name: "tanh", f: Math.tanh, lo: -8, log2Span: 4, segmentBits: 8, maxSecondDerivative: 0.7699, tail: 1 - Math.tanh(8),
};
export const ERF: PiecewiseSpec = {
  name: "erf", f: erf, lo: -4, log2Span: 3, segmentBits: 7, maxSecondDerivative: 0.9679, tail: 1 - erf(4) + 1.5e-7,
};
/** exp on (-16, 0]: softmax feeds it x - max(x) <= 0. */
export const EXP_NONPOSITIVE: PiecewiseSpec = {
  name: "exp", f: Math.exp, lo: -16, top: true, log2Span: 4, segmentBits: 8, maxSecondDerivative: 1, tail: Math.exp(-16),
};
/** exp(x) - 1 on (-16, 0]: the negative branch of Elu. */
export const EXPM1_NONPOSITIVE: PiecewiseSpec = {
  name: "expm1", f: (x) => Math.expm1(x), lo: -16, top: true, log2Span: 4, segmentBits: 8, maxSecondDerivative: 1, tail: Math.exp(-16),
};
