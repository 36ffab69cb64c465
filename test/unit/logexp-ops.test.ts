/**
 * Exp, Log, Softplus, Selu, Celu, Mish, LogSoftmax, ReduceLogSumExp, ReduceProd, Mod, TopK, ScatterND
 * and ScatterElements, on small graphs and across opsets: (1) the quantized result against
 * onnxruntime's float result (or the spec's formula where onnxruntime has no kernel), the worst error
 * reported and bounded by the documented tolerance; (2) the static bounds hold; (3) the compiled
 * circuit's outputs equal the bit-exact evaluator's, and (4) every single-wire change to a valid
 * witness breaks a constraint. Refused variants are one-line ZkmlErrors naming the node. Also: a
 * two-sided Clip's static bounds (Log and Exp of a Clip). Softsign is tested in signed-div-sqrt.test.ts.
 */
import { expect } from "chai";
import { importOnnx } from "../../src/onnx/import";
import { quantizeModel } from "../../src/quantize";
import { celuSpec, LN_MANTISSA, MISH_FACTOR, polyTable, SOFTPLUS_GAP } from "../../src/ops/piecewise";
import { expectZkmlError, QUANT, rng } from "./helpers";
import { describeOpCases, ReferenceCase } from "./op-checks";
import { buildWithStrings, onGrid, OpCase, StringAttrs } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
/** float32 rounding of onnxruntime's own arithmetic on values up to ~50. */
const F32 = 1e-5;

/** Mod fmod = 0 has no onnxruntime kernel on floats: its reference is the spec's formula. */
interface Case extends ReferenceCase {
  strings?: StringAttrs;
}

const build = buildWithStrings;

const ints = (name: string, dims: number[], values: number[]) => ({ name, dims, values });
const floats = (name: string, dims: number[], data: number[]) => ({ name, dims, data });
const clip6 = (lo: number, hi: number, out = "c") => ({ op: "Clip", inputs: ["x0"], outputs: [out], attributes: { min: { f: lo }, max: { f: hi } } });
const gridW = (name: string, n: number, m = n) => ({ name, dims: [n, m], data: onGrid(rng(n * 31 + m), n * m, -1, 1) });
const mm = (input: string, w: string, out: string) => ({ op: "MatMul", inputs: [input, w], outputs: [out] });
const castF = (from: string, out: string) => ({ op: "Cast", inputs: [from], outputs: [out], attributes: { to: { i: 1 } } });

/** Documented worst errors of the tables at the test scale (piecewise.ts), for the tolerances. */
const bound = (spec: Parameters<typeof polyTable>[0], mode: "rounded" | "fine" = "rounded") => polyTable(spec, QUANT.scaleBits, mode).bound;
/** Log: the fraction's truncation (one step), the table, the ln 2 constants' rounding. */
const LN = STEP + bound(LN_MANTISSA) + STEP / 2;

const withTies = (n: number) => (rand: () => number) => [onGrid(rand, n, -2, 2).map((v, i) => (i % 3 === 1 ? 0.5 : v))];

