import { fail } from "../errors";
import { describeNode, Graph } from "../ir/graph";
import { Domain, QuantParams, QValue } from "../ops/domain";
import { Node } from "../ir/graph";
import { Arg, atScale, OpContext, ParamBinder } from "../ops/op";
import { opFor } from "../ops/registry";

/**
 * Runs a graph in one numeric domain. Inputs arrive quantized at `scaleBits`; every graph output is
 * brought to `scaleBits` so the manifest has one scale for all outputs (integer and boolean outputs,
 * at scale 0, by an exact multiplication).
 */
export function runGraph<T>(graph: Graph, dom: Domain<T>, quant: QuantParams, inputs: T[][], params?: ParamTable<T>): QValue<T>[] {
  const ctx: OpContext<T> = { dom, quant, opset: graph.opset, params };
  const values = new Map<string, QValue<T>>();
  graph.inputs.forEach((vi, i) => values.set(vi.name, { shape: vi.shape, scale: quant.scaleBits, data: inputs[i] }));
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
    node.outputs.forEach((name, j) => outs[j] && values.set(name, outs[j]));
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

  constructor(private readonly dom: Domain<T>) {}

  lift(node: Node, role: string, values: bigint[]): T[] {
    const offset = this.values.length;
    this.tensors.push({ node: node.name, role, offset, count: values.length });
    for (const v of values) this.values.push(v);
    return values.map((v, i) => this.dom.param(offset + i, v));
  }
}
