/**
 * Shared checks of the op test files (elementwise, more ops, log/exp, reductions, masked Softmax, signed
 * division): the quantized result against onnxruntime, and the compiled circuit against the evaluator
 * with every single-wire change to a valid witness.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { gadgetConstraints } from "../../src/gadgets";
import { importOnnx } from "../../src/onnx/import";
import { quantizeInputs } from "../../src/pipeline/input";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { BuiltCircuit } from "../../src/pipeline/compile";
import { modelWitnessInput } from "../../src/privacy/layout";
import { unpackWords } from "../../src/privacy/packing";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { modelCircuit, TestCircuit, tmpDir, violatedAfter } from "../circuit/helpers";
import { expectWithinBounds, QUANT, rng, runQuantized } from "./helpers";
import { onGrid, OpCase } from "./op-cases";

const STEP = 2 ** -QUANT.scaleBits;

type Inputs = { shape: number[] }[];
/** Input values for one sample, one flat array per graph input. */
type Sample = number[][];

/** The number of elements of a shape. */
export const elems = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Selects the sites of the op's nodes (named `n<i>_<op>` by buildCase). */
export const ofOp = (op: string) => (s: { node: string }): boolean => s.node.endsWith(`_${op.toLowerCase()}`);

/** `count` samples from `values`, or by default uniform in [-4, 4) on the quantization grid. */
export function randomSamples(inputs: Inputs, rand: () => number, count: number, values?: (rand: () => number) => Sample): Sample[] {
  return Array.from({ length: count }, () => (values ? values(rand) : inputs.map((vi) => onGrid(rand, elems(vi.shape)))));
}

/** Every input element set to `value`. */
export function filledSample(inputs: Inputs, value: number): Sample {
  return inputs.map((vi) => new Array(elems(vi.shape)).fill(value));
}

/** The two ends of the input range: every element at -half, then every element at half - STEP. */
export function inputRangeExtremes(inputs: Inputs): Sample[] {
  const half = 2 ** (QUANT.inputBits - 1) * STEP;
  return [filledSample(inputs, -half), filledSample(inputs, half - STEP)];
}

/** An op case checked against a reference, with the op whose constraints are reported. */
export interface ReferenceCase extends OpCase {
  /** Allowed worst |error| against the reference, absolute. */
  tol: number;
  /** The op whose nodes' sites are counted and whose constraints are reported per output element. */
  op: string;
  /** The float result where onnxruntime has no kernel; default onnxruntime's. */
  reference?: (values: number[][]) => number[];
}

/**
 * Writes the model to `file`, then for seeds 1 to 4 (offset by 100·k) checks the output shape, the worst
 * |quantized - reference| against `c.tol`, and the static bounds. Returns the worst error.
 */
export async function expectMatchesReference(c: ReferenceCase, k: number, bytes: Buffer, file: string): Promise<number> {
  fs.writeFileSync(file, bytes);
  const graph = importOnnx(bytes, c.title);
  expect(graph.outputs[0].shape).to.deep.equal(c.out);
  const model = quantizeModel(graph, QUANT);
  if (c.sites !== undefined) expect(model.sites.filter(ofOp(c.op)).length, "sites").to.equal(c.sites);
  let worst = 0;
  for (const seed of [1, 2, 3, 4]) {
    const [values] = randomSamples(graph.inputs, rng(seed + 100 * k), 1, c.values);
    const [expected] = c.reference ? [c.reference(values)] : await runOnnxRuntime(file, graph.inputs, values);
    const run = runQuantized(graph, values, QUANT, model);
    expect(run.shapes[0]).to.deep.equal(c.out);
    run.outputs[0].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
    expect(worst, `${c.title}: worst |quantized - onnxruntime| (seed ${seed})`).to.be.at.most(c.tol);
    expectWithinBounds(model, run.qInputs);
  }
  return worst;
}

export type ModelCircuit = TestCircuit & { built: BuiltCircuit };

