/**
 * The import passes for attention blocks (ir/masked-softmax.ts, ir/fuse-gelu.ts), on small graphs built
 * with src/onnx/writer.ts:
 *  - Where(constant condition, -inf, X) -> Softmax becomes a masked Softmax: (1) against onnxruntime,
 *    masked probabilities exactly 0, single survivors exactly 1; (2) static bounds hold; (3) the circuit
 *    equals the bit-exact evaluator, and (4) every single-wire change to a valid witness breaks a
 *    constraint. Fully masked groups, +inf, -inf outside the pattern and computed conditions are one-line
 *    ZkmlErrors naming the node.
 *  - PyTorch's erf GELU (Div, Erf, Add, Mul, Mul in each association) fuses into one Gelu node: fewer
 *    constraints than the five steps, and onnxruntime's result within the table's error.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { estimateConstraints } from "../../src/gadgets";
import { SOFTMAX_MASK } from "../../src/ir/masked-softmax";
import { importOnnx } from "../../src/onnx/import";
import { quantizeInputs } from "../../src/pipeline/input";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { modelWitnessInput } from "../../src/privacy/layout";
import { unpackWords } from "../../src/privacy/packing";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { modelCircuit, tmpDir } from "../circuit/helpers";
import { expectWithinBounds, expectZkmlError, QUANT, rng, runQuantized } from "./helpers";
import { expectCircuitMatchesEvaluator, expectEverySingleWireChangeBreaks, inputRangeExtremes, randomSamples } from "./op-checks";
import { buildCase, onGrid, OpCase } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;
const REPORT: string[] = [];
after(() => REPORT.forEach((r) => console.log(`      ${r}`)));
const F32 = 1e-5;
const NEG_INF = -Infinity;

/** A causal mask over [T, T]: 1 (keep) on and below the diagonal. */
const causal = (T: number) => Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0));
const bools = (name: string, dims: number[], data: number[]) => ({ name, dims, data, type: "bool" as const });
const floats = (name: string, dims: number[], data: number[]) => ({ name, dims, data });

interface Case extends OpCase {
  tol: number;
  /** The ops the imported graph keeps. */
  ops: string;
  /** Input positions (of the Softmax) that must come out exactly 0 / exactly 1. */
  zeros: number[];
  ones?: number[];
}

const T = 4;
const causalZeros = (heads: number) => [...Array(heads * T * T).keys()].filter((i) => causal(T)[i % (T * T)] === 0);

const CASES: Case[] = [
  {
    title: "nanoGPT: Where(causal == 0, -inf, X) -> Softmax axis -1, opset 13, [1, 2, 4, 4] (the Where goes)",
    inputs: [[1, 2, T, T]], out: [1, 2, T, T], ops: "Softmax",
    floats: [bools("keep", [1, 1, T, T], causal(T).map((k) => 1 - k)), floats("ninf", [], [NEG_INF])],
    nodes: [{ op: "Where", inputs: ["keep", "ninf", "x0"], outputs: ["w"] }, { op: "Softmax", inputs: ["w"], attributes: { axis: { i: -1 } } }],
    tol: 3 * STEP + F32, zeros: causalZeros(2), ones: [0, T * T],
  },
  {
    title: "after MatMul and a 1/sqrt(d) Mul (input finer than the model scale), branches swapped: Where(causal, X, -inf)",
    inputs: [[T, 3]], out: [T, T], ops: "MatMul Mul Softmax",
    floats: [floats("K", [3, T], onGrid(rng(5), 3 * T, -1, 1)), floats("c", [], [0.5]), bools("keep", [T, T], causal(T)), floats("ninf", [1], [NEG_INF])],
    nodes: [
      { op: "MatMul", inputs: ["x0", "K"], outputs: ["s"] },
      { op: "Mul", inputs: ["s", "c"], outputs: ["m"] },
      { op: "Where", inputs: ["keep", "m", "ninf"], outputs: ["w"] },
      { op: "Softmax", inputs: ["w"], attributes: { axis: { i: 1 } } },
    ],
    tol: 3 * STEP + F32, zeros: causalZeros(1), ones: [0],
  },
  {
    title: "opset 11 (2-D coercion at axis 1 of [2, 2, 3]), a constant branch with finite and -inf entries, chained with a second mask (the Where stays)",
    opset: 11, inputs: [[2, 2, 3]], out: [2, 2, 3], ops: "Where Softmax",
    floats: [
      bools("c1", [2, 3], [1, 0, 1, 0, 1, 0]), floats("k1", [2, 3], [NEG_INF, 7, 0.25, 7, NEG_INF, 7]),
      bools("c2", [2, 1, 3], [0, 0, 1, 1, 0, 0]), floats("ninf", [], [NEG_INF]),
    ],
    nodes: [
      { op: "Where", inputs: ["c1", "k1", "x0"], outputs: ["w1"] },
      { op: "Where", inputs: ["c2", "ninf", "w1"], outputs: ["w2"] },
      { op: "Softmax", inputs: ["w2"] },
    ],
    // Masked: c1's -inf at (., 0, 0), (., 1, 1); c2 at (0, ., 2), (1, ., 0).
    tol: 3 * STEP + F32, zeros: [0, 2, 4, 5, 6, 9, 10],
  },
];

