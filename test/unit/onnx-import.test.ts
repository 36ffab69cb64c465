import { expect } from "chai";
import fs from "fs";
import { onnx } from "onnx-proto";
import path from "path";
import { GraphSpec } from "../../src/onnx/writer";
import { Graph } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { supportedOps } from "../../src/ops/registry";
import { readModelInput } from "../../src/pipeline/input";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { quantizeModel } from "../../src/quantize";
import {
  encodeWith,
  expectClose,
  expectWithinBounds,
  expectZkmlError,
  GraphEdit,
  importSpec,
  inputTensorType,
  int64Initializer,
  QUANT,
  rng,
  runQuantized,
} from "./helpers";

const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(__dirname, "../../../shared/models/ezkl");

/** The model's ONNX path; fails (never skips) when the EZKL model directory is absent. */
function modelFile(name: string): string {
  if (!fs.existsSync(MODELS_DIR))
    expect.fail(`EZKL example models not found at ${MODELS_DIR}: set ZKML_MODELS_DIR to the directory holding <model>/network.onnx`);
  const file = path.join(MODELS_DIR, name, "network.onnx");
  if (!fs.existsSync(file)) expect.fail(`EZKL example model missing: ${file}`);
  return file;
}

const loadModel = (name: string): Graph => importOnnx(fs.readFileSync(modelFile(name)), `${name}/network.onnx`);

interface Expected {
  inputs: [string, number[]][];
  outputs: [string, number[]][];
  /** Op types left to compute after constant folding. */
  ops: string[];
  /** Folded constants that must be present: name -> [dims, data?]. */
  folded?: Record<string, [number[], number[]?]>;
}

const EXPECTED: Record<string, Expected> = {
  "1l_mlp": { inputs: [["input", [1, 3]]], outputs: [["output", [1, 4]]], ops: ["Gemm", "Relu"] },
  "1l_linear": { inputs: [["input", [1, 1]]], outputs: [["output", [1, 1]]], ops: ["Gemm"] },
  "1l_relu": { inputs: [["input", [1, 3]]], outputs: [["output", [1, 3]]], ops: ["Relu"] },
  "2l_relu_fc": { inputs: [["input", [1, 3]]], outputs: [["output", [1, 1]]], ops: ["Gemm", "Relu"] },
  linear_regression: { inputs: [["input", [1, 2]]], outputs: [["output", [1, 1]]], ops: ["Cast", "Gemm"] },
  // The model declares its output as [N, 1], but its last layer has 5 columns and it ends in
  // Reshape(-1, 1): onnxruntime returns [5, 1] for one sample too (checked against it below).
  sklearn_mlp: {
    inputs: [["float_input", [1, 3]]],
    outputs: [["variable", [5, 1]]],
    ops: ["Cast", "MatMul", "Add", "Relu", "MatMul", "Add", "Reshape"],
    folded: { shape_tensor: [[2], [-1, 1]] },
  },
  accuracy: { inputs: [["input", [1, 41]]], outputs: [["output", [1, 1]]], ops: ["Gemm", "Relu", "Gemm", "Relu", "Gemm"] },
  "1l_flatten": { inputs: [["input", [1, 3, 2, 3]]], outputs: [["output", [1, 18]]], ops: ["Flatten"] },
  // A Constant node supplies the target shape: folded away, leaving only the Reshape.
  "1l_reshape": { inputs: [["input", [1, 1, 3, 2]]], outputs: [["output", [1, 6]]], ops: ["Reshape"], folded: { "/Constant_output_0": [[2], [-1, 6]] } },
  "1l_identity": { inputs: [["input", [1, 2]]], outputs: [["output", [1, 2]]], ops: ["Identity"] },
};

