import { expect } from "chai";
import fs from "fs";
import path from "path";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { GraphSpec } from "../../src/onnx/writer";
import { compileModel } from "../../src/pipeline/compile";
import { quantizeInputs } from "../../src/pipeline/input";
import { proveModel, verifyModelProof } from "../../src/pipeline/prove";
import { modelWitnessInput } from "../../src/privacy/layout";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { calibrateInputRange, calibrateWidths } from "../../src/quantize/calibrate";
import { widthKey, widthOf } from "../../src/quantize/interval";
import { modelCircuit, tmpDir } from "../circuit/helpers";
import { encodeWith, expectWithinBounds, expectZkmlError, importSpec, rng } from "./helpers";
import { expectCircuitMatchesEvaluator, expectEverySingleWireChangeBreaks } from "./op-checks";

/**
 * Calibrated widths (QuantParams.widths): a node's rescale/ReLU checks narrowed to what the calibration
 * inputs reach, times a margin. The checks enforce the narrower width, so the bounds after them shrink for
 * every witness; an input beyond it is refused, never wrapped.
 */

// x (8) -> Gemm 8x6 -> Relu -> Gemm 6x6 -> Relu -> Gemm 6x2: the worst case over 12-bit inputs is far
// wider than inputs in [0, 0.25] ever reach.
const rand = rng(2121);
const w = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
const spec: GraphSpec = {
  name: "mlp",
  inputs: [{ name: "x", dims: [1, 8] }],
  outputs: [{ name: "y", dims: [1, 2] }],
  initializers: [
    { name: "W1", dims: [8, 6], data: w(48) },
    { name: "W2", dims: [6, 6], data: w(36) },
    { name: "W3", dims: [6, 2], data: w(12) },
  ],
  nodes: [
    { name: "fc1", opType: "MatMul", inputs: ["x", "W1"], outputs: ["h1"] },
    { name: "relu1", opType: "Relu", inputs: ["h1"], outputs: ["r1"] },
    { name: "fc2", opType: "MatMul", inputs: ["r1", "W2"], outputs: ["h2"] },
    { name: "relu2", opType: "Relu", inputs: ["h2"], outputs: ["r2"] },
    { name: "fc3", opType: "MatMul", inputs: ["r2", "W3"], outputs: ["y"] },
  ],
  opset: 13,
};
const QUANT = { scaleBits: 8, inputBits: 12 };
const sample = (hi: number) => [Array.from({ length: 8 }, () => Math.round(rand() * hi * 256) / 256)];

describe("calibrated widths", () => {
  const graph = importSpec(spec);
  const samples = Array.from({ length: 40 }, () => sample(0.25));
  const widths = calibrateWidths(graph, QUANT, samples, 2);
  const worst = quantizeModel(graph, QUANT);
  const model = quantizeModel(graph, { ...QUANT, widths });

  it("narrow each ReLU to the calibration's largest value times the margin, and the checks after them too", () => {
    for (const node of ["relu1", "relu2"]) {
      const wide = worst.sites.filter((s) => s.node === node);
      const narrow = model.sites.filter((s) => s.node === node);
      // One width per neuron ([1, 6] outputs: a plane of 1, 6 channels), each its own calibration's.
      expect(widths[widthKey(node, "rescaleRelu")]).to.have.property("plane", 1);
      expect(narrow.every((s) => s.calibrated && s.width === widthOf(widths[widthKey(node, s.kind)], s.index))).to.equal(true);
      expect(Math.max(...narrow.map((s) => s.width)), node).to.be.lessThan(Math.min(...wide.map((s) => s.width)));
    }
    // The output rescale's bound follows the narrowed ReLUs even where its own cap is no narrower.
    const out = (m: typeof model) => m.outputBounds.map((b) => b.hi - b.lo);
    out(model).forEach((d, i) => expect(d < out(worst)[i], `output ${i}`).to.equal(true));
  });

  it("give the same outputs as the worst-case widths for inputs within them, inside the narrowed bounds", () => {
    for (let k = 0; k < 10; k++) {
      const q = quantizeInputs(sample(0.25), graph.inputs, QUANT);
      expect(evaluateQuantized(model, q)[0].data).to.deep.equal(evaluateQuantized(worst, q)[0].data);
      expectWithinBounds(model, q);
    }
  });

  it("refuse an input beyond them with an error naming the node and the calibrated width", () => {
    const q = quantizeInputs([new Array(8).fill(7.5)], graph.inputs, QUANT);
    expect(() => evaluateQuantized(worst, q)).to.not.throw();
    expectZkmlError(() => evaluateQuantized(model, q), "calibrated", "relu");
  });

  it("a margin below 1 is refused", () => {
    expectZkmlError(() => calibrateWidths(graph, QUANT, samples, 0.5), "margin");
  });

  it("in the circuit: equal to the evaluator, every single-wire change breaks it, and an input beyond them has no witness", async function () {
    this.timeout(300_000);
    const dir = tmpDir("calibrated-widths");
    const file = path.join(dir, "mlp.onnx");
    fs.writeFileSync(file, encodeWith(spec));
    const circuit = await modelCircuit("calibrated_widths", file, { ...QUANT, widths });
    expect(circuit.built.qmodel.sites.some((s) => s.calibrated)).to.equal(true);
    const honest = await expectCircuitMatchesEvaluator(circuit, [sample(0.25), sample(0.25), sample(0.25)], { ...QUANT, widths });
    expectEverySingleWireChangeBreaks(circuit, honest);
    // The witness generator runs the constraints: an input whose ReLU exceeds its calibrated width fails them.
    const q = quantizeInputs([new Array(8).fill(7.5)], graph.inputs, QUANT);
    let failed = false;
    try {
      const wit = await circuit.witness(modelWitnessInput(circuit.built.layout, q.flat()));
      failed = unsatisfiedConstraints(circuit.r1cs, wit).length > 0;
    } catch {
      failed = true;
    }
    expect(failed, "an input beyond the calibrated widths must not be provable").to.equal(true);
  });
});

