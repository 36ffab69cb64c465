import { expect } from "chai";
import fs from "fs";
import path from "path";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { importOnnx } from "../../src/onnx/import";
import { encodeModel, GraphSpec } from "../../src/onnx/writer";
import { compileModel, CompiledModel } from "../../src/pipeline/compile";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { artifact } from "../../src/pipeline/manifest";
import { proveModel, verifyModelProof } from "../../src/pipeline/prove";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { tmpDir } from "../circuit/helpers";
import { rejectsWith, unpackGroup } from "./helpers";
import { ZkmlError } from "../../src/errors";

const rows = (n: number, m: number, f: (i: number) => number) => Array.from({ length: n * m }, (_, i) => f(i));

/** Token ids (int64) select embedding rows; counts (int32) are cast to float; both feed one Gemm. */
const TOKENS: GraphSpec = {
  inputs: [{ name: "ids", dims: [1, 4], type: "int64" }, { name: "counts", dims: [1, 3], type: "int32" }],
  outputs: [{ name: "y", dims: [1, 2] }],
  initializers: [
    { name: "E", dims: [16, 3], data: rows(16, 3, (i) => Math.sin(i) / 2) },
    { name: "W", dims: [15, 2], data: rows(15, 2, (i) => Math.cos(3 * i) / 4) },
    { name: "B", dims: [2], data: [0.25, -0.125] },
  ],
  nodes: [
    { name: "embed", opType: "Gather", inputs: ["E", "ids"], outputs: ["e"] },
    { name: "flat", opType: "Flatten", inputs: ["e"], outputs: ["ef"], attributes: { axis: { i: 1 } } },
    { name: "cast", opType: "Cast", inputs: ["counts"], outputs: ["cf"], attributes: { to: { i: 1 } } },
    { name: "cat", opType: "Concat", inputs: ["ef", "cf"], outputs: ["h"], attributes: { axis: { i: 1 } } },
    { name: "fc", opType: "Gemm", inputs: ["h", "W", "B"], outputs: ["y"] },
  ],
};

/** A double input: ONNX makes the whole graph double (Gemm's operands share one type). */
const DOUBLES: GraphSpec = {
  inputs: [{ name: "x", dims: [1, 4], type: "float64" }],
  outputs: [{ name: "y", dims: [1, 3], type: "float64" }],
  initializers: [
    { name: "W", dims: [4, 3], data: rows(4, 3, (i) => (i % 5) / 4 - 0.5), type: "float64" },
    { name: "B", dims: [3], data: [0.1, -0.2, 0.3], type: "float64" },
  ],
  nodes: [
    { name: "fc", opType: "Gemm", inputs: ["x", "W", "B"], outputs: ["h"] },
    { name: "relu", opType: "Relu", inputs: ["h"], outputs: ["y"] },
  ],
};

/** onnxruntime has no kernel for BatchNormalization before opset 7: "Could not find an implementation". */
const OPSET6_BATCHNORM: GraphSpec = {
  opset: 6,
  inputs: [{ name: "x", dims: [1, 2, 3] }],
  outputs: [{ name: "y", dims: [1, 2, 3] }],
  initializers: [
    { name: "s", dims: [2], data: [1.5, -0.5] },
    { name: "b", dims: [2], data: [0.1, 0.2] },
    { name: "m", dims: [2], data: [0.3, -0.1] },
    { name: "v", dims: [2], data: [2, 0.5] },
  ],
  nodes: [
    { name: "bn", opType: "BatchNormalization", inputs: ["x", "s", "b", "m", "v"], outputs: ["h"], attributes: { is_test: { i: 1 }, epsilon: { f: 1e-5 } } },
    { name: "relu", opType: "Relu", inputs: ["h"], outputs: ["y"] },
  ],
};

async function compileSpec(name: string, spec: GraphSpec, lines: string[] = []): Promise<CompiledModel> {
  const dir = tmpDir(name);
  const onnx = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(onnx, encodeModel(spec));
  return compileModel({ name, onnx, buildDir: path.join(dir, "build"), quant: { inputBits: 24 }, calibration: { samples: 20 }, log: (l) => lines.push(l) });
}

/** The bit-exact evaluator's outputs for an input, dequantized: what the proof must attest to. */
function evaluatorOutputs(c: CompiledModel, input: unknown): number[] {
  const graph = importOnnx(fs.readFileSync(artifact(c.dir, c.manifest, "onnx")));
  const q = quantizeInputs(readModelInput(input, graph.inputs), graph.inputs, c.manifest.quant);
  return evaluateQuantized(quantizeModel(graph, c.manifest.quant), q).flatMap((o) => o.data.map((v) => Number(v) / 2 ** o.scale));
}

const caught = (p: Promise<unknown>) => p.then(() => "no error", (e: Error) => e.message);

