import { spatialInts } from "./conv-common";
import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { maxOf, reciprocal } from "./composite";
import { QValue } from "./domain";
import { Arg, atMostScale, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * AveragePool, MaxPool and their Global forms, 1-D and 2-D. An average is one linear combination (the
 * window's sum times a constant reciprocal of its count): zero constraints. A maximum is a chain of
 * maxOf, one Relu per comparison. Pooling before the consumer's rescale is exact for the max (rounding
 * is monotone) and also means fewer elements to rescale.
 */

interface PoolGeometry {
  inSp: number[];
  outSp: number[];
  /** For each output position: the flat in-bounds input offsets, and the count an average divides by. */
  windows: { offsets: number[]; count: number }[];
}

function poolGeometry(node: Node, x: number[]): PoolGeometry {
  const d = describeNode(node);
  if (x.length < 3) fail(`${d}: the input must be [N, C, ...spatial], got [${x}]`);
  const rank = x.length - 2;
  if (rank > 2) fail(`${d}: ${rank}-D pooling is not supported yet (only 1-D and 2-D)`);
  const inSp = x.slice(2);
  const kSp = attrInts(node, "kernel_shape");
  if (!kSp || kSp.length !== rank) fail(`${d}: kernel_shape must have ${rank} values, got [${kSp ?? ""}]`);
  const list = (name: string, dflt: number, len: number) => spatialInts(node, name, dflt, len);
  const strides = list("strides", 1, rank);
  const dilations = list("dilations", 1, rank);
  if (kSp.some((k) => k < 1) || strides.some((s) => s < 1) || dilations.some((s) => s < 1))
    fail(`${d}: kernel_shape, strides and dilations must be positive`);
  // ceil_mode (opset 10+) and count_include_pad (opset 7+) default to 0, so older models need no special case.
  const ceil = attrInt(node, "ceil_mode", 0) === 1;
  const eff = kSp.map((k, i) => (k - 1) * dilations[i] + 1);
  const autoPad = (node.attrs.auto_pad as string | undefined) ?? "NOTSET";
  let padBegin: number[];
  let padEnd: number[];
  let outSp: number[];
  const round = ceil ? Math.ceil : Math.floor;
  if (autoPad === "NOTSET") {
    const pads = list("pads", 0, 2 * rank);
    if (pads.some((p) => p < 0)) fail(`${d}: negative pads [${pads}] are not supported`);
    padBegin = pads.slice(0, rank);
    padEnd = pads.slice(rank);
    outSp = inSp.map((n, i) => {
      let o = round((n + padBegin[i] + padEnd[i] - eff[i]) / strides[i]) + 1;
      // With ceil_mode, a last window that would start in the end padding is dropped.
      if (ceil && (o - 1) * strides[i] >= n + padBegin[i]) o--;
      return o;
    });
  } else if (autoPad === "VALID") {
    padBegin = padEnd = Array(rank).fill(0);
    outSp = inSp.map((n, i) => round((n - eff[i]) / strides[i]) + 1);
  } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    outSp = inSp.map((n, i) => Math.ceil(n / strides[i]));
    const total = inSp.map((n, i) => Math.max(0, (outSp[i] - 1) * strides[i] + eff[i] - n));
    padBegin = total.map((t) => (autoPad === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
    padEnd = total.map((t, i) => t - padBegin[i]);
  } else fail(`${d}: unknown auto_pad "${autoPad}"`);
  if (outSp.some((o) => o < 1)) fail(`${d}: the kernel does not fit the input [${x}] (output [${outSp}])`);
  // 1-D is 2-D with a height of 1.
  const two = <V>(v: V[], one: V): V[] => (rank === 2 ? v : [one, v[0]]);
  const [inH, inW] = two(inSp, 1);
  const [kH, kW] = two(kSp, 1);
  const [oH, oW] = two(outSp, 1);
  const [sH, sW] = two(strides, 1);
  const [dH, dW] = two(dilations, 1);
  const [pH, pW] = two(padBegin, 0);
  const [eH, eW] = two(padEnd, 0);
  const windows: PoolGeometry["windows"] = [];
  for (let oh = 0; oh < oH; oh++)
    for (let ow = 0; ow < oW; ow++) {
      const offsets: number[] = [];
      let padded = 0; // window positions inside the padded input, for count_include_pad
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * sH - pH + kh * dH;
        for (let kw = 0; kw < kW; kw++) {
          const iw = ow * sW - pW + kw * dW;
          if (ih >= -pH && ih < inH + eH && iw >= -pW && iw < inW + eW) padded++;
          if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) offsets.push(ih * inW + iw);
        }
      }
      const includePad = attrInt(node, "count_include_pad", 0) === 1;
      windows.push({ offsets, count: includePad ? padded : offsets.length });
    }
  return { inSp, outSp, windows };
}

