/** Shared helpers for the unit tests: model crafting, seeded randomness, quantized evaluation. */
import { expect } from "chai";
import { onnx } from "onnx-proto";
import { encodeModel, GraphSpec } from "../../src/onnx/writer";
import { ZkmlError } from "../../src/errors";
import { Graph, size } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { Domain, QuantParams, SiteInfo } from "../../src/ops/domain";
import { quantizeInputs } from "../../src/pipeline/input";
import { IntegerDomain } from "../../src/quantize/evaluate";
import { dequantize, inputRange as quantInputRange, roundShift } from "../../src/numeric/fixed-point";
import { evaluateQuantized, QuantizedModel, quantizeModel } from "../../src/quantize";
import { Interval, IntervalDomain, Site } from "../../src/quantize/interval";
import { runGraph } from "../../src/quantize/run";

export const QUANT: QuantParams = { scaleBits: 12, inputBits: 24 };

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Runs `fn`, asserts it throws a ZkmlError whose message matches every pattern (a string must occur
 * verbatim), and returns the error for further checks.
 */
export function expectZkmlError(fn: () => unknown, ...patterns: (string | RegExp)[]): ZkmlError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail("expected a ZkmlError, but nothing was thrown");
  if (!(thrown instanceof ZkmlError)) {
    const e = thrown as Error;
    expect.fail(`expected a ZkmlError, got ${e?.name}: ${e?.message}\n${e?.stack}`);
  }
  expect(thrown.name).to.equal("ZkmlError");
  for (const p of patterns) {
    if (typeof p === "string") expect(thrown.message).to.include(p);
    else expect(thrown.message).to.match(p);
  }
  return thrown;
}

// ---------------------------------------------------------------------------------------------
// Randomness: seeded, so every failure is reproducible.

export { mulberry32 as rng } from "../../src/util/prng";

export function randomArray(rand: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Values as ONNX stores float32 initializers: the float reference must use these, not the doubles. */
export function f32(values: number[]): number[] {
  return values.map((v) => Math.fround(v));
}

// ---------------------------------------------------------------------------------------------
// Crafting ONNX models

/** A decoded graph: protobufjs fills repeated fields with message instances, never null. */
export interface EditableGraph {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
}

/** An edit of an encoded model, for what the writer cannot express (integer tensors, corrupt data...). */
export type GraphEdit = (g: EditableGraph) => void;

/** encodeModel, then an optional edit of the decoded graph, re-encoded. */
export function encodeWith(spec: GraphSpec, edit?: GraphEdit): Buffer {
  const bytes = encodeModel(spec);
  if (!edit) return bytes;
  const model = onnx.ModelProto.decode(bytes);
  edit(model.graph as unknown as EditableGraph);
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

/** The tensor type of graph input `i`, to edit its element type or shape. */
export function inputTensorType(g: EditableGraph, i = 0): onnx.TypeProto.ITensor {
  return g.input[i].type!.tensorType!;
}

/** An INT64 initializer (e.g. a Reshape target shape), stored in int64_data. */
export function int64Initializer(name: string, values: number[]): onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
}

/** Encodes and imports a model in one go. */
export function importSpec(spec: GraphSpec, edit?: GraphEdit): Graph {
  return importOnnx(encodeWith(spec, edit), spec.name ?? "test model");
}

// ---------------------------------------------------------------------------------------------
// Quantized evaluation

export interface QuantizedRun {
  model: QuantizedModel;
  /** Quantized inputs as passed to the evaluator. */
  qInputs: bigint[][];
  /** Dequantized outputs, one flat list per graph output. */
  outputs: number[][];
  /** Output shapes as the evaluator reports them. */
  shapes: number[][];
}

/** Quantizes `graph`'s inputs, evaluates bit-exactly and dequantizes the outputs. */
export function runQuantized(graph: Graph, inputs: number[][], quant: QuantParams = QUANT, model = quantizeModel(graph, quant)): QuantizedRun {
  const qInputs = quantizeInputs(inputs, graph.inputs, quant);
  const outs = evaluateQuantized(model, qInputs);
  outs.forEach((o) => expect(o.scale, "every graph output is brought back to scaleBits").to.equal(quant.scaleBits));
  return {
    model,
    qInputs,
    outputs: outs.map((o) => o.data.map((q) => dequantize(q, o.scale))),
    shapes: outs.map((o) => o.shape),
  };
}

/** |actual - expected| <= tol * max(1, |expected|), elementwise, with the index in the message. */
export function expectClose(actual: number[], expected: number[], tol = 1e-2, what = "value"): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    const bound = tol * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= bound)) expect.fail(`${what}[${i}] = ${a}, expected ${e} (tolerance ${bound})`);
  });
}

