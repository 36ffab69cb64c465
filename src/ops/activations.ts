import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { SOFTMAX_MASK } from "../ir/masked-softmax";
import { quantizeReal } from "../numeric/fixed-point";
import { broadcastIndex } from "./broadcast";
import { maxOf } from "./composite";
import { QValue, SiteInfo } from "./domain";
import { Arg, atScale, constInput, OpContext, OpDef, valueInput } from "./op";
import { decompose, Decomposed, ERF, erf, EXP_NEGATIVE, EXPM1_NEGATIVE, FunctionSpec, lookup, PHI, SIGMOID, TableMode, TANH } from "./piecewise";

/**
 * Activations. The exp-based ones are piecewise polynomials read off one decomposition of their
 * input (piecewise.ts, with their error bounds); the others are exact compositions of Relu with
 * constants.
 */

const same: OpDef["inferShapes"] = (_node, [x]) => [x.shape];

export function floatAttr(node: Node, name: string, dflt: number): number {
  const v = node.attrs[name];
  return typeof v === "number" ? v : dflt;
}

/** An elementwise op whose quantized form works on one element at the model scale. */
function unary(
  f: (x: number, node: Node) => number,
  q: <T>(ctx: OpContext<T>, node: Node, x: T, scale: number, index: number) => { v: T; scale: number },
): OpDef {
  return {
    arity: [1, 1],
    inferShapes: same,
    fold: (node, [x]) => [{ dims: x.dims, data: x.data.map((v) => f(v, node)) }],
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const x = atScale(ctx, node, valueInput(node, args, 0, "X"), ctx.quant.scaleBits);
      const outs = x.data.map((v, index) => q(ctx, node, v, x.scale, index));
      return [{ shape: x.shape, scale: outs.length ? outs[0].scale : x.scale, data: outs.map((o) => o.v) }];
    },
  };
}

/**
 * "fine" when a linear layer will absorb this node's output at a finer scale (ctx.deferRounding):
 * the table's rounding then happens in that layer's rescale, which exists anyway.
 */
export function modeFor<T>(ctx: OpContext<T>, node: Node): TableMode {
  return ctx.deferRounding?.(node) ? "fine" : "rounded";
}

/**
 * An elementwise op computed per element from one decomposition of its input at the model scale,
 * which also performs the rescale a linear layer before it left pending.
 */
export function decomposed(
  f: (x: number, node: Node) => number,
  q: <T>(ctx: OpContext<T>, node: Node, x: Decomposed<T>, mode: TableMode, site: SiteInfo) => { v: T; scale: number },
  fineAlways = false,
): OpDef {
  return {
    arity: [1, 1],
    inferShapes: same,
    fold: (node, [x]) => [{ dims: x.dims, data: x.data.map((v) => f(v, node)) }],
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const x = valueInput(node, args, 0, "X");
      const mode = fineAlways ? "fine" : modeFor(ctx, node);
      const outs = x.data.map((v, index) => {
        const site = { node: node.name, index };
        return q(ctx, node, decompose(ctx.dom, v, x.scale, ctx.quant.scaleBits, site), mode, site);
      });
      const scale = outs.length ? outs[0].scale : ctx.quant.scaleBits;
      const fine = scale > ctx.quant.scaleBits && ctx.deferRounding?.(node) ? true : undefined;
      return [{ shape: x.shape, scale, data: outs.map((o) => o.v), fine }];
    },
  };
}

