import { expect } from "chai";
import * as fs from "fs";
import { onnx } from "onnx-proto";
import * as os from "os";
import * as path from "path";
import { AttrValue, InitializerSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { expectClose, expectZkmlError, encodeWith, importSpec, randomArray, rng, runQuantized } from "./helpers";

/** An INT64 initializer of any shape (scalar indices included). */
function int64(name: string, dims: number[], values: number[]): onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
}

interface Case {
  title: string;
  op: string;
  /** Graph inputs (computed values). */
  inputs: number[][];
  /** Node inputs: graph input names, initializer names or "" for an omitted optional input. */
  nodeInputs: string[];
  attributes?: Record<string, AttrValue>;
  floats?: InitializerSpec[];
  ints?: { name: string; dims: number[]; values: number[] }[];
  opset?: number;
  /** Expected output shape. */
  out: number[];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-layout-"));

function buildCase(c: Case): { bytes: Buffer; spec: Parameters<typeof encodeWith>[0] } {
  const spec = {
    inputs: c.inputs.map((dims, i) => ({ name: `x${i}`, dims })),
    outputs: [{ name: "y", dims: c.out }],
    initializers: c.floats ?? [],
    nodes: [{ name: `my_${c.op.toLowerCase()}`, opType: c.op, inputs: c.nodeInputs, outputs: ["y"], attributes: c.attributes }],
    opset: c.opset ?? 13,
  };
  const bytes = encodeWith(spec, (g) => (c.ints ?? []).forEach((t) => g.initializer.push(int64(t.name, t.dims, t.values))));
  return { bytes, spec };
}

async function check(c: Case, seed: number): Promise<void> {
  const { bytes } = buildCase(c);
  const file = path.join(dir, `${c.op}-${seed}.onnx`);
  fs.writeFileSync(file, bytes);
  const graph = importOnnx(bytes, c.title);
  const rand = rng(seed);
  const values = graph.inputs.map((vi) => randomArray(rand, size(vi.shape), -4, 4).map(Math.fround));
  const run = runQuantized(graph, values);
  // onnxruntime, with its output dims.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(file);
  let ortDims: number[];
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    graph.inputs.forEach((vi, i) => (feeds[vi.name] = new ort.Tensor("float32", Float32Array.from(values[i]), vi.shape)));
    const res = await session.run(feeds);
    ortDims = res[session.outputNames[0]].dims.map(Number);
  } finally {
    await session.release();
  }
  const [expected] = await runOnnxRuntime(file, graph.inputs, values);
  expect(ortDims, "onnxruntime output shape").to.deep.equal(c.out);
  expect(run.shapes[0], "quantized output shape").to.deep.equal(ortDims);
  expectClose(run.outputs[0], expected, 1e-3, c.title);
  // Data movement costs nothing: no range-checked site.
  expect(run.model.sites.length, "sites").to.equal(0);
}