describe("ONNX import", () => {
  describe(`EZKL example models (${MODELS_DIR})`, () => {
    it("the model directory exists", () => {
      expect(fs.existsSync(MODELS_DIR), `EZKL example models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`).to.equal(true);
    });

    for (const [name, exp] of Object.entries(EXPECTED)) {
      describe(name, () => {
        it("has the expected inputs and outputs, batch dimension 1", () => {
          const g = loadModel(name);
          expect(g.inputs.map((v) => [v.name, v.shape])).to.deep.equal(exp.inputs);
          expect(g.outputs.map((v) => [v.name, v.shape])).to.deep.equal(exp.outputs);
          for (const [n, s] of [...exp.inputs, ...exp.outputs]) expect(g.shapes.get(n), `shape of ${n}`).to.deep.equal(s);
        });

        it("keeps only nodes that depend on an input; constants are folded", () => {
          const g = loadModel(name);
          expect(g.nodes.map((n) => n.op)).to.deep.equal(exp.ops);
          expect(g.nodes.some((n) => n.op === "Constant")).to.equal(false);
          for (const [c, [dims, data]] of Object.entries(exp.folded ?? {})) {
            expect(g.constants.get(c)?.dims, `folded constant ${c}`).to.deep.equal(dims);
            if (data) expect(g.constants.get(c)?.data).to.deep.equal(data);
          }
          // Every node input is a graph input, a constant or the output of an earlier node.
          const known = new Set(g.inputs.map((v) => v.name));
          for (const n of g.nodes) {
            for (const i of n.inputs) expect(known.has(i) || g.constants.has(i), `${n.name} reads ${i}`).to.equal(true);
            n.outputs.forEach((o) => known.add(o));
          }
        });

        it("evaluates its input.json like onnxruntime, within the static bounds", async () => {
          const g = loadModel(name);
          const inputFile = path.join(MODELS_DIR, name, "input.json");
          const values = readModelInput(JSON.parse(fs.readFileSync(inputFile, "utf8")), g.inputs);
          const model = quantizeModel(g, QUANT);
          const run = runQuantized(g, values, QUANT, model);
          expectWithinBounds(model, run.qInputs);
          const expected = await runOnnxRuntime(modelFile(name), g.inputs, values);
          expect(run.outputs.length).to.equal(expected.length);
          run.outputs.forEach((out, i) => expectClose(out, expected[i], 1e-2, `output ${i}`));
        });
      });
    }
  });

  describe("constant folding in crafted models", () => {
    it("folds a Reshape of an initializer (with an INT64 shape) and a Relu of a constant", () => {
      const spec: GraphSpec = {
        inputs: [{ name: "x", dims: ["batch", 3] }],
        outputs: [{ name: "y", dims: ["batch", 2] }],
        initializers: [
          { name: "Wflat", dims: [6], data: [1, -2, 3, -4, 5, -6] },
          { name: "b", dims: [2], data: [-1, 2] },
        ],
        nodes: [
          { name: "reshapeW", opType: "Reshape", inputs: ["Wflat", "wshape"], outputs: ["W"] },
          { name: "reluB", opType: "Relu", inputs: ["b"], outputs: ["rb"] },
          { name: "gemm", opType: "Gemm", inputs: ["x", "W", "rb"], outputs: ["y"] },
        ],
      };
      const g = importSpec(spec, (edit) => edit.initializer.push(int64Initializer("wshape", [3, -1])));
      expect(g.nodes.map((n) => n.name)).to.deep.equal(["gemm"]);
      expect(g.constants.get("W")).to.deep.equal({ dims: [3, 2], data: [1, -2, 3, -4, 5, -6] });
      expect(g.constants.get("rb")).to.deep.equal({ dims: [2], data: [0, 2] });
      expect(g.outputs).to.deep.equal([{ name: "y", shape: [1, 2] }]);
      const run = runQuantized(g, [[1, 2, 3]]);
      expect(run.outputs).to.deep.equal([[1 * 1 + 2 * 3 + 3 * 5 + 0, -2 - 8 - 18 + 2]]);
    });

    it("folds Constant nodes of every attribute form", () => {
      const spec: GraphSpec = {
        inputs: [{ name: "x", dims: [1, 2] }],
        outputs: [{ name: "y", dims: [1, 2] }],
        initializers: [],
        nodes: [
          { name: "c1", opType: "Constant", inputs: [], outputs: ["k1"], attributes: { value_float: { f: 0.5 } } },
          { name: "c2", opType: "Constant", inputs: [], outputs: ["k2"], attributes: { value_floats: { floats: [1, 2] } } },
          { name: "c3", opType: "Constant", inputs: [], outputs: ["k3"], attributes: { value_int: { i: 3 } } },
          { name: "add1", opType: "Add", inputs: ["k2", "k3"], outputs: ["k4"] },
          { name: "sub1", opType: "Sub", inputs: ["k4", "k1"], outputs: ["k5"] },
          { name: "add2", opType: "Add", inputs: ["x", "k5"], outputs: ["y"] },
        ],
      };
      const g = importSpec(spec);
      expect(g.nodes.map((n) => n.name)).to.deep.equal(["add2"]);
      expect(g.constants.get("k5")).to.deep.equal({ dims: [2], data: [3.5, 4.5] });
      expect(runQuantized(g, [[1, -1]]).outputs).to.deep.equal([[4.5, 3.5]]);
    });
  });

  describe("bad input is a ZkmlError", () => {
    /** A valid one-Relu model to corrupt. */
    const base = (): GraphSpec => ({
      inputs: [{ name: "x", dims: ["batch", 3] }],
      outputs: [{ name: "y", dims: ["batch", 3] }],
      initializers: [{ name: "c", dims: [3], data: [1, 2, 3] }],
      nodes: [
        { name: "add", opType: "Add", inputs: ["x", "c"], outputs: ["a"] },
        { name: "relu", opType: "Relu", inputs: ["a"], outputs: ["y"] },
      ],
    });

    it("the base model is valid (so each corruption below is what fails)", () => {
      const g = importSpec(base());
      expect(g.outputs).to.deep.equal([{ name: "y", shape: [1, 3] }]);
    });

    it("random bytes", () => {
      const rand = rng(5);
      for (let i = 0; i < 50; i++) {
        const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
        expectZkmlError(() => importOnnx(bytes, "junk.onnx"), /^junk\.onnx /, "not a valid ONNX");
      }
    });

    it("an empty buffer", () => {
      expectZkmlError(() => importOnnx(new Uint8Array(0), "empty.onnx"), "empty.onnx is not a valid ONNX model", "no graph nodes");
    });

    it("a truncated real model", () => {
      const bytes = fs.readFileSync(modelFile("1l_mlp"));
      expectZkmlError(() => importOnnx(bytes.subarray(0, bytes.length >> 1), "cut.onnx"), "cut.onnx is not a valid ONNX file");
      expectZkmlError(() => importOnnx(bytes.subarray(0, bytes.length - 1), "cut.onnx"), "cut.onnx");
    });

    it("any truncation of a real model: imports or throws a ZkmlError, never anything else", () => {
      const bytes = fs.readFileSync(modelFile("1l_mlp"));
      let refused = 0;
      for (let n = 0; n < bytes.length; n++) {
        try {
          importOnnx(bytes.subarray(0, n));
        } catch (e) {
          if (!(e instanceof Error) || e.name !== "ZkmlError") expect.fail(`prefix of ${n} bytes: ${(e as Error).stack}`);
          refused++;
        }
      }
      expect(refused).to.be.greaterThan(bytes.length * 0.9);
    });

    it("an unsupported op, naming its type and node and listing the supported ops", () => {
      const spec = base();
      spec.nodes[1] = { name: "my_lstm", opType: "LSTM", inputs: ["a"], outputs: ["y"] };
      const err = expectZkmlError(() => importSpec(spec), "unsupported op", 'LSTM node "my_lstm"', `Supported ops: ${supportedOps().join(", ")}`);
      for (const op of ["Gemm", "MatMul", "Add", "Sub", "Relu", "Flatten", "Reshape", "Identity", "Cast", "Constant"]) expect(err.message).to.include(op);
    });

    it("an op from another domain", () => {
      expectZkmlError(
        () => importSpec(base(), (g) => (g.node[1].domain = "com.microsoft")),
        'unsupported op: com.microsoft.Relu node "relu"',
      );
    });

    it("a node reading a missing initializer", () => {
      expectZkmlError(
        () => importSpec(base(), (g) => g.initializer.splice(0, 1)),
        'Add node "add" reads "c"',
        "missing initializer, cycle or unsorted graph",
      );
    });

    it("an unsorted graph (a node reads a tensor produced later)", () => {
      const spec = base();
      spec.nodes.reverse();
      expectZkmlError(() => importSpec(spec), 'Relu node "relu" reads "a"', "no earlier node produces");
    });

    it("a cycle", () => {
      const spec = base();
      spec.nodes[0].inputs = ["y", "c"];
      expectZkmlError(() => importSpec(spec), 'Add node "add" reads "y"', "cycle");
    });

    for (const [type, name] of [[onnx.TensorProto.DataType.STRING, "STRING"], [onnx.TensorProto.DataType.FLOAT16, "FLOAT16"], [onnx.TensorProto.DataType.UINT64, "UINT64"]] as const) {
      it(`a graph input of an unsupported element type (${name})`, () => {
        expectZkmlError(
          () => importSpec(base(), (g) => (inputTensorType(g).elemType = type)),
          `input "x" has ONNX element type ${name}`,
          "supported input types: float, double, int64, int32, int8, uint8, bool",
        );
      });
    }

    for (const [type, elemType] of [[onnx.TensorProto.DataType.INT64, "int64"], [onnx.TensorProto.DataType.INT32, "int32"], [onnx.TensorProto.DataType.INT8, "int8"], [onnx.TensorProto.DataType.UINT8, "uint8"], [onnx.TensorProto.DataType.BOOL, "bool"], [onnx.TensorProto.DataType.DOUBLE, "float64"], [onnx.TensorProto.DataType.FLOAT, "float32"]] as const) {
      it(`a ${elemType} graph input is accepted with its element type`, () => {
        expect(importSpec(base(), (g) => (inputTensorType(g).elemType = type)).inputs[0].elemType).to.equal(elemType);
      });
    }

    it("a graph input that is not a tensor", () => {
      expectZkmlError(() => importSpec(base(), (g) => (g.input[0].type = onnx.TypeProto.create({}))), 'input "x" is not a tensor');
    });

    it("a symbolic non-batch dimension", () => {
      const spec = base();
      spec.inputs[0].dims = ["batch", "features"];
      expectZkmlError(() => importSpec(spec), 'input "x" has a symbolic dimension 1 ("features")', "only the batch dimension may be symbolic");
    });

    it("a symbolic batch dimension becomes 1, a fixed one is kept", () => {
      const spec = base();
      spec.inputs[0].dims = ["N", 3];
      expect(importSpec(spec).inputs[0].shape).to.deep.equal([1, 3]);
      spec.inputs[0].dims = [2, 3];
      expect(importSpec(spec).inputs[0].shape).to.deep.equal([2, 3]);
    });

    it("a negative dimension in an initializer", () => {
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dims = [-3])), 'initializer "c" has an invalid shape [-3]');
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dims = [-1, -3])), 'initializer "c" has an invalid shape [-1,-3]');
    });

    it("a huge dimension in an initializer (refused before any allocation)", () => {
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dims = [1 << 20, 1 << 20])), 'initializer "c" has 1099511627776 elements', "at most");
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dims = [2 ** 40])), 'initializer "c"', "at most");
    });

    it("a negative or huge dimension in a graph input", () => {
      const spec = base();
      spec.inputs[0].dims = [1, -3];
      expectZkmlError(() => importSpec(spec), 'input "x" has an invalid shape [1,-3]');
      spec.inputs[0].dims = [1 << 14, 1 << 14];
      expectZkmlError(() => importSpec(spec), 'input "x" has 268435456 elements');
    });

    it("raw_data whose length does not match the dims", () => {
      expectZkmlError(
        () => importSpec(base(), (g) => (g.initializer[0].rawData = g.initializer[0].rawData.subarray(0, 8))),
        'initializer "c" has 8 bytes of data for shape [3]',
      );
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dims = [4])), 'initializer "c" has 12 bytes of data for shape [4]');
    });

    it("typed data whose count does not match the dims", () => {
      const fix: GraphEdit = (g) => {
        const t = g.initializer[0];
        t.rawData = new Uint8Array(0);
        t.floatData = [1, 2];
      };
      expectZkmlError(() => importSpec(base(), fix), 'initializer "c" has 2 values for shape [3] (3 expected)');
    });

    it("an unsupported initializer data type", () => {
      expectZkmlError(() => importSpec(base(), (g) => (g.initializer[0].dataType = onnx.TensorProto.DataType.STRING)), 'initializer "c" has ONNX data type 8');
    });

    it("a graph output that is constant", () => {
      const spec = base();
      spec.nodes.push({ name: "k", opType: "Constant", inputs: [], outputs: ["k_out"], attributes: { value_floats: { floats: [1, 2] } } });
      spec.outputs = [{ name: "y", dims: [1, 3] }, { name: "k_out", dims: [2] }];
      expectZkmlError(() => importSpec(spec, undefined), 'output "k_out" does not depend on any input', "nothing to prove");
      const spec2 = base();
      spec2.outputs = [{ name: "c", dims: [3] }];
      expectZkmlError(() => importSpec(spec2), 'output "c" does not depend on any input');
    });

    it("a graph output no node produces", () => {
      const spec = base();
      spec.outputs = [{ name: "nowhere", dims: [3] }];
      expectZkmlError(() => importSpec(spec), 'output "nowhere" is not produced by any node');
    });

    it("a model without inputs", () => {
      expectZkmlError(() => importSpec(base(), (g) => g.input.splice(0, 1)), "has no graph inputs");
    });

    it("a model whose only inputs are initializers", () => {
      const bytes = encodeWith(base(), (g) => g.input.splice(0, 1, onnx.ValueInfoProto.create({ name: "c", type: g.input[0].type })));
      expectZkmlError(() => importOnnx(bytes, "m.onnx"), "m.onnx has no graph inputs");
    });
  });
});

