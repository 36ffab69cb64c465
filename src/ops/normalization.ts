import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { BatchNormCoefficients, batchNormCoefficients, checkInference, checkShapes } from "../ir/batchnorm";
import { QValue } from "./domain";
import { Arg, atMostScale, constInput, OpContext, OpDef, ShapeArg, valueInput } from "./op";

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