/** The same geometry for the Global ops: one window over every spatial position. */
function globalGeometry(node: Node, x: number[]): PoolGeometry {
  if (x.length < 3) fail(`${describeNode(node)}: the input must be [N, C, ...spatial], got [${x}]`);
  const inSp = x.slice(2);
  const offsets = Array.from({ length: size(inSp) }, (_, i) => i);
  return { inSp, outSp: inSp.map(() => 1), windows: [{ offsets, count: offsets.length }] };
}

type Reduce = <T>(ctx: OpContext<T>, node: Node, x: QValue<T>, g: PoolGeometry) => QValue<T>;

/** Applies `f` to the windows of every [n, c] plane, in output order. */
function eachWindow<T>(x: QValue<T>, g: PoolGeometry, f: (window: T[], count: number, flatOut: number) => T): T[] {
  const planes = x.shape[0] * x.shape[1];
  const inSize = size(g.inSp);
  const out: T[] = [];
  for (let p = 0; p < planes; p++)
    for (const w of g.windows) out.push(f(w.offsets.map((o) => x.data[p * inSize + o]), w.count, out.length));
  return out;
}

const average: Reduce = (ctx, node, input, g) => {
  // Keep the scale bounded (a preceding Mul or Conv doubles it) before adding the reciprocal's shift.
  const x = atMostScale(ctx, node, input, 2 * ctx.quant.scaleBits);
  const counts = [...new Set(g.windows.map((w) => Math.max(w.count, 1)))];
  const largest = Math.max(...counts);
  // Windows of one power-of-two count (2x2: 4) divide exactly by a shift alone: the sum itself, log2(count)
  // bits finer. Otherwise one shift for every window (they share the output scale), which the largest
  // count needs the most bits for, times a rounded reciprocal.
  const exact = counts.length === 1 && (largest & (largest - 1)) === 0;
  const shift = exact ? Math.log2(largest) : reciprocal(largest, ctx.quant.scaleBits).shift;
  const inverse = new Map(counts.map((c) => [c, exact ? 1n : quantizeReal(1 / c, shift, `${describeNode(node)} 1/${c}`)]));
  const data = eachWindow(x, g, (window, count) =>
    // A window entirely in the padding (count 0) averages nothing: 0, as onnxruntime gives.
    count === 0 ? ctx.dom.constant(0n) : ctx.dom.affine(window, window.map(() => inverse.get(count)!), 0n),
  );
  const scale = x.scale + shift;
  // Left unrounded when a linear layer absorbs it: its rescale rounds the sum with the layer's own.
  const fine = scale > ctx.quant.scaleBits && ctx.deferRounding?.(node, scale - ctx.quant.scaleBits) ? true : undefined;
  return { shape: [...input.shape.slice(0, 2), ...g.outSp], scale, data, fine };
};

const maximum: Reduce = (ctx, node, x, g) => {
  const data = eachWindow(x, g, (window, _count, flat) => {
    if (window.length === 0) fail(`${describeNode(node)}: a pooling window lies entirely in the padding`);
    return window.slice(1).reduce((m, v) => maxOf(ctx.dom, v, m, { node: node.name, index: flat }), window[0]);
  });
  return { shape: [...x.shape.slice(0, 2), ...g.outSp], scale: x.scale, data };
};

function pool(geometry: (node: Node, x: number[]) => PoolGeometry, reduce: Reduce): OpDef {
  const noIndices = (node: Node) => {
    if (node.outputs.length > 1 && node.outputs[1] !== "")
      fail(`${describeNode(node)}: the Indices output is not supported (only the pooled values are)`);
  };
  return {
    arity: [1, 1],
    inferShapes(node, [x]: ShapeArg[]) {
      noIndices(node);
      const g = geometry(node, x.shape);
      return [[...x.shape.slice(0, 2), ...g.outSp]];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      noIndices(node);
      const x = valueInput(node, args, 0, "X");
      return [reduce(ctx, node, x, geometry(node, x.shape))];
    },
  };
}

export const AveragePool = pool(poolGeometry, average);
export const MaxPool = pool(poolGeometry, maximum);
export const GlobalAveragePool = pool(globalGeometry, average);
export const GlobalMaxPool = pool(globalGeometry, maximum);
