import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "./graph";

/**
 * BatchNormalization's inference coefficients, y = x * a + b with a = scale / sqrt(var + epsilon) and
 * b = B - mean * a: read from the node's constant parameters by the op (ops/normalization.ts) and by
 * the pass that folds it into the layer before (fold-batchnorm.ts).
 */

/** The per-channel (or, with opset < 9's spatial=0, per-element) coefficients a and b. */
export interface BatchNormCoefficients {
  a: number[];
  b: number[];
  /** How many consecutive elements of x share one coefficient: the spatial size, or 1 for spatial=0. */
  inner: number;
}

export function checkInference(node: Node): void {
  const d = describeNode(node);
  if (attrInt(node, "training_mode", 0) !== 0) fail(`${d}: training_mode=1 is not supported (only inference)`);
  if (node.outputs.slice(1).some((o) => o !== ""))
    fail(`${d}: the running mean/variance outputs are training outputs and are not supported (only Y)`);
}

export function checkShapes(node: Node, x: number[], params: number[][]): { perElement: boolean } {
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

