import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size, Tensor } from "../ir/graph";
import { rootOf } from "./arith";
import { absOf } from "./clamp";
import { maxOf, minOf, reciprocal } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { forEachIndex, normAxis, strides } from "./layout";
import { logSumExp } from "./logexp";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * Reductions over axes (ReduceSum, ReduceMean, ReduceMax, ReduceMin; ReduceProd, ReduceLogSumExp; the
 * norms ReduceSumSquare, ReduceL2, ReduceL1) and over one axis to an index
 * (ArgMax, ArgMin). Sum is linear; Mean multiplies the sum by a constant reciprocal (the scale grows
 * by its shift, a consumer rescales); Max/Min chain composite.maxOf/minOf; ArgMax/ArgMin keep a
 * running best with constrained comparison bits.
 */

/** The input elements each output element reduces, and the output shape. */
interface Reduction {
  dims: number[];
  groups: number[][];
}

function reduction(dims: number[], axes: number[], keepdims: boolean): Reduction {
  const reduced = dims.map((_, i) => axes.includes(i));
  const kept = dims.map((d, i) => (reduced[i] ? 1 : d));
  const st = strides(dims);
  const groups: number[][] = [];
  // Output elements in row-major order of the kept dims; each collects its reduced sub-block.
  forEachIndex(kept, (out) => {
    const base = out.reduce((acc, v, i) => acc + v * st[i], 0);
    const group: number[] = [];
    forEachIndex(dims.map((d, i) => (reduced[i] ? d : 1)), (inner) => group.push(base + inner.reduce((acc, v, i) => acc + v * st[i], 0)));
    groups.push(group);
  });
  return { dims: keepdims ? kept : dims.filter((_, i) => !reduced[i]), groups };
}

/**
 * The axes of a Reduce* node: the "axes" attribute in older opsets (before 13 for ReduceSum, 18 for
 * the others), the optional input 1 since; a node carries one form or the other. No axes means all of
 * them, unless noop_with_empty_axes.
 */
function reduceAxes(node: Node, ins: (ShapeArg | undefined)[]): number[] | "noop" {
  const rank = ins[0]!.shape.length;
  let given = attrInts(node, "axes");
  const a = node.inputs[1] ? ins[1] : undefined;
  if (a) {
    if (!a.tensor) fail(`${describeNode(node)}: axes (input 1) must be a constant; computed axes are not supported`);
    given = a.tensor.data;
  }
  if (!given || given.length === 0) {
    if (attrInt(node, "noop_with_empty_axes", 0) === 1) return "noop";
    return Array.from({ length: rank }, (_, i) => i);
  }
  const axes = given.map((a) => normAxis(node, a, rank));
  if (new Set(axes).size !== axes.length) fail(`${describeNode(node)}: axes [${given}] contain duplicates`);
  return axes;
}

function planFor(node: Node, ins: (ShapeArg | undefined)[]): Reduction {
  const dims = ins[0]!.shape;
  const axes = reduceAxes(node, ins);
  if (axes === "noop") return { dims, groups: dims.length ? Array.from({ length: size(dims) }, (_, i) => [i]) : [[0]] };
  return reduction(dims, axes, attrInt(node, "keepdims", 1) === 1);
}

const asShapeArgs = (ts: Tensor[]): ShapeArg[] => ts.map((t) => ({ shape: t.dims, tensor: t }));

