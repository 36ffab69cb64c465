import { expect } from "chai";
import { AttrValue, GraphSpec, InitializerSpec, NodeSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { quantizeModel } from "../../src/quantize";
import { encodeWith, expectClose, expectZkmlError, f32, importSpec, QUANT, randomArray, randomInputs, rng, runQuantized } from "./helpers";
import { importOnnx } from "../../src/onnx/import";
import { expectMatchesOrt } from "./ort-check";

const rand = rng(5150);

function init(name: string, dims: number[], lo = -1, hi = 1): InitializerSpec {
  return { name, dims, data: f32(randomArray(rand, size(dims), lo, hi)) };
}

/** BatchNormalization parameters for C channels, named with `p`. */
function bnParams(p: string, C: number): InitializerSpec[] {
  return [init(`${p}_scale`, [C], 0.5, 2), init(`${p}_B`, [C]), init(`${p}_mean`, [C]), init(`${p}_var`, [C], 0.1, 2)];
}

function bn(name: string, x: string, out: string, p: string, attrs?: Record<string, AttrValue>): NodeSpec {
  return { name, opType: "BatchNormalization", inputs: [x, `${p}_scale`, `${p}_B`, `${p}_mean`, `${p}_var`], outputs: [out], attributes: attrs };
}

function model(x: number[], nodes: NodeSpec[], initializers: InitializerSpec[], opset = 13): GraphSpec {
  return { name: "bn_test", inputs: [{ name: "x", dims: x }], outputs: [{ name: "y", dims: x.map((_, i) => `d${i}`) }], initializers, nodes, opset };
}

describe("BatchNormalization against onnxruntime", () => {
  it("on a graph input [1, 3, 4, 4] with epsilon", async () => {
    const g = await expectMatchesOrt(model([1, 3, 4, 4], [bn("bn0", "x", "y", "p", { epsilon: { f: 1e-3 } })], bnParams("p", 3)), rand);
    expect(g.nodes.map((n) => n.op)).to.deep.equal(["BatchNormalization"]);
    expect(quantizeModel(g, QUANT).sites.filter((s) => s.node === "bn0"), "zero constraints of its own").to.deep.equal([]);
  });

  it("on [2, 4] (after a Flatten) and on 1-D [1, 2, 5]", async () => {
    await expectMatchesOrt(model([2, 4], [bn("bn0", "x", "y", "p")], bnParams("p", 4)), rand);
    await expectMatchesOrt(model([1, 2, 5], [bn("bn0", "x", "y", "p")], bnParams("p", 2)), rand);
  });

  it("at opset 9 (the ezkl models export at opset 10)", async () => {
    await expectMatchesOrt(model([1, 2, 3, 3], [bn("bn0", "x", "y", "p")], bnParams("p", 2), 9), rand);
  });

  it("is folded when every input is constant", async () => {
    const spec = model([1, 2, 2, 2], [bn("bn0", "c", "k", "p"), { name: "add0", opType: "Add", inputs: ["x", "k"], outputs: ["y"] }], [...bnParams("p", 2), init("c", [1, 2, 2, 2])]);
    const g = await expectMatchesOrt(spec, rand);
    expect(g.nodes.map((n) => n.op)).to.deep.equal(["Add"]);
  });

  it("refuses training mode and the running statistics outputs, naming the node", () => {
    expectZkmlError(() => importSpec(model([1, 2, 3], [bn("bn0", "x", "y", "p", { training_mode: { i: 1 } })], bnParams("p", 2), 14)), 'BatchNormalization node "bn0"', "training_mode");
    const two = model([1, 2, 3], [{ ...bn("bn0", "x", "y", "p"), outputs: ["y", "mean"] }], bnParams("p", 2));
    expectZkmlError(() => importSpec(two), 'BatchNormalization node "bn0"', "training outputs");
    expectZkmlError(() => importSpec(model([1, 3, 3], [bn("bn0", "x", "y", "p")], bnParams("p", 2))), 'BatchNormalization node "bn0"', "must be [3]");
  });
});

describe("merging per-channel affine steps into the preceding layer", () => {
  const conv = (x: string, out: string, bias = true): NodeSpec => ({ name: `conv_${out}`, opType: "Conv", inputs: bias ? [x, "W", "Wb"] : [x, "W"], outputs: [out], attributes: { pads: { ints: [1, 1, 1, 1] } } });

  interface MergeCase {
    title: string;
    spec: GraphSpec;
    /** Op types left after import with merging on. */
    merged: string[];
  }

  const CASES: MergeCase[] = [
    { title: "Conv + BatchNormalization", spec: model([1, 2, 5, 5], [conv("x", "h"), bn("bn0", "h", "y", "p")], [init("W", [3, 2, 3, 3]), init("Wb", [3]), ...bnParams("p", 3)]), merged: ["Conv"] },
    { title: "Conv without bias + BatchNormalization + Relu", spec: model([1, 2, 4, 4], [conv("x", "h", false), bn("bn0", "h", "z", "p"), { name: "relu0", opType: "Relu", inputs: ["z"], outputs: ["y"] }], [init("W", [3, 2, 3, 3]), ...bnParams("p", 3)]), merged: ["Conv", "Relu"] },
    {
      title: "Conv + Mul by [C,1,1] + Add of [1,C,1,1]",
      spec: model([1, 2, 4, 4], [conv("x", "h"), { name: "mul0", opType: "Mul", inputs: ["s", "h"], outputs: ["m"] }, { name: "add0", opType: "Add", inputs: ["m", "t"], outputs: ["y"] }], [init("W", [3, 2, 3, 3]), init("Wb", [3]), init("s", [3, 1, 1]), init("t", [1, 3, 1, 1])]),
      merged: ["Conv"],
    },
    {
      title: "ConvTranspose (group 2) + BatchNormalization",
      spec: model([1, 4, 3, 3], [{ name: "deconv0", opType: "ConvTranspose", inputs: ["x", "W", "Wb"], outputs: ["h"], attributes: { group: { i: 2 }, strides: { ints: [2, 2] } } }, bn("bn0", "h", "y", "p")], [init("W", [4, 3, 3, 3]), init("Wb", [6]), ...bnParams("p", 6)]),
      merged: ["ConvTranspose"],
    },
    {
      title: "Gemm (transB, alpha, beta) + BatchNormalization",
      spec: model([2, 3], [{ name: "gemm0", opType: "Gemm", inputs: ["x", "W", "Wb"], outputs: ["h"], attributes: { transB: { i: 1 }, alpha: { f: 0.5 }, beta: { f: 2 } } }, bn("bn0", "h", "y", "p")], [init("W", [4, 3]), init("Wb", [4]), ...bnParams("p", 4)]),
      merged: ["Gemm"],
    },
    {
      title: "Gemm with a [M, N] bias + Sub from a constant + Div by a scalar",
      spec: model([2, 3], [{ name: "gemm0", opType: "Gemm", inputs: ["x", "W", "Wb"], outputs: ["h"] }, { name: "sub0", opType: "Sub", inputs: ["t", "h"], outputs: ["s"] }, { name: "div0", opType: "Div", inputs: ["s", "d"], outputs: ["y"] }], [init("W", [3, 4]), init("Wb", [2, 4]), init("t", [4]), { name: "d", dims: [], data: [f32([-1.7])[0]] }]),
      merged: ["Gemm"],
    },
  ];

  for (const c of CASES) {
    it(`${c.title}: merged and unmerged graphs agree with onnxruntime and with each other`, async () => {
      const merged = await expectMatchesOrt(c.spec, rand);
      expect(merged.nodes.map((n) => n.op)).to.deep.equal(c.merged);
      const unmerged = await expectMatchesOrt(c.spec, rand, { importOptions: { mergeIntoLinearLayers: false } });
      expect(unmerged.nodes.length).to.be.greaterThan(merged.nodes.length);
      const inputs = randomInputs(merged, rand, -2, 2);
      expectClose(runQuantized(merged, inputs).outputs[0], runQuantized(unmerged, inputs).outputs[0], 1e-2, c.title);
    });
  }

  it("keeps the step when the layer's output has another reader or is a graph output", () => {
    const shared = model([1, 2, 4, 4], [conv("x", "h"), bn("bn0", "h", "z", "p"), { name: "add0", opType: "Add", inputs: ["z", "h"], outputs: ["y"] }], [init("W", [3, 2, 3, 3]), init("Wb", [3]), ...bnParams("p", 3)]);
    expect(importSpec(shared).nodes.map((n) => n.op)).to.deep.equal(["Conv", "BatchNormalization", "Add"]);
    const spec = model([1, 2, 4, 4], [conv("x", "y"), bn("bn0", "y", "z", "p")], [init("W", [3, 2, 3, 3]), init("Wb", [3]), ...bnParams("p", 3)]);
    spec.outputs.push({ name: "z", dims: ["n"] });
    expect(importSpec(spec).nodes.map((n) => n.op)).to.deep.equal(["Conv", "BatchNormalization"]);
  });

  it("keeps a Mul whose constant varies along a spatial axis", () => {
    const spec = model([1, 2, 4, 4], [conv("x", "h"), { name: "mul0", opType: "Mul", inputs: ["h", "s"], outputs: ["y"] }], [init("W", [3, 2, 3, 3]), init("Wb", [3]), init("s", [4])]);
    const bytes = encodeWith(spec);
    expect(importOnnx(bytes).nodes.map((n) => n.op)).to.deep.equal(["Conv", "Mul"]);
  });
});
