/**
 * ReduceSumSquare, ReduceL2 and ReduceL1 on small graphs across opsets (axes as an attribute before 18,
 * as input 1 since; keepdims; noop_with_empty_axes): (1) the quantized result against onnxruntime's
 * float result, the worst error reported and bounded by the documented tolerance; (2) the static bounds
 * hold; (3) the compiled circuit's outputs equal the bit-exact evaluator's, and (4) every single-wire
 * change to a valid witness breaks a constraint. A computed axes input is a one-line ZkmlError.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { gadgetConstraints } from "../../src/gadgets";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { quantizeInputs } from "../../src/pipeline/input";
import { modelWitnessInput } from "../../src/privacy/layout";
import { unpackWords } from "../../src/privacy/packing";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { modelCircuit, tmpDir, violatedAfter } from "../circuit/helpers";
import { expectWithinBounds, expectZkmlError, QUANT, rng, runQuantized } from "./helpers";
import { buildCase, onGrid, OpCase } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
/** float32 rounding of onnxruntime's arithmetic, relative, on sums of up to a dozen terms. */
const F32 = 2 ** -20;

interface Case extends OpCase {
  /** Allowed worst |error| against onnxruntime, absolute. */
  tol: number;
  op: string;
}

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

const REPORT: string[] = [];
const ofOp = (op: string) => (s: { node: string }) => s.node.endsWith(`_${op.toLowerCase()}`);

describe("ReduceSumSquare, ReduceL2, ReduceL1: onnxruntime, bounds, circuit", function () {
  this.timeout(600_000);
  const dir = tmpDir("reduce-norms");
  after(() => {
    console.log(`\n      ${"case".padEnd(80)} ${"worst |err|".padEnd(12)} constraints/output elem (op gadgets; whole R1CS)`);
    for (const r of REPORT) console.log(`      ${r}`);
  });

  CASES.forEach((c, k) => {
    describe(c.title, () => {
      const bytes = buildCase(c);
      const file = path.join(dir, `case${k}.onnx`);
      let worst = 0;

      it(`matches onnxruntime within ${c.tol.toExponential(2)} and stays within its bounds`, async () => {
        fs.writeFileSync(file, bytes);
        const graph = importOnnx(bytes, c.title);
        expect(graph.outputs[0].shape).to.deep.equal(c.out);
        const model = quantizeModel(graph, QUANT);
        for (const seed of [1, 2, 3, 4]) {
          const rand = rng(seed + 100 * k);
          const values = graph.inputs.map((vi) => onGrid(rand, vi.shape.reduce((a, b) => a * b, 1)));
          const [expected] = await runOnnxRuntime(file, graph.inputs, values);
          const run = runQuantized(graph, values, QUANT, model);
          expect(run.shapes[0]).to.deep.equal(c.out);
          run.outputs[0].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
          expect(worst, `${c.title}: worst |quantized - onnxruntime| (seed ${seed})`).to.be.at.most(c.tol);
          expectWithinBounds(model, run.qInputs);
        }
      });

      it("the circuit equals the evaluator, and every single-wire change breaks a constraint", async () => {
        const circuit = await modelCircuit(`norms${k}`, file, QUANT);
        const { built } = circuit;
        const { outputs } = built.layout;
        const half = 2 ** (QUANT.inputBits - 1) * STEP;
        const rand = rng(7 * k + 1);
        const samples = [
          ...[1, 2, 3].map(() => built.graph.inputs.map((vi) => onGrid(rand, vi.shape.reduce((a, b) => a * b, 1)))),
          built.graph.inputs.map((vi) => new Array(vi.shape.reduce((a, b) => a * b, 1)).fill(-half)),
          built.graph.inputs.map((vi) => new Array(vi.shape.reduce((a, b) => a * b, 1)).fill(half - STEP)),
          built.graph.inputs.map((vi) => new Array(vi.shape.reduce((a, b) => a * b, 1)).fill(0)),
        ];
        let honest: bigint[] = [];
        for (const floats of samples) {
          const q = quantizeInputs(floats, built.graph.inputs, QUANT);
          const expected = evaluateQuantized(built.qmodel, q).flatMap((v) => v.data);
          const w = await circuit.witness(modelWitnessInput(built.layout, q.flat()));
          expect(unsatisfiedConstraints(circuit.r1cs, w)).to.deep.equal([]);
          expect(unpackWords(w.slice(1 + outputs.offset, 1 + outputs.offset + outputs.count), outputs.packing)).to.deep.equal(expected);
          if (honest.length === 0) honest = w;
        }
        const firstPrivate = 1 + circuit.r1cs.nPubOut + circuit.r1cs.nPubIn;
        const mutated = [...Array(circuit.r1cs.nPubOut).keys()].map((i) => i + 1);
        for (let wire = firstPrivate; wire < circuit.r1cs.nWires; wire++) mutated.push(wire);
        expect(violatedAfter(circuit, honest, new Map(mutated.map((w) => [w, honest[w]])))).to.deep.equal([]);
        const names = new Map([...circuit.sym].map(([n, w]) => [w, n]));
        const survivors: string[] = [];
        for (const wire of mutated)
          for (const delta of [1n, -1n])
            if (violatedAfter(circuit, honest, new Map([[wire, honest[wire] + delta]])).length === 0) survivors.push(`${names.get(wire) ?? `wire ${wire}`} ${delta > 0 ? "+" : "-"}1`);
        expect(survivors, "witness changes that still satisfy every constraint").to.deep.equal([]);

        const elems = c.out.reduce((a, b) => a * b, 1);
        const opCost = built.qmodel.sites.filter(ofOp(c.op)).reduce((n, s) => n + gadgetConstraints(s), 0);
        REPORT.push(`${c.title.slice(0, 80).padEnd(80)} ${worst.toExponential(2).padEnd(12)} ${(opCost / elems).toFixed(1)}; ${circuit.r1cs.nConstraints} total`);
      });
    });
  });
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
