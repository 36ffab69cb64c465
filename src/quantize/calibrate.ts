import { ZkmlError } from "../errors";
import { attrInt, Graph, inputScale, isIntegerInput, size, ValueInfo } from "../ir/graph";
import { CalibratedWidth, QuantParams } from "../ops/domain";
import { dequantize, inputRange, quantizeReal, roundShift, signedWidth } from "../numeric/fixed-point";
import { evaluateQuantized, evaluateTraced, quantizeModel, QuantizedModel } from "./index";
import { CALIBRATED_KINDS, MAX_SAFE_BITS, widthKey, widthOf } from "./interval";

/**
 * Calibration: the scale (fraction bits) is chosen per model, as the smallest that keeps the
 * quantized outputs within a target error of the float model on calibration inputs. A smaller scale
 * means narrower range checks and smaller tables, so fewer constraints; the search stops at the
 * first scale that is good enough. A scale at which some bound could wrap the field, or at which
 * the calibration inputs do not fit the input range, is never chosen.
 */

/** Float outputs of the model on a batch of inputs (onnxruntime, injected to keep this module pure). */
export type FloatReference = (batch: number[][][]) => Promise<number[][][]>;

export interface CalibrationOptions {
  inputBits: number;
  /** QuantParams.inputUnsigned. */
  inputUnsigned?: boolean;
  /** QuantParams.widths: the fidelity measured with calibrated widths. */
  widths?: QuantParams["widths"];
  /** Float inputs, one entry per sample, each a flat list per graph input. */
  samples: number[][][];
  reference: FloatReference;
  /** Accepted max |error| as a fraction of the output range (default 0.005; see acceptedError). */
  target?: number;
  /** Candidate scales, tried in order (default 6 .. 16). */
  scales?: number[];
}

export interface FidelityReport {
  scaleBits: number;
  samples: number;
  maxAbsError: number;
  /** maxAbsError / max |float output|. */
  relativeError: number;
  outputRange: number;
  /** Fraction of samples whose argmax agrees (only for outputs of two or more elements). */
  argmaxAgreement?: number;
  target: number;
  withinTarget: boolean;
  /** Every scale tried and why it was or was not taken. */
  tried: { scaleBits: number; maxAbsError?: number; rejected?: string }[];
}

/**
 * The error a scale must stay within: `target` of the output range (max |float output|), but never
 * below 2^-10 absolute, so an output that is almost always 0 does not demand an unbounded scale.
 */
export function acceptedError(outputRange: number, target = 0.005): number {
  return Math.max(target * outputRange, 2 ** -10);
}

const DEFAULT_SCALES = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Error of the quantized model against float outputs on the given samples. */
export function fidelity(model: QuantizedModel, samples: number[][][], floats: number[][][]): { maxAbsError: number; outputRange: number; argmaxAgreement?: number } {
  let maxAbsError = 0;
  let outputRange = 0;
  let agree = 0;
  let argmaxApplies = false;
  samples.forEach((sample, k) => {
    const q = sample.map((list, i) => list.map((x) => quantizeReal(x, inputScale(model.graph.inputs[i], model.quant.scaleBits), "calibration input")));
    const outs = evaluateQuantized(model, q).map((o) => o.data.map((v) => dequantize(v, o.scale)));
    let sampleAgrees = true;
    outs.forEach((o, i) => {
      const f = floats[k][i];
      o.forEach((v, j) => {
        maxAbsError = Math.max(maxAbsError, Math.abs(v - f[j]));
        outputRange = Math.max(outputRange, Math.abs(f[j]));
      });
      if (o.length > 1) {
        argmaxApplies = true;
        if (argmax(o) !== argmax(f)) sampleAgrees = false;
      }
    });
    if (sampleAgrees) agree++;
  });
  return { maxAbsError, outputRange, argmaxAgreement: argmaxApplies ? agree / samples.length : undefined };
}

function fitsInputs(graph: Graph, samples: number[][][], quant: QuantParams): boolean {
  const { lo, hi } = inputRange(quant);
  return samples.every((s) => s.every((list, i) => list.every((x) => {
    const q = quantizeReal(x, inputScale(graph.inputs[i], quant.scaleBits), "calibration input");
    return q >= lo && q <= hi;
  })));
}

