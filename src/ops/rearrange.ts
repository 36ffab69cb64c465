import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size, Tensor } from "../ir/graph";
import { QValue } from "./domain";
import { forEachIndex, Ins, intList, moveOp, normAxis, Plan, single, strides } from "./layout";
import { Arg, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * More data movement, free in the circuit like layout.ts: Split (several outputs), DepthToSpace,
 * SpaceToDepth, and Trilu (a constant 0/1 mask: a kept element is moved, a masked one is the padding
 * constant 0).
 */

// ---------------------------------------------------------------------------------------------
// Split

/**
 * The part sizes of a Split along its axis. They come from the `split` attribute (opsets 2-12), the
 * optional input 1 (since 13), or else: `num_outputs` parts of ceil(d / n), the last one smaller
 * (since 18), or as many equal parts as the node has outputs. `opset` is unknown when folding; a node
 * then carries one form or the other.
 */
function splitSizes(node: Node, ins: Ins, opset: number | undefined): { axis: number; parts: number[] } {
  const x = ins[0]!.shape;
  const axis = normAxis(node, attrInt(node, "axis", 0), x.length);
  const d = x[axis];
  const n = node.outputs.length;
  const hasAttr = attrInts(node, "split") !== undefined;
  const hasInput = ins[1] !== undefined;
  const numOutputs = node.attrs.num_outputs;
  if (opset !== undefined) {
    if (opset >= 13 && hasAttr) fail(`${describeNode(node)}: since opset 13 Split takes split as input 1, not an attribute (model opset ${opset})`);
    if (opset < 13 && hasInput) fail(`${describeNode(node)}: before opset 13 Split takes split as an attribute, not an input (model opset ${opset})`);
    if (opset < 18 && numOutputs !== undefined) fail(`${describeNode(node)}: num_outputs exists since opset 18 (model opset ${opset})`);
  }
  const given = intList(node, ins, "split", 1, "split");
  if (given && given.length > 0) {
    if (numOutputs !== undefined) fail(`${describeNode(node)}: split and num_outputs are both given`);
    if (given.length !== n) fail(`${describeNode(node)}: split [${given}] has ${given.length} parts for ${n} outputs`);
    if (given.some((s) => s < 0) || given.reduce((a, b) => a + b, 0) !== d)
      fail(`${describeNode(node)}: split [${given}] does not add up to ${d}, the size of axis ${axis} of [${x}]`);
    return { axis, parts: given };
  }
  if (typeof numOutputs === "number") {
    if (numOutputs !== n) fail(`${describeNode(node)}: num_outputs is ${numOutputs} but the node has ${n} outputs`);
    // e.g. 7 in 3 parts: 3, 3, 1.
    const chunk = Math.ceil(d / n);
    const parts = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    if (parts[n - 1] === 0) fail(`${describeNode(node)}: axis ${axis} of size ${d} cannot be split in ${n} parts of ${chunk}`);
    return { axis, parts };
  }
  if (d % n !== 0) fail(`${describeNode(node)}: axis ${axis} of size ${d} cannot be split in ${n} equal parts`);
  return { axis, parts: Array(n).fill(d / n) };
}

function splitPlans(node: Node, ins: Ins, opset?: number): Plan[] {
  const x = ins[0]!.shape;
  const { axis, parts } = splitSizes(node, ins, opset);
  const sx = strides(x);
  let offset = 0;
  return parts.map((p) => {
    const dims = [...x];
    dims[axis] = p;
    const at: number[] = [];
    forEachIndex(dims, (idx) => at.push(idx.reduce((acc, v, j) => acc + (j === axis ? v + offset : v) * sx[j], 0)));
    offset += p;
    return single(dims, at);
  });
}

const present = (node: Node, args: (ShapeArg | undefined)[]): Ins => args.map((a, j) => (node.inputs[j] === "" ? undefined : a));

export const Split: OpDef = {
  arity: [1, 2],
  inferShapes: (node, ins) => splitPlans(node, present(node, ins)).map((p) => p.dims),
  fold(node, ts: Tensor[]) {
    // ts holds only the present inputs; split, when present, is the second.
    const ins: Ins = [{ shape: ts[0].dims, tensor: ts[0] }, node.inputs[1] ? { shape: ts[1].dims, tensor: ts[1] } : undefined];
    return splitPlans(node, ins).map((p) => ({ dims: p.dims, data: p.at.map((i) => ts[0].data[i]) }));
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "input");
    const s = node.inputs[1] ? args[1] : undefined;
    if (s?.kind === "value") fail(`${describeNode(node)}: split (input 1) must be a constant; computed split sizes are not supported`);
    const ins: Ins = [{ shape: x.shape }, s ? { shape: s.tensor.dims, tensor: s.tensor } : undefined];
    return splitPlans(node, ins, ctx.opset).map((p) => ({ shape: p.dims, scale: x.scale, data: p.at.map((i) => x.data[i]) }));
  },
};