describe("masked Softmax (Where(constant condition, -inf, X) -> Softmax): onnxruntime, bounds, circuit", function () {
  this.timeout(600_000);
  const dir = tmpDir("masked-softmax");

  CASES.forEach((c, k) => {
    describe(c.title, () => {
      const bytes = buildCase(c);
      const file = path.join(dir, `case${k}.onnx`);

      it(`keeps ${c.ops}, matches onnxruntime within ${c.tol.toExponential(2)} (masked exactly 0) and stays within its bounds`, async () => {
        fs.writeFileSync(file, bytes);
        const graph = importOnnx(bytes, c.title);
        expect(graph.nodes.map((n) => n.op).join(" ")).to.equal(c.ops);
        const softmax = graph.nodes.find((n) => n.op === "Softmax")!;
        expect(softmax.attrs[SOFTMAX_MASK]).to.not.equal(undefined);
        const model = quantizeModel(graph, QUANT);
        let worst = 0;
        for (const seed of [1, 2, 3, 4]) {
          const [values] = randomSamples(graph.inputs, rng(seed + 100 * k), 1);
          const [expected] = await runOnnxRuntime(file, graph.inputs, values);
          const run = runQuantized(graph, values, QUANT, model);
          expect(run.shapes[0]).to.deep.equal(c.out);
          c.zeros.forEach((i) => expect(expected[i], `onnxruntime at ${i}`).to.equal(0));
          c.zeros.forEach((i) => expect(run.outputs[0][i], `masked at ${i}`).to.equal(0));
          (c.ones ?? []).forEach((i) => expect(run.outputs[0][i], `single survivor at ${i}`).to.equal(1));
          run.outputs[0].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
          expect(worst, `worst |quantized - onnxruntime| (seed ${seed})`).to.be.at.most(c.tol);
          expectWithinBounds(model, run.qInputs);
        }
        REPORT.push(`masked case ${k}: worst |err| ${worst.toExponential(2)}`);
      });

      it("the circuit equals the evaluator, and every single-wire change breaks a constraint", async () => {
        const circuit = await modelCircuit(`masked${k}`, file, QUANT);
        const { built } = circuit;
        const samples = [...randomSamples(built.graph.inputs, rng(7 * k + 1), 3), ...inputRangeExtremes(built.graph.inputs)];
        const mutated = expectEverySingleWireChangeBreaks(circuit, await expectCircuitMatchesEvaluator(circuit, samples));
        REPORT.push(`masked case ${k}: ${circuit.r1cs.nConstraints} constraints, ${mutated} wires mutated`);
      });
    });
  });

  it("masking is cheaper than the same Softmax unmasked", () => {
    const masked = importOnnx(buildCase(CASES[0]), "masked");
    const plain = importOnnx(buildCase({ ...CASES[0], floats: [], nodes: [CASES[0].nodes[1]].map((n) => ({ ...n, inputs: ["x0"] })) }), "plain");
    const cost = (g: typeof masked) => estimateConstraints(quantizeModel(g, QUANT).sites, 0, 0);
    expect(cost(masked)).to.be.below(0.7 * cost(plain));
    REPORT.push(`Softmax [1, 2, 4, 4] gadget constraints: unmasked ${cost(plain)}, causal mask ${cost(masked)}`);
  });
});

