import { Graph, size } from "../ir/graph";
import { QuantParams, QValue } from "../ops/domain";
import { IntegerDomain } from "./evaluate";
import { inputRange, paramBits, signedRange } from "../numeric/fixed-point";
import { Interval, IntervalDomain, Site } from "./interval";
import { ParamTable, ParamTensor, runGraph } from "./run";

/** A graph with its fixed-point settings and the proven width of every non-linear step. */
export interface QuantizedModel {
  graph: Graph;
  quant: QuantParams;
  sites: Site[];
  /** Bounds of every (flattened) graph output over the whole input range: they size output packing. */
  outputBounds: Interval[];
  /** With private parameters: the lifted tensors and their quantized values, in lifting order. */
  params?: { tensors: ParamTensor[]; values: bigint[] };
}

export interface QuantizeOptions {
  /** Lift layer weights and biases to private parameters (a `dot` per output instead of constants). */
  privateParams?: boolean;
}

export function quantizeModel(graph: Graph, quant: QuantParams, opts: QuantizeOptions = {}): QuantizedModel {
  const inputs = graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => inputRange(quant)));
  let range: Interval | undefined;
  if (opts.privateParams) {
    // A first pass collects the weights; the second bounds every value for any weights in their
    // committed range (issue 14, F2: sized for the compile-time weights alone, a prover committing
    // other weights could push an output past its packing digit).
    const probe = new ParamTable(new IntervalDomain(undefined, quant.widths));
    runGraph(graph, probe.domain, quant, inputs, probe);
    range = signedRange(paramBits(probe.values));
  }
  const dom = new IntervalDomain(range, quant.widths);
  const table = opts.privateParams ? new ParamTable(dom) : undefined;
  const outs = runGraph(graph, dom, quant, inputs, table);
  return {
    graph,
    quant,
    sites: dom.sites,
    outputBounds: outs.flatMap((o) => o.data),
    params: table && { tensors: table.tensors, values: table.values },
  };
}

/** The bit-exact reference evaluation on already-quantized inputs. */
export function evaluateQuantized(model: QuantizedModel, inputs: bigint[][]): QValue<bigint>[] {
  return evaluateTraced(model, inputs).outputs;
}

/** The evaluation plus the input of every non-linear step, in site order. */
export function evaluateTraced(model: QuantizedModel, inputs: bigint[][]): { outputs: QValue<bigint>[]; trace: bigint[]; divisors: bigint[] } {
  const dom = new IntegerDomain(model.sites);
  const outputs = runGraph(model.graph, dom, model.quant, inputs, model.params ? new ParamTable(dom) : undefined);
  return { outputs, trace: dom.trace, divisors: dom.divisors };
}
