import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../quantize/fixed-point";
import { QValue } from "./domain";
import { Arg, atMostScale, constInput, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * BatchNormalization in inference mode: y = x * a + b with a = scale / sqrt(var + epsilon) and
 * b = B - mean * a, per channel. The parameters are constants, so this is one affine term per
 * element: zero constraints. (fold-batchnorm.ts usually merges it into the preceding layer anyway.)
 */

/** The per-channel (or, with opset < 9's spatial=0, per-element) coefficients a and b. */
export interface BatchNormCoefficients {
  a: number[];
  b: number[];
  /** How many consecutive elements of x share one coefficient: the spatial size, or 1 for spatial=0. */
  inner: number;
}

function checkInference(node: Node): void {
  const d = describeNode(node);
  if (attrInt(node, "training_mode", 0) !== 0) fail(`${d}: training_mode=1 is not supported (only inference)`);
  if (node.outputs.slice(1).some((o) => o !== ""))
    fail(`${d}: the running mean/variance outputs are training outputs and are not supported (only Y)`);
}

function checkShapes(node: Node, x: number[], params: number[][]): { perElement: boolean } {
  const d = describeNode(node);
  if (x.length < 2) fail(`${d}: the input must be [N, C, ...], got [${x}]`);
  const C = x[1];
  // Before opset 9, spatial=0 gives every (channel, position) its own parameters, shaped [C, D1, ...].
  const perElement = attrInt(node, "spatial", 1) === 0 && x.length > 2;
  const want = perElement ? x.slice(1) : [C];
  for (const p of params)
    if (size(p) !== size(want)) fail(`${d}: scale, B, mean and var must be [${want}], got [${p}]`);
  return { perElement };
}

export function batchNormCoefficients(node: Node, xShape: number[], [scale, bias, mean, variance]: Tensor[]): BatchNormCoefficients {
  const { perElement } = checkShapes(node, xShape, [scale.dims, bias.dims, mean.dims, variance.dims]);
  const epsilon = typeof node.attrs.epsilon === "number" ? node.attrs.epsilon : 1e-5;
  const a = scale.data.map((s, i) => {
    const v = variance.data[i] + epsilon;
    if (!(v > 0)) fail(`${describeNode(node)}: var + epsilon is ${v} for channel ${i}; it must be positive`);
    return s / Math.sqrt(v);
  });
  const b = bias.data.map((bb, i) => bb - mean.data[i] * a[i]);
  return { a, b, inner: perElement ? 1 : size(xShape.slice(2)) };
}

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
