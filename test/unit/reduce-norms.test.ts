/**
 * ReduceSumSquare, ReduceL2 and ReduceL1 on small graphs across opsets (axes as an attribute before 18,
 * as input 1 since; keepdims; noop_with_empty_axes): (1) the quantized result against onnxruntime's
 * float result, the worst error reported and bounded by the documented tolerance; (2) the static bounds
 * hold; (3) the compiled circuit's outputs equal the bit-exact evaluator's, and (4) every single-wire
 * change to a valid witness breaks a constraint. A computed axes input is a one-line ZkmlError.
 */
import { expect } from "chai";
import { importOnnx } from "../../src/onnx/import";
import { quantizeModel } from "../../src/quantize";
import { expectZkmlError, QUANT, rng } from "./helpers";
import { describeOpCases, filledSample, ReferenceCase } from "./op-checks";
import { buildCase, onGrid } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
/** float32 rounding of onnxruntime's arithmetic, relative, on sums of up to a dozen terms. */
const F32 = 2 ** -20;

type Case = ReferenceCase;

const ints = (name: string, dims: number[], values: number[]) => ({ name, dims, values });
const gridW = (name: string, n: number, m = n) => ({ name, dims: [n, m], data: onGrid(rng(n * 31 + m), n * m, -1, 1) });
const mm = (input: string, w: string, out: string) => ({ op: "MatMul", inputs: [input, w], outputs: [out] });

const CASES: Case[] = [
  // ReduceSumSquare: exact on grid inputs at scale 2S, then rounded to S as a graph output (half a step).
  {
    op: "ReduceSumSquare", title: "ReduceSumSquare opset 13, axes [1], keepdims 0", inputs: [[3, 4]],
    nodes: [{ op: "ReduceSumSquare", inputs: ["x0"], attributes: { axes: { ints: [1] }, keepdims: { i: 0 } } }], out: [3], tol: STEP / 2 + 64 * F32,
  },
  {
    op: "ReduceSumSquare", title: "ReduceSumSquare opset 11, all axes (none given), keepdims 1", opset: 11, inputs: [[2, 3]],
    nodes: [{ op: "ReduceSumSquare", inputs: ["x0"] }], out: [1, 1], tol: STEP / 2 + 96 * F32,
  },
  {
    op: "ReduceSumSquare", title: "ReduceSumSquare opset 18, axes input [0, 2], keepdims 1", opset: 18, inputs: [[2, 2, 3]], ints: [ints("ax", [2], [0, 2])],
    nodes: [{ op: "ReduceSumSquare", inputs: ["x0", "ax"] }], out: [1, 2, 1], tol: STEP / 2 + 96 * F32,
  },
  {
    op: "ReduceSumSquare", title: "ReduceSumSquare opset 18, noop_with_empty_axes 1, no axes (elementwise x²)", opset: 18, inputs: [[2, 3]],
    nodes: [{ op: "ReduceSumSquare", inputs: ["x0"], attributes: { noop_with_empty_axes: { i: 1 } } }], out: [2, 3], tol: STEP / 2 + 16 * F32,
  },
  // ReduceL2: floor(2^(S+1)·norm), under half a step below the exact norm of the quantized inputs.
  {
    op: "ReduceL2", title: "ReduceL2 opset 13, axes [1], keepdims 0", inputs: [[3, 4]],
    nodes: [{ op: "ReduceL2", inputs: ["x0"], attributes: { axes: { ints: [1] }, keepdims: { i: 0 } } }], out: [3], tol: STEP / 2 + 8 * F32,
  },
  {
    op: "ReduceL2", title: "ReduceL2 opset 1, axes [0, 1] of [2, 2, 3], keepdims 0", opset: 1, inputs: [[2, 2, 3]],
    nodes: [{ op: "ReduceL2", inputs: ["x0"], attributes: { axes: { ints: [0, 1] }, keepdims: { i: 0 } } }], out: [3], tol: STEP / 2 + 8 * F32,
  },
  {
    // The MatMul's outputs (scale 24) are each rounded to S first: the norm moves by at most sqrt(3)·STEP/2.
    op: "ReduceL2", title: "ReduceL2 opset 18, axes input [0], after a MatMul (scale 24)", opset: 18, inputs: [[3, 3]], floats: [gridW("W", 3)], ints: [ints("ax", [1], [0])],
    nodes: [mm("x0", "W", "h"), { op: "ReduceL2", inputs: ["h", "ax"] }], out: [1, 3], tol: Math.sqrt(3) * STEP / 2 + STEP / 2 + 16 * F32,
  },
  // ReduceL1: exact at the model scale; rounded inputs add half a step each.
  {
    op: "ReduceL1", title: "ReduceL1 opset 13, axes [0, 2], keepdims 0", inputs: [[2, 3, 2]],
    nodes: [{ op: "ReduceL1", inputs: ["x0"], attributes: { axes: { ints: [0, 2] }, keepdims: { i: 0 } } }], out: [3], tol: 16 * F32,
  },
  {
    op: "ReduceL1", title: "ReduceL1 opset 11, axes [-1], keepdims 1", opset: 11, inputs: [[3, 4]],
    nodes: [{ op: "ReduceL1", inputs: ["x0"], attributes: { axes: { ints: [-1] } } }], out: [3, 1], tol: 16 * F32,
  },
  {
    op: "ReduceL1", title: "ReduceL1 opset 18, axes input [1], keepdims 0, after a MatMul (scale 24)", opset: 18, inputs: [[2, 3]], floats: [gridW("W", 3)], ints: [ints("ax", [1], [1])],
    nodes: [mm("x0", "W", "h"), { op: "ReduceL1", inputs: ["h", "ax"], attributes: { keepdims: { i: 0 } } }], out: [2], tol: 3 * STEP / 2 + 32 * F32,
  },
];

describeOpCases("ReduceSumSquare, ReduceL2, ReduceL1: onnxruntime, bounds, circuit", CASES, {
  prefix: "norms",
  dir: "reduce-norms",
  width: 80,
  costHeader: "constraints/output elem",
  build: buildCase,
  moreSamples: (inputs) => [filledSample(inputs, 0)],
});

describe("ReduceSumSquare, ReduceL2, ReduceL1: a computed axes input is a one-line ZkmlError naming the node", () => {
  it("refuses axes computed from an input", () => {
    for (const op of ["ReduceSumSquare", "ReduceL2", "ReduceL1"]) {
      const c = { title: op, opset: 18, inputs: [[2, 3], [1]], nodes: [{ op, inputs: ["x0", "x1"] }], out: [1, 1] };
      const e = expectZkmlError(() => quantizeModel(importOnnx(buildCase(c), c.title), QUANT), `${op} node "n0_${op.toLowerCase()}"`, "computed axes are not supported");
      expect(e.message).not.to.include("\n");
    }
  });
});