/** Picks the scale; returns the quantized model at that scale and the fidelity report. */
export async function calibrate(graph: Graph, opts: CalibrationOptions): Promise<{ model: QuantizedModel; report: FidelityReport }> {
  const target = opts.target ?? 0.005;
  const floats = await opts.reference(opts.samples);
  const tried: FidelityReport["tried"] = [];
  let best: { model: QuantizedModel; err: ReturnType<typeof fidelity> } | undefined;
  for (const scaleBits of opts.scales ?? DEFAULT_SCALES) {
    const quant = { scaleBits, inputBits: opts.inputBits, inputUnsigned: opts.inputUnsigned, widths: opts.widths };
    if (!fitsInputs(graph, opts.samples, quant)) {
      tried.push({ scaleBits, rejected: `calibration inputs exceed the ${opts.inputBits}-bit input range` });
      continue;
    }
    let model: QuantizedModel;
    try {
      model = quantizeModel(graph, quant);
    } catch (e) {
      if (!(e instanceof ZkmlError)) throw e;
      tried.push({ scaleBits, rejected: e.message });
      continue;
    }
    const err = fidelity(model, opts.samples, floats);
    tried.push({ scaleBits, maxAbsError: err.maxAbsError });
    if (!best || err.maxAbsError < best.err.maxAbsError) best = { model, err };
    if (err.maxAbsError <= acceptedError(err.outputRange, target)) {
      best = { model, err };
      break;
    }
  }
  if (!best) throw new ZkmlError(`calibration found no usable scale: ${tried.map((t) => `2^${t.scaleBits}: ${t.rejected}`).join("; ")}`);
  const { model, err } = best;
  return {
    model,
    report: {
      scaleBits: model.quant.scaleBits,
      samples: opts.samples.length,
      maxAbsError: err.maxAbsError,
      relativeError: err.outputRange > 0 ? err.maxAbsError / err.outputRange : err.maxAbsError,
      outputRange: err.outputRange,
      argmaxAgreement: err.argmaxAgreement,
      target,
      withinTarget: err.maxAbsError <= acceptedError(err.outputRange, target),
      tried,
    },
  };
}

/**
 * Calibration samples: the given ones, plus seeded random inputs up to `count`. Float inputs are drawn
 * from the range the given float inputs span ([-1, 1] without any); integer inputs are whole numbers
 * from the range their own given values span, else from integerRange.
 */
export function calibrationSamples(graph: Graph, given: number[][][], count: number, rand: () => number): number[][][] {
  const floats = given.flatMap((s) => s.filter((_, i) => !isIntegerInput(graph.inputs[i])).flat());
  const ranges = graph.inputs.map((vi, i): [number, number] => {
    if (!isIntegerInput(vi)) return floats.length ? [Math.min(...floats), Math.max(...floats)] : [-1, 1];
    const mine = given.flatMap((s) => s[i]);
    return mine.length ? [Math.min(...mine), Math.max(...mine)] : integerRange(graph, vi);
  });
  const draw = (vi: ValueInfo, [lo, hi]: [number, number]) =>
    isIntegerInput(vi) ? () => lo + Math.min(hi - lo, Math.floor((hi - lo + 1) * rand())) : () => lo + (hi - lo) * rand();
  const samples = [...given];
  while (samples.length < count) samples.push(graph.inputs.map((vi, i) => Array.from({ length: size(vi.shape) }, draw(vi, ranges[i]))));
  return samples;
}

/**
 * Default values of an integer input: the valid indices when a Gather reads it as indices (token ids
 * into an embedding of V rows: [0, V - 1]), {0, 1} for a bool, otherwise [0, 15].
 */
export function integerRange(graph: Graph, vi: ValueInfo): [number, number] {
  if (vi.elemType === "bool") return [0, 1];
  const gather = graph.nodes.find((n) => n.op === "Gather" && n.inputs[1] === vi.name);
  const dims = gather && (graph.constants.get(gather.inputs[0])?.dims ?? graph.shapes.get(gather.inputs[0]));
  if (gather && dims) {
    const axis = attrInt(gather, "axis", 0);
    return [0, dims[axis < 0 ? axis + dims.length : axis] - 1];
  }
  return [0, 15];
}

/**
 * Calibrated widths (QuantParams.widths): for each node's rescales, ReLUs and sign checks, the signed width
 * that holds every value the calibration inputs give it, each extreme first scaled by `margin` (2: one bit
 * of headroom, the default). One width per output channel when the node's sites are its output's elements
 * and the output is [N, C, ...] (a convolution's filter, a dense layer's neuron: elements that share
 * weights), else one per node; never per element, so a position the samples leave quiet gets no narrower
 * check than its neighbours. Only widths narrower than the bounds pass's apply (IntervalDomain).
 * Soundness does not rest on this: the range checks enforce the width, so every bound after it holds for
 * any witness; an input beyond it fails to prove, with a clear error from the evaluator.
 */