const CASES: Case[] = [
  // Exp
  {
    op: "Exp", title: "Exp opset 6 of -Relu(x) (x <= 0 down to -2048: table on [-16, 16), range flag)", opset: 6, inputs: [[2, 6]],
    nodes: [{ op: "Relu", inputs: ["x0"], outputs: ["r"] }, { op: "Neg", inputs: ["r"], outputs: ["n"] }, { op: "Exp", inputs: ["n"] }],
    // Relative 3.0e-5 of exp <= 1, half a step, e^-16 below -16.
    out: [2, 6], tol: 3.1e-5 + STEP / 2 + 1.2e-7 + F32, values: (rand) => [onGrid(rand, 12, -4, 20)],
  },
  {
    op: "Exp", title: "Exp opset 13 of 2.5 * Tanh(x) (|x| <= 2.5: table on [-4, 4))", inputs: [[2, 4]], floats: [floats("k", [], [2.5])],
    nodes: [{ op: "Tanh", inputs: ["x0"], outputs: ["t"] }, { op: "Mul", inputs: ["t", "k"], outputs: ["m"] }, { op: "Exp", inputs: ["m"] }],
    // tanh's error (rounded, about a step) times 2.5 e^2.5, plus exp's own (relative 3.0e-5 and half a step).
    out: [2, 4], tol: 2.5 * Math.exp(2.5) * 2 * STEP + Math.exp(2.5) * 3.1e-5 + STEP / 2 + F32,
  },
  {
    op: "Exp", title: "Exp opset 13 of Clip(x, -8, 4) (a two-sided Clip's bounds are [min, max]: table on [-8, 8))", inputs: [[2, 5]], floats: [floats("lo", [], [-8]), floats("hi", [], [4])],
    nodes: [{ op: "Clip", inputs: ["x0", "lo", "hi"], outputs: ["c"] }, { op: "Exp", inputs: ["c"] }],
    // Relative 3.0e-5 of exp <= e^4, half a step, float32 on values up to e^4.
    out: [2, 5], tol: Math.exp(4) * 3.1e-5 + STEP / 2 + Math.exp(4) * 1e-7 + F32, values: (rand) => [onGrid(rand, 10, -12, 6)],
  },
  // Log
  {
    op: "Log", title: "Log opset 7 of Relu(x) + 0.25", opset: 7, inputs: [[3, 4]], floats: [floats("q", [], [0.25])],
    nodes: [{ op: "Relu", inputs: ["x0"], outputs: ["r"] }, { op: "Add", inputs: ["r", "q"], outputs: ["p"] }, { op: "Log", inputs: ["p"] }],
    out: [3, 4], tol: LN + F32, values: (rand) => [onGrid(rand, 12, -2, 9)],
  },
  {
    op: "Log", title: "Log opset 13 of Clip(x, min 2^-12) (inputs from one step to 2048)", inputs: [[2, 5]], floats: [floats("lo", [], [STEP])],
    nodes: [{ op: "Clip", inputs: ["x0", "lo"], outputs: ["c"] }, { op: "Log", inputs: ["c"] }],
    out: [2, 5], tol: LN + F32, values: (rand) => [onGrid(rand, 10, -1, 1).map((v, i) => (i % 3 === 0 ? v * 1000 : v))],
  },
  {
    op: "Log", title: "Log opset 13 of Clip(x, 0.25, 8) (a two-sided Clip's bounds are [min, max])", inputs: [[2, 5]], floats: [floats("lo", [], [0.25]), floats("hi", [], [8])],
    nodes: [{ op: "Clip", inputs: ["x0", "lo", "hi"], outputs: ["c"] }, { op: "Log", inputs: ["c"] }],
    out: [2, 5], tol: LN + F32, values: (rand) => [onGrid(rand, 10, -2, 12)],
  },
  // Softplus, Selu, Celu, Mish
  { op: "Softplus", title: "Softplus opset 6", opset: 6, inputs: [[2, 8]], nodes: [{ op: "Softplus", inputs: ["x0"] }], out: [2, 8], tol: bound(SOFTPLUS_GAP) + F32 },
  {
    op: "Softplus", title: "Softplus opset 13 after a MatMul (fine: absorbed by the next MatMul)", inputs: [[2, 4]], floats: [gridW("W", 4), gridW("V", 4)],
    nodes: [mm("x0", "W", "h"), { op: "Softplus", inputs: ["h"], outputs: ["s"] }, mm("s", "V", "y")], out: [2, 4], tol: 4 * (bound(SOFTPLUS_GAP, "fine") + STEP) + F32,
  },
  { op: "Selu", title: "Selu opset 6 (default alpha, gamma)", opset: 6, inputs: [[2, 8]], nodes: [{ op: "Selu", inputs: ["x0"] }], out: [2, 8], tol: 1.06 * (polyTable({ ...celuSpec(1), name: "x" }, 12, "rounded").bound * 1.68 + STEP) + 4 * STEP * 2 ** -12 + F32 },
  {
    op: "Selu", title: "Selu opset 6 alpha 2, gamma 0.5", opset: 6, inputs: [[2, 4]], nodes: [{ op: "Selu", inputs: ["x0"], attributes: { alpha: { f: 2 }, gamma: { f: 0.5 } } }],
    out: [2, 4], tol: 0.5 * 2 * 2 * STEP + STEP + F32,
  },
  { op: "Celu", title: "Celu opset 12 (alpha 1)", opset: 12, inputs: [[2, 6]], nodes: [{ op: "Celu", inputs: ["x0"] }], out: [2, 6], tol: bound(celuSpec(1)) + F32 },
  {
    op: "Celu", title: "Celu opset 12 alpha 2.5 (table on [-32, 0))", opset: 12, inputs: [[2, 6]], nodes: [{ op: "Celu", inputs: ["x0"], attributes: { alpha: { f: 2.5 } } }],
    out: [2, 6], tol: bound(celuSpec(2.5)) + F32, values: (rand) => [onGrid(rand, 12, -20, 4)],
  },
  { op: "Mish", title: "Mish opset 18", opset: 18, inputs: [[2, 8]], nodes: [{ op: "Mish", inputs: ["x0"] }], out: [2, 8], tol: 4 * bound(MISH_FACTOR, "fine") + STEP + F32 },
  // LogSoftmax, ReduceLogSumExp
  {
    op: "LogSoftmax", title: "LogSoftmax opset 13, axis -1", inputs: [[2, 5]], nodes: [{ op: "LogSoftmax", inputs: ["x0"] }], out: [2, 5], tol: LN + 5 * 2 * STEP + F32,
  },
  {
    op: "LogSoftmax", title: "LogSoftmax opset 11, axis 1 of [2, 2, 3] (coerced to 2-D)", opset: 11, inputs: [[2, 2, 3]], nodes: [{ op: "LogSoftmax", inputs: ["x0"], attributes: { axis: { i: 1 } } }],
    out: [2, 2, 3], tol: LN + 6 * 2 * STEP + F32,
  },
  {
    op: "ReduceLogSumExp", title: "ReduceLogSumExp opset 13, axes [1], keepdims 0", inputs: [[3, 4]], nodes: [{ op: "ReduceLogSumExp", inputs: ["x0"], attributes: { axes: { ints: [1] }, keepdims: { i: 0 } } }],
    out: [3], tol: LN + 4 * 2 * STEP + F32,
  },
  {
    op: "ReduceLogSumExp", title: "ReduceLogSumExp opset 18, axes input [0], after a MatMul (scale 24)", opset: 18, inputs: [[3, 3]], floats: [gridW("W", 3)], ints: [ints("ax", [1], [0])],
    nodes: [mm("x0", "W", "h"), { op: "ReduceLogSumExp", inputs: ["h", "ax"] }], out: [1, 3], tol: LN + 3 * 3 * STEP + F32,
  },
  // ReduceProd
  {
    op: "ReduceProd", title: "ReduceProd opset 13, axes [1], keepdims 0", inputs: [[2, 3]], nodes: [{ op: "ReduceProd", inputs: ["x0"], attributes: { axes: { ints: [1] }, keepdims: { i: 0 } } }],
    out: [2], tol: 4 * STEP + F32, values: (rand) => [onGrid(rand, 6, -2, 2)],
  },
  {
    op: "ReduceProd", title: "ReduceProd opset 18, axes input [0, 2], keepdims 1", opset: 18, inputs: [[2, 2, 2]], ints: [ints("ax", [2], [0, 2])],
    nodes: [{ op: "ReduceProd", inputs: ["x0", "ax"] }], out: [1, 2, 1], tol: 16 * STEP + F32, values: (rand) => [onGrid(rand, 8, -2, 2)],
  },
  // Mod
  {
    op: "Mod", title: "Mod opset 10, fmod 1, divisor 1.5 (exact at scale 12)", opset: 10, inputs: [[2, 6]], floats: [floats("c", [], [1.5])],
    nodes: [{ op: "Mod", inputs: ["x0", "c"], attributes: { fmod: { i: 1 } } }], out: [2, 6], tol: F32, values: (rand) => [onGrid(rand, 12, -6, 6).map((v, i) => (i % 4 === 0 ? 1.5 * Math.round(v) : v))],
  },
  {
    op: "Mod", title: "Mod opset 13, fmod 1, divisors [0.75, -2] broadcast", inputs: [[3, 2]], floats: [floats("c", [2], [0.75, -2])],
    nodes: [{ op: "Mod", inputs: ["x0", "c"], attributes: { fmod: { i: 1 } } }], out: [3, 2], tol: F32,
  },
  {
    op: "Mod", title: "Mod opset 13, fmod 0 (divisor's sign), divisors [0.75, -2] (reference: numpy)", inputs: [[3, 2]], floats: [floats("c", [2], [0.75, -2])],
    nodes: [{ op: "Mod", inputs: ["x0", "c"] }], out: [3, 2], tol: F32,
    reference: ([x]) => x.map((v, i) => { const c = [0.75, -2][i % 2]; return v - c * Math.floor(v / c); }),
  },
  // TopK: values and indices (cast to float) side by side.
  ...([
    [11, "largest", 1, ["x0", "k"]],
    [11, "smallest", 0, ["x0", "k"]],
    [10, "largest (K input, no largest attribute)", 1, ["x0", "k"]],
    [6, "largest (k attribute)", 1, ["x0"]],
  ] as [number, string, number, string[]][]).map(([opset, what, largest, ins]): Case => ({
    op: "TopK", title: `TopK opset ${opset} ${what}, k 3 of 5 on axis 1, with ties`, opset, inputs: [[2, 5]], ints: ins.length > 1 ? [ints("k", [1], [3])] : [],
    nodes: [
      { op: "TopK", inputs: ins, outputs: ["v", "i"], attributes: { axis: { i: 1 }, ...(opset >= 11 ? { largest: { i: largest } } : {}), ...(opset < 10 ? { k: { i: 3 } } : {}) } },
      castF("i", "f"), { op: "Concat", inputs: ["v", "f"], attributes: { axis: { i: 1 } } },
    ],
    out: [2, 6], tol: F32, values: withTies(10),
  })),
  // ScatterND, ScatterElements
  {
    op: "ScatterND", title: "ScatterND opset 11, rows 2 and 0 of a [3, 4] replaced", opset: 11, inputs: [[3, 4], [2, 4]], ints: [ints("idx", [2, 1], [2, 0])],
    nodes: [{ op: "ScatterND", inputs: ["x0", "idx", "x1"] }], out: [3, 4], tol: F32, sites: 0,
  },
  {
    op: "ScatterND", title: "ScatterND opset 16 add, element indices with a duplicate", opset: 16, inputs: [[2, 3], [3]], ints: [ints("idx", [3, 2], [0, 1, 1, 2, 0, 1])],
    strings: [[0, "reduction", "add"]], nodes: [{ op: "ScatterND", inputs: ["x0", "idx", "x1"] }], out: [2, 3], tol: F32, sites: 0,
  },
  {
    op: "ScatterND", title: "ScatterND opset 16 mul into a constant", opset: 16, inputs: [[2]], ints: [ints("idx", [2, 1], [3, 1])], floats: [floats("d", [4], [1, 2, 3, -0.5])],
    strings: [[0, "reduction", "mul"]], nodes: [{ op: "ScatterND", inputs: ["d", "idx", "x0"] }], out: [4], tol: STEP / 2 + F32,
  },
  {
    op: "ScatterElements", title: "ScatterElements opset 11, axis 1, negative index", opset: 11, inputs: [[2, 4], [2, 2]], ints: [ints("idx", [2, 2], [3, -4, 0, 2])],
    nodes: [{ op: "ScatterElements", inputs: ["x0", "idx", "x1"], attributes: { axis: { i: 1 } } }], out: [2, 4], tol: F32, sites: 0,
  },
  {
    op: "ScatterElements", title: "ScatterElements opset 18 max, axis 0", opset: 18, inputs: [[3, 2], [2, 2]], ints: [ints("idx", [2, 2], [1, 0, 1, 2])],
    strings: [[0, "reduction", "max"]], nodes: [{ op: "ScatterElements", inputs: ["x0", "idx", "x1"] }], out: [3, 2], tol: F32, sites: 4,
  },
];

