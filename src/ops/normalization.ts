import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { BatchNormCoefficients, batchNormCoefficients, checkInference, checkShapes } from "../ir/batchnorm";
import { broadcastIndex } from "./broadcast";
import { QValue } from "./domain";
import { Arg, atMostScale, atScale, constInput, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * BatchNormalization in inference mode: y = x * a + b with a = scale / sqrt(var + epsilon) and
 * b = B - mean * a, per channel. The parameters are constants, so this is one affine term per
 * element: zero constraints. (fold-batchnorm.ts usually merges it into the preceding layer anyway.)
 */

/** The coefficient index of flat element i of x. */
const coefficientOf = (co: BatchNormCoefficients, i: number) => Math.floor(i / co.inner) % co.a.length;

export const BatchNormalization: OpDef = {
  arity: [5, 5],
  inferShapes(node, [x, ...params]: ShapeArg[]) {
    checkInference(node);
    checkShapes(node, x.shape, params.map((p) => p.shape));
    return [x.shape];
  },
  fold(node, [x, ...params]: Tensor[]) {
    checkInference(node);
    const co = batchNormCoefficients(node, x.dims, params);
    return [{ dims: x.dims, data: x.data.map((v, i) => v * co.a[coefficientOf(co, i)] + co.b[coefficientOf(co, i)]) }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    checkInference(node);
    const input = valueInput(node, args, 0, "X");
    const roles = ["scale", "B", "input_mean", "input_var"];
    const co = batchNormCoefficients(node, input.shape, roles.map((r, i) => constInput(node, args, i + 1, r)));
    const x = atMostScale(ctx, node, input, ctx.quant.scaleBits);
    const S = ctx.quant.scaleBits;
    const outScale = x.scale + S;
    const what = describeNode(node);
    const qa = co.a.map((v) => quantizeReal(v, S, `${what} scale / sqrt(var + epsilon)`));
    const qb = co.b.map((v) => quantizeReal(v, outScale, `${what} shift`));
    const data = x.data.map((v, i) => ctx.dom.affine([v], [qa[coefficientOf(co, i)]], qb[coefficientOf(co, i)]));
    return [{ shape: x.shape, scale: outScale, data }];
  },
};

/**
 * (x − mean) / sqrt(var + epsilon) over each group of element indices, at the model scale S, exactly
 * from the integers (no rounded mean). With X_i at scale S and N elements:
 *   d_i = N·X_i − sum(X)           = N·(x_i − mean)·2^S (exact),
 *   Q   = sum(d_i²)                = N³·var·2^(2S)      (one product each),
 *   W   = N·Q·2^(2k) + E           = N⁴·(var + eps)·2^(2S+2k), E = round(eps·N⁴·2^(2S+2k)),
 *   s   = floor(sqrt(W))           ≈ N²·2^(S+k)·sigma   (one constrained integer square root),
 *   y_i = round(N·d_i·2^(S+k) / s) = round(2^S·(x_i − mean)/sigma), one constrained division each,
 * rounded to nearest (ties toward +inf). k extra fraction bits keep the root's relative error
 * (<= 1/s) below a quarter step of the largest |y| (sqrt(N)). A zero s (a constant group with eps = 0)
 * has no proof.
 *
 * Every admitted witness is unique, so |y_i| <= 2·sqrt(N)·2^S + 1 for all of them (s + 1 >= sqrt(W) >=
 * sqrt(N)·|d_i|·2^k and s + 1 <= 2s): that bound, not the division's corner bound, sizes what follows.
 */
export function normalizeGroups<T>(ctx: OpContext<T>, node: Node, x: QValue<T>, groups: number[][], epsilon: number): T[] {
  const d = ctx.dom;
  const S = ctx.quant.scaleBits;
  const what = describeNode(node);
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) fail(`${what}: epsilon ${epsilon} must be a finite number >= 0`);
  const xs = atScale(ctx, node, x, S).data;
  const out: T[] = new Array(size(x.shape));
  let site = 0;
  for (const group of groups) {
    const N = group.length;
    const n = BigInt(N);
    const k = epsilon > 0 ? Math.min(2 * S, Math.max(0, Math.ceil(Math.log2(4 / (N ** 1.5 * Math.sqrt(epsilon)))))) : S;
    const vals = group.map((i) => xs[i]);
    const sum = d.affine(vals, vals.map(() => 1n), 0n);
    const dev = vals.map((v) => d.affine([v, sum], [n, -1n], 0n));
    const squares = dev.map((v) => d.mul(v, v, { node: node.name, index: site++ }));
    const Q = d.affine(squares, squares.map(() => 1n), 0n);
    const E = quantizeReal(epsilon * N ** 4, 2 * S + 2 * k, `${what} epsilon`);
    const W = d.affine([Q], [n << BigInt(2 * k)], E);
    const s = d.sqrt(W, { node: node.name, index: site++ });
    const den = d.mulConst(s, 2n);
    const bound = (BigInt(Math.ceil(2 * Math.sqrt(N))) << BigInt(S)) + 1n;
    group.forEach((i, j) => {
      const num = d.add(d.mulConst(dev[j], n << BigInt(k + S + 1)), s);
      out[i] = d.within(d.sdiv(num, den, { node: node.name, index: site++ }), -bound, bound);
    });
  }
  return out;
}

/** y·scale + bias per element, the coefficients' index given by `coef`: at scale S (integer scales) or 2S. */
function scaleAndShift<T>(ctx: OpContext<T>, node: Node, shape: number[], y: T[], scale: Tensor, bias: Tensor | undefined, coef: (i: number) => number): QValue<T> {
  const S = ctx.quant.scaleBits;
  const what = describeNode(node);
  const gScale = scale.data.every((v) => Number.isInteger(v)) ? 0 : S;
  const g = scale.data.map((v) => quantizeReal(v, gScale, `${what} scale`));
  const b = (bias?.data ?? scale.data.map(() => 0)).map((v) => quantizeReal(v, S + gScale, `${what} bias`));
  return { shape, scale: S + gScale, data: y.map((v, i) => ctx.dom.affine([v], [g[coef(i)]], b[coef(i)])) };
}

function onlyFirstOutput(node: Node): void {
  if (node.outputs.slice(1).some((o) => o !== "")) fail(`${describeNode(node)}: only the output Y is supported (not Mean or InvStdDev)`);
}

/** ONNX LayerNormalization (opset 17): normalized over the dimensions from `axis` on, then scale and B. */
export const LayerNormalization: OpDef = {
  arity: [2, 3],
  inferShapes(node, [x]: ShapeArg[]) {
    onlyFirstOutput(node);
    layerAxis(node, x.shape);
    return [x.shape];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    onlyFirstOutput(node);
    const x = valueInput(node, args, 0, "X");
    const axis = layerAxis(node, x.shape);
    const inner = size(x.shape.slice(axis));
    const groups = Array.from({ length: size(x.shape) / inner }, (_, g) => Array.from({ length: inner }, (_, j) => g * inner + j));
    const y = normalizeGroups(ctx, node, x, groups, attrFloat(node, "epsilon", 1e-5));
    const scale = constInput(node, args, 1, "Scale");
    const bias = args[2] ? constInput(node, args, 2, "B") : undefined;
    const suffix = x.shape.slice(axis);
    const what = describeNode(node);
    const ig = broadcastIndex(suffix, broadcastTo(scale.dims, suffix, what, "Scale"));
    const ib = bias ? broadcastIndex(suffix, broadcastTo(bias.dims, suffix, what, "B")) : undefined;
    // Scale and B broadcast separately: expand both to the normalized shape first.
    const g: Tensor = { dims: suffix, data: ig.map((j) => scale.data[j]) };
    const b: Tensor | undefined = bias && ib ? { dims: suffix, data: ib.map((j) => bias.data[j]) } : undefined;
    return [scaleAndShift(ctx, node, x.shape, y, g, b, (i) => i % inner)];
  },
};

/** ONNX InstanceNormalization: each (n, c) plane normalized, then the per-channel scale and B. */
export const InstanceNormalization: OpDef = {
  arity: [3, 3],
  inferShapes(node, [x]: ShapeArg[]) {
    if (x.shape.length < 3) fail(`${describeNode(node)}: input must have rank >= 3 (N, C, D1, ...), got [${x.shape}]`);
    return [x.shape];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "input");
    const C = x.shape[1];
    const inner = size(x.shape.slice(2));
    const scale = constInput(node, args, 1, "scale");
    const bias = constInput(node, args, 2, "B");
    if (size(scale.dims) !== C || size(bias.dims) !== C) fail(`${describeNode(node)}: scale and B must have C = ${C} values`);
    const groups = Array.from({ length: size(x.shape) / inner }, (_, g) => Array.from({ length: inner }, (_, j) => g * inner + j));
    const y = normalizeGroups(ctx, node, x, groups, attrFloat(node, "epsilon", 1e-5));
    return [scaleAndShift(ctx, node, x.shape, y, scale, bias, (i) => Math.floor(i / inner) % C)];
  },
};

