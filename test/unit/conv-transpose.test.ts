import { expect } from "chai";
import { onnx } from "onnx-proto";
import { AttrValue, GraphSpec, InitializerSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { quantizeModel } from "../../src/quantize";
import { expectZkmlError, f32, GraphEdit, importSpec, QUANT, randomArray, rng } from "./helpers";
import { expectMatchesOrt } from "./ort-check";

const rand = rng(9009);

function init(name: string, dims: number[], scale = 1): InitializerSpec {
  return { name, dims, data: f32(randomArray(rand, size(dims), -scale, scale)) };
}

function withAutoPad(value: string): GraphEdit {
  return (g) => {
    g.node[0].attribute.push(onnx.AttributeProto.create({ name: "auto_pad", type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) }));
  };
}

interface Case {
  title: string;
  x: number[];
  /** [C, M/group, k...] */
  w: number[];
  bias?: boolean;
  attrs?: Record<string, AttrValue>;
  autoPad?: string;
}

function spec(c: Case): GraphSpec {
  const group = c.attrs?.group && "i" in c.attrs.group ? c.attrs.group.i : 1;
  const inits = [init("W", c.w, 0.5)];
  if (c.bias) inits.push(init("B", [c.w[1] * group]));
  return {
    name: "convtranspose_test",
    inputs: [{ name: "x", dims: c.x }],
    outputs: [{ name: "y", dims: c.x.map((_, i) => `d${i}`) }],
    initializers: inits,
    nodes: [{ name: "deconv0", opType: "ConvTranspose", inputs: c.bias ? ["x", "W", "B"] : ["x", "W"], outputs: ["y"], attributes: c.attrs }],
  };
}

const k = (...ints: number[]) => ({ ints });

const CASES: Case[] = [
  { title: "2-D, stride 1, with bias", x: [1, 2, 4, 4], w: [2, 3, 3, 3], bias: true },
  { title: "2-D, stride 2, no bias", x: [1, 3, 3, 3], w: [3, 2, 3, 3] },
  { title: "2-D, stride 2, pads and output_padding (mnist_gan's geometry)", x: [1, 2, 4, 4], w: [2, 3, 5, 5], bias: true, attrs: { strides: k(2, 2), pads: k(1, 1, 2, 2), output_padding: k(1, 1) } },
  { title: "2-D, asymmetric strides and pads, dilation 2", x: [1, 2, 3, 4], w: [2, 2, 3, 2], bias: true, attrs: { strides: k(2, 1), pads: k(1, 0, 0, 1), dilations: k(2, 2) } },
  { title: "2-D, group 2", x: [1, 4, 3, 3], w: [4, 3, 2, 2], bias: true, attrs: { group: { i: 2 }, strides: k(2, 2) } },
  { title: "2-D, explicit output_shape", x: [1, 2, 3, 3], w: [2, 2, 3, 3], bias: true, attrs: { strides: k(2, 2), output_shape: k(8, 8) } },
  { title: "2-D, output_shape with an odd crop", x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: k(2, 2), output_shape: k(6, 5) } },
  { title: "2-D, auto_pad SAME_UPPER, stride 2", x: [1, 2, 3, 3], w: [2, 2, 4, 4], bias: true, attrs: { strides: k(2, 2) }, autoPad: "SAME_UPPER" },
  { title: "2-D, auto_pad SAME_LOWER, stride 2", x: [1, 2, 3, 3], w: [2, 2, 4, 4], bias: true, attrs: { strides: k(2, 2) }, autoPad: "SAME_LOWER" },
  { title: "2-D, auto_pad SAME_UPPER with an odd crop", x: [1, 2, 3, 4], w: [2, 2, 3, 3], attrs: { strides: k(2, 2) }, autoPad: "SAME_UPPER" },
  { title: "2-D, auto_pad SAME_LOWER with an odd crop", x: [1, 2, 3, 4], w: [2, 2, 3, 3], attrs: { strides: k(2, 2) }, autoPad: "SAME_LOWER" },
  { title: "2-D, auto_pad VALID", x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: k(2, 2) }, autoPad: "VALID" },
  { title: "2-D, batch of 2", x: [2, 2, 3, 3], w: [2, 2, 3, 3], bias: true, attrs: { pads: k(1, 1, 1, 1) } },
  { title: "1-D, stride 3, pads", x: [1, 3, 5], w: [3, 2, 4], bias: true, attrs: { strides: k(3), pads: k(1, 2) } },
  { title: "1-D, depthwise (group = C), output_padding", x: [1, 3, 6], w: [3, 1, 3], attrs: { group: { i: 3 }, strides: k(2), output_padding: k(1) } },
];

describe("ConvTranspose against onnxruntime", () => {
  for (const c of CASES) {
    it(c.title, async () => {
      await expectMatchesOrt(spec(c), rand, { edit: c.autoPad ? withAutoPad(c.autoPad) : undefined });
    });
  }
});

describe("ConvTranspose: costs and errors", () => {
  it("costs no constraint of its own", () => {
    const model = quantizeModel(importSpec(spec(CASES[2])), QUANT);
    expect(model.sites.filter((s) => s.node === "deconv0")).to.deep.equal([]);
  });

  it("rejects mismatched channels, a bad bias, 3-D inputs and unknown auto_pad, naming the node", () => {
    expectZkmlError(() => importSpec(spec({ title: "", x: [1, 3, 4, 4], w: [2, 2, 3, 3] })), 'ConvTranspose node "deconv0"', "input channels");
    expectZkmlError(() => importSpec(spec({ title: "", x: [1, 2, 3, 3, 3], w: [2, 2, 2, 2, 2] })), 'ConvTranspose node "deconv0"', "3-D");
    expectZkmlError(() => importSpec(spec({ title: "", x: [1, 2, 4, 4], w: [2, 2, 3, 3] }), withAutoPad("BOGUS")), "auto_pad");
    expectZkmlError(
      () => importSpec(spec({ title: "", x: [1, 2, 4, 4], w: [2, 2, 3, 3], attrs: { strides: k(2, 2), output_padding: k(2, 0) } })),
      'ConvTranspose node "deconv0"',
      "output_padding",
    );
  });
});
