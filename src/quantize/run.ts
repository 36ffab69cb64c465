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
  const deferring = deferrals(graph);
  const ctx: OpContext<T> = { dom, quant, opset: graph.opset, params, deferRounding: (node, excess) => worthDeferring(deferring.get(node.name), excess) };
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

/** Ops that only relabel their input (shape-ops.ts's relabel): a `fine` value passes through them as it is. */
const RELABELS = new Set(["Identity", "Flatten", "Reshape"]);

/** A node whose output every consumer can absorb unrounded: its element count and theirs. */
export interface Deferral {
  elements: number;
  consumerElements: number;
}

/**
 * Nodes whose output may stay finer than the model scale. Rounding a value here costs a rescale per
 * element (its excess fraction bits plus its width plus one); left to a linear consumer (reached
 * directly or through relabelling ops such as Flatten), the same excess bits are added to the rescale
 * of each of that layer's outputs, which the next op needs anyway. So every consumer must be such a layer
 * with constant weights, and together they must not repeat the work too often (worthDeferring).
 */
export function deferrals(graph: Graph): Map<string, Deferral> {
  const consumers = new Map<string, { node: Node; input: number }[]>();
  for (const node of graph.nodes)
    node.inputs.forEach((name, input) => {
      if (!consumers.has(name)) consumers.set(name, []);
      consumers.get(name)!.push({ node, input });
    });
  const outputs = new Set(graph.outputs.map((o) => o.name));
  /** The absorbing layers a value reaches through relabels, or undefined when some use cannot absorb it. */
  const absorbers = (value: string): Node[] | undefined => {
    const uses = consumers.get(value) ?? [];
    if (uses.length === 0 || outputs.has(value)) return undefined;
    const found: Node[] = [];
    for (const { node: c, input } of uses) {
      if (input !== 0) return undefined;
      if (ABSORBERS.has(c.op) && graph.constants.has(c.inputs[1])) found.push(c);
      else if (RELABELS.has(c.op) && c.outputs.length === 1) {
        const next = absorbers(c.outputs[0]);
        if (!next) return undefined;
        found.push(...next);
      } else return undefined;
    }
    return found;
  };
  const out = new Map<string, Deferral>();
  for (const node of graph.nodes) {
    if (node.outputs.length !== 1) continue;
    const layers = absorbers(node.outputs[0]);
    if (!layers) continue;
    const elements = size(graph.shapes.get(node.outputs[0]) ?? [0]);
    const consumerElements = layers.reduce((n, c) => n + size(graph.shapes.get(c.outputs[0]) ?? [Infinity]), 0);
    out.set(node.name, { elements, consumerElements });
  }
  return out;
}

/**
 * Whether deferring pays. With the excess known (`excess` fraction bits above the model scale), the
 * comparison is exact up to the width: consumerElements * excess extra remainder bits against at least
 * elements * (excess + 2) here (a width of at least 1, plus one) — e.g. mnist_cnn's first AveragePool,
 * 676 values 2 bits fine read by a Conv with 968 outputs: 1,936 bits instead of 676 rescales of ~15.
 * Without it (a table deciding its mode before it knows its precision) the safe rule: no more consumer
 * outputs than elements here.
 */
export function worthDeferring(d: Deferral | undefined, excess?: number): boolean {
  if (!d) return false;
  return excess === undefined ? d.consumerElements <= d.elements : d.consumerElements * excess < d.elements * (excess + 2);
}

/** The nodes worthDeferring admits without knowing their excess. */
export function deferrable(graph: Graph): Set<string> {
  return new Set([...deferrals(graph)].filter(([, d]) => worthDeferring(d)).map(([name]) => name));
}
