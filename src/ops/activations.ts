import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../quantize/fixed-point";
import { broadcastIndex } from "./broadcast";
import { maxOf } from "./composite";
import { QValue } from "./domain";
import { Arg, atScale, constInput, OpContext, OpDef, valueInput } from "./op";
import { ERF, erf, EXP_NONPOSITIVE, EXPM1_NONPOSITIVE, piecewise, PiecewiseSpec, SIGMOID, TANH } from "./piecewise";

/**
 * Activations. The exp-based ones are piecewise-linear tables (piecewise.ts, with their error bound);
 * the others are exact compositions of Relu with constants.
 */

const same: OpDef["inferShapes"] = (_node, [x]) => [x.shape];

function floatAttr(node: Node, name: string, dflt: number): number {
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

function tabulated(spec: PiecewiseSpec): OpDef {
  return unary(spec.f, (ctx, node, x, scale, index) => ({ v: piecewise(ctx.dom, spec, x, scale, { node: node.name, index }), scale }));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const Sigmoid = tabulated(SIGMOID);
export const Tanh = tabulated(TANH);
export const Erf = unary(erf, (ctx, node, x, scale, index) => ({ v: piecewise(ctx.dom, ERF, x, scale, { node: node.name, index }), scale }));

/** alpha * x + (1 - alpha) * relu(x): exact up to alpha's rounding, one Relu. */
export const LeakyRelu = unary(
  (x, node) => (x >= 0 ? x : floatAttr(node, "alpha", 0.01) * x),
  (ctx, node, x, scale, index) => {
    const alpha = quantizeReal(floatAttr(node, "alpha", 0.01), scale, `${describeNode(node)} alpha`);
    const r = ctx.dom.relu(x, { node: node.name, index });
    return { v: ctx.dom.add(ctx.dom.mulConst(x, alpha), ctx.dom.mulConst(r, (1n << BigInt(scale)) - alpha)), scale: 2 * scale };
  },
);

/** relu(x) + alpha * (exp(min(x, 0)) - 1), with min(x, 0) = x - relu(x). */
export const Elu = unary(
  (x, node) => (x >= 0 ? x : floatAttr(node, "alpha", 1) * Math.expm1(x)),
  (ctx, node, x, scale, index) => {
    const site = { node: node.name, index };
    const d = ctx.dom;
    const r = d.relu(x, site);
    const neg = piecewise(d, EXPM1_NONPOSITIVE, d.add(x, d.mulConst(r, -1n)), scale, site);
    const alpha = floatAttr(node, "alpha", 1);
    if (alpha === 1) return { v: d.add(r, neg), scale };
    const qa = quantizeReal(alpha, scale, `${describeNode(node)} alpha`);
    return { v: d.add(d.mulConst(r, 1n << BigInt(scale)), d.mulConst(neg, qa)), scale: 2 * scale };
  },
);

/** x * (1 + erf(x / sqrt 2)) / 2; approximate="tanh" is evaluated with the same exact erf form. */
export const Gelu = unary(
  (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  (ctx, node, x, scale, index) => {
    const site = { node: node.name, index };
    const d = ctx.dom;
    const scaled = d.rescale(d.mulConst(x, quantizeReal(Math.SQRT1_2, scale, "1/sqrt 2")), scale, site);
    const phi2 = d.add(piecewise(d, ERF, scaled, scale, site), d.constant(1n << BigInt(scale)));
    return { v: d.mul(x, phi2, site), scale: 2 * scale + 1 };
  },
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
function softmaxGroups(node: Node, dims: number[], opset: number): number[][] {
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

/**
 * exp(x - max) / sum: the max is a chain of Relu, exp a table on (-16, 0], and the division a
 * constrained floor division, so the output is at most one step below the rounded exact quotient.
 */
export const Softmax: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const x = atScale(ctx, node, valueInput(node, args, 0, "X"), ctx.quant.scaleBits);
    const S = x.scale;
    const out = new Array<T>(x.data.length);
    for (const group of softmaxGroups(node, x.shape, ctx.opset)) {
      const site = { node: node.name, index: group[0] };
      let m = x.data[group[0]];
      for (const i of group.slice(1)) m = maxOf(d, x.data[i], m, site);
      const e = group.map((i) => piecewise(d, EXP_NONPOSITIVE, d.add(x.data[i], d.mulConst(m, -1n)), S, { node: node.name, index: i }));
      const sum = e.reduce((a, b) => d.add(a, b));
      group.forEach((i, k) => (out[i] = d.div(d.mulConst(e[k], 1n << BigInt(S)), sum, { node: node.name, index: i })));
    }
    return [{ shape: x.shape, scale: S, data: out }];
  },
};

export { sigmoid };
