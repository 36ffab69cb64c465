/**
 * Div of two computed values (divisor of either sign), Div of a constant by a value, Reciprocal, Sqrt,
 * LayerNormalization (opset 17), PyTorch's decomposed LayerNorm (ReduceMean, Sub, Pow 2, ReduceMean, Add
 * eps, Sqrt, Div, Mul, Add), InstanceNormalization, Softsign and GroupNormalization (opsets 18 and 21): (1) against onnxruntime; (2) the static bounds
 * hold; (3) the compiled circuit's outputs equal the bit-exact evaluator's on random and extreme inputs,
 * and every single-wire change to a valid witness breaks a constraint.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { gadgetConstraints } from "../../src/gadgets";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { quantizeInputs } from "../../src/pipeline/input";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { modelCircuit, tmpDir } from "../circuit/helpers";
import { expectWithinBounds, expectZkmlError, QUANT, rng, runQuantized } from "./helpers";
import { elems, expectCircuitMatchesEvaluator, expectEverySingleWireChangeBreaks, ofOp, randomSamples } from "./op-checks";
import { buildCase, onGrid, OpCase } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;

interface Case extends OpCase {
  /** |error| allowed: abs + rel·|expected|. */
  abs: number;
  rel?: number;
  op: string;
  /** Compile the circuit and run the single-wire mutations (the costly part). */
  circuit?: boolean;
  /** Extreme inputs for the circuit comparison (default: none beyond the random ones). */
  extremes?: number[][][];
  /** The kinds of the op node's gadgets, when the choice of gadget is part of the contract. */
  kinds?: string[];
}

/** Nonzero grid values of either sign with |v| in [lo, hi). */
const nonzero = (rand: () => number, n: number, lo = 0.25, hi = 3) => onGrid(rand, n, lo, hi).map((v, i) => (i % 2 === 0 ? v : -v));

const ln = (n: number, w: string, b: string) => [
  { op: "ReduceMean", inputs: ["x0"], outputs: ["mu"], attributes: { axes: { ints: [-1] } } },
  { op: "Sub", inputs: ["x0", "mu"], outputs: ["d"] },
  { op: "Pow", inputs: ["d", "two"], outputs: ["d2"] },
  { op: "ReduceMean", inputs: ["d2"], outputs: ["var"], attributes: { axes: { ints: [-1] } } },
  { op: "Add", inputs: ["var", "eps"], outputs: ["ve"] },
  { op: "Sqrt", inputs: ["ve"], outputs: ["sd"] },
  { op: "Div", inputs: ["d", "sd"], outputs: ["nrm"] },
  { op: "Mul", inputs: ["nrm", w], outputs: ["sc"] },
  { op: "Add", inputs: ["sc", b], outputs: ["y"] },
].slice(0, n);

const gamma = (n: number) => Array.from({ length: n }, (_, i) => 0.5 + 0.125 * i);
const beta = (n: number) => Array.from({ length: n }, (_, i) => -0.25 + 0.0625 * i);

