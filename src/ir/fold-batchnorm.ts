import { batchNormCoefficients } from "./batchnorm";
import { attrInt, Graph, Node, size, Tensor } from "./graph";

/**
 * Merges a per-channel affine step (BatchNormalization, or Mul/Div/Add/Sub by a per-channel constant)
 * into the Conv, ConvTranspose or Gemm that feeds it, when nothing else reads that layer's output.
 * y = a * (W x + bias) + b = (a W) x + (a bias + b), so the merged layer computes the same function with
 * one rescale less and smaller bounds. The float result differs only by float rounding.
 */

const PRODUCERS = new Set(["Conv", "ConvTranspose", "Gemm"]);

/** y = a[channel] * x + b[channel] over the channel axis 1. */
interface ChannelAffine {
  a: number[];
  b: number[];
}

/** A constant whose only non-1 dimension (right-aligned against rank `rank`) is axis 1, as M values. */
function perChannel(t: Tensor, rank: number, M: number): number[] | undefined {
  if (t.dims.length > rank) return undefined;
  const padded = [...Array(rank - t.dims.length).fill(1), ...t.dims];
  if (padded.some((d, i) => d !== 1 && i !== 1)) return undefined;
  if (padded[1] !== 1 && padded[1] !== M) return undefined;
  return Array.from({ length: M }, (_, m) => t.data[padded[1] === 1 ? 0 : m]);
}

/** The affine step `consumer` applies to `input`, when it is one this pass can merge. */
function channelAffine(graph: Graph, consumer: Node, input: string, shape: number[]): ChannelAffine | undefined {
  const M = shape[1];
  const ones = Array<number>(M).fill(1);
  const zeros = Array<number>(M).fill(0);
  const constant = (name: string) => graph.constants.get(name);
  if (consumer.op === "BatchNormalization") {
    const params = consumer.inputs.slice(1).map(constant);
    if (consumer.inputs[0] !== input || params.length !== 4 || params.some((p) => !p)) return undefined;
    if (attrInt(consumer, "training_mode", 0) !== 0 || attrInt(consumer, "spatial", 1) === 0) return undefined;
    if (consumer.outputs.slice(1).some((o) => o !== "")) return undefined;
    const co = batchNormCoefficients(consumer, shape, params as Tensor[]);
    return co.a.length === M ? { a: co.a, b: co.b } : undefined;
  }
  if (!["Mul", "Div", "Add", "Sub"].includes(consumer.op) || consumer.inputs.length !== 2) return undefined;
  const side = consumer.inputs.indexOf(input);
  if (side < 0 || consumer.inputs[1 - side] === input) return undefined;
  const other = constant(consumer.inputs[1 - side]);
  const c = other && perChannel(other, shape.length, M);
  if (!c) return undefined;
  switch (consumer.op) {
    case "Mul":
      return { a: c, b: zeros };
    case "Div":
      return side === 0 && c.every((v) => v !== 0) ? { a: c.map((v) => 1 / v), b: zeros } : undefined;
    case "Add":
      return { a: ones, b: c };
    default: // Sub: x - c, or c - x
      return side === 0 ? { a: ones, b: c.map((v) => -v) } : { a: ones.map(() => -1), b: c };
  }
}

/** The producer's weights and bias with the affine step applied, or undefined if they are not constants. */
function mergedParams(graph: Graph, p: Node, f: ChannelAffine, outShape: number[]): { weights: Tensor; bias: Tensor; attrs?: Node["attrs"] } | undefined {
  const w = graph.constants.get(p.inputs[1]);
  const bias = p.inputs[2] ? graph.constants.get(p.inputs[2]) : undefined;
  if (!w || (p.inputs[2] && !bias)) return undefined;
  const M = outShape[1];
  if (p.op === "Gemm") {
    const [rows] = outShape;
    const transB = attrInt(p, "transB", 0) === 1;
    const K = w.dims[transB ? 1 : 0];
    // Column n of the (possibly transposed) weights is output channel n.
    const weights = { dims: w.dims, data: w.data.map((v, i) => v * f.a[transB ? Math.floor(i / K) : i % M]) };
    const beta = typeof p.attrs.beta === "number" ? p.attrs.beta : 1;
    // The bias is materialised at [rows, M] unless it is the same for every row.
    const perColumn = !bias || perChannel(bias, 2, M) !== undefined;
    const [pr, pc] = bias ? [...Array(2 - bias.dims.length).fill(1), ...bias.dims] : [1, 1];
    const biasAt = (r: number, n: number) => (bias ? bias.data[(pr === 1 ? 0 : r) * pc + (pc === 1 ? 0 : n)] : 0);
    const biasRows = perColumn ? 1 : rows;
    const data: number[] = [];
    for (let r = 0; r < biasRows; r++) for (let n = 0; n < M; n++) data.push(beta * biasAt(r, n) * f.a[n] + f.b[n]);
    return { weights, bias: { dims: perColumn ? [M] : [rows, M], data }, attrs: { ...p.attrs, beta: 1 } };
  }
  const kSize = size(w.dims.slice(2));
  let channelOf: (i: number) => number;
  if (p.op === "Conv") channelOf = (i) => Math.floor(i / (w.dims[1] * kSize));
  else {
    // ConvTranspose weights are [C, M/group, k...]; input channel c belongs to group c / (C/group).
    const group = attrInt(p, "group", 1);
    const Cg = w.dims[0] / group;
    const Mg = w.dims[1];
    channelOf = (i) => {
      const j = Math.floor(i / kSize) % Mg;
      const c = Math.floor(i / (Mg * kSize));
      return Math.floor(c / Cg) * Mg + j;
    };
  }
  const weights = { dims: w.dims, data: w.data.map((v, i) => v * f.a[channelOf(i)]) };
  return { weights, bias: { dims: [M], data: f.a.map((a, m) => (bias ? bias.data[m] : 0) * a + f.b[m]) } };
}

function freshName(graph: Graph, base: string): string {
  let name = base;
  for (let k = 1; graph.constants.has(name) || graph.shapes.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** Rewrites `graph` in place until no merge applies; returns how many steps were merged. */
export function foldIntoLinearLayers(graph: Graph): number {
  let merged = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of graph.nodes) {
      if (!PRODUCERS.has(p.op)) continue;
      const out = p.outputs[0];
      const shape = graph.shapes.get(out);
      if (!shape || shape.length < 2 || graph.outputs.some((o) => o.name === out)) continue;
      const readers = graph.nodes.filter((n) => n.inputs.includes(out));
      if (readers.length !== 1) continue;
      const q = readers[0];
      const f = channelAffine(graph, q, out, shape);
      if (!f || graph.shapes.get(q.outputs[0])?.join() !== shape.join()) continue;
      const params = mergedParams(graph, p, f, shape);
      if (!params) continue;
      const wName = freshName(graph, `${p.name}/merged_weights`);
      const bName = freshName(graph, `${p.name}/merged_bias`);
      graph.constants.set(wName, params.weights);
      graph.constants.set(bName, params.bias);
      const replacement: Node = { ...p, inputs: [p.inputs[0], wName, bName], outputs: [q.outputs[0]], attrs: params.attrs ?? p.attrs };
      graph.nodes = graph.nodes.filter((n) => n !== q).map((n) => (n === p ? replacement : n));
      graph.shapes.delete(out);
      merged++;
      changed = true;
      break;
    }
  }
  return merged;
}