/**
 * For each sample: quantizes it, computes the witness, asserts no constraint is unsatisfied and the
 * unpacked output words equal the bit-exact evaluator's. Returns the first sample's witness.
 */
export async function expectCircuitMatchesEvaluator(circuit: ModelCircuit, samples: Sample[], quant = QUANT): Promise<bigint[]> {
  const { built } = circuit;
  const { outputs } = built.layout;
  let honest: bigint[] = [];
  for (const floats of samples) {
    const q = quantizeInputs(floats, built.graph.inputs, quant);
    const expected = evaluateQuantized(built.qmodel, q).flatMap((v) => v.data);
    const w = await circuit.witness(modelWitnessInput(built.layout, q.flat()));
    expect(unsatisfiedConstraints(circuit.r1cs, w)).to.deep.equal([]);
    expect(unpackWords(w.slice(1 + outputs.offset, 1 + outputs.offset + outputs.count), outputs.packing)).to.deep.equal(expected);
    if (honest.length === 0) honest = w;
  }
  return honest;
}

/**
 * Changes each public output and each private wire of the valid witness `honest` by +1 and by -1, and
 * asserts every change breaks a constraint (survivors are listed by symbol name). Returns the number of
 * wires mutated.
 */
export function expectEverySingleWireChangeBreaks(circuit: TestCircuit, honest: bigint[]): number {
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
  return mutated.length;
}

export interface OpSuite<C extends ReferenceCase> {
  /** Prefix of each case's circuit name (`<prefix><k>`), and by default of the temporary directory. */
  prefix: string;
  /** Prefix of the temporary directory, when not `prefix`. */
  dir?: string;
  /** Width of the report's case column. */
  width: number;
  /** Header of the report's cost column. */
  costHeader?: string;
  build: (c: C) => Buffer;
  /** Circuit samples after the three random ones and the input range's two ends. */
  moreSamples?: (inputs: Inputs) => Sample[];
}

/**
 * One describe per case: (1) the quantized result against onnxruntime (or `c.reference`) within `c.tol`,
 * within its static bounds; (2) the compiled circuit against the evaluator, and every single-wire change.
 * After the suite, prints each case's worst error and constraints (the op's gadgets per output element,
 * and the whole R1CS).
 */
export function describeOpCases<C extends ReferenceCase>(title: string, cases: C[], suite: OpSuite<C>): void {
  describe(title, function () {
    this.timeout(600_000);
    const dir = tmpDir(suite.dir ?? suite.prefix);
    const report: string[] = [];
    after(() => {
      console.log(`\n      ${"case".padEnd(suite.width)} ${"worst |err|".padEnd(12)} ${suite.costHeader ?? "constraints/elem"} (op gadgets; whole R1CS)`);
      for (const r of report) console.log(`      ${r}`);
    });

    cases.forEach((c, k) => {
      describe(c.title, () => {
        const bytes = suite.build(c);
        const file = path.join(dir, `case${k}.onnx`);
        let worst = 0;

        it(`matches onnxruntime within ${c.tol.toExponential(2)} and stays within its bounds`, async () => {
          worst = await expectMatchesReference(c, k, bytes, file);
        });

        it("the circuit equals the evaluator, and every single-wire change breaks a constraint", async () => {
          const circuit = await modelCircuit(`${suite.prefix}${k}`, file, QUANT);
          const { inputs } = circuit.built.graph;
          const samples = [...randomSamples(inputs, rng(7 * k + 1), 3, c.values), ...inputRangeExtremes(inputs), ...(suite.moreSamples?.(inputs) ?? [])];
          expectEverySingleWireChangeBreaks(circuit, await expectCircuitMatchesEvaluator(circuit, samples));

          const opCost = circuit.built.qmodel.sites.filter(ofOp(c.op)).reduce((n, s) => n + gadgetConstraints(s), 0);
          report.push(`${c.title.slice(0, suite.width).padEnd(suite.width)} ${worst.toExponential(2).padEnd(12)} ${(opCost / elems(c.out)).toFixed(1)}; ${circuit.r1cs.nConstraints} total`);
        });
      });
    });
  });
}
