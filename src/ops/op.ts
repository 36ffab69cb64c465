import { fail } from "../errors";
import { describeNode, Node, Tensor } from "../ir/graph";
import { Domain, QuantParams, QValue } from "./domain";

/** An op input: a folded constant (weights, shapes) or a value computed from the graph inputs. */
export type Arg<T> = { kind: "const"; tensor: Tensor } | { kind: "value"; value: QValue<T> };

export interface ShapeArg {
  shape: number[];
  /** Present when the input is a compile-time constant. */
  tensor?: Tensor;
}

export interface OpContext<T> {
  dom: Domain<T>;
  quant: QuantParams;
  /** The model's ai.onnx opset: some ops changed their defaults between versions. */
  opset: number;
  /** Present when the model's parameters are private: layers lift their weights and biases through it. */
  params?: ParamBinder<T>;
  /**
   * True when a node's output may stay finer than the model scale (marked `fine`): every consumer is
   * a linear layer that takes it as it is, and rounding there is cheaper than here (see run.ts).
   * `excess`: the fraction bits the output would carry above the model scale, when known.
   */
  deferRounding?: (node: Node, excess?: number) => boolean;
}

/** Turns a layer's quantized parameter tensor into values of the domain (private, committed signals in a circuit). */
export interface ParamBinder<T> {
  lift(node: Node, role: string, values: bigint[]): T[];
}

/**
 * sum(ws[i] * xs[i]) + bias for a layer whose weights and bias are lifted parameters: a `dot` of
 * products (parameters are signals, so each term is a constraint) plus the bias.
 */
export function paramAffine<T>(ctx: OpContext<T>, node: Node, index: number, xs: T[], ws: T[], bias: T | undefined): T {
  const sum = xs.length === 0 ? ctx.dom.constant(0n) : ctx.dom.dot(xs, ws, { node: node.name, index });
  return bias === undefined ? sum : ctx.dom.add(sum, bias);
}

/** Everything hardhat-zkml knows about one ONNX op type. Adding an op means adding one of these. */
export interface OpDef {
  /** Required and maximum input count (ONNX marks an omitted optional input with ""). */
  arity: [min: number, max: number];
  /** Output shapes; throws a ZkmlError naming the node when the inputs do not fit. */
  inferShapes(node: Node, inputs: ShapeArg[]): number[][];
  /** Float evaluation when every input is constant: constant folding of shape-only subgraphs. */
  fold?(node: Node, inputs: Tensor[]): Tensor[];
  /** Outputs that depend only on the input shapes (Shape, Size): folded at import even for computed inputs. */
  foldShapes?(node: Node, inputs: ShapeArg[]): Tensor[];
  /** Quantized semantics in any numeric domain (evaluator, bounds, circuit). */
  apply<T>(ctx: OpContext<T>, node: Node, inputs: Arg<T>[]): QValue<T>[];
}

export function valueInput<T>(node: Node, args: Arg<T>[], i: number, role: string): QValue<T> {
  const a = args[i];
  if (!a) fail(`${describeNode(node)}: missing input ${i} (${role})`);
  if (a.kind !== "value") fail(`${describeNode(node)}: input ${i} (${role}) is a constant; expected a computed value`);
  return a.value;
}

export function constInput<T>(node: Node, args: Arg<T>[], i: number, role: string): Tensor {
  const a = args[i];
  if (!a) fail(`${describeNode(node)}: missing input ${i} (${role})`);
  if (a.kind !== "const")
    fail(`${describeNode(node)}: input ${i} (${role}) must be a constant initializer; computed ${role} are not supported yet`);
  return a.tensor;
}

/** Brings a value down to at most `target` fractional bits, through range-checked rescales. */
export function atMostScale<T>(ctx: OpContext<T>, node: Node, v: QValue<T>, target: number): QValue<T> {
  if (v.scale <= target) return v;
  const shift = v.scale - target;
  return {
    shape: v.shape,
    scale: target,
    data: v.data.map((x, index) => ctx.dom.rescale(x, shift, { node: node.name, index })),
  };
}

/** Brings a value to exactly `target` fractional bits: a rescale down, an exact multiplication up. */
export function atScale<T>(ctx: OpContext<T>, node: Node, v: QValue<T>, target: number): QValue<T> {
  if (v.scale >= target) return atMostScale(ctx, node, v, target);
  const up = 1n << BigInt(target - v.scale);
  return { shape: v.shape, scale: target, data: v.data.map((x) => ctx.dom.mulConst(x, up)) };
}
