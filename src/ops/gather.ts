import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { Domain, QValue, SiteInfo } from "./domain";
import { forEachIndex, Gather as GatherConstIndices, Ins, moveOp, normAxis, Plan, single, strides } from "./layout";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * Gather and GatherElements. Constant indices are data movement (no constraints). Computed indices
 * (integers at scale 0, e.g. from ArgMax or a tree walk) select by a one-hot vector: for a candidate
 * position k, isZero(index - k) is a constrained bit, and the output is sum_k bit_k * data[k] — a
 * linear combination when the data is constant, one multiplication per candidate otherwise.
 *
 * Computed indices must be non-negative integers: a negative or out-of-range index matches no candidate and
 * selects 0 (the evaluator and the circuit agree on that; ONNX would count a negative index from the
 * end, or reject it). Tree models only produce indices in range.
 */

/** The data tensor: integer constants stay at scale 0 (they are often indices themselves). */
function constantData(node: Node, t: Tensor, scaleBits: number): { scale: number; q: bigint[] } {
  const scale = t.data.every(Number.isInteger) ? 0 : scaleBits;
  return { scale, q: t.data.map((v) => quantizeReal(v, scale, `${describeNode(node)} data`)) };
}

/** Reads data element i as a T, for the one-hot sums below. */
interface DataSource<T> {
  scale: number;
  /** sum_k bits[k] * data[at[k]]. */
  select(bits: T[], at: number[], site: SiteInfo): T;
}

function dataSource<T>(ctx: OpContext<T>, node: Node, a: Arg<T>): DataSource<T> {
  const d = ctx.dom;
  if (a.kind === "const") {
    const { scale, q } = constantData(node, a.tensor, ctx.quant.scaleBits);
    return { scale, select: (bits, at) => d.affine(bits, at.map((i) => q[i]), 0n) };
  }
  const v = a.value;
  return {
    scale: v.scale,
    select: (bits, at, site) => bits.map((b, k) => d.mul(b, v.data[at[k]], site)).reduce((x, y) => d.add(x, y), d.constant(0n)),
  };
}

function computedIndices<T>(node: Node, a: Arg<T>): QValue<T> {
  if (a.kind !== "value") fail(`${describeNode(node)}: internal error: expected computed indices`);
  return a.value;
}

/**
 * isZero(index - k * 2^scale) for k in [0, n): the index equals k exactly. Indices normally arrive
 * at scale 0; one at a finer scale (an integer times a constant quantized at scaleBits) is matched
 * exactly too, and a fractional index matches nothing.
 */
function oneHotOf<T>(d: Domain<T>, index: T, scale: number, n: number, site: SiteInfo): T[] {
  return Array.from({ length: n }, (_, k) => d.isZero(d.add(index, d.constant(-(BigInt(k) << BigInt(scale)))), site));
}

// ---------------------------------------------------------------------------------------------
// Gather

function gatherDims(node: Node, data: number[], indices: number[]): number[] {
  const axis = normAxis(node, attrInt(node, "axis", 0), data.length);
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

export const Gather: OpDef = {
  arity: [2, 2],
  inferShapes: (node, ins) => (ins[1].tensor ? GatherConstIndices.inferShapes(node, ins) : [gatherDims(node, ins[0].shape, ins[1].shape)]),
  fold: GatherConstIndices.fold,
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    if (args[1].kind === "const") return GatherConstIndices.apply(ctx, node, args);
    const data = args[0];
    const dataDims = data.kind === "const" ? data.tensor.dims : data.value.shape;
    const ind = computedIndices(node, args[1]);
    const axis = normAxis(node, attrInt(node, "axis", 0), dataDims.length);
    const n = dataDims[axis];
    const outer = size(dataDims.slice(0, axis));
    const inner = size(dataDims.slice(axis + 1));
    const src = dataSource(ctx, node, data);
    const hots = ind.data.map((index, j) => oneHotOf(ctx.dom, index, ind.scale, n, { node: node.name, index: j }));
    const out: T[] = [];
    for (let o = 0; o < outer; o++)
      hots.forEach((bits, j) => {
        for (let i = 0; i < inner; i++) {
          const at = Array.from({ length: n }, (_, k) => (o * n + k) * inner + i);
          out.push(src.select(bits, at, { node: node.name, index: j }));
        }
      });
    return [{ shape: gatherDims(node, dataDims, ind.shape), scale: src.scale, data: out }];
  },
};

// ---------------------------------------------------------------------------------------------
// GatherElements

function checkElementsShapes(node: Node, data: number[], indices: number[]): number {
  const axis = normAxis(node, attrInt(node, "axis", 0), data.length);
  if (indices.length !== data.length) fail(`${describeNode(node)}: indices [${indices}] and data [${data}] must have the same rank`);
  indices.forEach((d, i) => {
    if (i !== axis && d > data[i]) fail(`${describeNode(node)}: indices [${indices}] exceed data [${data}] on axis ${i}`);
  });
  return axis;
}

/** Flat data positions of the candidates of output element `idx`: its coordinates with axis = k. */
function candidates(idx: number[], axis: number, n: number, st: number[]): number[] {
  const base = idx.reduce((acc, v, i) => acc + (i === axis ? 0 : v * st[i]), 0);
  return Array.from({ length: n }, (_, k) => base + k * st[axis]);
}

function gatherElementsPlan(node: Node, ins: Ins): Plan {
  const data = ins[0]!.shape;
  const ind = ins[1]!;
  const axis = checkElementsShapes(node, data, ind.shape);
  const st = strides(data);
  const t = ind.tensor!;
  const at: number[] = [];
  let flat = 0;
  forEachIndex(t.dims, (idx) => {
    const v = t.data[flat++];
    const k = v < 0 ? v + data[axis] : v;
    if (!Number.isInteger(k) || k < 0 || k >= data[axis]) fail(`${describeNode(node)}: index ${v} is out of range for axis ${axis} of size ${data[axis]}`);
    at.push(candidates(idx, axis, data[axis], st)[k]);
  });
  return single([...t.dims], at);
}

const GatherElementsConstIndices = moveOp([2, 2], gatherElementsPlan, () => [0]);

export const GatherElements: OpDef = {
  arity: [2, 2],
  inferShapes(node, [data, ind]: ShapeArg[]) {
    checkElementsShapes(node, data.shape, ind.shape);
    return [ind.shape];
  },
  fold: GatherElementsConstIndices.fold,
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    if (args[1].kind === "const") return GatherElementsConstIndices.apply(ctx, node, args);
    const data = args[0];
    const dataDims = data.kind === "const" ? data.tensor.dims : data.value.shape;
    const ind = computedIndices(node, args[1]);
    const axis = checkElementsShapes(node, dataDims, ind.shape);
    const n = dataDims[axis];
    const st = strides(dataDims);
    const src = dataSource(ctx, node, data);
    const out: T[] = [];
    forEachIndex(ind.shape, (idx) => {
      const j = out.length;
      const site = { node: node.name, index: j };
      out.push(src.select(oneHotOf(ctx.dom, ind.data[j], ind.scale, n, site), candidates(idx, axis, n, st), site));
    });
    return [{ shape: ind.shape, scale: src.scale, data: out }];
  },
};