describe("an unsigned input range from the data (QuantParams.inputUnsigned, calibrateInputRange)", () => {
  const graph = importSpec(spec);
  const samples = Array.from({ length: 20 }, () => sample(1));
  const range = calibrateInputRange(graph, [...samples, [new Array(8).fill(1)]], QUANT.scaleBits);
  const quant = { scaleBits: QUANT.scaleBits, ...range };

  it("[0, 1] at 2^8 is 0..256: 9 unsigned bits where the signed range would need 10", () => {
    expect(range).to.deep.equal({ inputBits: 9, inputUnsigned: true });
    expect(calibrateInputRange(graph, [[new Array(8).fill(-0.5)], [new Array(8).fill(1)]], QUANT.scaleBits)).to.deep.equal({ inputBits: 10 });
  });

  it("bounds start from [0, 2^9 - 1], and the evaluator stays inside them", () => {
    const model = quantizeModel(graph, quant);
    const signed = quantizeModel(graph, { scaleBits: QUANT.scaleBits, inputBits: 10 });
    expect(model.sites.reduce((n, s) => n + s.width, 0)).to.be.lessThan(signed.sites.reduce((n, s) => n + s.width, 0));
    for (const s of samples) expectWithinBounds(model, quantizeInputs(s, graph.inputs, quant));
  });

  it("refuses a negative input, or one above the range, naming the range", () => {
    expectZkmlError(() => quantizeInputs([[-0.01, 0, 0, 0, 0, 0, 0, 0]], graph.inputs, quant), "outside the provable range", "[0, 1.99609375]", "unsigned");
    expectZkmlError(() => quantizeInputs([[2, 0, 0, 0, 0, 0, 0, 0]], graph.inputs, quant), "outside the provable range");
  });

  it("in the circuit: equal to the evaluator, every single-wire change breaks it, a negative input has no witness", async function () {
    this.timeout(300_000);
    const dir = tmpDir("unsigned-inputs");
    const file = path.join(dir, "mlp.onnx");
    fs.writeFileSync(file, encodeWith(spec));
    const circuit = await modelCircuit("unsigned_inputs", file, quant);
    const honest = await expectCircuitMatchesEvaluator(circuit, samples.slice(0, 3), quant);
    expectEverySingleWireChangeBreaks(circuit, honest);
    let failed = false;
    try {
      const wit = await circuit.witness(modelWitnessInput(circuit.built.layout, [-1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]));
      failed = unsatisfiedConstraints(circuit.r1cs, wit).length > 0;
    } catch {
      failed = true;
    }
    expect(failed, "a negative input must not be provable").to.equal(true);
  });
});

describe("compiled with inputUnsigned and widthMargin: the manifest keeps the widths, proofs verify, inputs beyond them are refused", () => {
  it("compile -> prove -> verify, then a refused input", async function () {
    this.timeout(600_000);
    const dir = tmpDir("calibrated-pipeline");
    const file = path.join(dir, "mlp.onnx");
    fs.writeFileSync(file, encodeWith(spec));
    const inputs = Array.from({ length: 8 }, () => ({ input_data: sample(0.25) }));
    const compiled = await compileModel({
      name: "calibrated_mlp",
      onnx: file,
      buildDir: path.join(dir, "build"),
      quant: { scaleBits: 8, inputBits: 9, inputUnsigned: true, widthMargin: 2 },
      calibration: { inputs, samples: 40 },
      prover: "snarkjs",
      log: () => undefined,
    });
    const q = compiled.manifest.quant;
    expect(q.inputUnsigned).to.equal(true);
    expect(Object.keys(q.widths ?? {})).to.include(widthKey("relu1", "rescaleRelu"));
    const r = await proveModel(compiled.dir, inputs[0], { reference: false, prover: "snarkjs" });
    expect((await verifyModelProof(compiled.dir, r.proof, r.publicSignals, { prover: "snarkjs" })).valid).to.equal(true);
    // Calibration drew from [0, 0.25]; all 1.9 is far beyond the margin.
    await proveModel(compiled.dir, { input_data: [new Array(8).fill(1.9)] }, { reference: false, prover: "snarkjs" }).then(
      () => expect.fail("an input beyond the calibrated widths was proven"),
      (e: Error) => expect(e.message).to.match(/calibrated/),
    );
  });
});