function reduceOp(
  f: (xs: number[]) => number,
  q: <T>(ctx: OpContext<T>, node: Node, xs: T[], scale: number, site: SiteInfo) => { v: T; scale: number },
): OpDef {
  return {
    arity: [1, 2],
    inferShapes: (node, ins) => [planFor(node, ins).dims],
    fold(node, present) {
      const ins = asShapeArgs(present);
      const p = planFor(node, ins);
      return [{ dims: p.dims, data: p.groups.map((g) => f(g.map((i) => present[0].data[i]))) }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const x = args[0];
      if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
      const ins = args.map((a, j) => (node.inputs[j] === "" || !a ? undefined : a.kind === "const" ? { shape: a.tensor.dims, tensor: a.tensor } : { shape: a.value.shape }));
      const p = planFor(node, ins);
      const outs = p.groups.map((g, index) => q(ctx, node, g.map((i) => x.value.data[i]), x.value.scale, { node: node.name, index }));
      return [{ shape: p.dims, scale: outs.length ? outs[0].scale : x.value.scale, data: outs.map((o) => o.v) }];
    },
  };
}

const sum = <T>(d: Domain<T>, xs: T[]): T => xs.reduce((a, b) => d.add(a, b), d.constant(0n));

export const ReduceSum = reduceOp((xs) => xs.reduce((a, b) => a + b, 0), (ctx, _node, xs, scale) => ({ v: sum(ctx.dom, xs), scale }));

/** sum * round(2^k / n): the division by the count costs no constraint; the scale grows by k. */
export const ReduceMean = reduceOp(
  (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  (ctx, _node, xs, scale) => {
    // Relative error of the reciprocal <= 2^-(scaleBits + 5): below the output step for moderate means.
    const r = reciprocal(xs.length, ctx.quant.scaleBits + 4);
    return { v: ctx.dom.mulConst(sum(ctx.dom, xs), r.q), scale: scale + r.shift };
  },
);

export const ReduceMax = reduceOp((xs) => Math.max(...xs), (ctx, _node, xs, scale, site) => ({
  v: xs.slice(1).reduce((m, x) => maxOf(ctx.dom, x, m, site), xs[0]),
  scale,
}));

export const ReduceMin = reduceOp((xs) => Math.min(...xs), (ctx, _node, xs, scale, site) => ({
  v: xs.slice(1).reduce((m, x) => minOf(ctx.dom, x, m, site), xs[0]),
  scale,
}));

/**
 * ReduceProd: a chain of products, each rounded back to the model scale S (Domain.mul, then a
 * rescale by the product's excess scale): per output element n - 1 products and n - 1 rescales (each
 * its shift plus the product's width), so the error is at most half a step per product, amplified by
 * the later factors. Integers (scale 0) multiply exactly, without rescales.
 */
export const ReduceProd = reduceOp(
  (xs) => xs.reduce((a, b) => a * b, 1),
  (ctx, _node, xs, scale, site) => {
    const S = ctx.quant.scaleBits;
    let v = xs[0];
    let sv = scale;
    for (const x of xs.slice(1)) {
      v = ctx.dom.mul(v, x, site);
      sv += scale;
      if (scale > 0 && sv > Math.max(S, scale)) {
        v = ctx.dom.rescale(v, sv - S, site);
        sv = S;
      }
    }
    return { v, scale: sv };
  },
);

/**
 * ReduceLogSumExp: max + ln(sum exp(x - max)) (logexp.logSumExp), at the model scale: the inputs are
 * first brought there (a rescale each when finer).
 */
export const ReduceLogSumExp = reduceOp(
  (xs) => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
  },
  (ctx, _node, xs, scale, site) => {
    const S = ctx.quant.scaleBits;
    const d = ctx.dom;
    const at = xs.map((x) => (scale > S ? d.rescale(x, scale - S, site) : d.mulConst(x, 1n << BigInt(S - scale))));
    const r = logSumExp(d, at, S, site.node, site.index);
    return { v: d.add(r.max, r.ln), scale: S };
  },
);

/** The inputs at scale min(Sx, S): a rescale each when finer, nothing otherwise. */
const atMost = <T>(d: Domain<T>, xs: T[], scale: number, S: number, site: SiteInfo): T[] =>
  scale > S ? xs.map((x) => d.rescale(x, scale - S, site)) : xs;

/** sum(x·x) of the inputs at scale s = min(Sx, S): one product per element (each x times itself). */
function sumSquares<T>(d: Domain<T>, xs: T[], scale: number, S: number, site: SiteInfo): { v: T; scale: number } {
  const at = atMost(d, xs, scale, S, site);
  // The same value on both sides: the bounds pass knows each square is >= 0, and so is their sum.
  return { v: sum(d, at.map((x) => d.mul(x, x, site))), scale: 2 * Math.min(scale, S) };
}

/**
 * ReduceSumSquare: sum(x²) of the inputs rounded to at most the model scale S, exact in fixed point; one
 * product per input element (and a rescale each when finer than S). The result is left at twice the
 * scale, as Mul's, for the consumer to rescale.
 */
export const ReduceSumSquare = reduceOp(
  (xs) => xs.reduce((a, x) => a + x * x, 0),
  (ctx, _node, xs, scale, site) => sumSquares(ctx.dom, xs, scale, ctx.quant.scaleBits, site),
);

/**
 * ReduceL2: sqrt(sum(x²)), the sum as ReduceSumSquare's, then Sqrt's root (arith.rootOf): floor(2^(S+1)·
 * sqrt(sum)) exactly, left at scale S + 1 so that rounding it to S gives the nearest step to the exact
 * norm of the quantized inputs. One product per input element and one integer square root per output.
 */
export const ReduceL2 = reduceOp(
  (xs) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0)),
  (ctx, _node, xs, scale, site) => {
    const S = ctx.quant.scaleBits;
    const sq = sumSquares(ctx.dom, xs, scale, S, site);
    return { v: rootOf(ctx.dom, sq.v, sq.scale, S, site), scale: S + 1 };
  },
);

