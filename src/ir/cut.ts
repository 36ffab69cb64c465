import { fail } from "../errors";
import { Graph, ValueInfo } from "./graph";

/**
 * Cutting a graph at layer boundaries, for proving one inference as a chain of segments (issue 20).
 *
 * A cut before node k is a layer boundary when exactly one tensor crosses it: every value the nodes from k
 * on read that an earlier node made is that one tensor, no graph input is read from k on, and no graph
 * output is made before k. (Constants are folded out of `nodes` at import, so they never cross.) The
 * segment after the cut is then a function of that tensor alone.
 */
export interface CutPoint {
  /** The cut is before `graph.nodes[index]`. */
  index: number;
  /** The one tensor that crosses it. */
  tensor: string;
}

export function cutPoints(graph: Graph): CutPoint[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, k) => node.outputs.forEach((o) => producer.set(o, k)));
  const inputs = new Set(graph.inputs.map((vi) => vi.name));
  const outputs = new Set(graph.outputs.map((vi) => vi.name));
  // The last node reading each graph input, and each tensor's last reader (graph outputs are read "at the end").
  const lastRead = new Map<string, number>();
  graph.nodes.forEach((node, k) => node.inputs.forEach((name) => name !== "" && lastRead.set(name, k)));
  for (const o of outputs) lastRead.set(o, graph.nodes.length);
  const lastInputRead = Math.max(-1, ...[...inputs].map((n) => lastRead.get(n) ?? -1));
  const firstOutputMade = Math.min(graph.nodes.length, ...[...outputs].map((n) => producer.get(n) ?? -1).filter((k) => k >= 0));
  const cuts: CutPoint[] = [];
  for (let k = Math.max(1, lastInputRead + 1); k < graph.nodes.length && k <= firstOutputMade; k++) {
    // Tensors made before k and read at k or later.
    const crossing = new Set<string>();
    for (const [name, at] of producer) if (at < k && (lastRead.get(name) ?? -1) >= k) crossing.add(name);
    if (crossing.size !== 1) continue;
    const [tensor] = crossing;
    if (outputs.has(tensor) || !graph.shapes.has(tensor)) continue;
    cuts.push({ index: k, tensor });
  }
  return cuts;
}

/**
 * The segment of `graph` made of `nodes[from, to)`: its input is the tensor crossing the cut at `from`
 * (the graph's inputs when `from` is 0), its output the tensor crossing the cut at `to` (the graph's
 * outputs at the end). Boundary tensors are float values (quantized at the model scale).
 */
export function sliceGraph(graph: Graph, from: CutPoint | undefined, to: CutPoint | undefined): Graph {
  const start = from?.index ?? 0;
  const end = to?.index ?? graph.nodes.length;
  if (start >= end) fail(`an empty segment: nodes ${start} to ${end}`);
  const boundary = (c: CutPoint): ValueInfo => ({ name: c.tensor, shape: graph.shapes.get(c.tensor)!, elemType: "float32" });
  const nodes = graph.nodes.slice(start, end);
  const used = new Set(nodes.flatMap((n) => n.inputs));
  return {
    inputs: from ? [boundary(from)] : graph.inputs,
    outputs: to ? [boundary(to)] : graph.outputs,
    nodes,
    constants: new Map([...graph.constants].filter(([name]) => used.has(name))),
    shapes: graph.shapes,
    opset: graph.opset,
  };
}