const CASES: Case[] = [
  // Transpose
  { title: "Transpose default perm", op: "Transpose", inputs: [[2, 3, 4]], nodeInputs: ["x0"], out: [4, 3, 2] },
  { title: "Transpose perm", op: "Transpose", inputs: [[2, 3, 4]], nodeInputs: ["x0"], attributes: { perm: { ints: [1, 2, 0] } }, out: [3, 4, 2] },
  { title: "Transpose 4-D NCHW->NHWC", op: "Transpose", inputs: [[1, 2, 3, 2]], nodeInputs: ["x0"], attributes: { perm: { ints: [0, 2, 3, 1] } }, out: [1, 3, 2, 2] },
  // Squeeze
  { title: "Squeeze axes input (opset 13)", op: "Squeeze", inputs: [[1, 3, 1, 2]], nodeInputs: ["x0", "ax"], ints: [{ name: "ax", dims: [2], values: [0, -2] }], out: [3, 2] },
  { title: "Squeeze all unit dims", op: "Squeeze", inputs: [[1, 3, 1, 2]], nodeInputs: ["x0"], out: [3, 2] },
  { title: "Squeeze axes attribute (opset 11)", op: "Squeeze", inputs: [[1, 3, 1]], nodeInputs: ["x0"], attributes: { axes: { ints: [2] } }, opset: 11, out: [1, 3] },
  // Unsqueeze
  { title: "Unsqueeze axes input (opset 13)", op: "Unsqueeze", inputs: [[3, 2]], nodeInputs: ["x0", "ax"], ints: [{ name: "ax", dims: [2], values: [0, -1] }], out: [1, 3, 2, 1] },
  { title: "Unsqueeze axes attribute (opset 11)", op: "Unsqueeze", inputs: [[3, 2]], nodeInputs: ["x0"], attributes: { axes: { ints: [1] } }, opset: 11, out: [3, 1, 2] },
  // Concat
  { title: "Concat axis 1", op: "Concat", inputs: [[2, 3], [2, 2]], nodeInputs: ["x0", "x1"], attributes: { axis: { i: 1 } }, out: [2, 5] },
  { title: "Concat negative axis", op: "Concat", inputs: [[2, 3, 2], [2, 1, 2], [2, 2, 2]], nodeInputs: ["x0", "x1", "x2"], attributes: { axis: { i: -2 } }, out: [2, 6, 2] },
  {
    title: "Concat with a constant",
    op: "Concat",
    inputs: [[1, 3]],
    nodeInputs: ["c", "x0"],
    attributes: { axis: { i: 0 } },
    floats: [{ name: "c", dims: [2, 3], data: [0.5, -1.25, 3, 0.125, 2, -0.75] }],
    out: [3, 3],
  },
  // Slice
  {
    title: "Slice starts/ends/axes/steps",
    op: "Slice",
    inputs: [[4, 6]],
    nodeInputs: ["x0", "s", "e", "a", "st"],
    ints: [
      { name: "s", dims: [2], values: [1, 0] },
      { name: "e", dims: [2], values: [-1, 100] },
      { name: "a", dims: [2], values: [0, 1] },
      { name: "st", dims: [2], values: [1, 2] },
    ],
    out: [2, 3],
  },
  {
    title: "Slice negative step, clamped",
    op: "Slice",
    inputs: [[3, 5]],
    nodeInputs: ["x0", "s", "e", "a", "st"],
    ints: [
      { name: "s", dims: [1], values: [100] },
      { name: "e", dims: [1], values: [-100] },
      { name: "a", dims: [1], values: [-1] },
      { name: "st", dims: [1], values: [-2] },
    ],
    out: [3, 3],
  },
  {
    title: "Slice omitted axes",
    op: "Slice",
    inputs: [[3, 4]],
    nodeInputs: ["x0", "s", "e", "", "st"],
    ints: [
      { name: "s", dims: [2], values: [-2, 1] },
      { name: "e", dims: [2], values: [3, 3] },
      { name: "st", dims: [2], values: [1, 1] },
    ],
    out: [2, 2],
  },
  { title: "Slice attributes (opset 9)", op: "Slice", inputs: [[3, 4]], nodeInputs: ["x0"], opset: 9, attributes: { starts: { ints: [1] }, ends: { ints: [4] }, axes: { ints: [1] } }, out: [3, 3] },
  // Pad
  {
    title: "Pad constant value",
    op: "Pad",
    inputs: [[2, 3]],
    nodeInputs: ["x0", "p", "v"],
    ints: [{ name: "p", dims: [4], values: [1, 0, 0, 2] }],
    floats: [{ name: "v", dims: [], data: [1.5] }],
    out: [3, 5],
  },
  { title: "Pad default zero, negative pads", op: "Pad", inputs: [[3, 4]], nodeInputs: ["x0", "p"], ints: [{ name: "p", dims: [4], values: [0, -1, 2, 1] }], out: [5, 4] },
  { title: "Pad attribute (opset 7)", op: "Pad", inputs: [[2, 2]], nodeInputs: ["x0"], opset: 7, attributes: { pads: { ints: [1, 1, 1, 1] }, value: { f: -0.5 } }, out: [4, 4] },
  // Gather
  { title: "Gather axis 0", op: "Gather", inputs: [[4, 3]], nodeInputs: ["x0", "i"], ints: [{ name: "i", dims: [3], values: [3, 0, -1] }], out: [3, 3] },
  { title: "Gather axis 1, 2-D indices", op: "Gather", inputs: [[2, 4, 2]], nodeInputs: ["x0", "i"], attributes: { axis: { i: 1 } }, ints: [{ name: "i", dims: [2, 2], values: [1, -4, 2, 2] }], out: [2, 2, 2, 2] },
  { title: "Gather scalar index, negative axis", op: "Gather", inputs: [[2, 3]], nodeInputs: ["x0", "i"], attributes: { axis: { i: -1 } }, ints: [{ name: "i", dims: [], values: [-2] }], out: [2] },
];