function tabulated(spec: FunctionSpec): OpDef {
  return decomposed(spec.f, (ctx, _node, x, mode, site) => lookup(ctx.dom, spec, x, mode, site));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const Sigmoid = tabulated(SIGMOID);
export const Tanh = tabulated(TANH);
export const Erf = tabulated(ERF);

/** alpha * x + (1 - alpha) * relu(x): exact up to alpha's rounding, one Relu. */
export const LeakyRelu = unary(
  (x, node) => (x >= 0 ? x : floatAttr(node, "alpha", 0.01) * x),
  (ctx, node, x, scale, index) => {
    const alpha = quantizeReal(floatAttr(node, "alpha", 0.01), scale, `${describeNode(node)} alpha`);
    const r = ctx.dom.relu(x, { node: node.name, index });
    return { v: ctx.dom.add(ctx.dom.mulConst(x, alpha), ctx.dom.mulConst(r, (1n << BigInt(scale)) - alpha)), scale: 2 * scale };
  },
);

/** alpha * expm1 on [-8, 0): Elu's negative branch, alpha folded into the table. */
export function expm1Times(alpha: number): FunctionSpec {
  if (alpha === 1) return EXPM1_NEGATIVE;
  const a = Math.abs(alpha);
  return {
    ...EXPM1_NEGATIVE,
    name: `${EXPM1_NEGATIVE.name}*${alpha}`,
    f: (x) => alpha * Math.expm1(x),
    below: -alpha,
    tail: a * EXPM1_NEGATIVE.tail,
    maxDerivative: EXPM1_NEGATIVE.maxDerivative.map((m) => a * m),
  };
}

/**
 * x for x >= 0 (one product with the sign bit), alpha * expm1(x) below from the one-sided table,
 * both read off the same decomposition.
 */
export const Elu = decomposed(
  (x, node) => (x >= 0 ? x : floatAttr(node, "alpha", 1) * Math.expm1(x)),
  (ctx, node, x, mode, site) => {
    const d = ctx.dom;
    return lookup(d, expm1Times(floatAttr(node, "alpha", 1)), x, mode, site, (scale) => d.mulConst(x.q, 1n << BigInt(scale - x.scale)));
  },
);

/**
 * x * Phi(x) with Phi the normal CDF, i.e. x * (1 + erf(x / sqrt 2)) / 2; approximate="tanh" is
 * evaluated with the same exact form. The product is rescaled by its consumer in any case, so Phi is
 * left unrounded: the table's precision only widens that rescale.
 */
export const Gelu = decomposed(
  (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  (ctx, _node, x, _mode, site) => {
    const phi = lookup(ctx.dom, PHI, x, "fine", site);
    return { v: ctx.dom.mul(x.q, phi.v, site), scale: x.scale + phi.scale };
  },
  true,
);

/** PRelu: LeakyRelu with a constant slope tensor broadcast to X. */
export const PRelu: OpDef = {
  arity: [2, 2],
  inferShapes: same,
  fold: (_node, [x, s]) => {
    const idx = broadcastIndex(x.dims, s.dims);
    return [{ dims: x.dims, data: x.data.map((v, i) => (v >= 0 ? v : s.data[idx[i]] * v)) }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = atScale(ctx, node, valueInput(node, args, 0, "X"), ctx.quant.scaleBits);
    const slope: Tensor = constInput(node, args, 1, "slope");
    const idx = broadcastIndex(x.shape, slope.dims);
    const one = 1n << BigInt(x.scale);
    const q = slope.data.map((v) => quantizeReal(v, x.scale, `${describeNode(node)} slope`));
    const data = x.data.map((v, i) => {
      const r = ctx.dom.relu(v, { node: node.name, index: i });
      return ctx.dom.add(ctx.dom.mulConst(v, q[idx[i]]), ctx.dom.mulConst(r, one - q[idx[i]]));
    });
    return [{ shape: x.shape, scale: 2 * x.scale, data }];
  },
};

/** The groups Softmax normalises over: before opset 13 the input is seen as 2-D at `axis`. */
export function softmaxGroups(node: Node, dims: number[], opset: number): number[][] {
  const r = dims.length;
  let axis = typeof node.attrs.axis === "number" ? node.attrs.axis : opset < 13 ? 1 : -1;
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= Math.max(r, 1)) fail(`${describeNode(node)}: axis ${node.attrs.axis} is out of range for [${dims}]`);
  const groups: number[][] = [];
  if (opset < 13) {
    const inner = size(dims.slice(axis));
    for (let o = 0; o < size(dims.slice(0, axis)); o++) groups.push(Array.from({ length: inner }, (_, i) => o * inner + i));
    return groups;
  }
  const n = dims[axis];
  const inner = size(dims.slice(axis + 1));
  for (let o = 0; o < size(dims.slice(0, axis)); o++)
    for (let i = 0; i < inner; i++) groups.push(Array.from({ length: n }, (_, k) => (o * n + k) * inner + i));
  return groups;
}

/** Softmax's constant mask (ir/masked-softmax.ts): 1 marks an input position that is -inf in ONNX. */
function softmaxMask(node: Node, dims: number[]): number[] | undefined {
  const m = node.attrs[SOFTMAX_MASK];
  if (m === undefined) return undefined;
  if (typeof m !== "object" || Array.isArray(m) || m.dims.join() !== dims.join())
    fail(`${describeNode(node)}: its ${SOFTMAX_MASK} attribute does not have the input's shape [${dims}]`);
  return m.data;
}

/**
 * exp(x - max) / sum: the max is a chain of Relu, exp a table on [-8, 0), and the division a
 * constrained floor division, so the output is at most one step below the rounded exact quotient.
 *
 * Masked (a constant -inf selected by a Where, ir/masked-softmax.ts): the masked positions are exactly
 * 0 and take no part in the max or the sum, as exp(-inf) = 0 in ONNX; they cost no constraint, and
 * their input elements are not even rescaled. A group with a single unmasked element is exactly 1
 * (the first row of a causal mask). A group masked entirely is refused at import (ONNX gives NaN).
 */
export const Softmax: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const input = valueInput(node, args, 0, "X");
    const mask = softmaxMask(node, input.shape);
    const S = ctx.quant.scaleBits;
    const keep = (i: number) => !mask || mask[i] === 0;
    // Only the unmasked elements are brought to the model scale.
    const x = mask
      ? input.data.map((v, index) => {
          if (!keep(index)) return v;
          if (input.scale > S) return d.rescale(v, input.scale - S, { node: node.name, index });
          return input.scale < S ? d.mulConst(v, 1n << BigInt(S - input.scale)) : v;
        })
      : atScale(ctx, node, input, S).data;
    const out = new Array<T>(x.length);
    for (const all of softmaxGroups(node, input.shape, ctx.opset)) {
      const group = all.filter(keep);
      for (const i of all) if (!keep(i)) out[i] = d.constant(0n);
      if (group.length === 0) fail(`${describeNode(node)}: its mask covers a whole group (element ${all[0]}), where ONNX gives NaN`);
      if (mask && group.length === 1) {
        out[group[0]] = d.constant(1n << BigInt(S));
        continue;
      }
      const site = { node: node.name, index: group[0] };
      let m = x[group[0]];
      for (const i of group.slice(1)) m = maxOf(d, x[i], m, site);
      const e = group.map((i) => {
        const at = { node: node.name, index: i };
        // x - max is <= 0, and 0 (exp = 1) only for the maximum itself: the one-sided table's
        // x >= 0 side is that 1.
        const diff = decompose(d, d.add(x[i], d.mulConst(m, -1n)), S, S, at);
        return d.add(lookup(d, EXP_NEGATIVE, diff, "rounded", at).v, d.mulConst(diff.nonneg, 1n << BigInt(S)));
      });
      const sum = e.reduce((a, b) => d.add(a, b));
      group.forEach((i, k) => (out[i] = d.div(d.mulConst(e[k], 1n << BigInt(S)), sum, { node: node.name, index: i })));
    }
    return [{ shape: input.shape, scale: S, data: out }];
  },
};

export { sigmoid };
