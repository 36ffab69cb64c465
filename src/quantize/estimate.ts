import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Graph, Node, size } from "../ir/graph";
import { SOFTMAX_MASK } from "../ir/masked-softmax";

/**
 * A cheap estimate of a model's constraints from its graph alone (shapes × a per-op cost), made
 * before calibration so that a model that can never be set up here is refused in seconds, not after
 * minutes of calibrating (issue 17: a 220,000-element MaxPool, about 10^8 constraints, spent 15 minutes
 * and 4 GB in calibration first).
 *
 * The costs are lower bounds of what the ops emit, so the estimate does not refuse a model that fits:
 * a sign decomposition of about `inputBits` constraints per compared element (ReLU, MaxPool, a
 * comparison: the value's width is at least the input's), `inputBits + scaleBits` per rounded one (a
 * rescale's shift on top); tables, products and selections on top of that. Windows cut by padding
 * compare fewer elements, so a tiny padded pool is overestimated; on the maps this refuses, the border
 * is a small fraction.
 */

/** Ops that cost nothing per element: data movement, sums and constant affine maps. */
const FREE = new Set([
  "Add", "Sub", "Neg", "Sum", "Mean", "Identity", "Dropout", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze",
  "Concat", "Slice", "Pad", "Expand", "Tile", "Cast", "BatchNormalization", "AveragePool", "GlobalAveragePool",
  "ReduceSum", "ReduceMean", "Not", "Split", "DepthToSpace", "SpaceToDepth", "Trilu", "CumSum", "Resize", "Upsample",
  // Einsum lowers onto MatMul (a rescale per output when its consumer needs one) and Clip without bounds is free:
  // counted as 0, a lower bound, so neither ever causes a refusal.
  "Einsum", "Clip",
  // Constant-index scatters are data movement and sums ("mul"/"max"/"min" reductions counted as 0: a lower bound).
  "ScatterND", "ScatterElements",
]);

/** Table-based activations: a decomposition plus at least 20 constraints of lookup (README, "Exp-based activations": 10–85). */
const TABLES = new Set(["Sigmoid", "Tanh", "Erf", "Elu", "Gelu", "Softplus", "Selu", "Celu", "Mish", "Exp", "Log"]);

export interface NodeEstimate {
  node: string;
  constraints: number;
}

export interface GraphEstimate {
  constraints: number;
  /** Every node with a cost, largest first. */
  nodes: NodeEstimate[];
}

/** Estimated constraints of a graph at `scaleBits` with `inputBits`-bit inputs (a lower estimate). */
export function estimateGraph(graph: Graph, quant: { scaleBits: number; inputBits: number }): GraphEstimate {
  const d = { sign: quant.inputBits, round: quant.inputBits + quant.scaleBits };
  const inputs = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0) * (quant.inputBits + 1);
  const fused = fusedLayers(graph);
  const nodes = graph.nodes
    .map((node) => ({ node: describeNode(node), constraints: fused.has(node) ? 0 : nodeCost(graph, node, d) }))
    .filter((n) => n.constraints > 0);
  nodes.sort((a, b) => b.constraints - a.constraints);
  return { constraints: nodes.reduce((n, e) => n + e.constraints, inputs), nodes };
}

/** Ops whose one decomposition also does the rescale a linear layer before them leaves pending. */
const FUSING = new Set(["Relu", "LeakyRelu", "PRelu", "Softmax", ...TABLES]);
const LINEAR = new Set(["Gemm", "MatMul", "Conv", "ConvTranspose"]);

/** Linear layers whose every consumer rounds their output anyway: their rescale costs nothing more. */
function fusedLayers(graph: Graph): Set<Node> {
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  return new Set(graph.nodes.filter((n) => LINEAR.has(n.op) && !outputs.has(n.outputs[0]) && (consumers.get(n.outputs[0]) ?? []).every((c) => FUSING.has(c.op))));
}