describeOpCases("log/exp, reductions, Mod, TopK, Scatter: onnxruntime, bounds, circuit", CASES, { prefix: "logexp", width: 96, build });

describe("log/exp, reductions, Mod, TopK, Scatter: unsupported variants are one-line ZkmlErrors naming the node", () => {
  const refuse = (c: Omit<Case, "tol" | "op" | "out"> & { out?: number[] }, ...patterns: string[]) => {
    const e = expectZkmlError(() => quantizeModel(importOnnx(build({ ...c, out: c.out ?? [4] }), c.title), QUANT), ...patterns);
    expect(e.message).not.to.include("\n");
  };

  it("Log of an input that may be <= 0; Exp of an input that may reach 16", () => {
    refuse({ title: "l1", inputs: [[4]], nodes: [{ op: "Log", inputs: ["x0"] }] }, 'Log node "n0_log"', "provably >= 2^-12");
    refuse({ title: "l2", opset: 6, inputs: [[4]], nodes: [{ op: "Relu", inputs: ["x0"], outputs: ["r"] }, { op: "Log", inputs: ["r"] }] }, 'Log node "n1_log"', "may be 0 by the bounds pass");
    refuse({ title: "e1", inputs: [[4]], nodes: [{ op: "Exp", inputs: ["x0"] }] }, 'Exp node "n0_exp"', "Exp supports inputs below 16");
  });

  it("Mod with a computed or zero divisor; TopK with a computed or too large k; Scatter with computed indices or an early reduction", () => {
    refuse({ title: "m1", opset: 13, inputs: [[4], [4]], nodes: [{ op: "Mod", inputs: ["x0", "x1"], attributes: { fmod: { i: 1 } } }] }, 'Mod node "n0_mod"', "divisor (input 1) must be a constant");
    refuse({ title: "m2", opset: 13, inputs: [[4]], floats: [floats("c", [], [0])], nodes: [{ op: "Mod", inputs: ["x0", "c"], attributes: { fmod: { i: 1 } } }] }, 'Mod node "n0_mod"', "divisor is 0");
    refuse({ title: "t1", opset: 11, inputs: [[2, 3]], ints: [ints("k", [1], [4])], nodes: [{ op: "TopK", inputs: ["x0", "k"], outputs: ["y", "i"] }] }, 'TopK node "n0_topk"', "k = 4 exceeds the 3 elements");
    refuse({ title: "t2", opset: 11, inputs: [[2, 3], [1]], nodes: [{ op: "TopK", inputs: ["x0", "x1"], outputs: ["y", "i"] }] }, 'TopK node "n0_topk"', "K (input 1) must be a constant");
    refuse({ title: "s1", opset: 13, inputs: [[3], [1], [1, 1]], nodes: [{ op: "ScatterND", inputs: ["x0", "x2", "x1"] }] }, 'ScatterND node "n0_scatternd"', "indices (input 1) must be a constant");
    refuse({ title: "s2", opset: 13, inputs: [[3], [1]], ints: [ints("idx", [1, 1], [0])], strings: [[0, "reduction", "add"]], nodes: [{ op: "ScatterND", inputs: ["x0", "idx", "x1"] }] }, 'ScatterND node "n0_scatternd"', 'reduction "add" exists since opset 16');
    refuse({ title: "s3", opset: 11, inputs: [[3], [1]], ints: [ints("idx", [1], [5])], nodes: [{ op: "ScatterElements", inputs: ["x0", "idx", "x1"] }] }, 'ScatterElements node "n0_scatterelements"', "index 5 is out of range");
  });
});