describe("layout ops (Transpose, Squeeze, Unsqueeze, Concat, Slice, Pad, Gather) against onnxruntime", function () {
  this.timeout(60_000);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  CASES.forEach((c, i) => it(c.title, () => check(c, 1000 + i)));

  it("Concat of a graph input and a computed MatMul output", async () => {
    const { bytes } = buildCase({ title: "", op: "Concat", inputs: [[1, 2]], nodeInputs: ["x0", "m"], attributes: { axis: { i: 1 } }, out: [1, 4] });
    const model = onnx.ModelProto.decode(bytes);
    const g = model.graph!;
    g.node!.unshift(onnx.NodeProto.create({ name: "mm", opType: "MatMul", input: ["x0", "w"], output: ["m"] }));
    const w = [0.5, -1, 2, 0.25];
    const raw = new DataView(new ArrayBuffer(16));
    w.forEach((v, k) => raw.setFloat32(k * 4, v, true));
    g.initializer!.push(onnx.TensorProto.create({ name: "w", dims: [2, 2], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(raw.buffer) }));
    const file = path.join(dir, "concat-scales.onnx");
    const out = Buffer.from(onnx.ModelProto.encode(model).finish());
    fs.writeFileSync(file, out);
    const graph = importOnnx(out, "concat scales");
    const values = [[1.25, -0.5]];
    const run = runQuantized(graph, values);
    const [expected] = await runOnnxRuntime(file, graph.inputs, values);
    expect(run.shapes[0]).to.deep.equal([1, 4]);
    expectClose(run.outputs[0], expected, 1e-3);
  });

  it("folds when every input is constant (a shape subgraph)", () => {
    // Gather(Concat(Unsqueeze(c), Transpose(d))) on constants feeds a Reshape's target shape.
    const g = importSpec(
      {
        inputs: [{ name: "x", dims: [2, 6] }],
        outputs: [{ name: "y", dims: [3, 4] }],
        initializers: [
          { name: "a", dims: [1], data: [3] },
          { name: "b", dims: [2, 1], data: [4, 9] },
        ],
        nodes: [
          { name: "t", opType: "Transpose", inputs: ["b"], outputs: ["bt"] },
          { name: "sq", opType: "Squeeze", inputs: ["bt", "zero"], outputs: ["bs"] },
          { name: "cat", opType: "Concat", inputs: ["a", "bs"], outputs: ["shape3"], attributes: { axis: { i: 0 } } },
          { name: "sl", opType: "Slice", inputs: ["shape3", "s0", "s2"], outputs: ["shape2"] },
          { name: "pd", opType: "Pad", inputs: ["shape2", "p1"], outputs: ["shape2p"] },
          { name: "ga", opType: "Gather", inputs: ["shape2p", "gi"], outputs: ["shape"] },
          { name: "rs", opType: "Reshape", inputs: ["x", "shape"], outputs: ["y"] },
        ],
      },
      (eg) => {
        eg.initializer.push(int64("zero", [1], [0]), int64("s0", [1], [0]), int64("s2", [1], [2]), int64("p1", [2], [0, 1]), int64("gi", [2], [0, 1]));
      },
    );
    expect(g.nodes.map((n) => n.op)).to.deep.equal(["Reshape"]);
    expect(g.constants.get("shape3")).to.deep.equal({ dims: [3], data: [3, 4, 9] });
    expect(g.constants.get("shape2p")).to.deep.equal({ dims: [3], data: [3, 4, 0] });
    expect(g.constants.get("shape")).to.deep.equal({ dims: [2], data: [3, 4] });
    expect(g.shapes.get("y")).to.deep.equal([3, 4]);
  });

  it("rejects unsupported cases with a ZkmlError naming the node", () => {
    const bad = (c: Partial<Case>, edit?: Parameters<typeof encodeWith>[1]) => () => {
      const full = { title: "", inputs: [[2, 2]], nodeInputs: ["x0"], out: [2, 2], ...c } as Case;
      const { spec } = buildCase(full);
      return importSpec(spec, (g) => {
        (full.ints ?? []).forEach((t) => g.initializer.push(int64(t.name, t.dims, t.values)));
        edit?.(g);
      });
    };
    const reflect = (g: Parameters<NonNullable<Parameters<typeof encodeWith>[1]>>[0]) =>
      g.node[0].attribute.push(onnx.AttributeProto.create({ name: "mode", type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from("reflect") }));
    expectZkmlError(bad({ op: "Pad", nodeInputs: ["x0", "p"], ints: [{ name: "p", dims: [4], values: [1, 1, 1, 1] }] }, reflect), 'Pad node "my_pad"', "reflect");
    expectZkmlError(bad({ op: "Squeeze", nodeInputs: ["x0", "ax"], ints: [{ name: "ax", dims: [1], values: [0] }] }), 'Squeeze node "my_squeeze"', "not 1");
    expectZkmlError(bad({ op: "Gather", nodeInputs: ["x0", "i"], ints: [{ name: "i", dims: [1], values: [2] }] }), 'Gather node "my_gather"', "out of range");
    expectZkmlError(bad({ op: "Slice", inputs: [[2, 2], [1]], nodeInputs: ["x0", "x1", "e"], ints: [{ name: "e", dims: [1], values: [1] }] }), 'Slice node "my_slice"', "must be a constant");
    expectZkmlError(bad({ op: "Transpose", attributes: { perm: { ints: [0, 0] } } }), 'Transpose node "my_transpose"', "permutation");
    expectZkmlError(bad({ op: "Concat", inputs: [[2, 2], [3, 3]], nodeInputs: ["x0", "x1"], attributes: { axis: { i: 0 } } }), 'Concat node "my_concat"', "does not match");
  });
});
