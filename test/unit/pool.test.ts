import { expect } from "chai";
import fs from "fs";
import path from "path";
import { onnx } from "onnx-proto";
import { AttrValue, GraphSpec } from "../../src/onnx/writer";
import { quantizeModel } from "../../src/quantize";
import { modelCircuit, tmpDir } from "../circuit/helpers";
import { encodeWith, expectZkmlError, GraphEdit, importSpec, QUANT, rng, runQuantized } from "./helpers";
import { expectCircuitMatchesEvaluator, expectEverySingleWireChangeBreaks } from "./op-checks";
import { expectMatchesOrt } from "./ort-check";

const rand = rng(7117);

function withAutoPad(value: string): GraphEdit {
  return (g) => {
    g.node[0].attribute.push(onnx.AttributeProto.create({ name: "auto_pad", type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) }));
  };
}

interface PoolCase {
  title: string;
  x: number[];
  attrs?: Record<string, AttrValue>;
  autoPad?: string;
  opset?: number;
}

function poolSpec(op: string, c: PoolCase, outputs = ["y"]): GraphSpec {
  return {
    name: "pool_test",
    inputs: [{ name: "x", dims: c.x }],
    outputs: outputs.filter((o) => o).map((name) => ({ name, dims: c.x.map((_, i) => `d${i}`) })),
    initializers: [],
    nodes: [{ name: "pool0", opType: op, inputs: ["x"], outputs, attributes: c.attrs }],
    opset: c.opset ?? 13,
  };
}

const k = (...ints: number[]) => ({ ints });

const WINDOWED: PoolCase[] = [
  { title: "2-D 2x2, stride 2", x: [1, 2, 6, 6], attrs: { kernel_shape: k(2, 2), strides: k(2, 2) } },
  { title: "2-D 3x3, stride 1, pads 1", x: [1, 2, 5, 5], attrs: { kernel_shape: k(3, 3), pads: k(1, 1, 1, 1) } },
  { title: "2-D 3x2, asymmetric pads and strides", x: [2, 1, 7, 6], attrs: { kernel_shape: k(3, 2), strides: k(2, 1), pads: k(0, 1, 2, 0) } },
  { title: "2-D ceil_mode with stride 2", x: [1, 2, 7, 7], attrs: { kernel_shape: k(2, 2), strides: k(2, 2), ceil_mode: { i: 1 } } },
  { title: "2-D ceil_mode with pads", x: [1, 1, 6, 6], attrs: { kernel_shape: k(3, 3), strides: k(2, 2), pads: k(1, 1, 1, 1), ceil_mode: { i: 1 } } },
  { title: "2-D auto_pad SAME_UPPER, stride 2", x: [1, 2, 7, 6], attrs: { kernel_shape: k(3, 3), strides: k(2, 2) }, autoPad: "SAME_UPPER" },
  { title: "2-D auto_pad SAME_LOWER, even kernel", x: [1, 2, 5, 5], attrs: { kernel_shape: k(2, 2) }, autoPad: "SAME_LOWER" },
  { title: "2-D auto_pad VALID, stride 2", x: [1, 2, 7, 7], attrs: { kernel_shape: k(3, 3), strides: k(2, 2) }, autoPad: "VALID" },
  { title: "1-D kernel 3, stride 2, pads", x: [1, 3, 10], attrs: { kernel_shape: k(3), strides: k(2), pads: k(1, 2) } },
  { title: "1-D kernel 2, default stride", x: [2, 2, 5], attrs: { kernel_shape: k(2) } },
];

describe("AveragePool against onnxruntime", () => {
  for (const c of WINDOWED) {
    it(c.title, async () => {
      await expectMatchesOrt(poolSpec("AveragePool", c), rand, { edit: c.autoPad ? withAutoPad(c.autoPad) : undefined });
    });
  }
  for (const c of WINDOWED.filter((w) => w.attrs?.pads)) {
    it(`${c.title}, count_include_pad=1`, async () => {
      const attrs = { ...c.attrs, count_include_pad: { i: 1 } };
      await expectMatchesOrt(poolSpec("AveragePool", { ...c, attrs }), rand);
    });
  }
  it("opset 10 (the ezkl models' opset)", async () => {
    await expectMatchesOrt(poolSpec("AveragePool", { ...WINDOWED[1], opset: 10 }), rand);
  });
});