/**
 * ReduceL1: sum(|x|) of the inputs rounded to s = min(Sx, S), each |x| from one decomposition and one
 * product (clamp.absOf, as Abs): exact up to that rounding, at scale s.
 */
export const ReduceL1 = reduceOp(
  (xs) => xs.reduce((a, x) => a + Math.abs(x), 0),
  (ctx, _node, xs, scale, site) => {
    const s = Math.min(scale, ctx.quant.scaleBits);
    return { v: sum(ctx.dom, xs.map((x) => absOf(ctx.dom, x, scale, s, site).abs)), scale: s };
  },
);

// ---------------------------------------------------------------------------------------------
// ArgMax / ArgMin

function argPlan(node: Node, dims: number[]): Reduction {
  const axis = normAxis(node, attrInt(node, "axis", 0), Math.max(dims.length, 1));
  return reduction(dims, [axis], attrInt(node, "keepdims", 1) === 1);
}

/**
 * The index of the best element: a running (best, index) pair over the axis. Element k replaces the
 * best when it is strictly better (first occurrence, the ONNX default) or at least as good
 * (select_last_index = 1); that bit is the sign of a range-checked difference, and the pair is
 * updated with two multiplications by it.
 */
function argOp(largest: boolean): OpDef {
  const better = (x: number, best: number, last: boolean) => (largest ? (last ? x >= best : x > best) : last ? x <= best : x < best);
  return {
    arity: [1, 1],
    inferShapes: (node, [x]) => [argPlan(node, x.shape).dims],
    fold(node, [x]) {
      const last = attrInt(node, "select_last_index", 0) === 1;
      const p = argPlan(node, x.dims);
      return [{
        dims: p.dims,
        data: p.groups.map((g) => g.reduce((bestK, i, k) => (better(x.data[i], x.data[g[bestK]], last) ? k : bestK), 0)),
      }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const x = args[0];
      if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
      const d = ctx.dom;
      const last = attrInt(node, "select_last_index", 0) === 1;
      // For integers: x > best <=> x - best - 1 >= 0, x >= best <=> x - best >= 0 (and mirrored).
      const slack = last ? 0n : -1n;
      const p = argPlan(node, x.value.shape);
      const data = p.groups.map((g, index) => {
        const site = { node: node.name, index };
        const xs = g.map((i) => x.value.data[i]);
        let best = xs[0];
        let idx: T = d.constant(0n);
        for (let k = 1; k < xs.length; k++) {
          const diff = largest ? d.add(xs[k], d.mulConst(best, -1n)) : d.add(best, d.mulConst(xs[k], -1n));
          const take = d.nonneg(d.add(diff, d.constant(slack)), site);
          // idx + take * (k - idx); while idx is still the constant 0 this is linear.
          idx = k === 1 ? d.mulConst(take, 1n) : d.add(idx, d.mul(take, d.add(d.constant(BigInt(k)), d.mulConst(idx, -1n)), site));
          if (k < xs.length - 1) best = d.add(best, d.mul(take, d.add(xs[k], d.mulConst(best, -1n)), site));
        }
        return idx;
      });
      return [{ shape: p.dims, scale: 0, data }];
    },
  };
}

export const ArgMax = argOp(true);
export const ArgMin = argOp(false);