describe("masked Softmax: refusals are one-line ZkmlErrors naming the node", () => {
  const refuse = (c: Omit<OpCase, "out"> & { out?: number[] }, ...patterns: string[]) => {
    const e = expectZkmlError(() => quantizeModel(importOnnx(buildCase({ ...c, out: c.out ?? [2, 3] }), c.title), QUANT), ...patterns);
    expect(e.message).not.to.include("\n");
  };
  const softmaxAfter = (cond: number[], branch: number[], extra: OpCase["nodes"] = []) => ({
    title: "r", inputs: [[2, 3]],
    floats: [bools("c", [2, 3], cond), floats("k", [branch.length], branch)],
    nodes: [{ op: "Where", inputs: ["c", "k", "x0"], outputs: ["w"] }, ...extra, { op: "Softmax", inputs: [extra.length ? "r" : "w"] }],
  });

  it("a fully masked row (ONNX gives NaN)", () => {
    refuse(softmaxAfter([0, 1, 0, 1, 1, 1], [NEG_INF]), 'Softmax node "n1_softmax"', 'Where node "n0_where"', "masks every element of a softmax group", "ONNX gives NaN");
  });

  it("+inf in the constant branch, or -inf selected where it does not feed only a Softmax", () => {
    refuse(softmaxAfter([1, 0, 0, 0, 0, 0], [Infinity]), 'Where node "n0_where"', "Infinity", "only finite numbers");
    refuse(softmaxAfter([1, 0, 0, 0, 0, 0], [NEG_INF], [{ op: "Relu", inputs: ["w"], outputs: ["r"] }]), 'Where node "n0_where"', "-Infinity", "only finite numbers");
    refuse(
      { title: "two readers", inputs: [[2, 3]], out: [2, 3], floats: [bools("c", [2, 3], [1, 0, 0, 0, 0, 0]), floats("k", [], [NEG_INF])],
        nodes: [{ op: "Where", inputs: ["c", "k", "x0"], outputs: ["w"] }, { op: "Softmax", inputs: ["w"], outputs: ["s"] }, { op: "Add", inputs: ["s", "w"] }] },
      'Where node "n0_where"', "-Infinity",
    );
  });

  it("a computed condition", () => {
    refuse(
      { title: "computed", inputs: [[2, 3]], floats: [floats("z", [], [0]), floats("k", [], [NEG_INF])],
        nodes: [{ op: "Greater", inputs: ["x0", "z"], outputs: ["g"] }, { op: "Where", inputs: ["g", "k", "x0"], outputs: ["w"] }, { op: "Softmax", inputs: ["w"] }] },
      'Where node "n1_where"', "-Infinity",
    );
  });
});

// GELU fusion

const S2 = Math.fround(Math.SQRT2);
const geluW = floats("W", [4, 6], onGrid(rng(11), 24, -1, 1));
const GELUS: { title: string; nodes: OpCase["nodes"]; extra?: ReturnType<typeof floats>[] }[] = [
  {
    title: "torch: Mul(x, 1 + erf(x / sqrt 2)) * 0.5",
    nodes: [
      { op: "Div", inputs: ["h", "s2"], outputs: ["d"] }, { op: "Erf", inputs: ["d"], outputs: ["e"] }, { op: "Add", inputs: ["e", "one"], outputs: ["a"] },
      { op: "Mul", inputs: ["h", "a"], outputs: ["p"] }, { op: "Mul", inputs: ["p", "half"] },
    ],
  },
  {
    title: "x * ((1 + erf(x * (1/sqrt 2))) * 0.5), operands swapped",
    nodes: [
      { op: "Mul", inputs: ["is2", "h"], outputs: ["d"] }, { op: "Erf", inputs: ["d"], outputs: ["e"] }, { op: "Add", inputs: ["one", "e"], outputs: ["a"] },
      { op: "Mul", inputs: ["half", "a"], outputs: ["p"] }, { op: "Mul", inputs: ["h", "p"] },
    ],
  },
  {
    title: "(x * 0.5) * (1 + erf(x / sqrt 2))",
    nodes: [
      { op: "Mul", inputs: ["h", "half"], outputs: ["p"] }, { op: "Div", inputs: ["h", "s2"], outputs: ["d"] }, { op: "Erf", inputs: ["d"], outputs: ["e"] },
      { op: "Add", inputs: ["e", "one"], outputs: ["a"] }, { op: "Mul", inputs: ["p", "a"] },
    ],
  },
];