function nodeCost(graph: Graph, node: Node, d: { sign: number; round: number }): number {
  const out = size(graph.shapes.get(node.outputs[0]) ?? [0]);
  const input = (i: number) => graph.shapes.get(node.inputs[i]) ?? graph.constants.get(node.inputs[i])?.dims ?? [];
  const computed = (i: number) => !graph.constants.has(node.inputs[i]);
  if (FREE.has(node.op)) return 0;
  switch (node.op) {
    case "Conv":
    case "ConvTranspose":
      return out * d.round;
    case "Gemm":
    case "MatMul": {
      // One rescale per output; with two computed operands also one product per multiply-accumulate.
      const a = input(0);
      const k = a.length > 0 ? a[a.length - (node.op === "Gemm" && attrInt(node, "transA", 0) ? 2 : 1)] : 1;
      return out * (d.round + (computed(1) ? k : 0));
    }
    case "MaxPool": {
      const kernel = size(attrInts(node, "kernel_shape") ?? [1]);
      return out * Math.max(1, kernel - 1) * d.sign;
    }
    case "GlobalMaxPool":
    case "ReduceMax":
    case "ReduceMin":
    case "ArgMax":
    case "ArgMin":
      return size(input(0)) * d.sign;
    case "Max":
    case "Min":
      // One comparison per extra operand.
      return out * Math.max(0, node.inputs.filter(Boolean).length - 1) * d.sign;
    case "OneHot":
      // An Equal (isZero, 3 constraints) per output element; the index's sign check is spread over depth.
      return out * 3;
    case "Softmax": {
      // A ReLU per element for the max, the exp table and a floor division (README: about 230 at 2^12);
      // nothing for the positions a constant mask removes (ir/masked-softmax.ts).
      const mask = node.attrs[SOFTMAX_MASK];
      const kept = mask && typeof mask === "object" && !Array.isArray(mask) ? mask.data.filter((m) => m === 0).length : out;
      return kept * (2 * d.sign + d.round + 20);
    }
    case "LogSoftmax":
      // Softmax without the division: a ReLU for the max and a decomposition of x - max per element, the exp table.
      return out * (2 * d.sign + 20);
    case "ReduceLogSumExp":
      return size(input(0)) * (2 * d.sign + 20);
    case "ReduceProd":
      // A product and a rescale (its shift is the model scale, plus at least one bit of width) per factor after the first.
      return Math.max(0, size(input(0)) - out) * (d.round - d.sign + 1);
    case "ReduceSumSquare":
      // One product (x times itself) per input element; a rescale first when the input is finer, left out.
      return size(input(0));
    case "ReduceL1":
      // |x| per input element: a decomposition (at least inputBits wide, plus one) and one product.
      return size(input(0)) * (d.sign + 2);
    case "ReduceL2":
      // The squares, then an integer square root per output: the root of sum(x²)·4 is at least inputBits wide.
      return size(input(0)) + out * (3 * d.sign + 6);
    case "TopK": {
      // One comparison per pair along the axis: (n - 1) / 2 per input element.
      const dims = input(0);
      const axis = attrInt(node, "axis", -1);
      const n = dims[axis < 0 ? axis + dims.length : axis] ?? 1;
      return Math.floor((size(dims) * Math.max(0, n - 1)) / 2) * d.sign;
    }
    case "Mod":
      // A floor division by a constant: at least a remainder bit and a quotient bit.
      return out * 2;
    // Division and square roots of computed values (the widths follow the gadgets in src/gadgets: FloorDiv
    // is width + 2·shift + 4, the signed one 3 more; IntegerSqrt 3·width + 6), with every value at least
    // inputBits wide as above, and the quotient and the root at their smallest.
    case "Sqrt":
      // The root of a value shifted up by scaleBits + 2: (inputBits + scaleBits + 1) / 2 bits.
      return out * (3 * Math.floor(d.round / 2) + 6);
    case "Reciprocal":
      // 2^(S + Sb + 1) / (2·B): a quotient of at least scaleBits + 2 bits, a divisor of inputBits + 1.
      return out * (2 * d.sign + (d.round - d.sign) + 6);
    case "Softsign":
      // A decomposition (inputBits + 1), |x| (1 product), the division by 2·(1 + |x|): inputBits + 1 bits each.
      return out * (4 * d.sign);
    case "LayerNormalization":
    case "InstanceNormalization":
    case "GroupNormalization":
      // Per element a square and a division (quotient and divisor each wider than inputBits); the root per
      // group and the scale's rescale are left out.
      return out * (3 * d.sign + 6);
    case "Gather":
    case "GatherElements": {
      // Computed indices: an isZero (3 constraints) per candidate position for each index.
      if (!computed(1)) return 0;
      const dims = input(0);
      const axis = attrInt(node, "axis", 0);
      return size(input(1)) * 3 * Math.max(1, dims[axis < 0 ? axis + dims.length : axis] ?? 1);
    }
    default:
      if (TABLES.has(node.op)) return out * (d.round + 20);
      return out * (["Mul", "Div", "Pow"].includes(node.op) ? d.round : d.sign);
  }
}

/**
 * The default limit: what this machine's memory can set up and prove. mnist_gan's 1,360,268
 * constraints peaked at 4.6 GiB (compile, setup and prove in one process), 3.5 KiB per constraint, so
 * 24 GiB holds about 7.1M. Never above 2^28, the largest powers of tau there are.
 */
export const BYTES_PER_CONSTRAINT = (4.6 * 2 ** 30) / 1_360_268;
export const MAX_PTAU_CONSTRAINTS = 2 ** 28;

export function defaultMaxConstraints(totalMemoryBytes: number): number {
  return Math.min(MAX_PTAU_CONSTRAINTS, Math.floor(totalMemoryBytes / BYTES_PER_CONSTRAINT));
}

/** Refuses, in one line, a graph whose estimate exceeds `limit`: the figure, its largest nodes, the limit. */
export function refuseEnormousGraph(name: string, graph: Graph, quant: { scaleBits: number; inputBits: number }, limit: number): GraphEstimate {
  const est = estimateGraph(graph, quant);
  if (est.constraints <= limit) return est;
  const top = est.nodes.slice(0, 3).map((n) => `${n.node} ${fmt(n.constraints)}`).join(", ");
  const gib = (est.constraints * BYTES_PER_CONSTRAINT) / 2 ** 30;
  fail(
    `model "${name}" is too large to prove here: about ${fmt(est.constraints)} constraints estimated from its graph (≈${gib.toFixed(0)} GiB to set up), ` +
      `above the limit of ${fmt(limit)} (maxConstraints); largest: ${top}. Shrink the model or its inputs, or raise maxConstraints on a machine with more memory`,
  );
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M` : n.toLocaleString("en-US");
}
