/** A small harness for op tests: a graph of a few nodes, run quantized and by onnxruntime. */
import { expect } from "chai";
import * as fs from "fs";
import { onnx } from "onnx-proto";
import * as os from "os";
import * as path from "path";
import { AttrValue, InitializerSpec } from "../../src/onnx/writer";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { encodeWith, expectClose, expectWithinBounds, QUANT, rng, runQuantized } from "./helpers";

export interface NodeCase {
  op: string;
  inputs: string[];
  /** Default ["y"]: the graph output. */
  outputs?: string[];
  attributes?: Record<string, AttrValue>;
}

export interface OpCase {
  title: string;
  /** Graph input dims; inputs are named x0, x1... */
  inputs: number[][];
  nodes: NodeCase[];
  floats?: InitializerSpec[];
  /** INT64 initializers (indices, shapes, axes). */
  ints?: { name: string; dims: number[]; values: number[] }[];
  opset?: number;
  /** Expected output dims of "y". */
  out: number[];
  /** Input values for one seed; default: uniform in [-4, 4) on the quantization grid. */
  values?: (rand: () => number) => number[][];
  /** Allowed |error| relative to max(1, |expected|); default exact up to float32 (1e-6). */
  tol?: number;
  /** Expected number of non-linear sites, when the op's cost is part of the contract. */
  sites?: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-opcase-"));
const STEP = 2 ** -QUANT.scaleBits;

/** Uniform values in [lo, hi) rounded to the quantization grid, so quantizing them is exact. */
export function onGrid(rand: () => number, n: number, lo = -4, hi = 4): number[] {
  return Array.from({ length: n }, () => Math.round((lo + (hi - lo) * rand()) / STEP) * STEP);
}

export function buildCase(c: OpCase): Buffer {
  const spec = {
    inputs: c.inputs.map((dims, i) => ({ name: `x${i}`, dims })),
    outputs: [{ name: "y", dims: c.out }],
    initializers: c.floats ?? [],
    nodes: c.nodes.map((n, i) => ({ name: `n${i}_${n.op.toLowerCase()}`, opType: n.op, inputs: n.inputs, outputs: n.outputs ?? ["y"], attributes: n.attributes })),
    opset: c.opset ?? 13,
  };
  return encodeWith(spec, (g) =>
    (c.ints ?? []).forEach((t) =>
      g.initializer.push(onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: t.values })),
    ),
  );
}

/** String attributes, which the writer cannot express: [node index, name, value]. */
export type StringAttrs = [number, string, string][];

/** buildCase, then each string attribute added to its node. */
export function buildWithStrings(c: OpCase & { strings?: StringAttrs }): Buffer {
  const bytes = buildCase(c);
  if (!c.strings) return bytes;
  const model = onnx.ModelProto.decode(bytes);
  for (const [i, name, value] of c.strings)
    model.graph!.node![i].attribute!.push(onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) }));
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

/** Quantized evaluation (with the bounds check) against onnxruntime, for a few seeds. */
export async function checkCase(c: OpCase, seeds = [1, 2, 3]): Promise<void> {
  const bytes = buildCase(c);
  const file = path.join(dir, `${c.title.replace(/[^a-z0-9]+/gi, "_")}.onnx`);
  fs.writeFileSync(file, bytes);
  const graph = importOnnx(bytes, c.title);
  expect(graph.outputs[0].shape, "imported output shape").to.deep.equal(c.out);
  for (const seed of seeds) {
    const rand = rng(seed);
    const values = c.values ? c.values(rand) : graph.inputs.map((vi) => onGrid(rand, vi.shape.reduce((a, b) => a * b, 1)));
    const run = runQuantized(graph, values);
    expect(run.shapes[0], "quantized output shape").to.deep.equal(c.out);
    const [expected] = await runOnnxRuntime(file, graph.inputs, values);
    expectClose(run.outputs[0], expected, c.tol ?? 1e-6, `${c.title} (seed ${seed})`);
    expectWithinBounds(run.model, run.qInputs);
    if (c.sites !== undefined) expect(run.model.sites.length, `${c.title}: sites`).to.equal(c.sites);
  }
}

/** A node casting "b" (bool or integer) to float as the graph output, since outputs are float. */
export const castToFloat = (from: string): NodeCase => ({ op: "Cast", inputs: [from], attributes: { to: { i: 1 } } });