// ---------------------------------------------------------------------------------------------
// DepthToSpace, SpaceToDepth

function blockOf(node: Node, x: number[]): { b: number; N: number; C: number; H: number; W: number } {
  if (x.length !== 4) fail(`${describeNode(node)}: the input must be 4-D [N, C, H, W], got [${x}]`);
  const b = attrInt(node, "blocksize", 0);
  if (!Number.isInteger(b) || b < 1) fail(`${describeNode(node)}: blocksize must be a positive integer, got ${node.attrs.blocksize ?? "none"}`);
  const [N, C, H, W] = x;
  return { b, N, C, H, W };
}

/**
 * out[n, c, h*b + i, w*b + j] = in[n, k, h, w] with k = (i*b + j) * C/b^2 + c in DCR mode (the default,
 * and the only one before opset 11) and k = c * b^2 + i*b + j in CRD mode.
 */
function depthToSpacePlan(node: Node, ins: Ins): Plan {
  const { b, N, C, H, W } = blockOf(node, ins[0]!.shape);
  const mode = node.attrs.mode ?? "DCR";
  if (mode !== "DCR" && mode !== "CRD") fail(`${describeNode(node)}: unknown mode "${String(mode)}"; expected DCR or CRD`);
  if (C % (b * b) !== 0) fail(`${describeNode(node)}: ${C} channels are not a multiple of blocksize^2 = ${b * b}`);
  const c2 = C / (b * b);
  const dims = [N, c2, H * b, W * b];
  const at: number[] = [];
  forEachIndex(dims, ([n, c, y, x]) => {
    const [h, i, w, j] = [Math.floor(y / b), y % b, Math.floor(x / b), x % b];
    const k = mode === "DCR" ? (i * b + j) * c2 + c : c * b * b + i * b + j;
    at.push(((n * C + k) * H + h) * W + w);
  });
  return single(dims, at);
}

/** out[n, (i*b + j) * C + c, h, w] = in[n, c, h*b + i, w*b + j]: DepthToSpace's DCR inverse. */
function spaceToDepthPlan(node: Node, ins: Ins): Plan {
  const { b, N, C, H, W } = blockOf(node, ins[0]!.shape);
  if (H % b !== 0 || W % b !== 0) fail(`${describeNode(node)}: the spatial size ${H}x${W} is not a multiple of blocksize ${b}`);
  const dims = [N, C * b * b, H / b, W / b];
  const at: number[] = [];
  forEachIndex(dims, ([n, k, h, w]) => {
    const [ij, c] = [Math.floor(k / C), k % C];
    const [i, j] = [Math.floor(ij / b), ij % b];
    at.push(((n * C + c) * H + h * b + i) * W + w * b + j);
  });
  return single(dims, at);
}

const first = () => [0];

export const DepthToSpace = moveOp([1, 1], depthToSpacePlan, first);
export const SpaceToDepth = moveOp([1, 1], spaceToDepthPlan, first);