describe("importOnnx: node arity and omitted optional inputs", () => {
  const spec = (nodeInputs: string[], op = "Relu"): GraphSpec => ({
    inputs: [{ name: "x", dims: ["batch", 3] }],
    outputs: [{ name: "y", dims: ["batch", 3] }],
    initializers: [{ name: "W", dims: [3, 3], data: [1, 0, 0, 0, 1, 0, 0, 0, 1] }],
    nodes: [{ name: "n", opType: op, inputs: nodeInputs, outputs: ["y"], attributes: op === "Gemm" ? { transB: { i: 1 } } : undefined }],
  });

  it("refuses a node with missing or extra inputs, naming the node and the expected count", () => {
    expectZkmlError(() => importSpec(spec([])), 'Relu node "n" has inputs []; Relu takes 1');
    expectZkmlError(() => importSpec(spec([""])), 'Relu node "n" has inputs [""]; Relu takes 1');
    expectZkmlError(() => importSpec(spec(["x", "x"])), "Relu takes 1");
    expectZkmlError(() => importSpec(spec(["x"], "Add")), 'Add node "n" has inputs ["x"]; Add takes 2');
    expectZkmlError(() => importSpec(spec(["x"], "Gemm")), "Gemm takes 2 to 3");
  });

  it("treats an omitted optional Gemm bias as absent", () => {
    const graph = importSpec(spec(["x", "W", ""], "Gemm"));
    const { outputs } = runQuantized(graph, [[1, 2, 3]]);
    expect(outputs[0]).to.deep.equal([1, 2, 3]);
  });
});
