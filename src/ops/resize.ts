import { fail } from "../errors";
import { attrInt, attrInts, describeNode, Node, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { QValue } from "./domain";
import { forEachIndex, normAxis, strides } from "./layout";
import { Arg, atMostScale, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * Resize (opsets 10, 11, 13, 18, 19) and Upsample (opsets 7 and 9), modes "nearest" and "linear", with
 * constant scales or sizes. Every output coordinate maps back to an input coordinate x (float32, as
 * onnxruntime computes it) by the coordinate transformation:
 *   half_pixel (x_out + 0.5) / scale - 0.5; pytorch_half_pixel the same, 0 for an output length of 1;
 *   asymmetric x_out / scale; align_corners x_out * (in - 1) / (out - 1), 0 for an output length of 1.
 * Resize-10 and Upsample have no attributes for it: asymmetric, and for nearest onnxruntime's "simple"
 * rounding (truncation when upsampling, ceil when downsampling).
 *  - nearest: the input element at the rounded x (round_prefer_floor, round_prefer_ceil, floor, ceil),
 *    clamped to the axis: a pure gather, no constraint.
 *  - linear (bilinear on the last two axes, the others unscaled): x is clamped to [0, in - 1], and the
 *    output is (1 - t) * in[x0] + t * in[x1] per axis, x0 = floor(x), x1 = min(x0 + 1, in - 1),
 *    t = x - x0. Each axis's t is quantized to p bits, the fewest in [0, scaleBits] that hold every
 *    t of the axis exactly (2 for a factor-2 half_pixel resize), else scaleBits, and its weights are
 *    2^p - round(t 2^p) and round(t 2^p), which add up to 2^p exactly, so a constant stays constant
 *    and the error is at most 2^-(p+1) |in[x1] - in[x0]| per axis. The output is one constant-weight
 *    linear combination per element (no constraint) at the input's scale plus the axes' p: the
 *    rounding is left to the consumer's rescale, as AveragePool and Gemm leave theirs.
 */

type Coord = "half_pixel" | "pytorch_half_pixel" | "asymmetric" | "align_corners";
type Nearest = "round_prefer_floor" | "round_prefer_ceil" | "floor" | "ceil" | "simple";
const COORDS = ["half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"];
const NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"];

/** An input by ONNX position: a constant, a computed value, or absent (omitted, "" or empty). */
type In = Tensor | "computed" | undefined;

interface Geometry {
  mode: "nearest" | "linear";
  outDims: number[];
  /** Per axis, per output coordinate: the input positions and their weights (adding up to 1). */
  taps: { at: number[]; t: number }[][];
}

const f = Math.fround;

function str(node: Node, name: string, dflt: string): string {
  const v = node.attrs[name];
  return typeof v === "string" ? v : dflt;
}

/** A float list from an attribute or a constant input; undefined when absent or empty. */
function floats(node: Node, t: In, role: string, i: number): number[] | undefined {
  if (t === "computed") fail(`${describeNode(node)}: ${role} (input ${i}) must be a constant; computed ${role} are not supported`);
  return t && t.data.length > 0 ? t.data : undefined;
}

function geometry(node: Node, x: number[], ins: In[], opset: number | undefined): Geometry {
  const d = describeNode(node);
  const upsample = node.op === "Upsample";
  if (opset !== undefined && upsample && opset >= 10) fail(`${d}: Upsample is deprecated since opset 10 (model opset ${opset}); Resize replaces it`);
  // Resize-10 is (X, scales); since 11 (X, roi, scales, sizes). Without the opset (folding), the input count tells.
  const v10 = upsample || (opset !== undefined ? opset < 11 : node.inputs.length <= 2);
  const mode = str(node, "mode", "nearest");
  if (mode === "cubic") fail(`${d}: mode "cubic" is not supported; only "nearest" and "linear" are`);
  if (mode !== "nearest" && mode !== "linear") fail(`${d}: unknown mode "${mode}"; only "nearest" and "linear" are supported`);
  const coord = (v10 ? "asymmetric" : str(node, "coordinate_transformation_mode", "half_pixel")) as Coord;
  if (!COORDS.includes(coord)) fail(`${d}: coordinate_transformation_mode "${coord}" is not supported; only ${COORDS.join(", ")} are`);
  const nearest = (v10 ? "simple" : str(node, "nearest_mode", "round_prefer_floor")) as Nearest;
  if (nearest !== "simple" && !NEAREST.includes(nearest)) fail(`${d}: unknown nearest_mode "${nearest}"`);
  if (mode === "linear" && attrInt(node, "antialias", 0) !== 0) fail(`${d}: antialias = 1 is not supported`);
  const policy = str(node, "keep_aspect_ratio_policy", "stretch");

  const rank = x.length;
  const axes = (attrInts(node, "axes") ?? x.map((_, i) => i)).map((a) => normAxis(node, a, rank, "axis"));
  const scalesIn = upsample ? (attrFloats(node, "scales") ?? floats(node, ins[1], "scales", 1)) : floats(node, ins[v10 ? 1 : 2], "scales", v10 ? 1 : 2);
  const sizesIn = v10 ? undefined : floats(node, ins[3], "sizes", 3);
  const scales = x.map(() => 1);
  const outDims = [...x];
  if (scalesIn && sizesIn) fail(`${d}: scales and sizes are both given; only one may be`);
  if (scalesIn) {
    if (scalesIn.length !== axes.length) fail(`${d}: ${scalesIn.length} scales for ${axes.length} axes`);
    axes.forEach((a, i) => {
      const s = f(scalesIn[i]);
      if (!(s > 0)) fail(`${d}: scale ${scalesIn[i]} must be positive`);
      scales[a] = s;
      outDims[a] = Math.floor(f(x[a] * s));
    });
  } else if (sizesIn) {
    if (sizesIn.length !== axes.length) fail(`${d}: ${sizesIn.length} sizes for ${axes.length} axes`);
    if (policy !== "stretch") fail(`${d}: keep_aspect_ratio_policy "${policy}" is not supported; only "stretch"`);
    axes.forEach((a, i) => {
      if (!Number.isInteger(sizesIn[i]) || sizesIn[i] < 1) fail(`${d}: size ${sizesIn[i]} must be a positive integer`);
      outDims[a] = sizesIn[i];
      scales[a] = f(sizesIn[i] / x[a]);
    });
  } else fail(`${d}: needs constant scales or sizes`);
  if (outDims.some((o) => o < 1)) fail(`${d}: the output [${outDims}] is empty`);

  const taps = x.map((n, a) => {
    const out = outDims[a];
    if (mode === "linear" && a < rank - 2 && (scales[a] !== 1 || out !== n))
      fail(`${d}: linear mode scales axis ${a} of [${x}]; only the last two axes may be (bilinear)`);
    return Array.from({ length: out }, (_, j) => {
      const xo = scales[a] === 1 && out === n ? j : original(coord, j, scales[a], out, n);
      if (mode === "nearest") return { at: [Math.min(Math.max(nearestIndex(nearest, xo, scales[a] < 1), 0), n - 1)], t: 0 };
      const c = Math.min(Math.max(xo, 0), n - 1);
      const x0 = Math.min(Math.trunc(c), n - 1);
      const x1 = Math.min(x0 + 1, n - 1);
      return x0 === x1 ? { at: [x0], t: 0 } : { at: [x0, x1], t: f(c - x0) };
    });
  });
  return { mode, outDims, taps };
}

function attrFloats(node: Node, name: string): number[] | undefined {
  const v = node.attrs[name];
  return Array.isArray(v) && v.length > 0 ? (v as number[]) : undefined;
}

/** The input coordinate of output coordinate j, in float32 steps as onnxruntime computes it. */
function original(coord: Coord, j: number, scale: number, out: number, n: number): number {
  switch (coord) {
    case "half_pixel": return f(f(f(j + 0.5) / scale) - 0.5);
    case "pytorch_half_pixel": return out > 1 ? f(f(f(j + 0.5) / scale) - 0.5) : 0;
    case "asymmetric": return f(j / scale);
    case "align_corners": return out === 1 ? 0 : f(f(j * (n - 1)) / (out - 1));
  }
}

function nearestIndex(mode: Nearest, x: number, downsampling: boolean): number {
  switch (mode) {
    case "round_prefer_floor": return x === Math.trunc(x) + 0.5 ? Math.floor(x) : roundAway(x);
    case "round_prefer_ceil": return roundAway(x);
    case "floor": return Math.floor(x);
    case "ceil": return Math.ceil(x);
    case "simple": return downsampling ? Math.ceil(x) : Math.trunc(x);
  }
}

/** C's round: half away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/**
 * The fewest bits p <= maxBits holding every t of an axis exactly (t * 2^p an integer), else maxBits.
 * A nearest axis (every t = 0) needs none.
 */
function axisBits(taps: { t: number }[], maxBits: number): number {
  for (let p = 0; p < maxBits; p++) if (taps.every(({ t }) => Number.isInteger(t * 2 ** p))) return p;
  return maxBits;
}

/**
 * Calls f for each output element (its multi-index) with the flat input positions it reads and, for
 * each, the tap chosen on every axis.
 */
function eachOutput(g: Geometry, x: number[], visit: (idx: number[], flat: number[], pick: number[][]) => void): void {
  const sx = strides(x);
  forEachIndex(g.outDims, (idx) => {
    // The cartesian product of the axes' taps.
    let combos: { flat: number; pick: number[] }[] = [{ flat: 0, pick: [] }];
    idx.forEach((j, a) => {
      const tap = g.taps[a][j];
      combos = combos.flatMap((c) => tap.at.map((p, k) => ({ flat: c.flat + p * sx[a], pick: [...c.pick, k] })));
    });
    visit(idx, combos.map((c) => c.flat), combos.map((c) => c.pick));
  });
}

/** The inputs by ONNX position. */
function byPosition(node: Node, get: (j: number) => In): In[] {
  return node.inputs.map((name, j) => (name === "" ? undefined : get(j)));
}

function resizeOp(arity: [number, number]): OpDef {
  return {
    arity,
    inferShapes(node, ins: ShapeArg[]) {
      const g = geometry(node, ins[0].shape, byPosition(node, (j) => ins[j].tensor ?? (j === 0 ? undefined : "computed")), undefined);
      return [g.outDims];
    },
    fold(node, present) {
      let k = 0;
      const ins = byPosition(node, () => present[k++]);
      const x = ins[0] as Tensor;
      const g = geometry(node, x.dims, ins, undefined);
      const data: number[] = [];
      eachOutput(g, x.dims, (idx, flat, pick) =>
        data.push(flat.reduce((acc, p, c) => acc + x.data[p] * pick[c].reduce((w, k, a) => w * tapWeight(g.taps[a][idx[a]], k), 1), 0)),
      );
      return [{ dims: g.outDims, data }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const input = valueInput(node, args, 0, "X");
      const ins = byPosition(node, (j) => (j === 0 ? undefined : args[j] === undefined ? undefined : args[j].kind === "const" ? (args[j] as { tensor: Tensor }).tensor : "computed"));
      const g = geometry(node, input.shape, ins, ctx.opset);
      if (g.mode === "nearest") {
        const data: T[] = [];
        eachOutput(g, input.shape, (_idx, flat) => data.push(input.data[flat[0]]));
        return [{ shape: g.outDims, scale: input.scale, data }];
      }
      // As AveragePool: a finer input (a product at twice the scale) is kept up to 2 * scaleBits.
      const x = atMostScale(ctx, node, input, 2 * ctx.quant.scaleBits);
      const bits = g.taps.map((axis) => axisBits(axis, ctx.quant.scaleBits));
      const what = `${describeNode(node)} weight`;
      // Per axis and output coordinate: the integer weights of its taps, adding up to 2^p.
      const qTaps = g.taps.map((axis, a) =>
        axis.map((tap) => {
          if (tap.at.length === 1) return [1n << BigInt(bits[a])];
          const w1 = quantizeReal(tap.t, bits[a], what);
          return [(1n << BigInt(bits[a])) - w1, w1];
        }),
      );
      const data: T[] = [];
      eachOutput(g, input.shape, (idx, flat, pick) => {
        const ws = pick.map((p) => p.reduce((w, k, a) => w * qTaps[a][idx[a]][k], 1n));
        data.push(ctx.dom.affine(flat.map((p) => x.data[p]), ws, 0n));
      });
      return [{ shape: g.outDims, scale: x.scale + bits.reduce((s, b) => s + b, 0), data }];
    },
  };
}

/** The float weight of tap k of one coordinate: 1 - t for the lower position, t for the upper. */
const tapWeight = (tap: { at: number[]; t: number }, k: number) => (tap.at.length === 1 ? 1 : k === 0 ? 1 - tap.t : tap.t);

export const Resize = resizeOp([1, 4]);
export const Upsample = resizeOp([1, 2]);
