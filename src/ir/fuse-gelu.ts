import { Graph, Node, Tensor } from "./graph";

/**
 * GELU as PyTorch exports it (the erf form): Div(x, sqrt 2) or Mul(x, 1/sqrt 2) -> Erf -> Add 1, then the
 * product of x, that sum and 0.5 in any association (Mul(Mul(x, s), 0.5), Mul(Mul(s, 0.5), x),
 * Mul(Mul(x, 0.5), s)), operands in either order. It becomes one Gelu node (ops/activations.ts): one
 * table and one product instead of five steps each rescaled.
 *
 * Only when every constant is a scalar-like tensor (all elements equal, not widening the shape) equal to
 * the float32 value of sqrt 2, 1/sqrt 2, 1 or 0.5 to within 1e-6 relative, each intermediate has that
 * one reader and is not a graph output, and the result has x's shape. The fused node computes the same
 * function; the float result differs only by float rounding.
 */

const TOL = 1e-6;

function isConstant(graph: Graph, name: string, value: number, shape: number[]): boolean {
  const t: Tensor | undefined = graph.constants.get(name);
  if (!t || t.data.length === 0 || t.dims.length > shape.length) return false;
  const padded = [...Array(shape.length - t.dims.length).fill(1), ...t.dims];
  if (padded.some((d, i) => d !== 1 && d !== shape[i])) return false;
  return t.data.every((v) => Math.abs(v - value) <= TOL * Math.abs(value));
}

/** The other input of a two-input node, when `name` is exactly one of them. */
function other(node: Node, name: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  const side = node.inputs.indexOf(name);
  if (side < 0 || node.inputs[1 - side] === name) return undefined;
  return node.inputs[1 - side];
}

/** Rewrites `graph` in place; returns how many GELUs were fused. */
export function fuseGelu(graph: Graph): number {
  const readers = (name: string) => graph.nodes.filter((n) => n.inputs.includes(name));
  const soleReader = (name: string, op: string): Node | undefined => {
    const r = readers(name);
    return r.length === 1 && r[0].op === op && !graph.outputs.some((o) => o.name === name) ? r[0] : undefined;
  };
  let fused = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const erf of graph.nodes) {
      if (erf.op !== "Erf") continue;
      const scaled = erf.inputs[0];
      const pre = graph.nodes.find((n) => n.outputs.includes(scaled));
      if (!pre || (pre.op !== "Div" && pre.op !== "Mul") || pre.inputs.length !== 2 || !soleReader(scaled, "Erf")) continue;
      const x = pre.op === "Mul" && graph.constants.has(pre.inputs[0]) ? pre.inputs[1] : pre.inputs[0];
      const divisor = pre.inputs[pre.inputs[0] === x ? 1 : 0];
      const shape = graph.shapes.get(x);
      if (!shape || graph.constants.has(x) || graph.shapes.get(scaled)?.join() !== shape.join()) continue;
      if (!isConstant(graph, divisor, pre.op === "Div" ? Math.SQRT2 : Math.SQRT1_2, shape)) continue;
      const add = soleReader(erf.outputs[0], "Add");
      const one = add && other(add, erf.outputs[0]);
      if (!add || !one || !isConstant(graph, one, 1, shape)) continue;
      const s = add.outputs[0];
      const m1 = soleReader(s, "Mul");
      const f1 = m1 && other(m1, s);
      if (!m1 || !f1) continue;
      let chain: Node[] | undefined;
      if (f1 === x || isConstant(graph, f1, 0.5, shape)) {
        // Mul(x, s) -> Mul(., 0.5), or Mul(s, 0.5) -> Mul(., x).
        const m2 = soleReader(m1.outputs[0], "Mul");
        const f2 = m2 && other(m2, m1.outputs[0]);
        if (m2 && f2 && (f1 === x ? isConstant(graph, f2, 0.5, shape) : f2 === x)) chain = [m1, m2];
      } else {
        // Mul(x, 0.5) -> h, then Mul(h, s).
        const h = graph.nodes.find((n) => n.outputs.includes(f1));
        if (h && h.op === "Mul" && other(h, x) !== undefined && isConstant(graph, other(h, x)!, 0.5, shape) && soleReader(f1, "Mul") === m1) chain = [h, m1];
      }
      if (!chain) continue;
      const result = chain[1].outputs[0];
      if (graph.shapes.get(result)?.join() !== shape.join()) continue;
      const gone = new Set<Node>([pre, erf, add, ...chain]);
      const gelu: Node = { op: "Gelu", name: `${erf.name}/gelu`, inputs: [x], outputs: [result], attrs: {} };
      const at = graph.nodes.indexOf(chain[1]);
      graph.nodes = graph.nodes.flatMap((n, i) => (i === at ? [gelu] : gone.has(n) ? [] : [n]));
      for (const n of gone) for (const o of n.outputs) if (o !== result) graph.shapes.delete(o);
      fused++;
      changed = true;
      break;
    }
  }
  return fused;
}