describe("a two-sided Clip's static bounds are [min, max] (no constraint added: its two Relus already prove it)", () => {
  const boundsOf = (c: Omit<Case, "tol" | "op">) => quantizeModel(importOnnx(build(c), c.title), QUANT).outputBounds;
  const at = (v: number) => BigInt(Math.round(v * 2 ** QUANT.scaleBits));
  const clip = (title: string, lo: number, hi: number, pre: OpCase["nodes"] = [], extra: OpCase["floats"] = []) => ({
    title, inputs: [[2, 3]], floats: [...extra, floats("lo", [], [lo]), floats("hi", [], [hi])],
    nodes: [...pre, { op: "Clip", inputs: [pre.length ? "h" : "x0", "lo", "hi"] }], out: [2, 3],
  });

  it("Clip(x, 0.25, 8), Clip(x, -8, 4), ReLU6 after a MatMul (the fused rescale), min > max", () => {
    for (const b of boundsOf(clip("c1", 0.25, 8))) expect(b).to.deep.equal({ lo: at(0.25), hi: at(8) });
    for (const b of boundsOf(clip("c2", -8, 4))) expect(b).to.deep.equal({ lo: at(-8), hi: at(4) });
    for (const b of boundsOf(clip("c3", 0, 6, [mm("x0", "W", "h")], [gridW("W", 3)]))) expect(b).to.deep.equal({ lo: 0n, hi: at(6) });
    for (const b of boundsOf(clip("c4", 1, -1))) expect(b).to.deep.equal({ lo: at(-1), hi: at(-1) });
  });

  it("HardSigmoid (the same clamp) is bounded by [0, 1]", () => {
    const bs = boundsOf({ title: "hs", inputs: [[4]], nodes: [{ op: "HardSigmoid", inputs: ["x0"] }], out: [4] });
    for (const b of bs) expect(b).to.deep.equal({ lo: 0n, hi: at(1) });
  });
});
