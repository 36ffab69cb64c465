import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { matMulOfValues } from "./arith";
import { QValue } from "./domain";
import { forEachIndex, Transpose } from "./layout";
import { MatMul } from "./linear";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";
import { ReduceSum } from "./reduce";

/**
 * Einsum (opset 12) for the matmul-shaped equations: one or two operands, each letter at most once per
 * operand, no ellipsis. Such an equation is a MatMul between transposes and reshapes:
 *  - a letter in one operand only and not in the output is summed first (ReduceSum);
 *  - with two operands, letters in both and in the output are batch axes, letters in both and not in
 *    the output are contracted, the others are the free rows and columns;
 *  - each operand is transposed (Transpose) to [batch, free, contracted] / [batch, contracted, free]
 *    and reshaped to 3-D, multiplied (MatMul, so the cost is MatMul's: one product constraint per
 *    multiply-add for two computed operands, none against a constant), and the result is reshaped and
 *    transposed to the output's letter order.
 * A constant operand is the MatMul's weight matrix, so it may not carry batch axes.
 */

interface Equation {
  text: string;
  inputs: string[][];
  output: string[];
}

function parse(node: Node, arity: number): Equation {
  const raw = node.attrs.equation;
  if (typeof raw !== "string") fail(`${describeNode(node)}: Einsum needs a string equation attribute`);
  const text = raw.replace(/\s+/g, "");
  const refuse = (why: string): never =>
    fail(`${describeNode(node)}: equation "${raw}" is not supported (${why}); only matmul-shaped equations such as "bij,bjk->bik" are`);
  if (text.includes(".")) refuse("ellipsis");
  const [lhs, rhs, ...rest] = text.split("->");
  if (rest.length) refuse("more than one ->");
  const inputs = lhs.split(",").map((t) => [...t]);
  if (inputs.length !== arity) fail(`${describeNode(node)}: equation "${raw}" has ${inputs.length} operands; the node has ${arity} inputs`);
  if (inputs.length > 2) refuse("more than two operands");
  const letters = [...inputs.flat(), ...(rhs === undefined ? [] : [...rhs])];
  if (letters.some((l) => !/^[a-zA-Z]$/.test(l))) refuse("only letters are allowed");
  for (const t of inputs) if (new Set(t).size !== t.length) refuse(`a repeated letter in "${t.join("")}" takes a diagonal`);
  const count = (l: string) => inputs.flat().filter((x) => x === l).length;
  // Implicit output: the letters that occur once, in alphabetical order.
  const output = rhs === undefined ? [...new Set(inputs.flat())].filter((l) => count(l) === 1).sort() : [...rhs];
  if (new Set(output).size !== output.length) refuse("a repeated output letter");
  for (const l of output) if (count(l) === 0) refuse(`output letter ${l} is in no operand`);
  return { text: raw, inputs, output };
}

/** The size of each letter, checked to agree between operands (no broadcasting of size-1 axes). */
function letterSizes(node: Node, eq: Equation, shapes: number[][]): Map<string, number> {
  const sizes = new Map<string, number>();
  eq.inputs.forEach((t, i) => {
    if (t.length !== shapes[i].length) fail(`${describeNode(node)}: operand ${i} "${t.join("")}" of "${eq.text}" has rank ${t.length}, but the input is [${shapes[i]}]`);
    t.forEach((l, j) => {
      const d = shapes[i][j];
      if (sizes.has(l) && sizes.get(l) !== d) fail(`${describeNode(node)}: letter ${l} of "${eq.text}" has sizes ${sizes.get(l)} and ${d}`);
      sizes.set(l, d);
    });
  });
  return sizes;
}

/** Direct float evaluation, for constant folding. */
function foldEinsum(node: Node, eq: Equation, ts: Tensor[]): Tensor {
  const sizes = letterSizes(node, eq, ts.map((t) => t.dims));
  const all = [...eq.output, ...[...sizes.keys()].filter((l) => !eq.output.includes(l))];
  const outDims = eq.output.map((l) => sizes.get(l)!);
  const data = new Array<number>(size(outDims)).fill(0);
  const flat = (letters: string[], pos: Map<string, number>) => letters.reduce((acc, l) => acc * sizes.get(l)! + pos.get(l)!, 0);
  forEachIndex(all.map((l) => sizes.get(l)!), (idx) => {
    const pos = new Map(all.map((l, i) => [l, idx[i]]));
    data[flat(eq.output, pos)] += eq.inputs.reduce((p, t, i) => p * ts[i].data[flat(t, pos)], 1);
  });
  return { dims: outDims, data };
}

/** An operand in the course of lowering: its letters (axis order) and its value or constant. */
type Operand<T> = { letters: string[] } & ({ kind: "value"; value: QValue<T> } | { kind: "const"; tensor: Tensor });