describe("GELU fusion (PyTorch's erf GELU -> one Gelu node)", function () {
  this.timeout(600_000);
  const dir = tmpDir("fuse-gelu");
  const geluCase = (nodes: OpCase["nodes"], s2 = S2): OpCase => ({
    title: "gelu", inputs: [[2, 4]], out: [2, 6],
    floats: [geluW, floats("s2", [], [s2]), floats("is2", [1], [Math.fround(Math.SQRT1_2)]), floats("one", [], [1]), floats("half", [], [0.5])].filter((f) =>
      f.name === "W" || nodes.some((n) => n.inputs.includes(f.name)),
    ),
    nodes: [{ op: "MatMul", inputs: ["x0", "W"], outputs: ["h"] }, ...nodes],
  });

  GELUS.forEach((g, k) => {
    it(`${g.title}: one Gelu, fewer constraints, matches onnxruntime`, async () => {
      const bytes = buildCase(geluCase(g.nodes));
      const file = path.join(dir, `gelu${k}.onnx`);
      fs.writeFileSync(file, bytes);
      const fused = importOnnx(bytes, g.title);
      const unfused = importOnnx(bytes, g.title, { fuseGelu: false });
      expect(fused.nodes.map((n) => n.op).join(" ")).to.equal("MatMul Gelu");
      expect(unfused.nodes.map((n) => n.op)).to.include("Erf");
      const cost = (graph: typeof fused) => estimateConstraints(quantizeModel(graph, QUANT).sites, 8, QUANT.inputBits);
      const [a, b] = [cost(fused), cost(unfused)];
      expect(a, `fused ${a} vs unfused ${b}`).to.be.below(b);
      let worst = 0;
      for (const seed of [1, 2, 3]) {
        const values = [onGrid(rng(seed + 10 * k), 8)];
        const [expected] = await runOnnxRuntime(file, fused.inputs, values);
        const run = runQuantized(fused, values);
        run.outputs[0].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
        expectWithinBounds(run.model, run.qInputs);
      }
      expect(worst).to.be.at.most(4 * STEP + F32);
      REPORT.push(`GELU ${g.title}: constraints (estimate) ${b} -> ${a}, worst |err| ${worst.toExponential(2)}`);
      if (k === 0) {
        const circuit = await modelCircuit("gelu", file, QUANT);
        expect(circuit.r1cs.nConstraints).to.be.at.most(a);
        const q = quantizeInputs([onGrid(rng(3), 8)], circuit.built.graph.inputs, QUANT);
        const w = await circuit.witness(modelWitnessInput(circuit.built.layout, q.flat()));
        expect(unsatisfiedConstraints(circuit.r1cs, w)).to.deep.equal([]);
        const { outputs } = circuit.built.layout;
        expect(unpackWords(w.slice(1 + outputs.offset, 1 + outputs.offset + outputs.count), outputs.packing)).to.deep.equal(evaluateQuantized(circuit.built.qmodel, q).flatMap((v) => v.data));
      }
    });
  });

  it("is not fused when a constant is off (sqrt 2 replaced by 1.5) or an intermediate has another reader", () => {
    expect(importOnnx(buildCase(geluCase(GELUS[0].nodes, 1.5)), "off").nodes.map((n) => n.op)).to.include("Erf");
    const shared = geluCase([...GELUS[0].nodes.slice(0, 4), { op: "Add", inputs: ["p", "e"] }]);
    expect(importOnnx(buildCase(shared), "shared").nodes.map((n) => n.op)).to.include("Erf");
  });
});
