import { expect } from "chai";
import fs from "fs";
import { onnx } from "onnx-proto";
import os from "os";
import path from "path";
import { AttrValue, GraphSpec, InitializerSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { encodeWith, expectClose, expectZkmlError, f32, GraphEdit, importSpec, randomArray, randomInputs, rng, runQuantized } from "./helpers";
import { sharedModel } from "../circuit/helpers";

const rand = rng(6006);

function init(name: string, dims: number[], scale = 1): InitializerSpec {
  return { name, dims, data: f32(randomArray(rand, size(dims), -scale, scale)) };
}

/** auto_pad is a STRING attribute, which the writer cannot express. */
function withAutoPad(value: string): GraphEdit {
  return (g) => {
    g.node[0].attribute.push(
      onnx.AttributeProto.create({ name: "auto_pad", type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) }),
    );
  };
}

interface ConvCase {
  title: string;
  x: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, AttrValue>;
  autoPad?: string;
}

function convSpec(c: ConvCase): GraphSpec {
  const inits = [init("W", c.w, 0.5)];
  if (c.bias) inits.push(init("B", [c.w[0]]));
  return {
    name: "conv_test",
    inputs: [{ name: "x", dims: c.x }],
    outputs: [{ name: "y", dims: c.x.map((_, i) => `d${i}`) }],
    initializers: inits,
    nodes: [{ name: "conv0", opType: "Conv", inputs: c.bias ? ["x", "W", "B"] : ["x", "W"], outputs: ["y"], attributes: c.attrs }],
  };
}

const CASES: ConvCase[] = [
  { title: "2-D, stride 1, no padding, with bias", x: [1, 3, 6, 6], w: [4, 3, 3, 3], bias: true },
  { title: "2-D, stride 1, no bias", x: [1, 2, 5, 5], w: [3, 2, 3, 3] },
  { title: "2-D, stride 2, symmetric pads", x: [1, 3, 7, 7], w: [2, 3, 3, 3], bias: true, attrs: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } } },
  { title: "2-D, asymmetric pads and strides", x: [1, 2, 6, 5], w: [3, 2, 2, 3], bias: true, attrs: { strides: { ints: [2, 1] }, pads: { ints: [0, 2, 1, 0] } } },
  { title: "2-D, dilation 2 with pads", x: [1, 2, 8, 8], w: [3, 2, 3, 3], bias: true, attrs: { dilations: { ints: [2, 2] }, pads: { ints: [2, 2, 2, 2] } } },
  { title: "2-D, depthwise (group = C)", x: [1, 4, 6, 6], w: [4, 1, 3, 3], bias: true, attrs: { group: { i: 4 }, pads: { ints: [1, 1, 1, 1] } } },
  { title: "2-D, depthwise with channel multiplier 2", x: [1, 3, 5, 5], w: [6, 1, 3, 3], attrs: { group: { i: 3 } } },
  { title: "2-D, group 2", x: [1, 4, 6, 6], w: [6, 2, 3, 3], bias: true, attrs: { group: { i: 2 }, strides: { ints: [2, 2] } } },
  { title: "2-D, explicit kernel_shape, 1x1 kernel", x: [1, 3, 4, 4], w: [5, 3, 1, 1], bias: true, attrs: { kernel_shape: { ints: [1, 1] } } },
  { title: "2-D, auto_pad SAME_UPPER, stride 2", x: [1, 2, 7, 6], w: [3, 2, 4, 4], bias: true, attrs: { strides: { ints: [2, 2] } }, autoPad: "SAME_UPPER" },
  { title: "2-D, auto_pad SAME_LOWER, stride 2", x: [1, 2, 7, 6], w: [3, 2, 4, 4], bias: true, attrs: { strides: { ints: [2, 2] } }, autoPad: "SAME_LOWER" },
  { title: "2-D, auto_pad SAME_UPPER, stride 1, even kernel", x: [1, 2, 5, 5], w: [2, 2, 2, 2], autoPad: "SAME_UPPER" },
  { title: "2-D, auto_pad VALID, stride 2", x: [1, 2, 7, 7], w: [3, 2, 3, 3], bias: true, attrs: { strides: { ints: [2, 2] } }, autoPad: "VALID" },
  { title: "2-D, batch of 2", x: [2, 2, 5, 5], w: [3, 2, 3, 3], bias: true, attrs: { pads: { ints: [1, 1, 1, 1] } } },
  { title: "1-D, stride 1, with bias", x: [1, 3, 10], w: [4, 3, 3], bias: true },
  { title: "1-D, stride 2, pads, dilation 2, no bias", x: [1, 2, 11], w: [3, 2, 3], attrs: { strides: { ints: [2] }, pads: { ints: [2, 1] }, dilations: { ints: [2] } } },
  { title: "1-D, depthwise, SAME_LOWER", x: [1, 3, 9], w: [3, 1, 4], bias: true, attrs: { group: { i: 3 } }, autoPad: "SAME_LOWER" },
];