/** A node for the OpDefs this lowers onto: same name (so sites and errors name the Einsum), one input. */
const helper = (node: Node, attrs: Node["attrs"]): Node => ({ ...node, inputs: ["x"], attrs });

function reorder<T>(ctx: OpContext<T>, node: Node, x: Operand<T>, letters: string[]): Operand<T> {
  if (letters.join() === x.letters.join()) return x;
  const perm = letters.map((l) => x.letters.indexOf(l));
  const n = helper(node, { perm });
  if (x.kind === "const") return { letters, kind: "const", tensor: Transpose.fold!(n, [x.tensor])[0] };
  return { letters, kind: "value", value: Transpose.apply(ctx, n, [x])[0] };
}

/** Sums out the letters of x not in `keep`. */
function sumOut<T>(ctx: OpContext<T>, node: Node, x: Operand<T>, keep: (l: string) => boolean): Operand<T> {
  const axes = x.letters.flatMap((l, i) => (keep(l) ? [] : [i]));
  if (axes.length === 0) return x;
  const letters = x.letters.filter(keep);
  const n = helper(node, { axes, keepdims: 0 });
  if (x.kind === "const") return { letters, kind: "const", tensor: ReduceSum.fold!(n, [x.tensor])[0] };
  return { letters, kind: "value", value: ReduceSum.apply(ctx, n, [x])[0] };
}

const reshape = <T>(v: QValue<T>, shape: number[]): QValue<T> => ({ ...v, shape });

function lower<T>(ctx: OpContext<T>, node: Node, eq: Equation, args: Arg<T>[]): QValue<T> {
  const shapes = args.map((a) => (a.kind === "const" ? a.tensor.dims : a.value.shape));
  const sizes = letterSizes(node, eq, shapes);
  const dims = (ls: string[]) => ls.map((l) => sizes.get(l)!);
  const inOut = (l: string) => eq.output.includes(l);
  let ops: Operand<T>[] = args.map((a, i) => ({ ...a, letters: eq.inputs[i] }));
  // A letter only one operand has and the output lacks is summed out first.
  ops = ops.map((x, i) => sumOut(ctx, node, x, (l) => inOut(l) || ops.some((y, j) => j !== i && y.letters.includes(l))));
  let result: Operand<T>;
  if (ops.length === 1) result = ops[0];
  else {
    // The computed operand (the first, if both are) is the left one: MatMul takes constants on the right.
    const [a, b] = ops[0].kind === "value" ? ops : [ops[1], ops[0]];
    const shared = a.letters.filter((l) => b.letters.includes(l));
    const batch = shared.filter(inOut);
    const contracted = shared.filter((l) => !inOut(l));
    const rows = a.letters.filter((l) => !shared.includes(l));
    const cols = b.letters.filter((l) => !shared.includes(l));
    const [Bt, M, K, N] = [batch, rows, contracted, cols].map((ls) => size(dims(ls)));
    const left = reorder(ctx, node, a, [...batch, ...rows, ...contracted]);
    const right = reorder(ctx, node, b, [...batch, ...contracted, ...cols]);
    if (left.kind !== "value") fail(`${describeNode(node)}: internal error: no computed operand`);
    let product: QValue<T>;
    if (right.kind === "value") {
      product = matMulOfValues(ctx, node, [
        { kind: "value", value: reshape(left.value, [Bt, M, K]) },
        { kind: "value", value: reshape(right.value, [Bt, K, N]) },
      ]);
    } else {
      if (batch.length) fail(`${describeNode(node)}: in "${eq.text}" the constant operand has batch letters ${batch.join("")}; only a computed operand may`);
      const weights = { kind: "const" as const, tensor: { dims: [K, N], data: right.tensor.data } };
      product = MatMul.apply(ctx, { ...node, inputs: ["a", "w"] }, [{ kind: "value", value: reshape(left.value, [M, K]) }, weights])[0];
    }
    const letters = [...batch, ...rows, ...cols];
    result = { letters, kind: "value", value: reshape(product, dims(letters)) };
  }
  const out = reorder(ctx, node, result, eq.output);
  if (out.kind !== "value") fail(`${describeNode(node)}: internal error: a constant result`);
  return out.value;
}

export const Einsum: OpDef = {
  arity: [1, Infinity],
  inferShapes(node, ins: ShapeArg[]) {
    const eq = parse(node, ins.length);
    const sizes = letterSizes(node, eq, ins.map((a) => a.shape));
    return [eq.output.map((l) => sizes.get(l)!)];
  },
  fold: (node, ts) => [foldEinsum(node, parse(node, ts.length), ts)],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    return [lower(ctx, node, parse(node, args.length), args)];
  },
};
