import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { estimateConstraints } from "../../src/gadgets";
import { size } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { encodeModel, GraphSpec } from "../../src/onnx/writer";
import { compileModel } from "../../src/pipeline/compile";
import { quantizeModel } from "../../src/quantize";
import { BYTES_PER_CONSTRAINT, defaultMaxConstraints, estimateGraph } from "../../src/quantize/estimate";
import { QUANT } from "./helpers";

/** A MaxPool over `c` × `h` × `w` (3×3, stride 1, same padding) after a Relu. */
function maxPool(c: number, h: number, w: number): GraphSpec {
  return {
    inputs: [{ name: "x", dims: [1, c, h, w] }],
    outputs: [{ name: "y", dims: [1, c, h, w] }],
    initializers: [],
    nodes: [
      { name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"] },
      { name: "pool", opType: "MaxPool", inputs: ["r"], outputs: ["y"], attributes: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
    ],
  };
}

const MLP: GraphSpec = {
  inputs: [{ name: "x", dims: [1, 6] }],
  outputs: [{ name: "y", dims: [1, 3] }],
  initializers: [
    { name: "W1", dims: [6, 5], data: Array.from({ length: 30 }, (_, i) => Math.sin(i) / 2) },
    { name: "W2", dims: [5, 3], data: Array.from({ length: 15 }, (_, i) => Math.cos(i) / 2) },
  ],
  nodes: [
    { name: "fc1", opType: "MatMul", inputs: ["x", "W1"], outputs: ["h"] },
    { name: "act", opType: "Sigmoid", inputs: ["h"], outputs: ["s"] },
    { name: "fc2", opType: "MatMul", inputs: ["s", "W2"], outputs: ["z"] },
    { name: "soft", opType: "Softmax", inputs: ["z"], outputs: ["y"], attributes: { axis: { i: 1 } } },
  ],
};

describe("the graph estimate of a model's constraints", () => {
  it("never exceeds the gadget-level estimate of the quantized model (so it refuses nothing that fits)", () => {
    for (const [name, spec] of [["maxpool", maxPool(2, 12, 10)], ["mlp", MLP]] as const) {
      const graph = importOnnx(encodeModel(spec));
      const inputCount = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
      for (const scaleBits of [6, 12]) {
        const quant = { scaleBits, inputBits: QUANT.inputBits };
        const sites = estimateConstraints(quantizeModel(graph, quant).sites, inputCount, quant.inputBits);
        const est = estimateGraph(graph, quant).constraints;
        expect(est, `${name} at 2^${scaleBits}`).to.be.at.most(sites);
        // ...and it is an estimate, not a token: at least a third of the real figure.
        expect(est, `${name} at 2^${scaleBits}`).to.be.at.least(sites / 3);
      }
    }
  });

  it("stays below the gadgets of Sqrt, Reciprocal, Softsign, the normalizations and the norm reductions, and above a third of them", () => {
    const one = (op: string, dims: number[], opset = 17, consts: [string, number[]][] = [], attributes: GraphSpec["nodes"][number]["attributes"] = {}): GraphSpec => ({
      inputs: [{ name: "x", dims }],
      outputs: [{ name: "y", dims }],
      initializers: consts.map(([name, data]) => ({ name, dims: [data.length], data })),
      nodes: [{ name: "n", opType: op, inputs: ["x", ...consts.map(([n]) => n)], outputs: ["y"], attributes }],
      opset,
    });
    const reduce = (op: string, dims: number[], out: number[], opset: number, attributes: GraphSpec["nodes"][number]["attributes"] = {}): GraphSpec => ({
      inputs: [{ name: "x", dims }],
      outputs: [{ name: "y", dims: out }],
      initializers: [],
      nodes: [{ name: "n", opType: op, inputs: ["x"], outputs: ["y"], attributes }],
      opset,
    });
    const cases: [string, GraphSpec][] = [
      ["Sqrt", one("Sqrt", [2, 8])],
      ["Reciprocal", one("Reciprocal", [2, 8])],
      ["Softsign", one("Softsign", [2, 8])],
      ["LayerNormalization", one("LayerNormalization", [3, 8], 17, [["g", new Array(8).fill(1.5)], ["b", new Array(8).fill(0.25)]])],
      ["LayerNormalization eps 1", one("LayerNormalization", [3, 8], 17, [["g", new Array(8).fill(1.5)]], { epsilon: { f: 1 } })],
      ["InstanceNormalization", one("InstanceNormalization", [1, 2, 3, 3], 17, [["s", [1, 2]], ["b", [0, 1]]])],
      ["GroupNormalization 18", one("GroupNormalization", [2, 4, 3], 18, [["s", [1, 2]], ["b", [0, 1]]], { num_groups: { i: 2 } })],
      ["GroupNormalization 21", one("GroupNormalization", [1, 6, 4], 21, [["s", [1, 2, 3, 1, 2, 3]], ["b", [0, 1, 0, 1, 0, 1]]], { num_groups: { i: 3 }, epsilon: { f: 0.1 } })],
      ...["ReduceSumSquare", "ReduceL2", "ReduceL1"].flatMap((op): [string, GraphSpec][] => [
        [`${op} axes [1]`, reduce(op, [3, 8], [3], 13, { axes: { ints: [1] }, keepdims: { i: 0 } })],
        [`${op} all axes, opset 18`, reduce(op, [2, 3, 4], [1, 1, 1], 18)],
      ]),
    ];
    for (const [name, spec] of cases) {
      const graph = importOnnx(encodeModel(spec));
      const inputCount = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
      for (const quant of [{ scaleBits: 6, inputBits: 24 }, { scaleBits: 12, inputBits: 24 }, { scaleBits: 12, inputBits: 16 }, { scaleBits: 8, inputBits: 12 }]) {
        const sites = estimateConstraints(quantizeModel(graph, quant).sites, inputCount, quant.inputBits);
        const est = estimateGraph(graph, quant).constraints;
        const what = `${name} at 2^${quant.scaleBits}, ${quant.inputBits}-bit inputs (gadgets ${sites})`;
        expect(est, what).to.be.at.most(sites);
        expect(est, what).to.be.at.least(sites / 3);
      }
    }
  });

  it("defaults the limit to the machine's memory at mnist_gan's 3.5 KiB per constraint (about 7.1M on 24 GiB)", () => {
    expect(Math.round(BYTES_PER_CONSTRAINT)).to.equal(3631);
    expect(defaultMaxConstraints(24 * 2 ** 30)).to.equal(7_097_050);
    expect(defaultMaxConstraints(2 ** 50), "never above the largest powers of tau").to.equal(2 ** 28);
  });

  it("refuses a 221,184-element MaxPool before calibrating, naming the estimate, the largest nodes and the limit", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-enormous-"));
    const onnx = path.join(dir, "pool.onnx");
    fs.writeFileSync(onnx, encodeModel(maxPool(8, 256, 108)));
    const buildDir = path.join(dir, "build");
    const err = await compileModel({ name: "pool", onnx, buildDir, quant: { inputBits: 24 }, maxConstraints: 7_000_000, log: () => undefined }).then(
      () => undefined,
      (e: Error) => e,
    );
    // 221,184 outputs × 8 comparisons × 24 (the input width) = 42.5M, the Relu 5.3M more, the inputs' range checks 5.5M.
    expect(err?.message).to.equal(
      'model "pool" is too large to prove here: about 53M constraints estimated from its graph (≈180 GiB to set up), above the limit of 7.0M (maxConstraints); ' +
        'largest: MaxPool node "pool" 42M, Relu node "relu" 5.3M. Shrink the model or its inputs, or raise maxConstraints on a machine with more memory',
    );
    expect(fs.existsSync(buildDir), "nothing written").to.equal(false);
  });
});