const CASES: Case[] = [
  {
    op: "Div", title: "Div of two computed values, divisors of either sign", inputs: [[2, 4], [2, 4]], nodes: [{ op: "Div", inputs: ["x0", "x1"] }], out: [2, 4],
    values: (rand) => [onGrid(rand, 8), nonzero(rand, 8)], abs: STEP / 2 + 1e-6, rel: 1e-6, circuit: true,
    extremes: [[new Array(8).fill(-2048), new Array(8).fill(-STEP)], [new Array(8).fill(2048 - STEP), new Array(8).fill(STEP)], [new Array(8).fill(-2048), new Array(8).fill(2048 - STEP)]],
  },
  {
    op: "Div", title: "Div broadcast [2, 3] / [3], ties and exact quotients", inputs: [[2, 3], [3]], nodes: [{ op: "Div", inputs: ["x0", "x1"] }], out: [2, 3],
    values: () => [[1, -1, 3, -3, 0, 2.5], [2, -2, -0.5]], abs: STEP / 2 + 1e-6, rel: 1e-6,
  },
  {
    op: "Div", title: "Div of a constant by a computed value", inputs: [[6]], floats: [{ name: "c", dims: [6], data: [1, -1, 0.5, 3, -2.25, 0] }],
    nodes: [{ op: "Div", inputs: ["c", "x0"] }], out: [6], values: (rand) => [nonzero(rand, 6)], abs: STEP / 2 + 1e-6, rel: 1e-6,
  },
  {
    op: "Reciprocal", title: "Reciprocal of either sign", inputs: [[2, 4]], nodes: [{ op: "Reciprocal", inputs: ["x0"] }], out: [2, 4],
    values: (rand) => [nonzero(rand, 8, 0.0625, 4)], abs: STEP / 2 + 1e-6, rel: 1e-6, circuit: true,
    extremes: [[new Array(8).fill(-2048)], [new Array(8).fill(STEP)], [new Array(8).fill(-STEP)]],
  },
  {
    op: "Sqrt", title: "Sqrt of a graph input (rounded to nearest)", inputs: [[2, 4]], nodes: [{ op: "Sqrt", inputs: ["x0"] }], out: [2, 4],
    values: (rand) => [onGrid(rand, 8, 0, 16).map((v, i) => (i === 0 ? 0 : i === 1 ? 9 : i === 2 ? STEP : v))], abs: STEP / 2 + 1e-6, rel: 1e-6, circuit: true,
    extremes: [[new Array(8).fill(0)], [new Array(8).fill(2048 - STEP)]],
  },
  {
    op: "Sqrt", title: "Sqrt of a square (scale 2S: shifted up exactly)", inputs: [[5]], nodes: [{ op: "Mul", inputs: ["x0", "x0"], outputs: ["s"] }, { op: "Sqrt", inputs: ["s"] }], out: [5],
    values: (rand) => [onGrid(rand, 5, -3, 3)], abs: STEP / 2 + 1e-6, rel: 1e-6,
  },
  {
    op: "LayerNormalization", title: "LayerNormalization opset 17, axis -1, scale and B", opset: 17, inputs: [[3, 8]],
    floats: [{ name: "g", dims: [8], data: gamma(8) }, { name: "b", dims: [8], data: beta(8) }],
    nodes: [{ op: "LayerNormalization", inputs: ["x0", "g", "b"] }], out: [3, 8], abs: 3 * STEP, circuit: true,
    values: (rand) => [onGrid(rand, 24).map((v, i) => (i < 8 ? 0.5 : v))], // a constant row: var = 0, eps alone
    extremes: [[new Array(24).fill(-2048)], [Array.from({ length: 24 }, (_, i) => (i % 2 ? -2048 : 2048 - STEP))]],
  },
  {
    op: "LayerNormalization", title: "LayerNormalization axis 1 over [2, 3, 4], scale [4] broadcast, no B, epsilon 1e-3", opset: 17, inputs: [[2, 3, 4]],
    floats: [{ name: "g", dims: [4], data: [1, 2, -1, 0.5] }],
    nodes: [{ op: "LayerNormalization", inputs: ["x0", "g"], attributes: { axis: { i: 1 }, epsilon: { f: 1e-3 } } }], out: [2, 3, 4], abs: 3 * STEP,
  },
  {
    op: "Div", title: "PyTorch's decomposed LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)", inputs: [[2, 8]],
    floats: [{ name: "two", dims: [], data: [2] }, { name: "eps", dims: [], data: [1e-5] }, { name: "g", dims: [8], data: gamma(8) }, { name: "b", dims: [8], data: beta(8) }],
    nodes: ln(9, "g", "b"), out: [2, 8], abs: 1e-2, circuit: true, values: (rand) => [onGrid(rand, 16, -2, 2)],
  },
  {
    op: "InstanceNormalization", title: "InstanceNormalization [1, 2, 3, 3]", inputs: [[1, 2, 3, 3]],
    floats: [{ name: "s", dims: [2], data: [1.5, -0.5] }, { name: "b", dims: [2], data: [0.25, 0] }],
    nodes: [{ op: "InstanceNormalization", inputs: ["x0", "s", "b"] }], out: [1, 2, 3, 3], abs: 3 * STEP,
  },
  {
    op: "Softsign", title: "Softsign of a graph input (divisor 1 + |x| >= 1: the positive FloorDiv)", inputs: [[2, 6]], nodes: [{ op: "Softsign", inputs: ["x0"] }], out: [2, 6],
    values: (rand) => [onGrid(rand, 12, -40, 40).map((v, i) => (i === 0 ? 0 : i === 1 ? -STEP : i === 2 ? 1 : v))], abs: STEP / 2 + 1e-6, circuit: true, kinds: ["split", "mul", "div"],
    extremes: [[new Array(12).fill(-2048)], [new Array(12).fill(2048 - STEP)], [new Array(12).fill(STEP)]],
  },
  {
    op: "Softsign", title: "Softsign after a MatMul (rounded in its decomposition), opset 7", opset: 7, inputs: [[2, 4]], floats: [{ name: "W", dims: [4, 4], data: onGrid(rng(44), 16, -1, 1) }],
    nodes: [{ op: "MatMul", inputs: ["x0", "W"], outputs: ["h"] }, { op: "Softsign", inputs: ["h"] }], out: [2, 4], abs: STEP + 1e-6, kinds: ["split", "mul", "div"],
  },
  {
    op: "GroupNormalization", title: "GroupNormalization opset 18 [2, 4, 3], 2 groups, scale and bias per group", opset: 18, inputs: [[2, 4, 3]],
    floats: [{ name: "s", dims: [2], data: [1.5, -0.5] }, { name: "b", dims: [2], data: [0.25, -1] }],
    nodes: [{ op: "GroupNormalization", inputs: ["x0", "s", "b"], attributes: { num_groups: { i: 2 } } }], out: [2, 4, 3], abs: 3 * STEP, circuit: true,
    values: (rand) => [onGrid(rand, 24).map((v, i) => (i < 6 ? 0.5 : v))], // a constant group: var = 0, eps alone
    extremes: [[new Array(24).fill(-2048)], [Array.from({ length: 24 }, (_, i) => (i % 2 ? -2048 : 2048 - STEP))]],
  },
  {
    op: "GroupNormalization", title: "GroupNormalization opset 21 [1, 6, 2, 2], 3 groups, scale and bias per channel, epsilon 1e-3", opset: 21, inputs: [[1, 6, 2, 2]],
    floats: [{ name: "s", dims: [6], data: gamma(6) }, { name: "b", dims: [6], data: beta(6) }],
    nodes: [{ op: "GroupNormalization", inputs: ["x0", "s", "b"], attributes: { num_groups: { i: 3 }, epsilon: { f: 1e-3 } } }], out: [1, 6, 2, 2], abs: 3 * STEP, circuit: true,
  },
  {
    op: "GroupNormalization", title: "GroupNormalization opset 21, 1 group (LayerNorm over C, H, W)", opset: 21, inputs: [[2, 2, 3]],
    floats: [{ name: "s", dims: [2], data: [2, 1] }, { name: "b", dims: [2], data: [0, 0.5] }],
    nodes: [{ op: "GroupNormalization", inputs: ["x0", "s", "b"], attributes: { num_groups: { i: 1 } } }], out: [2, 2, 3], abs: 4 * STEP,
  },
];

