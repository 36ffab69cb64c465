import { fail } from "../errors";
import { describeNode, Graph, inputScale, Node, size } from "../ir/graph";
import { Domain, QuantParams, QValue } from "../ops/domain";
import { Arg, atScale, OpContext, ParamBinder } from "../ops/op";
import { opFor } from "../ops/registry";

/**
 * Runs a graph in one numeric domain. Float inputs arrive quantized at `scaleBits`, integer and bool
 * inputs as exact integers (scale 0, as Cast to an integer type makes them); every graph output is
 * brought to `scaleBits` so the manifest has one scale for all outputs (integer and boolean outputs,
 * at scale 0, by an exact multiplication).
 */
export function runGraph<T>(
  graph: Graph,
  dom: Domain<T>,
  quant: QuantParams,
  inputs: T[][],
  params?: ParamTable<T>,
  onValue?: (name: string, value: QValue<T>) => void,
): QValue<T>[] {
  const deferring = deferrable(graph);
  const ctx: OpContext<T> = { dom, quant, opset: graph.opset, params, deferRounding: (node) => deferring.has(node.name) };
  const values = new Map<string, QValue<T>>();
  graph.inputs.forEach((vi, i) => values.set(vi.name, { shape: vi.shape, scale: inputScale(vi, quant.scaleBits), data: inputs[i] }));
  for (const node of graph.nodes) {
    const args = node.inputs.map((name): Arg<T> | undefined => {
      if (name === "") return undefined; // an omitted optional input
      const tensor = graph.constants.get(name);
      if (tensor) return { kind: "const", tensor };
      const value = values.get(name);
      if (!value) fail(`${describeNode(node)} reads "${name}", which has no value`);
      return { kind: "value", value };
    });
    const outs = opFor(node).apply(ctx, node, args as Arg<T>[]);
    node.outputs.forEach((name, j) => {
      if (!outs[j]) return;
      values.set(name, outs[j]);
      onValue?.(name, outs[j]);
    });
  }
  return graph.outputs.map((vi) => {
    const v = values.get(vi.name)!;
    return atScale(ctx, { op: "Output", name: vi.name, inputs: [], outputs: [], attrs: {} }, v, quant.scaleBits);
  });
}

/** A private parameter tensor: which layer it belongs to and where its values sit in the parameter list. */
export interface ParamTensor {
  node: string;
  role: string;
  offset: number;
  count: number;
}

/**
 * Numbers the parameters layers lift, in graph order: every domain runs the same ops in the same order,
 * so parameter `id` is the same value in the bounds pass, the evaluator and the circuit.
 */
export class ParamTable<T> implements ParamBinder<T> {
  readonly tensors: ParamTensor[] = [];
  readonly values: bigint[] = [];

  constructor(readonly domain: Domain<T>) {}

  lift(node: Node, role: string, values: bigint[]): T[] {
    const offset = this.values.length;
    this.tensors.push({ node: node.name, role, offset, count: values.length });
    for (const v of values) this.values.push(v);
    return values.map((v, i) => this.domain.param(offset + i, v));
  }
}

/** Layers whose input 0 may arrive at any scale: with constant weights each output is one linear combination. */
const ABSORBERS = new Set(["Gemm", "MatMul", "Conv", "ConvTranspose"]);

/**
 * Nodes whose output may stay finer than the model scale. Rounding a value here costs a rescale per
 * element (its fraction bits plus its width); left to a linear consumer, the same fraction bits are
 * added to the rescale of each of that layer's outputs, which the next op needs anyway. So it pays
 * when every consumer is such a layer (with constant weights) and together they have no more outputs
 * than this node: a layer that fans out, like a transposed convolution, would repeat the work.
 */
export function deferrable(graph: Graph): Set<string> {
  const consumers = new Map<string, { node: Node; input: number }[]>();
  for (const node of graph.nodes)
    node.inputs.forEach((name, input) => {
      if (!consumers.has(name)) consumers.set(name, []);
      consumers.get(name)!.push({ node, input });
    });
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const out = new Set<string>();
  for (const node of graph.nodes) {
    if (node.outputs.length !== 1 || outputs.has(node.outputs[0])) continue;
    const uses = consumers.get(node.outputs[0]) ?? [];
    const absorbed = uses.length > 0 && uses.every(({ node: c, input }) => ABSORBERS.has(c.op) && input === 0 && graph.constants.has(c.inputs[1]));
    if (!absorbed) continue;
    const mine = size(graph.shapes.get(node.outputs[0]) ?? [0]);
    const theirs = uses.reduce((n, { node: c }) => n + size(graph.shapes.get(c.outputs[0]) ?? [Infinity]), 0);
    if (theirs <= mine) out.add(node.name);
  }
  return out;
}
