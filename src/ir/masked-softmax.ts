import { fail } from "../errors";
import { describeNode, Graph, Node, size, Tensor } from "./graph";

/**
 * Causal (and any other constant) attention masks: Where(constant condition, constant branch, computed X)
 * whose only reader is a Softmax, with -inf in the constant branch, as nanoGPT's
 * `att.masked_fill(mask == 0, float("-inf"))` exports. -inf cannot be quantized, but exp(-inf) = 0, so
 * the positions that take -inf are recorded on the Softmax instead, in its `zkml_mask` attribute (a
 * constant 0/1 tensor of the Softmax input's shape, 1 = masked). Softmax (ops/activations.ts) then gives
 * them probability exactly 0 and leaves them out of the max and the sum, so they cost nothing: no
 * comparison, no table, no division. This is ONNX's result exactly, not an approximation by a large
 * negative number.
 *
 * The Where is dropped when X already has the output's shape and fills every unmasked position;
 * otherwise it stays, with the -inf entries of its constant branch replaced by 0 (they only reach masked
 * positions, whose values the Softmax ignores). A Softmax masked twice (chained Wheres) takes the union.
 *
 * Refused, one line naming the node: a group of the Softmax (a row, for the default last axis) that is
 * masked entirely, where ONNX gives NaN. Not rewritten, so the usual refusal of non-finite constants
 * names the Where: +inf anywhere, -inf in a Where that something other than one Softmax reads, and a
 * computed condition.
 */

/** Softmax's attribute: the positions (of its input, row-major) whose value is -inf. */
export const SOFTMAX_MASK = "zkml_mask";

/** The groups a Softmax normalises over (ops/activations.ts softmaxGroups, at the model's opset). */
export type SoftmaxGroups = (node: Node, dims: number[]) => number[][];

/** For each element of `out`, the element of a tensor of `dims` that broadcasting reads. */
function broadcastIndex(out: number[], dims: number[]): number[] {
  const padded = [...Array(Math.max(0, out.length - dims.length)).fill(1), ...dims];
  const idx: number[] = [];
  const n = size(out);
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let src = 0;
    let stride = 1;
    for (let a = out.length - 1; a >= 0; a--) {
      const coord = rest % out[a];
      rest = Math.floor(rest / out[a]);
      src += (padded[a] === 1 ? 0 : coord) * stride;
      stride *= padded[a];
    }
    idx.push(src);
  }
  return idx;
}

function freshName(graph: Graph, base: string): string {
  let name = base;
  for (let k = 1; graph.constants.has(name) || graph.shapes.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** Rewrites `graph` in place; returns how many Where nodes were turned into Softmax masks. */
export function maskSoftmaxInputs(graph: Graph, groups: SoftmaxGroups): number {
  let rewritten = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of graph.nodes) {
      if (w.op !== "Where" || w.inputs.length !== 3) continue;
      const out = w.outputs[0];
      const readers = graph.nodes.filter((n) => n.inputs.includes(out));
      if (readers.length !== 1 || readers[0].op !== "Softmax" || graph.outputs.some((o) => o.name === out)) continue;
      const softmax = readers[0];
      const cond = graph.constants.get(w.inputs[0]);
      const side = [1, 2].filter((i) => graph.constants.has(w.inputs[i]));
      if (!cond || side.length !== 1) continue;
      const c = side[0];
      const constant = graph.constants.get(w.inputs[c])!;
      const xName = w.inputs[3 - c];
      if (graph.constants.has(xName) || !constant.data.includes(-Infinity)) continue;
      if (constant.data.some((v) => Number.isNaN(v) || v === Infinity)) continue;
      const shape = graph.shapes.get(out);
      const xShape = graph.shapes.get(xName);
      if (!shape || !xShape) continue;

      // Output position i takes the constant when the condition selects its branch (input 1 on true).
      const ic = broadcastIndex(shape, cond.dims);
      const ik = broadcastIndex(shape, constant.dims);
      const takesConstant = ic.map((j) => (cond.data[j] !== 0) === (c === 1));
      const mask = takesConstant.map((t, i) => (t && constant.data[ik[i]] === -Infinity ? 1 : 0));
      const previous = softmax.attrs[SOFTMAX_MASK] as Tensor | undefined;
      const data = previous ? mask.map((m, i) => m | previous.data[i]) : mask;
      for (const g of groups(softmax, shape))
        if (g.every((i) => data[i] === 1))
          fail(`${describeNode(softmax)}: the constant mask of ${describeNode(w)} masks every element of a softmax group (at element ${g[0]}), where ONNX gives NaN; at least one element per group must stay unmasked`);

      const dropWhere = xShape.join() === shape.join() && takesConstant.every((t, i) => !t || mask[i] === 1);
      softmax.attrs = { ...softmax.attrs, [SOFTMAX_MASK]: { dims: shape, data } };
      if (dropWhere) {
        softmax.inputs = softmax.inputs.map((n) => (n === out ? xName : n));
        graph.nodes = graph.nodes.filter((n) => n !== w);
        graph.shapes.delete(out);
      } else {
        const finite = freshName(graph, `${w.name}/masked_constant`);
        graph.constants.set(finite, { dims: constant.dims, data: constant.data.map((v) => (v === -Infinity ? 0 : v)) });
        w.inputs = w.inputs.map((n, i) => (i === c ? finite : n));
      }
      rewritten++;
      changed = true;
      break;
    }
  }
  return rewritten;
}
