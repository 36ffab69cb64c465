import { fail } from "../errors";
import { attrInts, describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { QValue } from "./domain";
import { Arg, atMostScale, constInput, OpContext, paramAffine, valueInput } from "./op";

/** A per-spatial-axis attribute (strides, dilations, pads...), checked for its length. */
export function spatialInts(node: Node, name: string, dflt: number, len: number): number[] {
  const v = attrInts(node, name) ?? Array(len).fill(dflt);
  if (v.length !== len) fail(`${describeNode(node)}: ${name} must have ${len} values, got [${v}]`);
  return v;
}

/** What Conv and ConvTranspose share once their geometry is known. */
export interface TapGeometry {
  N: number;
  C: number;
  M: number;
  inSp: number[];
  kSp: number[];
  outSp: number[];
}

/** For each output position (row-major): the (input offset, kernel offset) pairs that feed it. */
export type Taps = { inOff: number[]; kOff: number[] }[];

/**
 * Conv and ConvTranspose with constant weights: each output element is one linear combination of
 * the input elements its taps name, so the layer costs no constraints. `channels(m)` lists the input
 * channels feeding output channel m with the flat offset of their kernel in the weights.
 */
export function applyTaps<T, G extends TapGeometry>(
  ctx: OpContext<T>,
  node: Node,
  args: Arg<T>[],
  geometry: (x: number[], w: number[], b: number[] | undefined) => G,
  taps: (g: G) => Taps,
  channels: (g: G, m: number) => { c: number; wBase: number }[],
): QValue<T>[] {
  if (args[0]?.kind === "const") fail(`${describeNode(node)}: a constant input X is not supported yet`);
  const input = valueInput(node, args, 0, "X");
  const w = constInput(node, args, 1, "weights");
  const bias: Tensor | undefined = args[2] ? constInput(node, args, 2, "bias") : undefined;
  const g = geometry(input.shape, w.dims, bias?.dims);
  const x = input.fine ? input : atMostScale(ctx, node, input, ctx.quant.scaleBits);
  const wScale = ctx.quant.scaleBits;
  const outScale = x.scale + wScale;
  const what = describeNode(node);
  const qw = w.data.map((v) => quantizeReal(v, wScale, `${what} weight`));
  const qb = bias ? bias.data.map((v) => quantizeReal(v, outScale, `${what} bias`)) : undefined;
  const inSize = size(g.inSp);
  const positions = taps(g);
  // Private weights are lifted once and shared by every output; zero ones stay in so the circuit's
  // shape does not reveal the kernel's sparsity.
  const pw = ctx.params?.lift(node, "weight", qw);
  const pb = qb && ctx.params?.lift(node, "bias", qb);
  const data: T[] = [];
  for (let n = 0; n < g.N; n++)
    for (let m = 0; m < g.M; m++) {
      const feeding = channels(g, m);
      for (const { inOff, kOff } of positions) {
        const xs: T[] = [];
        const ws: number[] = [];
        for (const { c, wBase } of feeding) {
          const xBase = (n * g.C + c) * inSize;
          for (let t = 0; t < inOff.length; t++) {
            if (!pw && qw[wBase + kOff[t]] === 0n) continue;
            xs.push(x.data[xBase + inOff[t]]);
            ws.push(wBase + kOff[t]);
          }
        }
        if (pw) data.push(paramAffine(ctx, node, data.length, xs, ws.map((i) => pw[i]), pb?.[m]));
        else data.push(ctx.dom.affine(xs, ws.map((i) => qw[i]), qb ? qb[m] : 0n));
      }
    }
  return [{ shape: [g.N, g.M, ...g.outSp], scale: outScale, data }];
}
