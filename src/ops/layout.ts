import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { QValue } from "./domain";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * Data-movement ops: every output element is one input element (or a padding constant), so they
 * cost no constraints. Each op computes a plan (output shape + where each output element comes
 * from) once, shared by shape inference, constant folding and the quantized semantics.
 */

/** Output element i is input `src[i]` at flat index `at[i]`; src -1 is the padding value. */
export interface Plan {
  dims: number[];
  src: number[];
  at: number[];
}

/** Inputs at their ONNX positions; undefined for an omitted optional input. */
export type Ins = (ShapeArg | undefined)[];

export function strides(dims: number[]): number[] {
  const s = dims.map(() => 1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Calls f with the multi-index of every element of `dims`, in row-major order. */
export function forEachIndex(dims: number[], f: (idx: number[]) => void): void {
  const n = size(dims);
  const idx = dims.map(() => 0);
  for (let k = 0; k < n; k++) {
    f(idx);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

export function normAxis(node: Node, axis: number, rank: number, what = "axis"): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(`${describeNode(node)}: ${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** A list of integers from an attribute (older opsets) or a constant input (newer opsets). */
export function intList(node: Node, ins: Ins, attr: string, input: number, role: string): number[] | undefined {
  const fromAttr = attrInts(node, attr);
  if (fromAttr) return fromAttr;
  const a = ins[input];
  if (!a) return undefined;
  if (!a.tensor) fail(`${describeNode(node)}: ${role} (input ${input}) must be a constant; computed ${role} are not supported`);
  if (a.tensor.data.some((v) => !Number.isInteger(v))) fail(`${describeNode(node)}: ${role} [${a.tensor.data}] must be integers`);
  return a.tensor.data;
}

export function single(dims: number[], at: number[]): Plan {
  return { dims, src: at.map(() => 0), at };
}

// ---------------------------------------------------------------------------------------------
// Plans

function transposePlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const r = x.length;
  const perm = attrInts(node, "perm") ?? x.map((_, i) => r - 1 - i);
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    fail(`${describeNode(node)}: perm [${perm}] is not a permutation of the ${r} axes of [${x}]`);
  const dims = perm.map((p) => x[p]);
  const sx = strides(x);
  const at: number[] = [];
  forEachIndex(dims, (idx) => at.push(idx.reduce((acc, v, i) => acc + v * sx[perm[i]], 0)));
  return single(dims, at);
}

function identityAt(dims: number[]): number[] {
  return Array.from({ length: size(dims) }, (_, i) => i);
}

function squeezePlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const given = intList(node, ins, "axes", 1, "axes");
  const axes = given ? given.map((a) => normAxis(node, a, x.length)) : x.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (x[a] !== 1) fail(`${describeNode(node)}: cannot squeeze axis ${a} of [${x}], its size is ${x[a]}, not 1`);
  const dims = x.filter((_, i) => !axes.includes(i));
  return single(dims, identityAt(dims));
}

function unsqueezePlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const given = intList(node, ins, "axes", 1, "axes");
  if (!given) fail(`${describeNode(node)}: Unsqueeze needs axes (attribute before opset 13, input 1 since)`);
  const rank = x.length + given.length;
  const axes = given.map((a) => normAxis(node, a, rank));
  if (new Set(axes).size !== axes.length) fail(`${describeNode(node)}: axes [${given}] contain duplicates`);
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x[k++]);
  return single(dims, identityAt(dims));
}

function concatPlan(node: Node, ins: Ins): Plan {
  const shapes = ins.map((a, i) => {
    if (!a) fail(`${describeNode(node)}: input ${i} is omitted`);
    return a.shape;
  });
  const r = shapes[0].length;
  if (!node.attrs.axis && node.attrs.axis !== 0) fail(`${describeNode(node)}: Concat needs an axis attribute`);
  const axis = normAxis(node, attrInt(node, "axis", 0), r);
  shapes.forEach((s, i) => {
    if (s.length !== r || s.some((d, j) => j !== axis && d !== shapes[0][j]))
      fail(`${describeNode(node)}: input ${i} has shape [${s}], which does not match [${shapes[0]}] outside axis ${axis}`);
  });
  const dims = [...shapes[0]];
  dims[axis] = shapes.reduce((acc, s) => acc + s[axis], 0);
  const offsets: number[] = [];
  shapes.reduce((acc, s, i) => ((offsets[i] = acc), acc + s[axis]), 0);
  const ss = shapes.map(strides);
  const src: number[] = [];
  const at: number[] = [];
  forEachIndex(dims, (idx) => {
    let k = 0;
    while (idx[axis] >= offsets[k] + shapes[k][axis]) k++;
    src.push(k);
    at.push(idx.reduce((acc, v, j) => acc + (j === axis ? v - offsets[k] : v) * ss[k][j], 0));
  });
  return { dims, src, at };
}

function slicePlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const starts = intList(node, ins, "starts", 1, "starts");
  const ends = intList(node, ins, "ends", 2, "ends");
  if (!starts || !ends) fail(`${describeNode(node)}: Slice needs starts and ends`);
  const axesIn = intList(node, ins, "axes", 3, "axes") ?? starts.map((_, i) => i);
  const steps = intList(node, ins, "steps", 4, "steps") ?? starts.map(() => 1);
  if (ends.length !== starts.length || axesIn.length !== starts.length || steps.length !== starts.length)
    fail(`${describeNode(node)}: starts, ends, axes and steps must have the same length`);
  const begin = x.map(() => 0);
  const step = x.map(() => 1);
  const dims = [...x];
  const seen = new Set<number>();
  starts.forEach((s0, i) => {
    const a = normAxis(node, axesIn[i], x.length);
    if (seen.has(a)) fail(`${describeNode(node)}: axis ${a} is sliced twice`);
    seen.add(a);
    const d = x[a];
    const st = steps[i];
    if (st === 0) fail(`${describeNode(node)}: step 0 on axis ${a}`);
    let s = s0 < 0 ? s0 + d : s0;
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (st > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    begin[a] = s;
    step[a] = st;
    dims[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  const sx = strides(x);
  const at: number[] = [];
  forEachIndex(dims, (idx) => at.push(idx.reduce((acc, v, j) => acc + (begin[j] + v * step[j]) * sx[j], 0)));
  return single(dims, at);
}

function padPlan(node: Node, ins: Ins): Plan {
  const mode = node.attrs.mode ?? "constant";
  if (mode !== "constant") fail(`${describeNode(node)}: Pad mode "${String(mode)}" is not supported; only "constant"`);
  const x = ins[0]!.shape;
  const r = x.length;
  const given = attrInts(node, "pads") ?? attrInts(node, "paddings") ?? intList(node, ins, "pads", 1, "pads");
  if (!given) fail(`${describeNode(node)}: Pad needs pads`);
  const axesIn = intList(node, ins, "", 3, "axes");
  const axes = axesIn ? axesIn.map((a) => normAxis(node, a, r)) : x.map((_, i) => i);
  if (given.length !== 2 * axes.length) fail(`${describeNode(node)}: ${given.length} pads for ${axes.length} axes; expected ${2 * axes.length}`);
  const before = x.map(() => 0);
  const after = x.map(() => 0);
  axes.forEach((a, i) => {
    before[a] = given[i];
    after[a] = given[i + axes.length];
  });
  const dims = x.map((d, i) => d + before[i] + after[i]);
  if (dims.some((d) => d < 0)) fail(`${describeNode(node)}: pads [${given}] crop [${x}] below zero`);
  const sx = strides(x);
  const src: number[] = [];
  const at: number[] = [];
  forEachIndex(dims, (idx) => {
    let flat = 0;
    let inside = true;
    idx.forEach((v, j) => {
      const p = v - before[j];
      if (p < 0 || p >= x[j]) inside = false;
      flat += p * sx[j];
    });
    src.push(inside ? 0 : -1);
    at.push(inside ? flat : 0);
  });
  return { dims, src, at };
}

function padValue(node: Node, ins: Ins): number {
  const a = ins[2];
  if (a) {
    if (!a.tensor) fail(`${describeNode(node)}: the constant_value (input 2) must be a constant`);
    if (a.tensor.data.length !== 1) fail(`${describeNode(node)}: constant_value must be a scalar`);
    return a.tensor.data[0];
  }
  const v = node.attrs.value;
  return typeof v === "number" ? v : 0;
}

function gatherPlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const ind = ins[1]!;
  if (!ind.tensor) fail(`${describeNode(node)}: the indices (input 1) must be a constant; computed indices are not supported`);
  const axis = normAxis(node, attrInt(node, "axis", 0), x.length);
  const d = x[axis];
  const indices = ind.tensor.data.map((v) => {
    const k = v < 0 ? v + d : v;
    if (!Number.isInteger(k) || k < 0 || k >= d) fail(`${describeNode(node)}: index ${v} is out of range for axis ${axis} of size ${d}`);
    return k;
  });
  const outer = size(x.slice(0, axis));
  const inner = size(x.slice(axis + 1));
  const dims = [...x.slice(0, axis), ...ind.tensor.dims, ...x.slice(axis + 1)];
  const at: number[] = [];
  for (let o = 0; o < outer; o++) for (const k of indices) for (let i = 0; i < inner; i++) at.push((o * d + k) * inner + i);
  return single(dims, at);
}

// ---------------------------------------------------------------------------------------------
// OpDefs from plans

export function moveOp(
  arity: [number, number],
  plan: (node: Node, ins: Ins) => Plan,
  /** Inputs that carry data (the others are indices, shapes...). */
  dataInputs: (node: Node, n: number) => number[],
  pad?: (node: Node, ins: Ins) => number,
): OpDef {
  return {
    arity,
    inferShapes: (node, ins) => [plan(node, ins.map((a, j) => (node.inputs[j] === "" ? undefined : a))).dims],
    fold(node, present: Tensor[]) {
      // fold receives only the present inputs: put them back at their ONNX positions.
      const full: (Tensor | undefined)[] = [];
      let k = 0;
      node.inputs.forEach((name, j) => (full[j] = name === "" ? undefined : present[k++]));
      const ins: Ins = full.map((t) => (t ? { shape: t.dims, tensor: t } : undefined));
      const p = plan(node, ins);
      const fill = pad ? pad(node, ins) : 0;
      return [{ dims: p.dims, data: p.src.map((s, i) => (s < 0 ? fill : full[s]!.data[p.at[i]])) }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const ins: Ins = node.inputs.map((name, j) => {
        const a = args[j];
        if (name === "" || !a) return undefined;
        return a.kind === "const" ? { shape: a.tensor.dims, tensor: a.tensor } : { shape: a.value.shape };
      });
      const data = dataInputs(node, node.inputs.length);
      const computed = data.filter((j) => args[j]?.kind === "value");
      if (computed.length === 0) fail(`${describeNode(node)}: expected a computed data input`);
      // Computed inputs at different scales are aligned to the finest by an exact power-of-two
      // multiplication; constant data (and the padding value) is quantized at that scale.
      const scale = Math.max(...computed.map((j) => (args[j] as { value: QValue<T> }).value.scale));
      const what = `${describeNode(node)} constant`;
      const sources = new Map<number, (i: number) => T>();
      for (const j of data) {
        const a = args[j];
        if (a.kind === "const") {
          const q = a.tensor.data.map((v) => quantizeReal(v, scale, what));
          sources.set(j, (i) => ctx.dom.constant(q[i]));
        } else {
          const up = 1n << BigInt(scale - a.value.scale);
          const vals = up === 1n ? a.value.data : a.value.data.map((v) => ctx.dom.mulConst(v, up));
          sources.set(j, (i) => vals[i]);
        }
      }
      const p = plan(node, ins);
      let fill: T | undefined;
      const padding = (): T => (fill ??= ctx.dom.constant(quantizeReal(pad ? pad(node, ins) : 0, scale, what)));
      return [{ shape: p.dims, scale, data: p.src.map((s, i) => (s < 0 ? padding() : sources.get(data[s])!(p.at[i]))) }];
    },
  };
}

const first = () => [0];

export const Transpose = moveOp([1, 1], transposePlan, first);
export const Squeeze = moveOp([1, 2], squeezePlan, first);
export const Unsqueeze = moveOp([1, 2], unsqueezePlan, first);
export const Concat = moveOp([1, Infinity], concatPlan, (_n, n) => Array.from({ length: n }, (_, i) => i));
export const Slice = moveOp([1, 5], slicePlan, first);
export const Pad = moveOp([1, 4], padPlan, first, padValue);
export const Gather = moveOp([2, 2], gatherPlan, first);