/** Random inputs for every graph input, uniform in [lo, hi). */
export function randomInputs(graph: Graph, rand: () => number, lo = -4, hi = 4): number[][] {
  return graph.inputs.map((vi) => randomArray(rand, size(vi.shape), lo, hi));
}

// ---------------------------------------------------------------------------------------------
// Bounds checking: the interval pass and the exact evaluator run side by side.

export interface Checked {
  iv: Interval;
  v: bigint;
}

/**
 * Runs IntervalDomain and IntegerDomain in lock-step on the same op sequence, recording every step
 * whose exact value escapes its interval and the value each non-linear step range-checks.
 */
export class CheckedDomain implements Domain<Checked> {
  readonly bounds: IntervalDomain;
  readonly violations: string[] = [];
  /** In site order: the value the circuit's range check sees (before the max with 0 for Relu). */
  readonly siteValues: bigint[] = [];
  private readonly exact: IntegerDomain;

  /** `widths`: the model's calibrated widths (QuantParams.widths), which narrow the bounds as in quantizeModel. */
  constructor(sites: Site[], widths?: QuantParams["widths"]) {
    this.exact = new IntegerDomain(sites);
    this.bounds = new IntervalDomain(undefined, widths);
  }

  private pair(iv: Interval, v: bigint, what: string): Checked {
    if (v < iv.lo || v > iv.hi) this.violations.push(`${what}: ${v} is outside [${iv.lo}, ${iv.hi}]`);
    return { iv, v };
  }
  constant(c: bigint): Checked {
    return this.pair(this.bounds.constant(c), this.exact.constant(c), "constant");
  }
  add(a: Checked, b: Checked): Checked {
    return this.pair(this.bounds.add(a.iv, b.iv), this.exact.add(a.v, b.v), "add");
  }
  mulConst(a: Checked, c: bigint): Checked {
    return this.pair(this.bounds.mulConst(a.iv, c), this.exact.mulConst(a.v, c), "mulConst");
  }
  affine(xs: Checked[], ws: bigint[], bias: bigint): Checked {
    return this.pair(this.bounds.affine(xs.map((x) => x.iv), ws, bias), this.exact.affine(xs.map((x) => x.v), ws, bias), "affine");
  }
  rescale(a: Checked, shift: number, site: SiteInfo): Checked {
    const r = this.pair(this.bounds.rescale(a.iv, shift, site), this.exact.rescale(a.v, shift, site), `rescale at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  relu(a: Checked, site: SiteInfo): Checked {
    this.siteValues.push(a.v);
    return this.pair(this.bounds.relu(a.iv, site), this.exact.relu(a.v, site), `relu at ${site.node}`);
  }
  rescaleRelu(a: Checked, shift: number, site: SiteInfo): Checked {
    this.siteValues.push(roundShift(a.v, shift));
    return this.pair(this.bounds.rescaleRelu(a.iv, shift, site), this.exact.rescaleRelu(a.v, shift, site), `rescaleRelu at ${site.node}`);
  }
  mul(a: Checked, b: Checked, site: SiteInfo): Checked {
    const r = this.pair(this.bounds.mul(a.iv, b.iv, site), this.exact.mul(a.v, b.v, site), `mul at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  nonneg(a: Checked, site: SiteInfo): Checked {
    this.siteValues.push(a.v);
    return this.pair(this.bounds.nonneg(a.iv, site), this.exact.nonneg(a.v, site), `nonneg at ${site.node}`);
  }
  isZero(a: Checked, site: SiteInfo): Checked {
    this.siteValues.push(a.v);
    return this.pair(this.bounds.isZero(a.iv, site), this.exact.isZero(a.v, site), `isZero at ${site.node}`);
  }
  bits(a: Checked, n: number, site: SiteInfo): Checked[] {
    this.siteValues.push(a.v);
    const ivs = this.bounds.bits(a.iv, n, site);
    const vs = this.exact.bits(a.v, n, site);
    return vs.map((v, i) => this.pair(ivs[i], v, `bit ${i} at ${site.node}`));
  }
  div(a: Checked, b: Checked, site: SiteInfo): Checked {
    const r = this.pair(this.bounds.div(a.iv, b.iv, site), this.exact.div(a.v, b.v, site), `div at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  sdiv(a: Checked, b: Checked, site: SiteInfo): Checked {
    const r = this.pair(this.bounds.sdiv(a.iv, b.iv, site), this.exact.sdiv(a.v, b.v, site), `sdiv at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  sqrt(a: Checked, site: SiteInfo): Checked {
    const r = this.pair(this.bounds.sqrt(a.iv, site), this.exact.sqrt(a.v, site), `sqrt at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  param(id: number, value: bigint): Checked {
    return this.pair(this.bounds.param(id, value), this.exact.param(id, value), "param");
  }
  dot(xs: Checked[], ws: Checked[], site: SiteInfo): Checked {
    const r = this.pair(this.bounds.dot(xs.map((x) => x.iv), ws.map((w) => w.iv), site), this.exact.dot(xs.map((x) => x.v), ws.map((w) => w.v), site), `dot at ${site.node}`);
    this.siteValues.push(r.v);
    return r;
  }
  split(a: Checked, shift: number, site: SiteInfo): Checked[] {
    this.siteValues.push(roundShift(a.v, shift));
    const ivs = this.bounds.split(a.iv, shift, site);
    const vs = this.exact.split(a.v, shift, site);
    return vs.map((v, i) => this.pair(ivs[i], v, `bit ${i} of split at ${site.node}`));
  }
  within(a: Checked, lo: bigint, hi: bigint): Checked {
    return this.pair(this.bounds.within(a.iv, lo, hi), this.exact.within(a.v, lo, hi), "within");
  }
}

/**
 * Evaluates quantized inputs with every intermediate value checked against the static bounds
 * (inputs bounded by the declared input range), then asserts: no value escaped its interval, the
 * sites match the model's, every range-checked value fits its site's width, and the outputs equal
 * evaluateQuantized's. Returns the site values for further checks.
 */
export function expectWithinBounds(model: QuantizedModel, qInputs: bigint[][]): bigint[] {
  const dom = new CheckedDomain(model.sites, model.quant.widths);
  const inputs = qInputs.map((list) => list.map((v) => ({ iv: quantInputRange(model.quant), v })));
  const outs = runGraph(model.graph, dom, model.quant, inputs);
  expect(dom.violations, "values outside their static bounds").to.deep.equal([]);
  expect(dom.bounds.sites).to.deep.equal(model.sites);
  expect(dom.siteValues.length).to.equal(model.sites.length);
  dom.siteValues.forEach((v, i) => {
    const kind = model.sites[i].kind;
    if (kind === "mul" || kind === "isZero" || kind === "dot") return;
    if (kind === "bits" || kind === "sqrt") {
      if (v < 0n || v >= 1n << BigInt(model.sites[i].width)) expect.fail(`site ${i} (${model.sites[i].node}) value ${v} does not fit its bits`);
      return;
    }
    const w = BigInt(model.sites[i].width);
    const ok = v >= -(1n << (w - 1n)) && v < 1n << (w - 1n);
    if (!ok) expect.fail(`site ${i} (${model.sites[i].node}) value ${v} does not fit its ${w}-bit width`);
  });
  const reference = evaluateQuantized(model, qInputs);
  expect(outs.map((o) => o.data.map((c) => c.v))).to.deep.equal(reference.map((o) => o.data));
  return dom.siteValues;
}

/** The quantized input range as floats: [min, max] exactly representable at scaleBits. */
export function inputRange(quant: QuantParams = QUANT): { min: number; max: number } {
  const half = 2 ** (quant.inputBits - 1);
  return { min: -half / 2 ** quant.scaleBits, max: (half - 1) / 2 ** quant.scaleBits };
}