export function calibrateWidths(graph: Graph, quant: QuantParams, samples: number[][][], margin = 2): Record<string, CalibratedWidth> {
  if (!(margin >= 1)) throw new ZkmlError(`the calibrated widths' margin must be at least 1 (a factor on the largest value seen), got ${margin}`);
  const base = { scaleBits: quant.scaleBits, inputBits: quant.inputBits, inputUnsigned: quant.inputUnsigned };
  // Narrower bounds can change what depends on them (a table's domain after a capped node), and so the
  // values themselves: widths are re-measured on the model they make until they hold still. Each round
  // only widens (a per-channel maximum with the last), so this ends within the worst-case widths.
  let widths: Record<string, CalibratedWidth> | undefined;
  for (let round = 0; round < 16; round++) {
    const next = measureWidths(graph, quantizeModel(graph, { ...base, widths }), samples, margin, widths);
    if (widths && JSON.stringify(next) === JSON.stringify(widths)) return next;
    widths = next;
  }
  throw new ZkmlError("calibrated widths did not settle in 16 rounds");
}

/** One round of calibrateWidths: the widths `model`'s values need, each at least `floor`'s. */
function measureWidths(graph: Graph, model: QuantizedModel, samples: number[][][], margin: number, floor: Record<string, CalibratedWidth> | undefined): Record<string, CalibratedWidth> {
  const { quant } = model;
  // Per group: its channel layout (plane 0: one width for the node) and each channel's extremes.
  const groups = new Map<string, { plane: number; channels: { lo: bigint; hi: bigint }[] }>();
  const counts = new Map<string, number>();
  for (const s of model.sites) if (CALIBRATED_KINDS.has(s.kind)) counts.set(widthKey(s.node, s.kind), (counts.get(widthKey(s.node, s.kind)) ?? 0) + 1);
  const outputShape = new Map(graph.nodes.map((n) => [n.name, graph.shapes.get(n.outputs[0])]));
  for (const [key, count] of counts) {
    const shape = outputShape.get(key.slice(0, key.lastIndexOf("|")));
    const perChannel = shape !== undefined && shape.length >= 2 && size(shape) === count;
    const channels = perChannel ? shape[1] : 1;
    groups.set(key, { plane: perChannel ? size(shape.slice(2)) : 0, channels: Array.from({ length: channels }, () => ({ lo: 0n, hi: 0n })) });
  }
  // The values do not depend on the calibrated checks' widths (only on kinds, shifts and table widths):
  // they are traced with those checks relaxed, so a value past last round's width is measured, not refused.
  const relaxed: QuantizedModel = { ...model, sites: model.sites.map((s) => (s.calibrated ? { ...s, width: MAX_SAFE_BITS, calibrated: undefined } : s)) };
  for (const sample of samples) {
    const q = sample.map((list, i) => list.map((x) => quantizeReal(x, inputScale(graph.inputs[i], quant.scaleBits), "calibration input")));
    const { trace } = evaluateTraced(relaxed, q);
    model.sites.forEach((s, i) => {
      if (!CALIBRATED_KINDS.has(s.kind)) return;
      // The value the check proves: the rounded quotient for a rescale, the input itself for a ReLU or sign.
      const v = s.kind === "rescale" || s.kind === "rescaleRelu" ? roundShift(trace[i], s.shift) : trace[i];
      const g = groups.get(widthKey(s.node, s.kind))!;
      const r = g.channels[g.plane === 0 ? 0 : Math.floor(s.index / g.plane) % g.channels.length];
      if (v < r.lo) r.lo = v;
      if (v > r.hi) r.hi = v;
    });
  }
  // margin as a fraction of 2^10, rounded up: extremes move away from 0.
  const m = BigInt(Math.ceil(margin * 1024));
  const widen = (v: bigint) => (v >= 0n ? (v * m + 1023n) / 1024n : -((-v * m + 1023n) / 1024n));
  const widths: Record<string, CalibratedWidth> = {};
  for (const [key, g] of groups) {
    const ws = g.channels.map((r, c) => Math.max(signedWidth(widen(r.lo), widen(r.hi)), widthOf(floor?.[key], g.plane === 0 ? 0 : c * g.plane) ?? 0));
    widths[key] = g.plane === 0 ? ws[0] : { plane: g.plane, channels: ws };
  }
  return widths;
}

/**
 * The input range the calibration inputs need at `scaleBits` (QuantParams.inputBits and inputUnsigned):
 * unsigned when no input is negative (pixels in [0, 1] at 2^10: 0..1024, 11 unsigned bits where the signed
 * range needs 12), else the signed width. An input outside it is refused when quantized (pipeline/input.ts).
 */
export function calibrateInputRange(graph: Graph, samples: number[][][], scaleBits: number): { inputBits: number; inputUnsigned?: true } {
  let lo = 0n;
  let hi = 0n;
  for (const s of samples)
    s.forEach((list, i) => list.forEach((x) => {
      const q = quantizeReal(x, inputScale(graph.inputs[i], scaleBits), "calibration input");
      if (q < lo) lo = q;
      if (q > hi) hi = q;
    }));
  if (lo < 0n) return { inputBits: Math.max(2, signedWidth(lo, hi)) };
  let bits = 2;
  while (hi >= 1n << BigInt(bits)) bits++;
  return { inputBits: bits, inputUnsigned: true };
}
