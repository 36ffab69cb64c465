import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { maxOf, minOf } from "./composite";
import { QValue } from "./domain";
import { forEachIndex, normAxis, strides } from "./layout";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * ScatterND and ScatterElements with constant indices: the output is the data with updates written
 * at positions known at compile time, so reduction "none" (the last write wins, as onnxruntime) and
 * "add" are data movement and sums, free; "mul" is one product and one rescale back to the data's
 * scale per update, "max"/"min" one Relu per update. Data and updates (either may be a constant) are
 * aligned to the finer computed scale by an exact power-of-two multiplication.
 */

type Reduction = "none" | "add" | "mul" | "max" | "min";

function reductionOf(node: Node, opset: number | undefined): Reduction {
  const r = node.attrs.reduction ?? "none";
  if (typeof r !== "string" || !["none", "add", "mul", "max", "min"].includes(r)) fail(`${describeNode(node)}: unknown reduction ${JSON.stringify(r)}`);
  if (opset !== undefined && r !== "none" && opset < 16) fail(`${describeNode(node)}: reduction "${r}" exists since opset 16 (model opset ${opset})`);
  if (opset !== undefined && (r === "max" || r === "min") && opset < 18) fail(`${describeNode(node)}: reduction "${r}" exists since opset 18 (model opset ${opset})`);
  return r as Reduction;
}

/** Writes in order: update element `upd` goes to data element `at`. */
interface Writes {
  dims: number[];
  writes: { at: number; upd: number }[];
}

function constIndices(node: Node, ind: ShapeArg | undefined): Tensor {
  if (!ind?.tensor) fail(`${describeNode(node)}: indices (input 1) must be a constant; computed indices are not supported`);
  return ind.tensor;
}

function checkUpdates(node: Node, updates: number[], expected: number[]): void {
  if (updates.length !== expected.length || updates.some((d, i) => d !== expected[i]))
    fail(`${describeNode(node)}: updates have shape [${updates}], expected [${expected}]`);
}

function ndWrites(node: Node, [data, ind, upd]: (ShapeArg | undefined)[]): Writes {
  const t = constIndices(node, ind);
  const r = data!.shape.length;
  const q = t.dims[t.dims.length - 1];
  if (t.dims.length < 1 || q > r) fail(`${describeNode(node)}: indices of shape [${t.dims}] do not fit data of rank ${r}`);
  const lead = t.dims.slice(0, -1);
  const tail = data!.shape.slice(q);
  checkUpdates(node, upd!.shape, [...lead, ...tail]);
  const st = strides(data!.shape);
  const block = size(tail);
  const writes: Writes["writes"] = [];
  for (let j = 0; j < size(lead); j++) {
    let base = 0;
    for (let a = 0; a < q; a++) {
      const v = t.data[j * q + a];
      const n = data!.shape[a];
      const k = v < 0 ? v + n : v;
      if (!Number.isInteger(k) || k < 0 || k >= n) fail(`${describeNode(node)}: index ${v} is out of range for axis ${a} of size ${n}`);
      base += k * st[a];
    }
    for (let e = 0; e < block; e++) writes.push({ at: base + e, upd: j * block + e });
  }
  return { dims: data!.shape, writes };
}

function elementsWrites(node: Node, [data, ind, upd]: (ShapeArg | undefined)[]): Writes {
  const t = constIndices(node, ind);
  const dims = data!.shape;
  const axis = normAxis(node, attrInt(node, "axis", 0), dims.length);
  checkUpdates(node, upd!.shape, t.dims);
  if (t.dims.length !== dims.length || t.dims.some((d, i) => i !== axis && d > dims[i]))
    fail(`${describeNode(node)}: indices [${t.dims}] do not fit data [${dims}]`);
  const st = strides(dims);
  const writes: Writes["writes"] = [];
  let j = 0;
  forEachIndex(t.dims, (idx) => {
    const v = t.data[j];
    const k = v < 0 ? v + dims[axis] : v;
    if (!Number.isInteger(k) || k < 0 || k >= dims[axis]) fail(`${describeNode(node)}: index ${v} is out of range for axis ${axis} of size ${dims[axis]}`);
    writes.push({ at: idx.reduce((acc, x, i) => acc + (i === axis ? k : x) * st[i], 0), upd: j++ });
  });
  return { dims, writes };
}

const FLOAT: Record<Reduction, (a: number, b: number) => number> = {
  none: (_a, b) => b, add: (a, b) => a + b, mul: (a, b) => a * b, max: Math.max, min: Math.min,
};

function scatterOp(plan: (node: Node, ins: (ShapeArg | undefined)[]) => Writes): OpDef {
  return {
    arity: [3, 3],
    inferShapes: (node, ins) => [plan(node, ins).dims],
    fold(node, [data, ind, upd]) {
      const p = plan(node, [data, ind, upd].map((t) => ({ shape: t.dims, tensor: t })));
      const f = FLOAT[reductionOf(node, undefined)];
      const out = [...data.data];
      for (const w of p.writes) out[w.at] = f(out[w.at], upd.data[w.upd]);
      return [{ dims: p.dims, data: out }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const d = ctx.dom;
      const reduction = reductionOf(node, ctx.opset);
      const ins = args.map((a) => (a.kind === "const" ? { shape: a.tensor.dims, tensor: a.tensor } : { shape: a.value.shape }));
      const p = plan(node, ins);
      const [data, , upd] = args;
      const computed = [data, upd].filter((a) => a.kind === "value").map((a) => (a as { value: QValue<T> }).value);
      if (computed.length === 0) fail(`${describeNode(node)}: expected computed data or updates`);
      const scale = Math.max(...computed.map((v) => v.scale));
      const values = (a: Arg<T>): T[] => {
        if (a.kind === "const") return a.tensor.data.map((v) => d.constant(quantizeReal(v, scale, `${describeNode(node)} constant`)));
        const up = 1n << BigInt(scale - a.value.scale);
        return up === 1n ? a.value.data : a.value.data.map((v) => d.mulConst(v, up));
      };
      // A copy: the input's own array may be shared with its other readers.
      const out = [...values(data)];
      const u = values(upd);
      p.writes.forEach((w, index) => {
        const site = { node: node.name, index };
        const [a, b] = [out[w.at], u[w.upd]];
        if (reduction === "none") out[w.at] = b;
        else if (reduction === "add") out[w.at] = d.add(a, b);
        else if (reduction === "max") out[w.at] = maxOf(d, b, a, site);
        else if (reduction === "min") out[w.at] = minOf(d, a, b, site);
        else out[w.at] = scale === 0 ? d.mul(a, b, site) : d.rescale(d.mul(a, b, site), scale, site);
      });
      return [{ shape: p.dims, scale, data: out }];
    },
  };
}

export const ScatterND = scatterOp(ndWrites);
export const ScatterElements = scatterOp(elementsWrites);