/** The output shape onnxruntime produces (runOnnxRuntime returns flat values only). */
async function onnxRuntimeShape(file: string, x: number[], shape: number[]): Promise<number[]> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from(x), shape) });
    return out.y.dims.map(Number);
  } finally {
    await session.release();
  }
}

describe("Conv", function () {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-conv-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  CASES.forEach((c, k) => {
    it(`matches onnxruntime: ${c.title}`, async function () {
      const bytes = encodeWith(convSpec(c), c.autoPad ? withAutoPad(c.autoPad) : undefined);
      const file = path.join(dir, `conv${k}.onnx`);
      fs.writeFileSync(file, bytes);
      const graph = importOnnx(bytes, file);
      for (let trial = 0; trial < 3; trial++) {
        const inputs = randomInputs(graph, rand, -2, 2);
        const [expected] = await runOnnxRuntime(file, graph.inputs, inputs);
        const run = runQuantized(graph, inputs);
        const ortShape = await onnxRuntimeShape(file, inputs[0], graph.inputs[0].shape);
        expect(run.shapes[0], "output shape").to.deep.equal(ortShape);
        expect(graph.shapes.get("y"), "inferred shape").to.deep.equal(ortShape);
        expectClose(run.outputs[0], expected, 1e-2, c.title);
      }
    });
  });

  it("rejects 3-D convolution, naming the node", () => {
    expectZkmlError(
      () => importSpec(convSpec({ title: "", x: [1, 2, 4, 4, 4], w: [2, 2, 2, 2, 2] })),
      'Conv node "conv0"',
      "3-D convolution is not supported",
    );
  });

  it("rejects computed weights, naming the node", () => {
    const spec: GraphSpec = {
      name: "conv_w",
      inputs: [{ name: "x", dims: [1, 2, 5, 5] }, { name: "W", dims: [3, 2, 3, 3] }],
      outputs: [{ name: "y", dims: ["n"] }],
      initializers: [],
      nodes: [{ name: "conv0", opType: "Conv", inputs: ["x", "W"], outputs: ["y"] }],
    };
    const graph = importSpec(spec);
    expectZkmlError(() => runQuantized(graph, randomInputs(graph, rand)), 'Conv node "conv0"', "weights", "must be a constant");
  });

  it("rejects mismatched channels and unknown auto_pad", () => {
    expectZkmlError(() => importSpec(convSpec({ title: "", x: [1, 3, 5, 5], w: [2, 2, 3, 3] })), 'Conv node "conv0"', "input channels");
    expectZkmlError(() => importSpec(convSpec({ title: "", x: [1, 2, 5, 5], w: [2, 2, 3, 3] }), withAutoPad("BOGUS")), 'Conv node "conv0"', "auto_pad");
  });

  it("imports and evaluates the ezkl 1l_conv model like onnxruntime", async () => {
    const file = sharedModel("1l_conv"); // a missing reference model fails the test, never skips it
    const graph = importOnnx(fs.readFileSync(file), file);
    expect(graph.nodes.map((n) => n.op)).to.include("Conv");
    for (let trial = 0; trial < 3; trial++) {
      const inputs = randomInputs(graph, rand, -2, 2);
      const expected = await runOnnxRuntime(file, graph.inputs, inputs);
      const run = runQuantized(graph, inputs);
      run.outputs.forEach((o, i) => expectClose(o, expected[i], 1e-2, `1l_conv output ${i}`));
    }
  });
});
