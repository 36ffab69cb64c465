/**
 * Split, DepthToSpace, SpaceToDepth, Trilu, CumSum, Einsum, Resize, Upsample, Floor, Ceil, Round and
 * OneHot, each on small graphs and across opsets: (1) the quantized result against onnxruntime's float
 * result, the worst error reported and bounded; (2) the static bounds hold; (3) the compiled circuit's
 * outputs equal the bit-exact evaluator's, and (4) every single-wire change to a valid witness breaks
 * a constraint. Refused variants are one-line ZkmlErrors naming the node.
 */
import { expect } from "chai";
import { importOnnx } from "../../src/onnx/import";
import { quantizeModel } from "../../src/quantize";
import { expectZkmlError, QUANT, rng } from "./helpers";
import { describeOpCases, ReferenceCase } from "./op-checks";
import { buildWithStrings, onGrid, StringAttrs } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
/** float32 rounding of onnxruntime's own arithmetic on values up to ~50. */
const F32 = 1e-5;

interface Case extends ReferenceCase {
  /** String attributes, which the writer cannot express. */
  strings?: StringAttrs;
}

const build = buildWithStrings;

/** Weights on a grid of 1/8: products with grid inputs are exact in float32 too, so Floor after a MatMul is comparable. */
const coarseW = (name: string, n: number, m = n) => ({ name, dims: [n, m], data: onGrid(rng(n * 37 + m), n * m, -1, 1).map((v) => Math.round(v * 8) / 8) });
const gridW = (name: string, n: number, m = n) => ({ name, dims: [n, m], data: onGrid(rng(n * 31 + m), n * m, -1, 1) });
const mm = (input: string, w: string, out: string) => ({ op: "MatMul", inputs: [input, w], outputs: [out] });
const ints = (name: string, dims: number[], values: number[]) => ({ name, dims, values });
const floats = (name: string, dims: number[], data: number[]) => ({ name, dims, data });

/** Inputs with exact integers and halves (the ties of Round), positive and negative. */
const withTies = (n: number) => (rand: () => number) => [
  onGrid(rand, n).map((v, i) => (i % 3 === 0 ? Math.round(v) + 0.5 : i % 5 === 1 ? Math.round(v) : v)),
];

const split3: Case["nodes"] = [{ op: "Concat", inputs: ["s2", "s0", "s1"], attributes: { axis: { i: 1 } } }];