describe("integer and double inputs, and proving without a float reference", () => {
  after(releaseSnarkjs);

  describe("int64 token ids and an int32 input", () => {
    let c: CompiledModel;
    const input = { ids: [[3, 0, 15, 7]], counts: [[2, -1, 5]] };
    before(async () => (c = await compileSpec("tokens", TOKENS)));

    it("records the input types and which public inputs are exact integers", () => {
      expect(c.manifest.inputs.map((vi) => vi.elemType)).to.deep.equal(["int64", "int32"]);
      expect(c.manifest.publicSignals.inputs.integers).to.deep.equal([{ name: "ids", start: 0, count: 4 }, { name: "counts", start: 4, count: 3 }]);
      expect(c.manifest.fidelity, "calibrated against onnxruntime on int64 feeds").to.not.equal(undefined);
    });

    it("proves the evaluator's outputs, with the ids public as exact integers, and matches onnxruntime", async () => {
      const r = await proveModel(c.dir, input);
      expect((await verifyModelProof(c.dir, r.proof, r.publicSignals)).valid).to.equal(true);
      expect(r.outputs[0].values).to.deep.equal(evaluatorOutputs(c, input));
      expect(unpackGroup(c.manifest, "inputs", r.publicSignals)).to.deep.equal([3n, 0n, 15n, 7n, 2n, -1n, 5n]);
      expect(r.referenceUnavailable).to.equal(undefined);
      const ort = await runOnnxRuntime(artifact(c.dir, c.manifest, "onnx"), c.manifest.inputs, [[3, 0, 15, 7], [2, -1, 5]]);
      expect(r.reference!.outputs).to.deep.equal(ort);
      // Integer inputs are exact: the only error is the weights' and the output's rounding at the scale.
      expect(r.reference!.maxAbsError).to.be.below(2 ** -(c.manifest.quant.scaleBits - 4));
    });

    it("refuses an id that is not an integer or lies outside the 24-bit input range, naming the input", async () => {
      expect(await caught(proveModel(c.dir, { ids: [[3, 0.5, 1, 1]], counts: [[0, 0, 0]] }))).to.equal('input "ids" element 1 = 0.5 is not a value of type int64 (integers up to 2^53 in JSON)');
      expect(await caught(proveModel(c.dir, { ids: [[2 ** 23, 0, 1, 1]], counts: [[0, 0, 0]] }))).to.equal(
        'input "ids" element 0 = 8388608 is outside the provable range of an integer input: [-8388608, 8388607] (inputBits=24)',
      );
      expect(await caught(proveModel(c.dir, { ids: [[1, 1, 1, 1]], counts: [[0, 2 ** 31, 0]] }))).to.match(/^input "counts" element 1 = 2147483648 is not a value of type int32/);
    });
  });

  it("proves a model with a double input and compares it with onnxruntime on float64 feeds", async () => {
    const c = await compileSpec("doubles", DOUBLES);
    expect(c.manifest.inputs[0].elemType).to.equal("float64");
    expect(c.manifest.publicSignals.inputs.integers).to.equal(undefined);
    const input = { x: [0.5, -0.25, 0.75, 1] };
    const r = await proveModel(c.dir, input);
    expect(r.outputs[0].values).to.deep.equal(evaluatorOutputs(c, input));
    expect(r.reference, "a double input no longer breaks the float reference").to.not.equal(undefined);
    expect(r.reference!.maxAbsError).to.be.below(2 ** -(c.manifest.quant.scaleBits - 4));
  });

  it("proves a model onnxruntime cannot run (opset-6 BatchNormalization) and says there is no float reference", async () => {
    const lines: string[] = [];
    const c = await compileSpec("bn6", OPSET6_BATCHNORM, lines);
    expect(lines.join("\n")).to.include("no float reference: onnxruntime cannot run the model (Could not find an implementation for BatchNormalization(6)");
    expect(c.manifest.quant.scaleBits).to.equal(12);
    expect(c.manifest.fidelity).to.equal(undefined);
    const input = { x: [1, -2, 0.5, 3, -1, 0.25] };
    const logged: string[] = [];
    const r = await proveModel(c.dir, input, { log: (l) => logged.push(l) });
    expect((await verifyModelProof(c.dir, r.proof, r.publicSignals)).valid).to.equal(true);
    expect(r.reference).to.equal(undefined);
    expect(r.referenceUnavailable).to.match(/^Could not find an implementation for BatchNormalization\(6\) node with name 'bn'/);
    expect(logged.filter((l) => l.includes("no float reference"))).to.have.length(1);
    // The proven outputs are the evaluator's: relu(1.5 (x - 0.3) / sqrt(2) + 0.1), relu(-0.5 (x + 0.1) / sqrt(0.5) + 0.2).
    expect(r.outputs[0].values).to.deep.equal(evaluatorOutputs(c, input));
    const exact = [1, -2, 0.5, 3, -1, 0.25].map((x, i) => Math.max(0, i < 3 ? (1.5 * (x - 0.3)) / Math.sqrt(2 + 1e-5) + 0.1 : (-0.5 * (x + 0.1)) / Math.sqrt(0.5 + 1e-5) + 0.2));
    r.outputs[0].values.forEach((v, i) => expect(v).to.be.closeTo(exact[i], 2 ** -10));
    const skipped = await proveModel(c.dir, input, { reference: false });
    expect(skipped.referenceUnavailable, "--no-reference does not try onnxruntime").to.equal(undefined);

    // With the framework's outputs recorded in the input (EZKL's output_data), the proof is compared with them.
    const recordedLog: string[] = [];
    const withRecorded = await proveModel(c.dir, { ...input, output_data: [exact] }, { log: (l) => recordedLog.push(l) });
    expect(withRecorded.reference!.source).to.equal("output_data");
    expect(withRecorded.reference!.outputs).to.deep.equal([exact]);
    const maxErr = Math.max(...withRecorded.outputs[0].values.map((v, i) => Math.abs(v - exact[i])));
    expect(withRecorded.reference!.maxAbsError).to.equal(maxErr);
    expect(recordedLog.filter((l) => l.includes("compared with the input's output_data instead"))).to.have.length(1);
    const bad = await rejectsWith(proveModel(c.dir, { ...input, output_data: [[1, 2]] }), /output_data does not match the model's outputs \(6 values\)/);
    expect(bad).to.be.instanceOf(ZkmlError);
  });
});