const REPORT: string[] = [];

describe("signed division, square roots and normalizations: onnxruntime, bounds, circuit", function () {
  this.timeout(600_000);
  const dir = tmpDir("sdiv-sqrt");
  after(() => {
    console.log(`\n      ${"case".padEnd(90)} ${"worst |err|".padEnd(12)} constraints/elem (op gadgets; whole R1CS)`);
    for (const r of REPORT) console.log(`      ${r}`);
  });

  CASES.forEach((c, k) => {
    describe(c.title, () => {
      const bytes = buildCase(c);
      const file = path.join(dir, `case${k}.onnx`);
      fs.writeFileSync(file, bytes);
      let worst = 0;

      it("matches onnxruntime and stays within its bounds", async () => {
        const graph = importOnnx(bytes, c.title);
        const model = quantizeModel(graph, QUANT);
        for (const seed of [1, 2, 3, 4]) {
          const [values] = randomSamples(graph.inputs, rng(seed + 100 * k), 1, c.values);
          const [expected] = await runOnnxRuntime(file, graph.inputs, values);
          const run = runQuantized(graph, values, QUANT, model);
          expect(run.shapes[0]).to.deep.equal(c.out);
          run.outputs[0].forEach((v, i) => {
            const err = Math.abs(v - expected[i]);
            worst = Math.max(worst, err);
            expect(err, `${c.title}[${i}] = ${v}, onnxruntime ${expected[i]} (seed ${seed})`).to.be.at.most(c.abs + (c.rel ?? 0) * Math.abs(expected[i]));
          });
          expectWithinBounds(model, run.qInputs);
        }
        if (c.kinds) expect([...new Set(model.sites.filter(ofOp(c.op)).map((s) => s.kind))].sort()).to.deep.equal([...c.kinds].sort());
        const cost = model.sites.reduce((n, s) => n + gadgetConstraints(s), 0);
        const kinds = [...new Set(model.sites.map((s) => `${s.kind}(${s.width},${s.shift})`))].join(" ");
        REPORT.push(`${c.title.slice(0, 90).padEnd(90)} ${worst.toExponential(2).padEnd(12)} ${(cost / elems(c.out)).toFixed(1)} [${kinds.slice(0, 120)}]`);
      });

      if (c.circuit)
        it("the circuit equals the evaluator on random and extreme inputs, and every single-wire change breaks a constraint", async () => {
          const circuit = await modelCircuit(`sdiv${k}`, file, QUANT);
          const { built } = circuit;
          const samples = [...randomSamples(built.graph.inputs, rng(7 * k + 1), 2, c.values), ...(c.extremes ?? [])];
          expectEverySingleWireChangeBreaks(circuit, await expectCircuitMatchesEvaluator(circuit, samples));
          REPORT.push(`${`  circuit: ${c.title}`.slice(0, 90).padEnd(90)} ${"".padEnd(12)} ${circuit.r1cs.nConstraints} total after -O2`);
        });
    });
  });
});