const CASES: Case[] = [
  // Split
  {
    op: "Split", title: "Split opset 13, split input [2, 1, 3] on axis 1", inputs: [[2, 6, 2]], ints: [ints("sp", [3], [2, 1, 3])],
    nodes: [{ op: "Split", inputs: ["x0", "sp"], outputs: ["s0", "s1", "s2"], attributes: { axis: { i: 1 } } }, ...split3], out: [2, 6, 2], tol: 0, sites: 0,
  },
  {
    op: "Split", title: "Split opset 11, split attribute [4, 1, 1], negative axis", opset: 11, inputs: [[2, 6]],
    nodes: [{ op: "Split", inputs: ["x0"], outputs: ["s0", "s1", "s2"], attributes: { axis: { i: -1 }, split: { ints: [4, 1, 1] } } }, ...split3], out: [2, 6], tol: 0, sites: 0,
  },
  {
    op: "Split", title: "Split opset 6, equal parts (no split)", opset: 6, inputs: [[3, 6]],
    nodes: [{ op: "Split", inputs: ["x0"], outputs: ["s0", "s1", "s2"], attributes: { axis: { i: 1 } } }, ...split3], out: [3, 6], tol: 0, sites: 0,
  },
  {
    op: "Split", title: "Split opset 18, num_outputs 3 on size 7 (3, 3, 1)", opset: 18, inputs: [[2, 7]],
    nodes: [{ op: "Split", inputs: ["x0"], outputs: ["s0", "s1", "s2"], attributes: { axis: { i: 1 }, num_outputs: { i: 3 } } }, ...split3], out: [2, 7], tol: 0, sites: 0,
  },
  // DepthToSpace, SpaceToDepth
  {
    op: "DepthToSpace", title: "DepthToSpace opset 13 DCR (default mode), blocksize 2", inputs: [[1, 8, 2, 3]],
    nodes: [{ op: "DepthToSpace", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }], out: [1, 2, 4, 6], tol: 0, sites: 0,
  },
  {
    op: "DepthToSpace", title: "DepthToSpace opset 11 CRD, blocksize 2", opset: 11, inputs: [[1, 8, 2, 3]], strings: [[0, "mode", "CRD"]],
    nodes: [{ op: "DepthToSpace", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }], out: [1, 2, 4, 6], tol: 0, sites: 0,
  },
  {
    op: "DepthToSpace", title: "DepthToSpace opset 6 (DCR only), blocksize 3", opset: 6, inputs: [[1, 9, 1, 2]],
    nodes: [{ op: "DepthToSpace", inputs: ["x0"], attributes: { blocksize: { i: 3 } } }], out: [1, 1, 3, 6], tol: 0, sites: 0,
  },
  {
    op: "SpaceToDepth", title: "SpaceToDepth opset 13, blocksize 2", inputs: [[1, 2, 4, 6]],
    nodes: [{ op: "SpaceToDepth", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }], out: [1, 8, 2, 3], tol: 0, sites: 0,
  },
  {
    op: "SpaceToDepth", title: "SpaceToDepth opset 6, blocksize 3", opset: 6, inputs: [[2, 1, 3, 6]],
    nodes: [{ op: "SpaceToDepth", inputs: ["x0"], attributes: { blocksize: { i: 3 } } }], out: [2, 9, 1, 2], tol: 0, sites: 0,
  },
  // Trilu
  { op: "Trilu", title: "Trilu opset 14 upper (default), k absent", opset: 14, inputs: [[3, 4]], nodes: [{ op: "Trilu", inputs: ["x0"] }], out: [3, 4], tol: 0, sites: 0 },
  {
    op: "Trilu", title: "Trilu opset 14 lower, k = -1, batched [2, 3, 4]", opset: 14, inputs: [[2, 3, 4]], ints: [ints("k", [], [-1])],
    nodes: [{ op: "Trilu", inputs: ["x0", "k"], attributes: { upper: { i: 0 } } }], out: [2, 3, 4], tol: 0, sites: 0,
  },
  {
    op: "Trilu", title: "Trilu opset 14 upper, k = 2, after a MatMul (scale 24 kept)", opset: 14, inputs: [[3, 5]], floats: [gridW("W", 5)], ints: [ints("k", [], [2])],
    nodes: [mm("x0", "W", "h"), { op: "Trilu", inputs: ["h", "k"] }], out: [3, 5], tol: STEP / 2 + F32, sites: 0,
  },
  // CumSum
  {
    op: "CumSum", title: "CumSum opset 11, axis 1", opset: 11, inputs: [[2, 5]], ints: [ints("ax", [], [1])],
    nodes: [{ op: "CumSum", inputs: ["x0", "ax"] }], out: [2, 5], tol: F32, sites: 0,
  },
  {
    op: "CumSum", title: "CumSum opset 14, axis -3, exclusive", opset: 14, inputs: [[4, 2, 3]], ints: [ints("ax", [1], [-3])],
    nodes: [{ op: "CumSum", inputs: ["x0", "ax"], attributes: { exclusive: { i: 1 } } }], out: [4, 2, 3], tol: F32, sites: 0,
  },
  {
    op: "CumSum", title: "CumSum opset 14, axis 0, reverse", opset: 14, inputs: [[5, 2]], ints: [ints("ax", [], [0])],
    nodes: [{ op: "CumSum", inputs: ["x0", "ax"], attributes: { reverse: { i: 1 } } }], out: [5, 2], tol: F32, sites: 0,
  },
  {
    op: "CumSum", title: "CumSum opset 14, exclusive and reverse, after a MatMul", opset: 14, inputs: [[2, 4]], floats: [gridW("W", 4)], ints: [ints("ax", [], [1])],
    nodes: [mm("x0", "W", "h"), { op: "CumSum", inputs: ["h", "ax"], attributes: { exclusive: { i: 1 }, reverse: { i: 1 } } }], out: [2, 4], tol: STEP / 2 + F32, sites: 0,
  },
  // Einsum
  ...(
    [
      ["ij,jk->ik (constant weights: a MatMul, no constraint)", "ij,jk->ik", [[2, 3]], [gridW("W", 3, 4)], ["x0", "W"], [2, 4], 0],
      ["jk,ij->ik (the constant on the left)", "jk,ij->ik", [[2, 3]], [gridW("W", 3, 4)], ["W", "x0"], [2, 4], 0],
      ["bik,kj->bij", "bik,kj->bij", [[2, 3, 4]], [gridW("W", 4, 2)], ["x0", "W"], [2, 3, 2], 0],
      ["ij,jk (implicit output ik)", "ij,jk", [[2, 3]], [gridW("W", 3, 2)], ["x0", "W"], [2, 2], 0],
      ["bij,bjk->bik (two computed operands)", "bij,bjk->bik", [[2, 2, 3], [2, 3, 2]], [], ["x0", "x1"], [2, 2, 2], 24],
      ["bhqd,bhkd->bhqk (attention scores)", "bhqd,bhkd->bhqk", [[1, 2, 3, 4], [1, 2, 5, 4]], [], ["x0", "x1"], [1, 2, 3, 5], 120],
      ["i,i-> (dot product to a scalar)", "i,i->", [[5], [5]], [], ["x0", "x1"], [], 5],
      ["ij->ji (transpose)", "ij->ji", [[2, 3]], [], ["x0"], [3, 2], 0],
      ["ij->i (row sums)", "ij->i", [[3, 4]], [], ["x0"], [3], 0],
      ["ij,jk->k (i summed out first)", "ij,jk->k", [[2, 3], [3, 4]], [], ["x0", "x1"], [4], 12],
    ] as [string, string, number[][], { name: string; dims: number[]; data: number[] }[], string[], number[], number][]
  ).map(([title, eq, inputs, fl, ins, out, sites]): Case => ({
    op: "Einsum", title: `Einsum ${title}`, opset: 12, inputs, floats: fl, strings: [[0, "equation", eq]],
    nodes: [{ op: "Einsum", inputs: ins }], out, tol: STEP / 2 + F32, sites,
    values: (rand) => inputs.map((d) => onGrid(rand, d.reduce((a, b) => a * b, 1), -2, 2)),
  })),
  // Resize, Upsample: nearest
  {
    op: "Resize", title: "Resize opset 13 nearest half_pixel round_prefer_floor, scales [1, 1, 2, 2]", inputs: [[1, 2, 3, 4]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    nodes: [{ op: "Resize", inputs: ["x0", "", "sc"] }], out: [1, 2, 6, 8], tol: 0, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 13 nearest asymmetric floor, sizes [1, 2, 5, 7]", inputs: [[1, 2, 3, 4]], ints: [ints("sz", [4], [1, 2, 5, 7])],
    strings: [[0, "coordinate_transformation_mode", "asymmetric"], [0, "nearest_mode", "floor"]],
    nodes: [{ op: "Resize", inputs: ["x0", "", "", "sz"] }], out: [1, 2, 5, 7], tol: 0, sites: 0,
  },
  ...(["round_prefer_floor", "round_prefer_ceil"]).map((nm): Case => ({
    op: "Resize", title: `Resize opset 13 nearest asymmetric ${nm}, scales [1, 1, 2, 2] (ties at odd x / 2)`, inputs: [[1, 1, 3, 3]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    strings: [[0, "coordinate_transformation_mode", "asymmetric"], [0, "nearest_mode", nm]],
    nodes: [{ op: "Resize", inputs: ["x0", "", "sc"] }], out: [1, 1, 6, 6], tol: 0, sites: 0,
  })),
  {
    op: "Resize", title: "Resize opset 11 nearest align_corners round_prefer_ceil, sizes, empty roi and scales", opset: 11, inputs: [[1, 1, 3, 4]],
    floats: [floats("roi", [0], []), floats("sc", [0], [])], ints: [ints("sz", [4], [1, 1, 7, 6])],
    strings: [[0, "coordinate_transformation_mode", "align_corners"], [0, "nearest_mode", "round_prefer_ceil"]],
    nodes: [{ op: "Resize", inputs: ["x0", "roi", "sc", "sz"] }], out: [1, 1, 7, 6], tol: 0, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 13 nearest pytorch_half_pixel ceil, downsampling by 0.5 and 0.75", inputs: [[1, 1, 4, 8]], floats: [floats("sc", [4], [1, 1, 0.5, 0.75])],
    strings: [[0, "coordinate_transformation_mode", "pytorch_half_pixel"], [0, "nearest_mode", "ceil"]],
    nodes: [{ op: "Resize", inputs: ["x0", "", "sc"] }], out: [1, 1, 2, 6], tol: 0, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 10 nearest (asymmetric, truncation), scales [1, 1, 2, 3]", opset: 10, inputs: [[1, 1, 2, 3]], floats: [floats("sc", [4], [1, 1, 2, 3])],
    nodes: [{ op: "Resize", inputs: ["x0", "sc"] }], out: [1, 1, 4, 9], tol: 0, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 10 nearest downsampling by 0.5 (ceil)", opset: 10, inputs: [[1, 1, 4, 6]], floats: [floats("sc", [4], [1, 1, 0.5, 0.5])],
    nodes: [{ op: "Resize", inputs: ["x0", "sc"] }], out: [1, 1, 2, 3], tol: 0, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 18 nearest with axes [2, 3] and scales [3, 2]", opset: 18, inputs: [[1, 2, 2, 3]], floats: [floats("sc", [2], [3, 2])],
    nodes: [{ op: "Resize", inputs: ["x0", "", "sc"], attributes: { axes: { ints: [2, 3] } } }], out: [1, 2, 6, 6], tol: 0, sites: 0,
  },
  {
    op: "Upsample", title: "Upsample opset 7 nearest, scales attribute [1, 1, 2, 3]", opset: 7, inputs: [[1, 2, 2, 3]],
    nodes: [{ op: "Upsample", inputs: ["x0"], attributes: { scales: { floats: [1, 1, 2, 3] } } }], out: [1, 2, 4, 9], tol: 0, sites: 0,
  },
  {
    op: "Upsample", title: "Upsample opset 9 nearest, scales input [1, 1, 2, 2]", opset: 9, inputs: [[1, 1, 3, 3]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    nodes: [{ op: "Upsample", inputs: ["x0", "sc"] }], out: [1, 1, 6, 6], tol: 0, sites: 0,
  },
  // Resize, Upsample: linear
  {
    op: "Resize", title: "Resize opset 13 linear half_pixel, scales [1, 1, 2, 2] (weights exact at 2 bits)", inputs: [[1, 2, 3, 4]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    strings: [[0, "mode", "linear"]], nodes: [{ op: "Resize", inputs: ["x0", "", "sc"] }], out: [1, 2, 6, 8], tol: STEP / 2 + F32, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 13 linear align_corners, sizes [1, 1, 5, 7]", inputs: [[1, 1, 3, 4]], ints: [ints("sz", [4], [1, 1, 5, 7])],
    strings: [[0, "mode", "linear"], [0, "coordinate_transformation_mode", "align_corners"]],
    nodes: [{ op: "Resize", inputs: ["x0", "", "", "sz"] }], out: [1, 1, 5, 7], tol: STEP / 2 + F32, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 13 linear pytorch_half_pixel, sizes [1, 2, 7, 2] (t not dyadic)", inputs: [[1, 2, 3, 5]], ints: [ints("sz", [4], [1, 2, 7, 2])],
    strings: [[0, "mode", "linear"], [0, "coordinate_transformation_mode", "pytorch_half_pixel"]],
    // t quantized at 12 bits: at most 2^-13 * |difference of neighbours| (<= 8) per axis, plus the rounding.
    nodes: [{ op: "Resize", inputs: ["x0", "", "", "sz"] }], out: [1, 2, 7, 2], tol: 2 * 2 ** -13 * 8 + STEP / 2 + F32, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 11 linear asymmetric on a 2-D input, scales [2, 1.5]", opset: 11, inputs: [[3, 4]],
    floats: [floats("roi", [0], []), floats("sc", [2], [2, 1.5])], strings: [[0, "mode", "linear"], [0, "coordinate_transformation_mode", "asymmetric"]],
    nodes: [{ op: "Resize", inputs: ["x0", "roi", "sc"] }], out: [6, 6], tol: 2 * 2 ** -13 * 8 + STEP / 2 + F32, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 10 linear (asymmetric), scales [1, 1, 2, 2]", opset: 10, inputs: [[1, 1, 3, 3]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    strings: [[0, "mode", "linear"]], nodes: [{ op: "Resize", inputs: ["x0", "sc"] }], out: [1, 1, 6, 6], tol: STEP / 2 + F32, sites: 0,
  },
  {
    op: "Resize", title: "Resize opset 19 linear half_pixel, axes [2, 3], scales [0.5, 2], after a MatMul (scale 24)", opset: 19, inputs: [[1, 1, 4, 3]],
    floats: [gridW("W", 3), floats("sc", [2], [0.5, 2])], strings: [[1, "mode", "linear"]],
    nodes: [mm("x0", "W", "h"), { op: "Resize", inputs: ["h", "", "sc"], attributes: { axes: { ints: [2, 3] } } }], out: [1, 1, 2, 6], tol: STEP / 2 + F32, sites: 0,
  },
  {
    op: "Upsample", title: "Upsample opset 9 linear, scales input [1, 1, 2, 2]", opset: 9, inputs: [[1, 1, 3, 3]], floats: [floats("sc", [4], [1, 1, 2, 2])],
    strings: [[0, "mode", "linear"]], nodes: [{ op: "Upsample", inputs: ["x0", "sc"] }], out: [1, 1, 6, 6], tol: STEP / 2 + F32, sites: 0,
  },
  {
    op: "Upsample", title: "Upsample opset 7 linear, scales attribute [1, 1, 2, 4]", opset: 7, inputs: [[1, 2, 2, 2]], strings: [[0, "mode", "linear"]],
    nodes: [{ op: "Upsample", inputs: ["x0"], attributes: { scales: { floats: [1, 1, 2, 4] } } }], out: [1, 2, 4, 8], tol: STEP / 2 + F32, sites: 0,
  },
  // Floor, Ceil, Round
  ...(["Floor", "Ceil", "Round"] as const).flatMap((op): Case[] => [
    // Round exists since opset 11; Floor and Ceil since 1 (6 here).
    { op, title: `${op} opset ${op === "Round" ? 11 : 6} with integers and ties`, opset: op === "Round" ? 11 : 6, inputs: [[3, 5]], nodes: [{ op, inputs: ["x0"] }], out: [3, 5], values: withTies(15), tol: 0, sites: op === "Round" ? 45 : 15 },
    {
      op, title: `${op} opset 13 of a MatMul output (scale 24)`, inputs: [[2, 4]], floats: [coarseW("W", 4)],
      nodes: [mm("x0", "W", "h"), { op, inputs: ["h"] }], out: [2, 4], tol: 0, sites: op === "Round" ? 24 : 8,
      values: (rand) => [onGrid(rand, 8).map((v, i) => (i % 2 ? Math.round(v * 4) / 4 : v))],
    },
  ]),
  {
    op: "Round", title: "Round opset 22 at a coarse scale (a Mul by 1/8 keeps scale 24)", opset: 22, inputs: [[8]], floats: [floats("c", [], [0.125])],
    nodes: [{ op: "Mul", inputs: ["x0", "c"], outputs: ["h"] }, { op: "Round", inputs: ["h"] }], out: [8], tol: 0, sites: 24,
    values: () => [[-20, -12, -4, 4, 12, 20, 28, 3]],
  },
  // OneHot
  {
    op: "OneHot", title: "OneHot opset 11 of an ArgMax, depth 5, values [-0.5, 1.75], axis -1", opset: 11, inputs: [[3, 5]],
    ints: [ints("depth", [], [5])], floats: [floats("vals", [2], [-0.5, 1.75])],
    nodes: [{ op: "ArgMax", inputs: ["x0"], outputs: ["i"], attributes: { axis: { i: 1 }, keepdims: { i: 0 } } }, { op: "OneHot", inputs: ["i", "depth", "vals"] }],
    out: [3, 5], tol: 0, sites: 15 + 3,
  },
  {
    op: "OneHot", title: "OneHot opset 9 of an ArgMax, depth 4, values [0, 1] (scale 0), axis 0", opset: 9, inputs: [[2, 4]],
    ints: [ints("depth", [], [4])], floats: [floats("vals", [2], [0, 1])],
    nodes: [{ op: "ArgMax", inputs: ["x0"], outputs: ["i"], attributes: { axis: { i: 1 }, keepdims: { i: 0 } } }, { op: "OneHot", inputs: ["i", "depth", "vals"], attributes: { axis: { i: 0 } } }],
    out: [4, 2], tol: 0, sites: 8 + 2,
  },
  {
    op: "OneHot", title: "OneHot opset 11 of negative and out-of-range indices (ArgMax - 2), depth 3", opset: 11, inputs: [[4, 6]],
    ints: [ints("depth", [1], [3]), ints("two", [], [2])], floats: [floats("vals", [2], [0.25, -1])],
    nodes: [
      { op: "ArgMax", inputs: ["x0"], outputs: ["a"], attributes: { axis: { i: 1 }, keepdims: { i: 1 } } },
      { op: "Sub", inputs: ["a", "two"], outputs: ["i"] },
      { op: "OneHot", inputs: ["i", "depth", "vals"], attributes: { axis: { i: 1 } } },
    ],
    out: [4, 3, 1], tol: 0, sites: 12 + 4,
    // Row r peaks at position r + (0, 1, 3 or 5): indices -2, -1, 1, 3 (-2 and -1 wrap, 3 is out of range).
    values: (rand) => [Array.from({ length: 24 }, (_, i) => (i % 6 === [0, 1, 3, 5][Math.floor(i / 6)] ? 3 : onGrid(rand, 1, -2, 2)[0]))],
  },
  {
    op: "OneHot", title: "OneHot of constant indices is folded", opset: 11, inputs: [[2, 3]],
    ints: [ints("idx", [2], [2, -3]), ints("depth", [], [3])], floats: [floats("vals", [2], [0, 1])],
    nodes: [{ op: "OneHot", inputs: ["idx", "depth", "vals"], outputs: ["o"] }, { op: "Add", inputs: ["x0", "o"] }], out: [2, 3], tol: 0, sites: 0,
  },
];

describeOpCases("more ops: onnxruntime, bounds, circuit", CASES, { prefix: "moreops", width: 96, build });

describe("more ops: unsupported variants are one-line ZkmlErrors naming the node", () => {
  const refuse = (c: Omit<Case, "tol" | "op" | "out"> & { out?: number[] }, ...patterns: string[]) => {
    const e = expectZkmlError(() => quantizeModel(importOnnx(build({ ...c, out: c.out ?? [4] }), c.title), QUANT), ...patterns);
    expect(e.message).not.to.include("\n");
  };
  const splitNode = (attributes: Case["nodes"][0]["attributes"], inputs = ["x0"]) => [{ op: "Split", inputs, outputs: ["s0", "s1", "s2"], attributes }, ...split3];

  it("Split: sizes that do not add up, a split attribute since opset 13, an input before, uneven equal parts, num_outputs before 18", () => {
    refuse({ title: "s1", opset: 11, inputs: [[2, 6]], nodes: splitNode({ axis: { i: 1 }, split: { ints: [1, 2, 2] } }) }, 'Split node "n0_split"', "does not add up to 6");
    refuse({ title: "s2", opset: 13, inputs: [[2, 6]], nodes: splitNode({ axis: { i: 1 }, split: { ints: [2, 2, 2] } }) }, 'Split node "n0_split"', "since opset 13");
    refuse({ title: "s3", opset: 11, inputs: [[2, 6]], ints: [ints("sp", [3], [2, 2, 2])], nodes: splitNode({ axis: { i: 1 } }, ["x0", "sp"]) }, 'Split node "n0_split"', "before opset 13");
    refuse({ title: "s4", opset: 13, inputs: [[2, 7]], nodes: splitNode({ axis: { i: 1 } }) }, 'Split node "n0_split"', "cannot be split in 3 equal parts");
    refuse({ title: "s5", opset: 13, inputs: [[2, 6]], nodes: splitNode({ axis: { i: 1 }, num_outputs: { i: 3 } }) }, 'Split node "n0_split"', "num_outputs exists since opset 18");
  });

  it("DepthToSpace and SpaceToDepth: channels or size not a multiple of the block, an unknown mode", () => {
    refuse({ title: "d1", inputs: [[1, 6, 2, 2]], nodes: [{ op: "DepthToSpace", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }] }, 'DepthToSpace node "n0_depthtospace"', "not a multiple of blocksize^2");
    refuse({ title: "d2", inputs: [[1, 4, 2, 2]], strings: [[0, "mode", "XYZ"]], nodes: [{ op: "DepthToSpace", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }] }, 'unknown mode "XYZ"');
    refuse({ title: "d3", inputs: [[1, 1, 3, 4]], nodes: [{ op: "SpaceToDepth", inputs: ["x0"], attributes: { blocksize: { i: 2 } } }] }, 'SpaceToDepth node "n0_spacetodepth"', "not a multiple of blocksize 2");
  });

  it("Trilu with a non-scalar k; CumSum with a non-scalar axis", () => {
    refuse({ title: "t1", opset: 14, inputs: [[3, 3]], ints: [ints("k", [2], [0, 1])], nodes: [{ op: "Trilu", inputs: ["x0", "k"] }] }, 'Trilu node "n0_trilu"', "k (input 1) must be a scalar");
    refuse({ title: "c1", opset: 14, inputs: [[3, 3]], ints: [ints("ax", [2], [0, 1])], nodes: [{ op: "CumSum", inputs: ["x0", "ax"] }] }, 'CumSum node "n0_cumsum"', "axis (input 1) must be a scalar");
  });

  it("Einsum: ellipsis, a diagonal, three operands, a constant operand with batch letters", () => {
    const einsum = (eq: string, inputs: number[][], ins: string[], fl: Case["floats"] = []) =>
      ({ title: eq, opset: 12, inputs, floats: fl, strings: [[0, "equation", eq]] as [number, string, string][], nodes: [{ op: "Einsum", inputs: ins }] });
    refuse(einsum("...ij,jk->...ik", [[2, 3], [3, 2]], ["x0", "x1"]), 'Einsum node "n0_einsum"', 'equation "...ij,jk->...ik" is not supported (ellipsis)');
    refuse(einsum("ii->i", [[3, 3]], ["x0"]), 'equation "ii->i" is not supported', "diagonal");
    refuse(einsum("ij,jk,kl->il", [[2, 2], [2, 2], [2, 2]], ["x0", "x1", "x2"]), 'equation "ij,jk,kl->il" is not supported (more than two operands)');
    refuse(einsum("bij,bjk->bik", [[2, 2, 3]], ["x0", "W"], [{ name: "W", dims: [2, 3, 2], data: new Array(12).fill(0.5) }]), 'Einsum node "n0_einsum"', "constant operand has batch letters b");
  });

  it("Resize: cubic, tf_crop_and_resize, computed scales, keep_aspect_ratio_policy, antialias, linear on axis 1; Upsample since opset 10", () => {
    const resize = (strings: [number, string, string][], opset = 13, extra: Partial<Case> = {}) => ({
      title: "r", opset, inputs: [[1, 2, 2, 2]], floats: [floats("sc", [4], [1, 1, 2, 2])], strings, nodes: [{ op: "Resize", inputs: ["x0", "", "sc"] }], ...extra,
    });
    refuse(resize([[0, "mode", "cubic"]]), 'Resize node "n0_resize"', 'mode "cubic" is not supported');
    refuse(resize([[0, "coordinate_transformation_mode", "tf_crop_and_resize"]]), 'coordinate_transformation_mode "tf_crop_and_resize" is not supported');
    refuse(resize([], 13, { inputs: [[1, 2, 2, 2], [4]], nodes: [{ op: "Resize", inputs: ["x0", "", "x1"] }] }), 'Resize node "n0_resize"', "scales (input 2) must be a constant");
    refuse(resize([[0, "keep_aspect_ratio_policy", "not_larger"]], 18, { ints: [ints("sz", [4], [1, 2, 4, 4])], nodes: [{ op: "Resize", inputs: ["x0", "", "", "sz"] }] }), 'keep_aspect_ratio_policy "not_larger" is not supported');
    refuse(resize([[0, "mode", "linear"]], 18, { nodes: [{ op: "Resize", inputs: ["x0", "", "sc"], attributes: { antialias: { i: 1 } } }] }), "antialias = 1 is not supported");
    refuse(resize([[0, "mode", "linear"]], 13, { floats: [floats("sc", [4], [1, 2, 2, 2])] }), "linear mode scales axis 1 of [1,2,2,2]; only the last two axes may be");
    refuse({ title: "u", opset: 10, inputs: [[1, 1, 2, 2]], floats: [floats("sc", [4], [1, 1, 2, 2])], nodes: [{ op: "Upsample", inputs: ["x0", "sc"] }] }, 'Upsample node "n0_upsample"', "deprecated since opset 10");
  });

  it("OneHot: fractional indices, a computed depth, values of the wrong length", () => {
    const oneHot = (inputs: number[][], ins: string[], extra: Partial<Case> = {}) => ({
      title: "o", opset: 11, inputs, ints: [ints("depth", [], [3])], floats: [floats("vals", [2], [0, 1])], nodes: [{ op: "OneHot", inputs: ins }], out: [4, 3], ...extra,
    });
    refuse(oneHot([[4]], ["x0", "depth", "vals"]), 'OneHot node "n0_onehot"', "must be integers at scale 0");
    refuse(oneHot([[4], []], ["x0", "x1", "vals"]), 'OneHot node "n0_onehot"', "depth (input 1) must be a constant");
    refuse(oneHot([[4]], ["x0", "depth", "v3"], { floats: [floats("v3", [3], [0, 1, 2])] }), "values (input 2) must be [off_value, on_value]");
  });
});
