import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { not } from "./composite";
import { QValue } from "./domain";
import { normAxis, strides } from "./layout";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * TopK with a constant k: the k largest (or smallest) elements along an axis, sorted, and their
 * int64 indices (scale 0). Ties as onnxruntime: the lower index first.
 *
 * A tournament: for every pair i < j one comparison bit (Domain.nonneg of x_i - x_j, or x_j - x_i for
 * the smallest) says whether i precedes j; "precedes" is a strict total order (ties broken by index),
 * so rank_i = the number of elements preceding i is a permutation of 0..n-1, linear in the bits. Slot r
 * then holds sum_i [rank_i == r] x_i (an isZero and a product per candidate) and the index
 * sum_i [rank_i == r] i (linear). sorted = 0 leaves the order unspecified in ONNX; it is sorted here too.
 *
 * Cost per axis of n elements: n(n-1)/2 comparisons (a decomposition of the difference each) plus
 * k n (isZero + product): for n = 5, k = 3 and 24-bit values about 10 x 25 + 15 x 3 = 295.
 */

/** k: the attribute before opset 10, the constant input 1 since. */
function kOf(node: Node, ins: (ShapeArg | Tensor | undefined)[]): number {
  let k: number | undefined;
  if (node.inputs.length > 1 && node.inputs[1] !== "") {
    const t = ins[1];
    const tensor = t && "data" in t ? t : t?.tensor;
    if (!tensor) fail(`${describeNode(node)}: K (input 1) must be a constant; a computed K is not supported`);
    if (tensor.data.length !== 1) fail(`${describeNode(node)}: K (input 1) must hold one value, got shape [${tensor.dims}]`);
    k = tensor.data[0];
  } else k = attrInt(node, "k", NaN);
  if (!Number.isInteger(k) || k < 0) fail(`${describeNode(node)}: k must be a non-negative integer, got ${k}`);
  return k;
}

interface TopKPlan {
  dims: number[];
  k: number;
  largest: boolean;
  /** The input elements of each axis line, and the output positions of its k slots. */
  lines: { at: number[]; out: number[] }[];
}

function plan(node: Node, dims: number[], ins: (ShapeArg | Tensor | undefined)[]): TopKPlan {
  const k = kOf(node, ins);
  const axis = normAxis(node, attrInt(node, "axis", -1), Math.max(dims.length, 1));
  const n = dims[axis];
  if (k > n) fail(`${describeNode(node)}: k = ${k} exceeds the ${n} elements of axis ${axis}`);
  const outDims = dims.map((d, i) => (i === axis ? k : d));
  const st = strides(dims);
  const ost = strides(outDims);
  const lines: TopKPlan["lines"] = [];
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++)
      lines.push({
        at: Array.from({ length: n }, (_, j) => o * n * inner + j * st[axis] + i),
        out: Array.from({ length: k }, (_, r) => o * k * inner + r * ost[axis] + i),
      });
  return { dims: outDims, k, largest: attrInt(node, "largest", 1) === 1, lines };
}

export const TopK: OpDef = {
  arity: [1, 2],
  inferShapes(node, ins) {
    const p = plan(node, ins[0].shape, ins);
    return [p.dims, p.dims];
  },
  fold(node, [x, kt]) {
    const p = plan(node, x.dims, [x, kt]);
    const values = new Array<number>(size(p.dims));
    const indices = new Array<number>(size(p.dims));
    for (const line of p.lines) {
      const order = line.at.map((_, j) => j).sort((a, b) => {
        const [va, vb] = [x.data[line.at[a]], x.data[line.at[b]]];
        return va === vb ? a - b : p.largest ? vb - va : va - vb;
      });
      line.out.forEach((o, r) => ((values[o] = x.data[line.at[order[r]]]), (indices[o] = order[r])));
    }
    return [{ dims: p.dims, data: values }, { dims: p.dims, data: indices }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const x = args[0];
    if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
    const ins = args.map((a) => (a === undefined ? undefined : a.kind === "const" ? a.tensor : { shape: a.value.shape }));
    const p = plan(node, x.value.shape, ins);
    const values = new Array<T>(size(p.dims));
    const indices = new Array<T>(size(p.dims));
    p.lines.forEach((line, l) => {
      const site = { node: node.name, index: l };
      const xs = line.at.map((i) => x.value.data[i]);
      const n = xs.length;
      // before[i][j] = 1 when element i precedes element j.
      const before: T[][] = Array.from({ length: n }, () => new Array<T>(n));
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const diff = p.largest ? d.add(xs[i], d.mulConst(xs[j], -1n)) : d.add(xs[j], d.mulConst(xs[i], -1n));
          before[i][j] = d.nonneg(diff, site);
          before[j][i] = not(d, before[i][j]);
        }
      const rank = xs.map((_, i) => {
        const others = before.map((row, j) => row[i]).filter((_, j) => j !== i);
        return others.length ? d.affine(others, others.map(() => 1n), 0n) : d.constant(0n);
      });
      line.out.forEach((o, r) => {
        const hot = rank.map((rk) => d.isZero(d.add(rk, d.constant(-BigInt(r))), site));
        values[o] = hot.map((h, i) => d.mul(h, xs[i], site)).reduce((a, b) => d.add(a, b));
        indices[o] = d.affine(hot, hot.map((_, i) => BigInt(i)), 0n);
      });
    });
    return [
      { shape: p.dims, scale: x.value.scale, data: values },
      { shape: p.dims, scale: 0, data: indices },
    ];
  },
};
