import { expect } from "chai";
import { onnx } from "onnx-proto";
import { importOnnx } from "../../src/onnx/import";
import { expectZkmlError } from "./helpers";
import { buildCase, checkCase, OpCase } from "./op-cases";

/** ConstantOfShape's "value" attribute is a tensor, which the writer cannot express: set it here. */
function withFillValue(c: OpCase, node: number, value: number): Buffer {
  const model = onnx.ModelProto.decode(buildCase(c));
  const T = onnx.AttributeProto.AttributeType;
  const n = model.graph!.node![node];
  n.attribute = [
    ...(n.attribute ?? []),
    onnx.AttributeProto.create({ name: "value", type: T.TENSOR, t: { dims: [1], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] } }),
  ];
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

describe("shape-subgraph ops", function () {
  this.timeout(60000);

  it("Shape of a computed value folds to a constant that drives a Reshape", async () => {
    const c: OpCase = {
      title: "Shape Reshape",
      inputs: [[2, 6], [3, 4]],
      nodes: [
        { op: "Shape", inputs: ["x1"], outputs: ["s"] },
        { op: "Reshape", inputs: ["x0", "s"], outputs: ["r"] },
        { op: "Add", inputs: ["r", "x1"] },
      ],
      out: [3, 4],
      sites: 0,
    };
    await checkCase(c);
    expect(importOnnx(buildCase(c)).nodes.map((n) => n.op)).to.deep.equal(["Reshape", "Add"]);
  });

  it("Shape with start/end (opset 15) and Size, folded into a Gather's constant indices", () =>
    checkCase({
      title: "Shape slice",
      opset: 15,
      inputs: [[2, 3, 4]],
      nodes: [
        { op: "Shape", inputs: ["x0"], outputs: ["s"], attributes: { start: { i: 1 }, end: { i: -1 } } },
        { op: "Size", inputs: ["s"], outputs: ["n"] },
        // s = [3], n = 1: Gather index n - 1 + 1 = 1 along axis 2.
        { op: "Gather", inputs: ["x0", "n"], attributes: { axis: { i: 2 } } },
      ],
      out: [2, 3],
      sites: 0,
    }));

  it("Expand of a computed value to a ConstantOfShape shape, then Tile (the ltsf padding)", async () => {
    const c: OpCase = {
      title: "Expand Tile",
      inputs: [[1, 1, 2]],
      ints: [{ name: "dims", dims: [1], values: [3] }, { name: "reps", dims: [3], values: [1, 2, 1] }],
      nodes: [
        { op: "ConstantOfShape", inputs: ["dims"], outputs: ["ones"] },
        { op: "Expand", inputs: ["x0", "ones"], outputs: ["e"] },
        { op: "Tile", inputs: ["e", "reps"] },
      ],
      out: [1, 2, 2],
      sites: 0,
    };
    // ConstantOfShape(dims) with value 1 is [1, 1, 1]: Expand keeps the shape.
    const bytes = withFillValue(c, 0, 1);
    const graph = importOnnx(bytes);
    expect(graph.nodes.map((n) => n.op)).to.deep.equal(["Expand", "Tile"]);
    expect(graph.outputs[0].shape).to.deep.equal([1, 2, 2]);
  });

  it("Expand broadcasts both ways", () =>
    checkCase({
      title: "Expand",
      inputs: [[3, 1]],
      ints: [{ name: "shape", dims: [3], values: [2, 1, 4] }],
      nodes: [{ op: "Expand", inputs: ["x0", "shape"] }],
      out: [2, 3, 4],
      sites: 0,
    }));

  it("Tile repeats every axis", () =>
    checkCase({
      title: "Tile",
      inputs: [[2, 3]],
      ints: [{ name: "reps", dims: [2], values: [2, 3] }],
      nodes: [{ op: "Tile", inputs: ["x0", "reps"] }],
      out: [4, 9],
      sites: 0,
    }));

  it("Range and ConstantOfShape fold to constants", () =>
    checkCase({
      title: "Range",
      inputs: [[5]],
      floats: [{ name: "start", dims: [], data: [1] }, { name: "limit", dims: [], data: [-1.5] }, { name: "delta", dims: [], data: [-0.5] }],
      ints: [{ name: "five", dims: [1], values: [5] }],
      nodes: [
        { op: "Range", inputs: ["start", "limit", "delta"], outputs: ["r"] },
        { op: "ConstantOfShape", inputs: ["five"], outputs: ["z"] },
        { op: "Add", inputs: ["r", "z"], outputs: ["rz"] },
        { op: "Add", inputs: ["x0", "rz"] },
      ],
      out: [5],
      sites: 0,
    }));

  it("a computed shape is refused with the node named", () => {
    const c: OpCase = {
      title: "computed shape",
      inputs: [[3], [2]],
      nodes: [
        { op: "Cast", inputs: ["x1"], outputs: ["s"], attributes: { to: { i: 7 } } },
        { op: "Expand", inputs: ["x0", "s"] },
      ],
      out: [3],
    };
    expectZkmlError(() => importOnnx(buildCase(c)), "n1_expand", "must be a constant");
  });
});