describe("signed division and square roots: what cannot be proven is a one-line error at prove time", () => {
  const load = (c: Omit<Case, "abs" | "op">) => importOnnx(buildCase(c as OpCase), c.title);
  const oneLine = (e: Error) => expect(e.message).not.to.include("\n");

  it("Div by a computed zero", () => {
    const g = load({ title: "div0", inputs: [[2], [2]], nodes: [{ op: "Div", inputs: ["x0", "x1"] }], out: [2] });
    const model = quantizeModel(g, QUANT);
    oneLine(expectZkmlError(() => evaluateQuantized(model, quantizeInputs([[1, 2], [1, 0]], g.inputs, QUANT)), 'node "n0_div" divides by 0', "no proof"));
  });

  it("Reciprocal of zero", () => {
    const g = load({ title: "rec0", inputs: [[2]], nodes: [{ op: "Reciprocal", inputs: ["x0"] }], out: [2] });
    oneLine(expectZkmlError(() => evaluateQuantized(quantizeModel(g, QUANT), quantizeInputs([[0, 1]], g.inputs, QUANT)), "divides by 0"));
  });

  it("Sqrt of a negative value", () => {
    const g = load({ title: "sqrtneg", inputs: [[2]], nodes: [{ op: "Sqrt", inputs: ["x0"] }], out: [2] });
    oneLine(expectZkmlError(() => evaluateQuantized(quantizeModel(g, QUANT), quantizeInputs([[4, -STEP]], g.inputs, QUANT)), 'node "n0_sqrt"', "square root of a negative value"));
  });

  it("GroupNormalization: num_groups missing or not dividing C; scale of the wrong opset's length", () => {
    const gn = (title: string, opset: number, attrs: Record<string, { i: number }>, n: number) =>
      importOnnx(buildCase({ title, opset, inputs: [[1, 4, 3]], floats: [{ name: "s", dims: [n], data: new Array(n).fill(1) }, { name: "b", dims: [n], data: new Array(n).fill(0) }], nodes: [{ op: "GroupNormalization", inputs: ["x0", "s", "b"], attributes: attrs }], out: [1, 4, 3] }), title);
    oneLine(expectZkmlError(() => quantizeModel(gn("g1", 21, {}, 4), QUANT), 'GroupNormalization node "n0_groupnormalization"', "num_groups"));
    oneLine(expectZkmlError(() => quantizeModel(gn("g2", 21, { num_groups: { i: 3 } }, 4), QUANT), 'GroupNormalization node "n0_groupnormalization"', "does not divide the 4 channels"));
    oneLine(expectZkmlError(() => quantizeModel(gn("g3", 21, { num_groups: { i: 2 } }, 2), QUANT), 'GroupNormalization node "n0_groupnormalization"', "one per channel since opset 21"));
    oneLine(expectZkmlError(() => quantizeModel(gn("g4", 18, { num_groups: { i: 2 } }, 4), QUANT), 'GroupNormalization node "n0_groupnormalization"', "one per group before opset 21"));
  });

  it("LayerNormalization with its Mean output requested", () => {
    const g = () => importOnnx(buildCase({ title: "lnmean", opset: 17, inputs: [[2, 4]], floats: [{ name: "g", dims: [4], data: [1, 1, 1, 1] }], nodes: [{ op: "LayerNormalization", inputs: ["x0", "g"], outputs: ["y", "m"] }], out: [2, 4] }), "lnmean");
    oneLine(expectZkmlError(() => quantizeModel(g(), QUANT), 'LayerNormalization node "n0_layernormalization"', "only the output Y"));
  });
});
