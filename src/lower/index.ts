import { size } from "../ir/graph";
import { QuantizedModel } from "../quantize";
import { runGraph } from "../quantize/run";
import { ExprDomain, Gadget, LinExpr } from "./expr";

/** The circuit as a list of gadgets over linear expressions: what `emit` turns into circom. */
export interface CircuitProgram {
  /** Signals 0 .. inputCount-1 are the flattened model inputs, in graph-input order. */
  inputCount: number;
  inputBits: number;
  gadgets: Gadget[];
  outputs: LinExpr[];
}

export function lowerModel(model: QuantizedModel): CircuitProgram {
  const inputCount = model.graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
  const dom = new ExprDomain(model.sites, inputCount);
  let next = 0;
  const inputs = model.graph.inputs.map((vi) =>
    Array.from({ length: size(vi.shape) }, () => ({ terms: new Map([[next++, 1n]]), c: 0n })),
  );
  const outs = runGraph(model.graph, dom, model.quant, inputs);
  return { inputCount, inputBits: model.quant.inputBits, gadgets: dom.gadgets, outputs: outs.flatMap((o) => o.data) };
}

export type { Gadget, LinExpr };
