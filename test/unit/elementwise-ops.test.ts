/**
 * Neg, Abs, Sign, Clip, Max, Min, Sum, Mean, HardSigmoid, HardSwish and Dropout, each on small
 * graphs: (1) the quantized result against onnxruntime's float result, the worst error reported and
 * bounded; (2) the static bounds hold; (3) the compiled circuit's outputs equal the bit-exact
 * evaluator's, and (4) every single-wire change to a valid witness breaks a constraint.
 */
import { expect } from "chai";
import { onnx } from "onnx-proto";
import { importOnnx } from "../../src/onnx/import";
import { quantizeModel } from "../../src/quantize";
import { expectZkmlError, QUANT, rng, runQuantized } from "./helpers";
import { describeOpCases, ReferenceCase } from "./op-checks";
import { buildCase, castToFloat, onGrid } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
/** float32 rounding of onnxruntime's own arithmetic on values up to ~16. */
const F32 = 1e-5;

/** A case, with BOOL initializers (Dropout's training_mode) the op-cases builder cannot write. */
interface Case extends ReferenceCase {
  bools?: { name: string; values: boolean[] }[];
}

function build(c: Case): Buffer {
  const bytes = buildCase(c);
  if (!c.bools) return bytes;
  const model = onnx.ModelProto.decode(bytes);
  for (const b of c.bools)
    model.graph!.initializer!.push(onnx.TensorProto.create({ name: b.name, dims: [], dataType: onnx.TensorProto.DataType.BOOL, int32Data: b.values.map(Number) }));
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

/** A weight matrix on the quantization grid, so a MatMul before the op is exact at twice the scale. */
const gridW = (name: string, n: number) => ({ name, dims: [n, n], data: onGrid(rng(n * 31), n * n, -1, 1) });

const mm = (input: string, w: string, out: string) => ({ op: "MatMul", inputs: [input, w], outputs: [out] });

/** Inputs with exact zeros and ties, where Sign, Abs, Max and Min change branch. */
const withZeros = (n: number) => (rand: () => number) => [onGrid(rand, n).map((v, i) => (i % 4 === 0 ? 0 : v))];

const CASES: Case[] = [
  { op: "Neg", title: "Neg", inputs: [[2, 3]], nodes: [{ op: "Neg", inputs: ["x0"] }], out: [2, 3], tol: F32, sites: 0 },
  { op: "Abs", title: "Abs", inputs: [[2, 4]], nodes: [{ op: "Abs", inputs: ["x0"] }], out: [2, 4], values: withZeros(8), tol: F32, sites: 16 },
  {
    op: "Abs", title: "Abs of a MatMul output (the rescale is in the same decomposition)", inputs: [[2, 3]], floats: [gridW("W", 3)],
    nodes: [mm("x0", "W", "h"), { op: "Abs", inputs: ["h"] }], out: [2, 3], tol: STEP / 2 + F32, sites: 12,
  },
  {
    op: "Sign", title: "Sign (at scale 0), zeros included", inputs: [[3, 4]], nodes: [{ op: "Sign", inputs: ["x0"] }], out: [3, 4],
    values: withZeros(12), tol: 0, sites: 24,
  },
  {
    op: "Sign", title: "Sign of a MatMul output keeps the sign of values below one step", inputs: [[1, 3]], floats: [{ name: "W", dims: [3, 3], data: [2 ** -6, 0, -(2 ** -6), 0, 1, 0, 0, 0, 0] }],
    nodes: [mm("x0", "W", "h"), { op: "Sign", inputs: ["h"] }], out: [1, 3], values: () => [[STEP, -STEP, 0]], tol: 0,
  },
  {
    op: "Clip", title: "Clip opset 6 (min/max attributes)", opset: 6, inputs: [[2, 5]],
    nodes: [{ op: "Clip", inputs: ["x0"], attributes: { min: { f: -1.3 }, max: { f: 2.5 } } }], out: [2, 5], tol: STEP / 2 + F32, sites: 20,
  },
  {
    op: "Clip", title: "Clip opset 6 with only max (min defaults to float32's lowest)", opset: 6, inputs: [[2, 5]],
    nodes: [{ op: "Clip", inputs: ["x0"], attributes: { max: { f: 0.75 } } }], out: [2, 5], tol: F32, sites: 10,
  },
  {
    op: "Clip", title: "Clip opset 11 (min and max inputs)", opset: 11, inputs: [[2, 5]],
    floats: [{ name: "lo", dims: [], data: [-0.5] }, { name: "hi", dims: [], data: [1] }],
    nodes: [{ op: "Clip", inputs: ["x0", "lo", "hi"] }], out: [2, 5], tol: F32, sites: 20,
  },
  {
    op: "Clip", title: "Clip opset 13 ReLU6 after a MatMul (rescale fused with the lower bound)", inputs: [[2, 4]], floats: [gridW("W", 4), { name: "lo", dims: [], data: [0] }, { name: "hi", dims: [], data: [6] }],
    nodes: [mm("x0", "W", "h"), { op: "Clip", inputs: ["h", "lo", "hi"] }], out: [2, 4], tol: STEP / 2 + F32, sites: 16,
    values: (rand) => [onGrid(rand, 8, -8, 8)],
  },
  {
    op: "Clip", title: "Clip opset 12 with only max after a MatMul (min omitted as \"\")", opset: 12, inputs: [[2, 4]], floats: [gridW("W", 4), { name: "hi", dims: [1], data: [0.3] }],
    nodes: [mm("x0", "W", "h"), { op: "Clip", inputs: ["h", "", "hi"] }], out: [2, 4], tol: STEP / 2 + F32, sites: 8,
  },
  {
    op: "Clip", title: "Clip opset 13 with only min (input 2 absent)", inputs: [[2, 4]], floats: [{ name: "lo", dims: [], data: [0.25] }],
    nodes: [{ op: "Clip", inputs: ["x0", "lo"] }], out: [2, 4], tol: F32, sites: 8,
  },
  { op: "Clip", title: "Clip opset 13 without bounds is the identity", inputs: [[2, 4]], nodes: [{ op: "Clip", inputs: ["x0"] }], out: [2, 4], tol: F32, sites: 0 },
  {
    op: "Clip", title: "Clip with min > max gives max everywhere", inputs: [[6]], floats: [{ name: "lo", dims: [], data: [1] }, { name: "hi", dims: [], data: [-1] }],
    nodes: [{ op: "Clip", inputs: ["x0", "lo", "hi"] }], out: [6], tol: F32,
  },
  ...(["Max", "Min"] as const).flatMap((op): Case[] => [
    {
      op, title: `${op} of three inputs [2, 3], [3], [2, 1] and a constant, broadcast`, inputs: [[2, 3], [3], [2, 1]],
      floats: [{ name: "c", dims: [1, 3], data: [0.5, -1, 2] }, { name: "d", dims: [], data: [0.25] }],
      nodes: [{ op, inputs: ["x0", "c", "x1", "d", "x2"] }], out: [2, 3], tol: F32,
      // Three computed operands and the constants folded into one: three Relus per element.
      sites: 18,
      values: (rand) => {
        const x0 = onGrid(rand, 6, -2, 2);
        return [x0, x0.slice(0, 3), [x0[4], x0[0]]]; // ties between operands
      },
    },
    { op, title: `${op} of one input is the identity`, inputs: [[4]], nodes: [{ op, inputs: ["x0"] }], out: [4], tol: F32, sites: 0 },
    {
      op, title: `${op} of a MatMul output (scale 24) and a graph input (scale 12), opset 8`, opset: 8, inputs: [[2, 3]], floats: [gridW("W", 3)],
      nodes: [mm("x0", "W", "h"), { op, inputs: ["h", "x0"] }], out: [2, 3], tol: STEP / 2 + F32,
    },
  ]),
  {
    op: "Sum", title: "Sum of three inputs and a constant, broadcast", inputs: [[2, 3], [3], [2, 1]], floats: [{ name: "c", dims: [3], data: [0.1, -0.2, 0.3] }],
    nodes: [{ op: "Sum", inputs: ["x0", "x1", "c", "x2"] }], out: [2, 3], tol: STEP / 2 + F32, sites: 0,
  },
  { op: "Sum", title: "Sum opset 6 (same shapes)", opset: 6, inputs: [[4], [4]], nodes: [{ op: "Sum", inputs: ["x0", "x1"] }], out: [4], tol: F32, sites: 0 },
  {
    op: "Mean", title: "Mean of three inputs and a constant, broadcast", inputs: [[2, 3], [3], [2, 1]], floats: [{ name: "c", dims: [], data: [0.7] }],
    nodes: [{ op: "Mean", inputs: ["x0", "x1", "c", "x2"] }], out: [2, 3], tol: STEP + F32,
  },
  {
    op: "Mean", title: "Mean opset 6 of three same-shape inputs, one a MatMul output", opset: 6, inputs: [[2, 3], [2, 3]], floats: [gridW("W", 3)],
    nodes: [mm("x0", "W", "h"), { op: "Mean", inputs: ["x0", "h", "x1"] }], out: [2, 3], tol: STEP + F32,
  },
  {
    op: "HardSigmoid", title: "HardSigmoid with the default alpha and beta", opset: 6, inputs: [[2, 8]],
    nodes: [{ op: "HardSigmoid", inputs: ["x0"] }], out: [2, 8], tol: STEP + F32, sites: 32,
  },
  {
    op: "HardSigmoid", title: "HardSigmoid alpha=-0.35 beta=0.4 after a MatMul", inputs: [[2, 4]], floats: [gridW("W", 4)],
    nodes: [mm("x0", "W", "h"), { op: "HardSigmoid", inputs: ["h"], attributes: { alpha: { f: -0.35 }, beta: { f: 0.4 } } }], out: [2, 4], tol: STEP + F32, sites: 16,
  },
  {
    op: "HardSwish", title: "HardSwish (opset 14)", opset: 14, inputs: [[2, 8]], nodes: [{ op: "HardSwish", inputs: ["x0"] }], out: [2, 8],
    // |x| < 3 times HardSigmoid's error (< 3/4 step), plus the product's rounding.
    tol: 3 * STEP + F32, sites: 48, values: (rand) => [onGrid(rand, 16, -5, 5)],
  },
  {
    op: "HardSwish", title: "HardSwish after a MatMul (one rescale serves both factors)", opset: 14, inputs: [[2, 4]], floats: [gridW("W", 4)],
    nodes: [mm("x0", "W", "h"), { op: "HardSwish", inputs: ["h"] }], out: [2, 4], tol: 4 * STEP + F32,
  },
  {
    op: "Dropout", title: "Dropout opset 7 (ratio attribute) with its mask (all false, as onnxruntime)", opset: 7, inputs: [[2, 3]],
    nodes: [{ op: "Dropout", inputs: ["x0"], outputs: ["d", "m"], attributes: { ratio: { f: 0.3 } } }, { ...castToFloat("m"), outputs: ["mf"] }, { op: "Add", inputs: ["d", "mf"] }],
    out: [2, 3], tol: F32, sites: 0,
  },
  { op: "Dropout", title: "Dropout opset 10", opset: 10, inputs: [[5]], nodes: [{ op: "Dropout", inputs: ["x0"] }], out: [5], tol: F32, sites: 0 },
  {
    op: "Dropout", title: "Dropout opset 10 with its mask (all false, as onnxruntime before opset 12)", opset: 10, inputs: [[2, 3]],
    nodes: [{ op: "Dropout", inputs: ["x0"], outputs: ["d", "m"] }, { ...castToFloat("m"), outputs: ["mf"] }, { op: "Add", inputs: ["d", "mf"] }],
    out: [2, 3], tol: F32, sites: 0,
  },
  {
    // onnxruntime has no Dropout-6 kernel: the reference is the identity the spec defines for is_test = 1.
    op: "Dropout", title: "Dropout opset 6 with is_test = 1 (the identity)", opset: 6, inputs: [[5]], nodes: [{ op: "Dropout", inputs: ["x0"], attributes: { is_test: { i: 1 } } }],
    out: [5], tol: F32, sites: 0, reference: ([x]) => x.map(Math.fround),
  },
  {
    op: "Dropout", title: "Dropout opset 12 with ratio and training_mode = false inputs, and its mask", opset: 12, inputs: [[2, 3]],
    floats: [{ name: "r", dims: [], data: [0.5] }], bools: [{ name: "tm", values: [false] }],
    nodes: [{ op: "Dropout", inputs: ["x0", "r", "tm"], outputs: ["d", "m"] }, { ...castToFloat("m"), outputs: ["mf"] }, { op: "Sub", inputs: ["d", "mf"] }],
    out: [2, 3], tol: F32, sites: 0,
  },
  { op: "Dropout", title: "Dropout opset 13 with the ratio input only", inputs: [[4]], floats: [{ name: "r", dims: [], data: [0.1] }], nodes: [{ op: "Dropout", inputs: ["x0", "r"] }], out: [4], tol: F32, sites: 0 },
];

describeOpCases("elementwise ops: onnxruntime, bounds, circuit", CASES, { prefix: "eltwise", width: 84, build });

describe("elementwise ops: unsupported variants are one-line ZkmlErrors naming the node", () => {
  const load = (c: Omit<Case, "tol" | "op" | "out"> & { out?: number[] }) => importOnnx(build({ ...c, out: c.out ?? [4], tol: 0, op: "" }), c.title);
  const oneLine = (e: Error) => expect(e.message).not.to.include("\n");

  it("Clip with a computed bound", () => {
    const graph = load({ title: "clip computed", inputs: [[4], []], floats: [{ name: "hi", dims: [], data: [1] }], nodes: [{ op: "Clip", inputs: ["x0", "x1", "hi"] }] });
    oneLine(expectZkmlError(() => quantizeModel(graph, QUANT), 'Clip node "n0_clip"', "min (input 1) must be a constant"));
  });

  it("Clip with inputs before opset 11, and with attributes since", () => {
    const old = load({ title: "clip old", opset: 10, inputs: [[4]], floats: [{ name: "hi", dims: [], data: [1] }], nodes: [{ op: "Clip", inputs: ["x0", "", "hi"] }] });
    oneLine(expectZkmlError(() => quantizeModel(old, QUANT), 'Clip node "n0_clip"', "before opset 11"));
    const now = load({ title: "clip new", opset: 13, inputs: [[4]], nodes: [{ op: "Clip", inputs: ["x0"], attributes: { max: { f: 1 } } }] });
    oneLine(expectZkmlError(() => quantizeModel(now, QUANT), 'Clip node "n0_clip"', "since opset 11"));
  });

  it("Clip with a non-scalar bound", () => {
    const graph = load({ title: "clip tensor", inputs: [[4]], floats: [{ name: "lo", dims: [2], data: [0, 1] }], nodes: [{ op: "Clip", inputs: ["x0", "lo"] }] });
    oneLine(expectZkmlError(() => quantizeModel(graph, QUANT), 'Clip node "n0_clip"', "must be a scalar"));
  });

  it("Dropout in training mode: training_mode true, computed, or is_test = 0 before opset 7", () => {
    const on = load({ title: "dropout on", opset: 13, inputs: [[4]], bools: [{ name: "tm", values: [true] }], nodes: [{ op: "Dropout", inputs: ["x0", "", "tm"] }] });
    oneLine(expectZkmlError(() => quantizeModel(on, QUANT), 'Dropout node "n0_dropout"', "training_mode (input 2) is true"));
    const computed = load({
      title: "dropout computed", opset: 13, inputs: [[4]], floats: [{ name: "z", dims: [], data: [0] }],
      nodes: [{ op: "Less", inputs: ["x0", "z"], outputs: ["b"] }, { op: "ReduceMin", inputs: ["b"], outputs: ["tm"], attributes: { keepdims: { i: 0 } } }, { op: "Dropout", inputs: ["x0", "", "tm"] }],
    });
    oneLine(expectZkmlError(() => quantizeModel(computed, QUANT), 'Dropout node "n2_dropout"', "computed mode is not supported"));
    const v6 = load({ title: "dropout 6", opset: 6, inputs: [[4]], nodes: [{ op: "Dropout", inputs: ["x0"] }] });
    oneLine(expectZkmlError(() => quantizeModel(v6, QUANT), 'Dropout node "n0_dropout"', "is_test is 0"));
  });

  it("Max with an empty input name", () => {
    const graph = load({ title: "max empty", inputs: [[4], [4]], nodes: [{ op: "Max", inputs: ["x0", "", "x1"] }] });
    oneLine(expectZkmlError(() => quantizeModel(graph, QUANT), 'Max node "n0_max"', "input 1 is empty"));
  });
});

describe("Clip after a MatMul rounds half up, as the rescale it fuses", () => {
  // h = x / 2 at scale 24: every odd quantized x is a tie at scale 12. Max/Min keep h at scale 24 and
  // the graph output's rescale rounds it half up, so they give min(max(round(h), lo), hi) exactly.
  const half = { name: "W", dims: [8, 8], data: Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 0.5 : 0)) };
  const bounds = [{ name: "lo", dims: [], data: [-3 * STEP] }, { name: "hi", dims: [], data: [2 * STEP] }];
  const graphOf = (nodes: Case["nodes"]) =>
    importOnnx(build({ title: "ties", op: "", tol: 0, inputs: [[1, 8]], floats: [half, ...bounds], nodes: [mm("x0", "W", "h"), ...nodes], out: [1, 8] }), "ties");
  const x = [[-9, -7, -5, -3, -1, 1, 3, 5].map((k) => k * STEP)];
  const run = (nodes: Case["nodes"]) => runQuantized(graphOf(nodes), x).outputs[0];

  it("with both bounds, only min, and only max", () => {
    const both = run([{ op: "Clip", inputs: ["h", "lo", "hi"] }]);
    expect(both).to.deep.equal(run([{ op: "Max", inputs: ["h", "lo"], outputs: ["m"] }, { op: "Min", inputs: ["m", "hi"] }]));
    expect(run([{ op: "Clip", inputs: ["h", "lo"] }])).to.deep.equal(run([{ op: "Max", inputs: ["h", "lo"] }]));
    expect(run([{ op: "Clip", inputs: ["h", "", "hi"] }])).to.deep.equal(run([{ op: "Min", inputs: ["h", "hi"] }]));
    // Not vacuous: the ties round up (-1/2 step -> 0, 1/2 -> 1 step) and both bounds bind.
    expect(both.map((v) => v / STEP)).to.deep.equal([-3, -3, -2, -1, 0, 1, 2, 2]);
  });
});
