import { applyTaps, spatialInts } from "./conv-common";
import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, size } from "../ir/graph";
import { QValue } from "./domain";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * ONNX Conv (1-D and 2-D) with constant weights and bias. Like Gemm, the weights are circuit
 * constants: each output element is one linear combination of the in-bounds input elements (padding
 * contributes zeros, so its terms are simply skipped), costing no multiplication constraints.
 */

interface ConvGeometry {
  N: number;
  C: number;
  M: number;
  group: number;
  /** Spatial sizes of the input, kernel and output; strides, dilations, begin pads. */
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
}

function geometry(node: Node, x: number[], w: number[], b: number[] | undefined): ConvGeometry {
  const d = describeNode(node);
  if (x.length < 3) fail(`${d}: the input must be [N, C, ...spatial], got [${x}]`);
  const rank = x.length - 2;
  if (rank > 2) fail(`${d}: ${rank}-D convolution is not supported yet (only 1-D and 2-D)`);
  if (w.length !== x.length) fail(`${d}: weights [${w}] do not match the ${rank}-D input [${x}]`);
  const [N, C, ...inSp] = x;
  const [M, Cg, ...wSp] = w;
  const group = attrInt(node, "group", 1);
  if (group < 1 || C % group !== 0 || M % group !== 0)
    fail(`${d}: group ${group} must divide the input channels (${C}) and output channels (${M})`);
  if (Cg !== C / group) fail(`${d}: weights [${w}] need ${C / group} input channels per group (C=${C}, group=${group})`);
  if (b && (b.length !== 1 || b[0] !== M)) fail(`${d}: bias must be [${M}], got [${b}]`);
  const kSp = attrInts(node, "kernel_shape") ?? wSp;
  if (kSp.length !== rank || kSp.some((k, i) => k !== wSp[i]))
    fail(`${d}: kernel_shape [${kSp}] does not match the weights [${w}]`);
  const list = (name: string, dflt: number, len: number) => spatialInts(node, name, dflt, len);
  const strides = list("strides", 1, rank);
  const dilations = list("dilations", 1, rank);
  if (strides.some((s) => s < 1) || dilations.some((s) => s < 1)) fail(`${d}: strides and dilations must be positive`);
  const autoPad = (node.attrs.auto_pad as string | undefined) ?? "NOTSET";
  const eff = kSp.map((k, i) => (k - 1) * dilations[i] + 1);
  let padBegin: number[];
  let outSp: number[];
  if (autoPad === "NOTSET") {
    const pads = list("pads", 0, 2 * rank);
    if (pads.some((p) => p < 0)) fail(`${d}: negative pads [${pads}] are not supported`);
    padBegin = pads.slice(0, rank);
    outSp = inSp.map((n, i) => Math.floor((n + pads[i] + pads[i + rank] - eff[i]) / strides[i]) + 1);
  } else if (autoPad === "VALID") {
    padBegin = Array(rank).fill(0);
    outSp = inSp.map((n, i) => Math.floor((n - eff[i]) / strides[i]) + 1);
  } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    outSp = inSp.map((n, i) => Math.ceil(n / strides[i]));
    padBegin = inSp.map((n, i) => {
      const total = Math.max(0, (outSp[i] - 1) * strides[i] + eff[i] - n);
      return autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
    });
  } else fail(`${d}: unknown auto_pad "${autoPad}"`);
  if (outSp.some((o) => o < 1)) fail(`${d}: the kernel does not fit the input [${x}] (output [${outSp}])`);
  return { N, C, M, group, inSp, kSp, outSp, strides, dilations, padBegin };
}

/** For each output position (row-major over outSp): the in-bounds (input offset, kernel offset) pairs. */
function taps(g: ConvGeometry): { inOff: number[]; kOff: number[] }[] {
  const rank = g.inSp.length;
  const [inH, inW] = rank === 2 ? g.inSp : [1, g.inSp[0]];
  const [kH, kW] = rank === 2 ? g.kSp : [1, g.kSp[0]];
  const [oH, oW] = rank === 2 ? g.outSp : [1, g.outSp[0]];
  const [sH, sW] = rank === 2 ? g.strides : [1, g.strides[0]];
  const [dH, dW] = rank === 2 ? g.dilations : [1, g.dilations[0]];
  const [pH, pW] = rank === 2 ? g.padBegin : [0, g.padBegin[0]];
  const result: { inOff: number[]; kOff: number[] }[] = [];
  for (let oh = 0; oh < oH; oh++)
    for (let ow = 0; ow < oW; ow++) {
      const inOff: number[] = [];
      const kOff: number[] = [];
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * sH - pH + kh * dH;
        if (ih < 0 || ih >= inH) continue;
        for (let kw = 0; kw < kW; kw++) {
          const iw = ow * sW - pW + kw * dW;
          if (iw < 0 || iw >= inW) continue;
          inOff.push(ih * inW + iw);
          kOff.push(kh * kW + kw);
        }
      }
      result.push({ inOff, kOff });
    }
  return result;
}

export const Conv: OpDef = {
  arity: [2, 3],
  inferShapes(node, [x, w, b]: ShapeArg[]) {
    const g = geometry(node, x.shape, w.shape, b?.shape);
    return [[g.N, g.M, ...g.outSp]];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    // Output channel m reads the Cg input channels of its group; its kernels are W[m, c, ...].
    return applyTaps(ctx, node, args, (x, w, b) => geometry(node, x, w, b), taps, (g, m) => {
      const Cg = g.C / g.group;
      const c0 = Math.floor(m / (g.M / g.group)) * Cg;
      return Array.from({ length: Cg }, (_, c) => ({ c: c0 + c, wBase: (m * Cg + c) * size(g.kSp) }));
    });
  },
};
