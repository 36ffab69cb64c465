import { fail } from "../errors";
import { attrInt, describeNode, Node, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { broadcastIndex, broadcastShapes } from "./broadcast";
import { batchedMatMulShape, matMulOfValues } from "./arith";
import { QValue } from "./domain";
import { Arg, atMostScale, constInput, OpContext, OpDef, paramAffine, ShapeArg, valueInput } from "./op";

/**
 * Gemm and MatMul with constant weights. Fixed weights are circuit constants, so a layer costs no
 * multiplication constraints: each output is one linear combination, rescaled by its consumer.
 * Private weights are signals, so each weight-activation product costs one constraint.
 */

function matmulShape(node: Node, a: number[], b: number[]): number[] {
  if (b.length !== 2) fail(`${describeNode(node)}: the weight operand must be 2-D, got [${b}]`);
  if (a.length < 1 || a[a.length - 1] !== b[0])
    fail(`${describeNode(node)}: cannot multiply [${a}] by [${b}]`);
  return [...a.slice(0, -1), b[1]];
}

/** A layer's bias: the tensor element feeding each flat output, and that element's value. */
interface Bias {
  index: (flatOut: number) => number;
  value: (element: number) => number;
  count: number;
}

/**
 * out[row, n] = sum_k x[row, k] * W[k, n] + bias[row, n], weights and bias quantized here. With private
 * parameters, W (as a K x N matrix, row-major) and the bias tensor are lifted to committed signals.
 */
function applyAffine<T>(
  ctx: OpContext<T>,
  node: Node,
  input: QValue<T>,
  weights: (k: number, n: number) => number,
  K: number,
  N: number,
  bias: Bias | undefined,
): QValue<T> {
  const x = input.fine ? input : atMostScale(ctx, node, input, ctx.quant.scaleBits);
  const wScale = ctx.quant.scaleBits;
  const outScale = x.scale + wScale;
  const rows = x.data.length / K;
  const what = describeNode(node);
  const cols: bigint[][] = [];
  for (let n = 0; n < N; n++) {
    const col: bigint[] = [];
    for (let k = 0; k < K; k++) col.push(quantizeReal(weights(k, n), wScale, `${what} weight`));
    cols.push(col);
  }
  const qb = bias && Array.from({ length: bias.count }, (_, e) => quantizeReal(bias.value(e), outScale, `${what} bias`));
  const P = ctx.params;
  const pw = P?.lift(node, "weight", Array.from({ length: K * N }, (_, i) => cols[i % N][Math.floor(i / N)]));
  const pb = qb && P?.lift(node, "bias", qb);
  const data: T[] = [];
  for (let r = 0; r < rows; r++) {
    const xs = x.data.slice(r * K, (r + 1) * K);
    for (let n = 0; n < N; n++) {
      const e = bias?.index(r * N + n);
      if (pw) {
        const ws = Array.from({ length: K }, (_, k) => pw[k * N + n]);
        data.push(paramAffine(ctx, node, r * N + n, xs, ws, pb && e !== undefined ? pb[e] : undefined));
      } else data.push(ctx.dom.affine(xs, cols[n], qb && e !== undefined ? qb[e] : 0n));
    }
  }
  return { shape: [...x.shape.slice(0, -1), N], scale: outScale, data };
}

export const MatMul: OpDef = {
  arity: [2, 2],
  inferShapes(node, [a, b]: ShapeArg[]) {
    if (!b.tensor) return [batchedMatMulShape(node, a.shape, b.shape)];
    return [matmulShape(node, a.shape, b.shape)];
  },
  apply(ctx, node, args) {
    if (args[0]?.kind === "const") fail(`${describeNode(node)}: a constant left operand is not supported yet`);
    if (args[1]?.kind === "value") return [matMulOfValues(ctx, node, args)];
    const a = valueInput(node, args, 0, "A");
    const w = constInput(node, args, 1, "weights");
    const [K, N] = w.dims;
    return [applyAffine(ctx, node, a, (k, n) => w.data[k * N + n], K, N, undefined)];
  },
};

function gemmDims(node: Node, a: number[], b: number[]) {
  if (a.length !== 2 || b.length !== 2) fail(`${describeNode(node)}: Gemm needs 2-D operands, got [${a}] and [${b}]`);
  const [M, K] = attrInt(node, "transA", 0) ? [a[1], a[0]] : a;
  const [Kb, N] = attrInt(node, "transB", 0) ? [b[1], b[0]] : b;
  if (K !== Kb) fail(`${describeNode(node)}: cannot multiply [${a}] by [${b}] (transA/transB applied)`);
  return { M, K, N };
}

export const Gemm: OpDef = {
  arity: [2, 3],
  inferShapes(node, [a, b, c]: ShapeArg[]) {
    const { M, N } = gemmDims(node, a.shape, b.shape);
    if (c) broadcastShapes(c.shape, [M, N], describeNode(node));
    return [[M, N]];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]) {
    let a = valueInput(node, args, 0, "A");
    const w = constInput(node, args, 1, "B");
    const c: Tensor | undefined = args[2] ? constInput(node, args, 2, "C") : undefined;
    const { M, K, N } = gemmDims(node, a.shape, w.dims);
    if (attrInt(node, "transA", 0)) {
      const src = a.data;
      a = { ...a, shape: [M, K], data: src.map((_, i) => src[(i % K) * M + Math.floor(i / K)]) };
    }
    const alpha = (node.attrs.alpha as number | undefined) ?? 1;
    const beta = (node.attrs.beta as number | undefined) ?? 1;
    const weight = attrInt(node, "transB", 0)
      ? (k: number, n: number) => alpha * w.data[n * K + k]
      : (k: number, n: number) => alpha * w.data[k * N + n];
    const cIndex = c && broadcastIndex([M, N], c.dims);
    const bias = c && cIndex ? { index: (i: number) => cIndex[i], value: (e: number) => beta * c.data[e], count: c.data.length } : undefined;
    return [applyAffine(ctx, node, a, weight, K, N, bias)];
  },
};