// ---------------------------------------------------------------------------------------------
// Trilu

/**
 * Trilu (opset 14): element [.., i, j] of the last two axes is kept when j - i >= k (upper, the
 * default) or j - i <= k (lower), else 0; k is the optional constant input 1, default 0. A kept
 * element is moved, a masked one is the padding constant 0: no constraint, no arithmetic.
 */
function triluPlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  if (x.length < 2) fail(`${describeNode(node)}: the input must have rank >= 2, got [${x}]`);
  const kList = intList(node, ins, "", 1, "k");
  if (kList && kList.length !== 1) fail(`${describeNode(node)}: k (input 1) must be a scalar, got ${kList.length} values`);
  const k = kList ? kList[0] : 0;
  const upper = attrInt(node, "upper", 1) !== 0;
  const src: number[] = [];
  const at: number[] = [];
  let flat = 0;
  forEachIndex(x, (idx) => {
    const [i, j] = idx.slice(-2);
    const keep = upper ? j - i >= k : j - i <= k;
    src.push(keep ? 0 : -1);
    at.push(keep ? flat : 0);
    flat++;
  });
  return { dims: [...x], src, at };
}

export const Trilu = moveOp([1, 2], triluPlan, first, () => 0);

// ---------------------------------------------------------------------------------------------
// CumSum

/** The axis of a CumSum: input 1, a constant integer scalar (or 1-element tensor). */
function cumAxis(node: Node, x: number[], axis: Tensor | "computed" | undefined): number {
  if (axis === undefined) fail(`${describeNode(node)}: missing input 1 (axis)`);
  if (axis === "computed") fail(`${describeNode(node)}: axis (input 1) must be a constant; a computed axis is not supported`);
  if (axis.data.length !== 1) fail(`${describeNode(node)}: axis (input 1) must be a scalar, got shape [${axis.dims}]`);
  return normAxis(node, axis.data[0], x.length);
}

/**
 * For each output element, the flat input elements it sums, as a running sum along the axis: with
 * `exclusive` the element itself is left out, with `reverse` the sum runs from the end.
 */
function cumulative<V>(node: Node, dims: number[], axis: number, data: V[], add: (a: V, b: V) => V, zero: () => V): V[] {
  const exclusive = attrInt(node, "exclusive", 0) !== 0;
  const reverse = attrInt(node, "reverse", 0) !== 0;
  const n = dims[axis];
  const inner = size(dims.slice(axis + 1));
  const outer = size(dims.slice(0, axis));
  const out = new Array<V>(data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc: V | undefined;
      for (let s = 0; s < n; s++) {
        const k = reverse ? n - 1 - s : s;
        const at = (o * n + k) * inner + i;
        if (exclusive) out[at] = acc ?? zero();
        acc = acc === undefined ? data[at] : add(acc, data[at]);
        if (!exclusive) out[at] = acc;
      }
    }
  return out;
}

/**
 * CumSum (opsets 11 and 14): running sums along a constant axis, a linear combination per element,
 * so no constraint; the scale is kept (each sum is exact).
 */
export const CumSum: OpDef = {
  arity: [2, 2],
  inferShapes(node, [x, axis]: ShapeArg[]) {
    cumAxis(node, x.shape, axis.tensor ?? "computed");
    return [x.shape];
  },
  fold: (node, [x, axis]) => [{ dims: x.dims, data: cumulative(node, x.dims, cumAxis(node, x.dims, axis), x.data, (a, b) => a + b, () => 0) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "x");
    const axis = cumAxis(node, x.shape, args[1]?.kind === "const" ? args[1].tensor : args[1] ? "computed" : undefined);
    const d = ctx.dom;
    return [{ shape: x.shape, scale: x.scale, data: cumulative(node, x.shape, axis, x.data, (a, b) => d.add(a, b), () => d.constant(0n)) }];
  },
};