describe("MaxPool against onnxruntime", () => {
  for (const c of WINDOWED) {
    it(c.title, async () => {
      await expectMatchesOrt(poolSpec("MaxPool", c), rand, { edit: c.autoPad ? withAutoPad(c.autoPad) : undefined });
    });
  }
  it("2-D with dilations 2", async () => {
    await expectMatchesOrt(poolSpec("MaxPool", { title: "", x: [1, 2, 7, 7], attrs: { kernel_shape: k(2, 2), dilations: k(2, 2), pads: k(1, 0, 0, 1) } }), rand);
  });
  it("pads are ignored, never a zero: all-negative inputs stay negative", async () => {
    const c = { title: "", x: [1, 1, 4, 4], attrs: { kernel_shape: k(3, 3), pads: k(1, 1, 1, 1) } };
    await expectMatchesOrt(poolSpec("MaxPool", c), rand, { inputs: (g) => [Array.from({ length: 16 }, () => -1 - rand())] });
  });
});

describe("GlobalAveragePool and GlobalMaxPool against onnxruntime", () => {
  for (const x of [[1, 3, 4, 5], [2, 2, 7], [1, 2, 2, 2, 3]]) {
    it(`GlobalAveragePool on [${x}]`, async () => {
      await expectMatchesOrt(poolSpec("GlobalAveragePool", { title: "", x }), rand);
    });
    it(`GlobalMaxPool on [${x}]`, async () => {
      await expectMatchesOrt(poolSpec("GlobalMaxPool", { title: "", x }), rand);
    });
  }
});

describe("pooling: costs and errors", () => {
  it("AveragePool costs no constraint; MaxPool one comparison per extra window element", () => {
    const c = { title: "", x: [1, 1, 4, 4], attrs: { kernel_shape: k(2, 2), strides: k(2, 2) } };
    const avg = quantizeModel(importSpec(poolSpec("AveragePool", c)), QUANT);
    expect(avg.sites.filter((s) => s.node === "pool0")).to.deep.equal([]);
    const max = quantizeModel(importSpec(poolSpec("MaxPool", c)), QUANT);
    expect(max.sites.filter((s) => s.node === "pool0").map((s) => s.kind)).to.deep.equal(Array(4 * 3).fill("relu"));
  });

  it("an average over 4 is exact", () => {
    const g = importSpec(poolSpec("AveragePool", { title: "", x: [1, 1, 2, 2], attrs: { kernel_shape: k(2, 2) } }));
    expect(runQuantized(g, [[1, 2, 3, 4.5]]).outputs[0]).to.deep.equal([2.625]);
  });

  it("MaxPool's Indices output is refused, naming the node", () => {
    const c = { title: "", x: [1, 1, 4, 4], attrs: { kernel_shape: k(2, 2) } };
    expectZkmlError(() => importSpec(poolSpec("MaxPool", c, ["y", "idx"])), 'MaxPool node "pool0"', "Indices");
  });

  it("3-D pooling, a missing kernel_shape and an unknown auto_pad are refused, naming the node", () => {
    expectZkmlError(() => importSpec(poolSpec("AveragePool", { title: "", x: [1, 1, 3, 3, 3], attrs: { kernel_shape: k(2, 2, 2) } })), 'AveragePool node "pool0"', "3-D pooling");
    expectZkmlError(() => importSpec(poolSpec("MaxPool", { title: "", x: [1, 1, 3, 3] })), 'MaxPool node "pool0"', "kernel_shape");
    expectZkmlError(() => importSpec(poolSpec("MaxPool", { title: "", x: [1, 1, 3, 3], attrs: { kernel_shape: k(2, 2) } }), withAutoPad("BOGUS")), "auto_pad");
  });
});