/**
 * ONNX GroupNormalization: the C channels split into num_groups groups of C / num_groups consecutive
 * channels, each (n, group) normalized over its channels and spatial positions, then scale and bias:
 * one value per group before opset 21 (opset 18's definition), one per channel since.
 */
export const GroupNormalization: OpDef = {
  arity: [3, 3],
  inferShapes(node, [x]: ShapeArg[]) {
    groupCount(node, x.shape);
    return [x.shape];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "X");
    const G = groupCount(node, x.shape);
    const C = x.shape[1];
    const inner = size(x.shape.slice(2));
    const perChannel = ctx.opset >= 21;
    const scale = constInput(node, args, 1, "scale");
    const bias = constInput(node, args, 2, "bias");
    const want = perChannel ? C : G;
    if (size(scale.dims) !== want || size(bias.dims) !== want)
      fail(`${describeNode(node)}: scale and bias must have ${want} values (${perChannel ? "one per channel since opset 21" : "one per group before opset 21"}), got [${scale.dims}] and [${bias.dims}] (model opset ${ctx.opset})`);
    const span = (C / G) * inner;
    const groups = Array.from({ length: size(x.shape) / span }, (_, g) => Array.from({ length: span }, (_, j) => g * span + j));
    const y = normalizeGroups(ctx, node, x, groups, attrFloat(node, "epsilon", 1e-5));
    const channel = (i: number) => Math.floor(i / inner) % C;
    return [scaleAndShift(ctx, node, x.shape, y, scale, bias, perChannel ? channel : (i) => Math.floor(channel(i) / (C / G)))];
  },
};

