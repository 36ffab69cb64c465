import { applyTaps, spatialInts } from "./conv-common";
import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size } from "../ir/graph";
import { QValue } from "./domain";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * ONNX ConvTranspose (1-D and 2-D) with constant weights [C, M/group, k...] and bias [M]. Input
 * position i, kernel tap k lands on output position i*stride - padBegin + k*dilation; each output is
 * the linear combination of the pairs landing on it, so like Conv it costs no constraints.
 */

interface Geometry {
  N: number;
  C: number;
  M: number;
  group: number;
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
}

function geometry(node: Node, x: number[], w: number[], b: number[] | undefined): Geometry {
  const d = describeNode(node);
  if (x.length < 3) fail(`${d}: the input must be [N, C, ...spatial], got [${x}]`);
  const rank = x.length - 2;
  if (rank > 2) fail(`${d}: ${rank}-D transposed convolution is not supported yet (only 1-D and 2-D)`);
  if (w.length !== x.length) fail(`${d}: weights [${w}] do not match the ${rank}-D input [${x}]`);
  const [N, C, ...inSp] = x;
  const [Cw, Mg, ...wSp] = w;
  const group = attrInt(node, "group", 1);
  if (group < 1 || C % group !== 0) fail(`${d}: group ${group} must divide the input channels (${C})`);
  if (Cw !== C) fail(`${d}: weights [${w}] need ${C} input channels`);
  const M = Mg * group;
  if (b && (b.length !== 1 || b[0] !== M)) fail(`${d}: bias must be [${M}], got [${b}]`);
  const kSp = attrInts(node, "kernel_shape") ?? wSp;
  if (kSp.length !== rank || kSp.some((k, i) => k !== wSp[i])) fail(`${d}: kernel_shape [${kSp}] does not match the weights [${w}]`);
  const list = (name: string, dflt: number, len: number) => spatialInts(node, name, dflt, len);
  const strides = list("strides", 1, rank);
  const dilations = list("dilations", 1, rank);
  const outputPadding = list("output_padding", 0, rank);
  if (strides.some((s) => s < 1) || dilations.some((s) => s < 1)) fail(`${d}: strides and dilations must be positive`);
  if (outputPadding.some((p, i) => p < 0 || p >= Math.max(strides[i], dilations[i])))
    fail(`${d}: output_padding [${outputPadding}] must be below the stride or dilation`);
  // The full (unpadded, uncropped) extent of the output in each dimension.
  const full = inSp.map((n, i) => (n - 1) * strides[i] + outputPadding[i] + (kSp[i] - 1) * dilations[i] + 1);
  const autoPad = (node.attrs.auto_pad as string | undefined) ?? "NOTSET";
  if (!["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].includes(autoPad)) fail(`${d}: unknown auto_pad "${autoPad}"`);
  let outSp: number[];
  let padBegin: number[];
  const explicit = attrInts(node, "output_shape");
  if (explicit || autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    // output_shape may list the spatial sizes or the whole shape; SAME gives input * stride.
    outSp = explicit ? explicit.slice(explicit.length - rank) : inSp.map((n, i) => n * strides[i]);
    if (outSp.length !== rank) fail(`${d}: output_shape [${explicit}] needs ${rank} spatial sizes`);
    // The total crop is split evenly; an odd one is cropped at the end for SAME_UPPER and at the
    // beginning otherwise (the ONNX spec's rule, which onnxruntime follows).
    padBegin = outSp.map((o, i) => {
      const total = Math.max(0, full[i] - o);
      return autoPad === "SAME_UPPER" ? Math.floor(total / 2) : total - Math.floor(total / 2);
    });
  } else if (autoPad === "VALID") {
    padBegin = Array(rank).fill(0);
    outSp = full;
  } else {
    const pads = list("pads", 0, 2 * rank);
    if (pads.some((p) => p < 0)) fail(`${d}: negative pads [${pads}] are not supported`);
    padBegin = pads.slice(0, rank);
    outSp = full.map((f, i) => f - pads[i] - pads[i + rank]);
  }
  if (outSp.some((o) => o < 1)) fail(`${d}: the output would be empty ([${outSp}])`);
  return { N, C, M, group, inSp, kSp, outSp, strides, dilations, padBegin };
}

/** For each output position (row-major): the (input offset, kernel offset) pairs that land on it. */
function taps(g: Geometry): { inOff: number[]; kOff: number[] }[] {
  const two = <V>(v: V[], one: V): V[] => (v.length === 2 ? v : [one, v[0]]);
  const [inH, inW] = two(g.inSp, 1);
  const [kH, kW] = two(g.kSp, 1);
  const [oH, oW] = two(g.outSp, 1);
  const [sH, sW] = two(g.strides, 1);
  const [dH, dW] = two(g.dilations, 1);
  const [pH, pW] = two(g.padBegin, 0);
  // o = i*s - p + k*d, so i = (o + p - k*d) / s when that divides exactly and lies in the input.
  const source = (o: number, p: number, k: number, dil: number, s: number, n: number) => {
    const t = o + p - k * dil;
    if (t < 0 || t % s !== 0) return -1;
    return t / s < n ? t / s : -1;
  };
  const result: { inOff: number[]; kOff: number[] }[] = [];
  for (let oh = 0; oh < oH; oh++)
    for (let ow = 0; ow < oW; ow++) {
      const inOff: number[] = [];
      const kOff: number[] = [];
      for (let kh = 0; kh < kH; kh++) {
        const ih = source(oh, pH, kh, dH, sH, inH);
        if (ih < 0) continue;
        for (let kw = 0; kw < kW; kw++) {
          const iw = source(ow, pW, kw, dW, sW, inW);
          if (iw < 0) continue;
          inOff.push(ih * inW + iw);
          kOff.push(kh * kW + kw);
        }
      }
      result.push({ inOff, kOff });
    }
  return result;
}

export const ConvTranspose: OpDef = {
  arity: [2, 3],
  inferShapes(node, [x, w, b]: ShapeArg[]) {
    const g = geometry(node, x.shape, w.shape, b?.shape);
    return [[g.N, g.M, ...g.outSp]];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    // Output channel m reads the C/group input channels of its group; its kernels are W[c, m % Mg, ...].
    return applyTaps(ctx, node, args, (x, w, b) => geometry(node, x, w, b), taps, (g, m) => {
      const Cg = g.C / g.group;
      const Mg = g.M / g.group;
      const grp = Math.floor(m / Mg);
      return Array.from({ length: Cg }, (_, k) => ({ c: grp * Cg + k, wBase: ((grp * Cg + k) * Mg + (m % Mg)) * size(g.kSp) }));
    });
  },
};
