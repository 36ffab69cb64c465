/** Runs a crafted model through onnxruntime and the quantized evaluator, and compares them. */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { GraphSpec } from "../../src/onnx/writer";
import { Graph } from "../../src/ir/graph";
import { ImportOptions, importOnnx } from "../../src/onnx/import";
import { quantizeModel } from "../../src/quantize";
import { encodeWith, expectClose, expectWithinBounds, GraphEdit, randomInputs, runQuantized } from "./helpers";

export interface OrtCheck {
  edit?: GraphEdit;
  trials?: number;
  /** Inputs for one trial; uniform in [-2, 2) by default. */
  inputs?: (graph: Graph) => number[][];
  tol?: number;
  importOptions?: ImportOptions;
}

/** onnxruntime's outputs with their shapes (runOnnxRuntime returns flat values only). */
async function runOrt(file: string, graph: Graph, values: number[][]): Promise<{ dims: number[]; data: number[] }[]> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(file);
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    graph.inputs.forEach((vi, i) => (feeds[vi.name] = new ort.Tensor("float32", Float32Array.from(values[i]), vi.shape)));
    const result = await session.run(feeds);
    return session.outputNames.map((n) => ({ dims: result[n].dims.map(Number), data: Array.from(result[n].data as Float32Array, Number) }));
  } finally {
    await session.release();
  }
}

let dir: string | undefined;
let counter = 0;

/**
 * Encodes `spec`, then for a few random inputs checks: the inferred and evaluated output shapes equal
 * onnxruntime's, the dequantized outputs are within `tol`, and every value stays within its static bounds.
 */
export async function expectMatchesOrt(spec: GraphSpec, rand: () => number, opts: OrtCheck = {}): Promise<Graph> {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "zkml-ort-"));
  const file = path.join(dir, `model${counter++}.onnx`);
  const bytes = encodeWith(spec, opts.edit);
  fs.writeFileSync(file, bytes);
  const graph = importOnnx(bytes, file, opts.importOptions);
  const model = quantizeModel(graph, { scaleBits: 12, inputBits: 24 });
  for (let trial = 0; trial < (opts.trials ?? 3); trial++) {
    const inputs = opts.inputs ? opts.inputs(graph) : randomInputs(graph, rand, -2, 2);
    const expected = await runOrt(file, graph, inputs);
    const run = runQuantized(graph, inputs, undefined, model);
    expected.forEach((e, i) => {
      expect(run.shapes[i], "evaluated output shape").to.deep.equal(e.dims);
      expect(graph.shapes.get(graph.outputs[i].name), "inferred output shape").to.deep.equal(e.dims);
      expectClose(run.outputs[i], e.data, opts.tol ?? 1e-2, `${spec.name} output ${i}`);
    });
    expectWithinBounds(model, run.qInputs);
  }
  return graph;
}

after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
