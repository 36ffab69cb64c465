import { fail } from "../errors";
import { describeNode, Node } from "../ir/graph";
import { Elu, Erf, Gelu, LeakyRelu, PRelu, Sigmoid, Softmax, Tanh } from "./activations";
import { Div, Mul, Pow } from "./arith";
import { Conv } from "./conv";
import { ConvTranspose } from "./conv-transpose";
import { Add, Max, Mean, Min, Neg, Sub, Sum } from "./elementwise";
import { Abs, Clip, HardSigmoid, HardSwish, Sign } from "./clamp";
import { Concat, Pad, Slice, Squeeze, Transpose, Unsqueeze } from "./layout";
import { Gemm, MatMul } from "./linear";
import { BatchNormalization } from "./normalization";
import { OpDef } from "./op";
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from "./pool";
import { Relu } from "./relu";
import { Constant, Dropout, Flatten, Identity, Reshape } from "./shape-ops";
import { Cast } from "./cast";
import { And, Equal, Greater, GreaterOrEqual, Less, LessOrEqual, Not, Or, Xor } from "./compare";
import { Where } from "./where";
import { ArgMax, ArgMin, ReduceMax, ReduceMean, ReduceMin, ReduceSum } from "./reduce";
import { Gather, GatherElements } from "./gather";
import { ConstantOfShape, Expand, Range, Shape, Size, Tile } from "./shape-subgraph";
import { CumSum, DepthToSpace, SpaceToDepth, Split, Trilu } from "./rearrange";
import { Einsum } from "./einsum";
import { Resize, Upsample } from "./resize";
import { Ceil, Floor, Round } from "./rounding";
import { OneHot } from "./onehot";

const OPS: Record<string, OpDef> = {
  Gemm, MatMul, Conv, Add, Sub, Relu, Flatten, Reshape, Identity, Cast, Constant,
  Transpose, Squeeze, Unsqueeze, Concat, Slice, Pad, Gather,
  Sigmoid, Tanh, Erf, Elu, Gelu, LeakyRelu, PRelu, Softmax,
  Less, LessOrEqual, Greater, GreaterOrEqual, Equal, And, Or, Xor, Not, Where,
  ArgMax, ArgMin, ReduceSum, ReduceMean, ReduceMax, ReduceMin, GatherElements,
  Shape, Size, ConstantOfShape, Expand, Tile, Range,
  Mul, Div, Pow,
  AveragePool, MaxPool, GlobalAveragePool, GlobalMaxPool,
  BatchNormalization,
  ConvTranspose,
  Neg, Abs, Sign, Clip, Max, Min, Sum, Mean, HardSigmoid, HardSwish, Dropout,
  Split, DepthToSpace, SpaceToDepth, Trilu, CumSum, Einsum, Resize, Upsample, Floor, Ceil, Round, OneHot,
};

export function supportedOps(): string[] {
  return Object.keys(OPS).sort();
}

export function opFor(node: Node): OpDef {
  const op = Object.prototype.hasOwnProperty.call(OPS, node.op) ? OPS[node.op] : undefined;
  if (!op) fail(`unsupported op: ${describeNode(node)} (${node.op}). Supported ops: ${supportedOps().join(", ")}`);
  return op;
}

// Signed division and square roots of computed values, and the normalizations built on them (issue 17).
import { Reciprocal, Softsign, Sqrt } from "./arith";
import { GroupNormalization, InstanceNormalization, LayerNormalization } from "./normalization";
Object.assign(OPS, { Reciprocal, Sqrt, LayerNormalization, InstanceNormalization, Softsign, GroupNormalization });

// Exp/Log family, ReduceProd/ReduceLogSumExp/ReduceSumSquare/ReduceL2/ReduceL1, Mod, TopK, ScatterND/ScatterElements (imports are hoisted).
import { Celu, Exp, Log, LogSoftmax, Mish, Selu, Softplus } from "./logexp";
import { Mod } from "./mod";
import { ReduceL1, ReduceL2, ReduceLogSumExp, ReduceProd, ReduceSumSquare } from "./reduce";
import { ScatterElements, ScatterND } from "./scatter";
import { TopK } from "./topk";
Object.assign(OPS, { Exp, Log, Softplus, Selu, Celu, Mish, LogSoftmax, ReduceLogSumExp, ReduceProd, ReduceSumSquare, ReduceL2, ReduceL1, Mod, TopK, ScatterND, ScatterElements });