/**
 * Conv 3x3 (1 -> 2 channels) -> Relu -> AveragePool 2x2 -> Conv 3x3 (2 -> 3) -> Relu -> AveragePool 2x2 ->
 * Flatten -> Gemm (3 -> 2): mnist_cnn's pattern in small. Each pool's sum reaches a constant-weight layer
 * (the second through Flatten) and is left unrounded for that layer's rescale.
 */
function poolChainSpec(): GraphSpec {
  const w = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
  const pool = { kernel_shape: k(2, 2), strides: k(2, 2) };
  return {
    name: "pool_chain",
    inputs: [{ name: "x", dims: [1, 1, 8, 8] }],
    outputs: [{ name: "y", dims: [1, 2] }],
    initializers: [
      { name: "w1", dims: [2, 1, 3, 3], data: w(18) },
      { name: "b1", dims: [2], data: w(2) },
      { name: "w2", dims: [3, 2, 3, 3], data: w(54) },
      { name: "fc", dims: [2, 3], data: w(6) },
    ],
    nodes: [
      { name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: { kernel_shape: k(3, 3) } },
      { name: "relu1", opType: "Relu", inputs: ["c1"], outputs: ["r1"] },
      { name: "pool1", opType: "AveragePool", inputs: ["r1"], outputs: ["p1"], attributes: pool },
      { name: "conv2", opType: "Conv", inputs: ["p1", "w2"], outputs: ["c2"], attributes: { kernel_shape: k(3, 3), pads: k(1, 1, 1, 1) } },
      { name: "relu2", opType: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { name: "pool2", opType: "AveragePool", inputs: ["r2"], outputs: ["p2"], attributes: pool },
      { name: "flat", opType: "Flatten", inputs: ["p2"], outputs: ["f"] },
      { name: "gemm", opType: "Gemm", inputs: ["f", "fc"], outputs: ["y"], attributes: { transB: { i: 1 } } },
    ],
    opset: 13,
  };
}

describe("a power-of-two AveragePool folds into the next linear layer's rescale", () => {
  const spec = poolChainSpec();
  const graph = importSpec(spec);

  it("no rescale of the pooled values: the layers after them round the sum with their own output (2 more bits each)", () => {
    const model = quantizeModel(graph, QUANT);
    const S = QUANT.scaleBits;
    // Before, each pooled value was rescaled where the next layer read it (a site on conv2 or gemm).
    expect(model.sites.filter((s) => s.node === "conv2" || s.node === "gemm").map((s) => s.kind)).to.deep.equal([]);
    // conv2's Relu rounds the 4-sum (scale S + 2) times weights (S): a shift of S + 2; the output rescale too.
    expect([...new Set(model.sites.filter((s) => s.node === "relu2").map((s) => `${s.kind} ${s.shift}`))]).to.deep.equal([`rescaleRelu ${S + 2}`]);
    expect([...new Set(model.sites.filter((s) => s.node === "y").map((s) => `${s.kind} ${s.shift}`))]).to.deep.equal([`rescale ${S + 2}`]);
  });

  it("matches onnxruntime within its bounds", async () => {
    await expectMatchesOrt(spec, rand, { inputs: () => [Array.from({ length: 64 }, () => rand())] });
  });

  it("the circuit equals the evaluator and every single-wire change breaks it", async function () {
    this.timeout(300_000);
    const dir = tmpDir("pool-chain");
    const file = path.join(dir, "pool_chain.onnx");
    fs.writeFileSync(file, encodeWith(spec));
    const circuit = await modelCircuit("pool_chain", file, QUANT);
    const samples = [0, 1, 2].map(() => [Array.from({ length: 64 }, () => Math.round((rand() * 4 - 2) * 4096) / 4096)]);
    const honest = await expectCircuitMatchesEvaluator(circuit, samples);
    expectEverySingleWireChangeBreaks(circuit, honest);
  });
});
