import { Graph, size } from "../ir/graph";
import { QuantParams, QValue } from "../ops/domain";
import { IntegerDomain } from "./evaluate";
import { IntervalDomain, Site } from "./interval";
import { runGraph } from "./run";

/** A graph with its fixed-point settings and the proven width of every non-linear step. */
export interface QuantizedModel {
  graph: Graph;
  quant: QuantParams;
  sites: Site[];
}

export function quantizeModel(graph: Graph, quant: QuantParams): QuantizedModel {
  const half = 1n << BigInt(quant.inputBits - 1);
  const dom = new IntervalDomain();
  const inputs = graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => ({ lo: -half, hi: half - 1n })));
  runGraph(graph, dom, quant, inputs);
  return { graph, quant, sites: dom.sites };
}

/** The bit-exact reference evaluation on already-quantized inputs. */
export function evaluateQuantized(model: QuantizedModel, inputs: bigint[][]): QValue<bigint>[] {
  return evaluateTraced(model, inputs).outputs;
}

/** The evaluation plus the input of every non-linear step, in site order. */
export function evaluateTraced(model: QuantizedModel, inputs: bigint[][]): { outputs: QValue<bigint>[]; trace: bigint[] } {
  const dom = new IntegerDomain(model.sites);
  return { outputs: runGraph(model.graph, dom, model.quant, inputs), trace: dom.trace };
}
