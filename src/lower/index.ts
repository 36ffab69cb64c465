import { size } from "../ir/graph";
import { QuantizedModel } from "../quantize";
import { Interval } from "../quantize/interval";
import { ParamTable, runGraph } from "../quantize/run";
import { ExprDomain, Gadget, LinExpr } from "./expr";

/** The circuit as a list of gadgets over linear expressions: what `emit` turns into circom. */
export interface CircuitProgram {
  /** Signals 0 .. inputCount-1 are the flattened model inputs, in graph-input order. */
  inputCount: number;
  inputBits: number;
  /** Inputs lie in [0, 2^inputBits) rather than the signed range (QuantParams.inputUnsigned). */
  inputUnsigned?: boolean;
  /** Signals inputCount .. inputCount+paramCount-1 are private model parameters (0 when fixed). */
  paramCount: number;
  gadgets: Gadget[];
  outputs: LinExpr[];
  outputBounds: Interval[];
}

export function lowerModel(model: QuantizedModel): CircuitProgram {
  const inputCount = model.graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
  const paramCount = model.params?.values.length ?? 0;
  const dom = new ExprDomain(model.sites, inputCount + paramCount, inputCount);
  let next = 0;
  const inputs = model.graph.inputs.map((vi) =>
    Array.from({ length: size(vi.shape) }, () => ({ terms: new Map([[next++, 1n]]), c: 0n })),
  );
  const outs = runGraph(model.graph, dom, model.quant, inputs, model.params ? new ParamTable(dom) : undefined);
  return {
    inputCount,
    inputBits: model.quant.inputBits,
    inputUnsigned: model.quant.inputUnsigned,
    paramCount,
    gadgets: dom.gadgets,
    outputs: outs.flatMap((o) => o.data),
    outputBounds: model.outputBounds,
  };
}

export type { Gadget, LinExpr };