/** num_groups, checked against the input's rank and channel count. */
function groupCount(node: Node, shape: number[]): number {
  const what = describeNode(node);
  if (shape.length < 2) fail(`${what}: input must have rank >= 2 (N, C, ...), got [${shape}]`);
  const G = attrInt(node, "num_groups", 0);
  if (!Number.isInteger(G) || G < 1) fail(`${what}: num_groups must be a positive integer (attribute required), got ${node.attrs.num_groups ?? "none"}`);
  if (shape[1] % G !== 0) fail(`${what}: num_groups ${G} does not divide the ${shape[1]} channels`);
  return G;
}

function layerAxis(node: Node, shape: number[]): number {
  const a = attrInt(node, "axis", -1);
  const axis = a < 0 ? a + shape.length : a;
  if (axis < 0 || axis >= shape.length) fail(`${describeNode(node)}: axis ${a} is out of range for rank ${shape.length}`);
  return axis;
}

/** dims, checked to broadcast (numpy, unidirectionally) to `to`. */
function broadcastTo(dims: number[], to: number[], what: string, role: string): number[] {
  const pad = to.length - dims.length;
  if (pad < 0 || dims.some((d, i) => d !== 1 && d !== to[pad + i])) fail(`${what}: ${role} of shape [${dims}] does not broadcast to the normalized shape [${to}]`);
  return dims;
}

function attrFloat(node: Node, name: string, dflt: number): number {
  const v = node.attrs[name];
  return typeof v === "number" ? v : dflt;
}
