import { expect } from "chai";
import { GraphSpec } from "../../src/onnx/writer";
import { Graph } from "../../src/ir/graph";
import { acceptedError, calibrate, calibrationSamples, FloatReference } from "../../src/quantize/calibrate";
import { importSpec, rng } from "./helpers";

/**
 * Calibration picks the smallest scale within the target, refuses scales the inputs do not fit,
 * keeps a user's scale, and reports max error, relative error and argmax agreement.
 */

// y = x @ W + b with weights that are not multiples of any power of two, so coarse scales are inexact.
const W = [0.3141, -0.2718, 0.1414, 0.5772, -0.6931, 0.1618];
const B = [0.0123, -0.0456];
const spec: GraphSpec = {
  name: "affine",
  inputs: [{ name: "x", dims: [1, 3] }],
  outputs: [{ name: "y", dims: [1, 2] }],
  initializers: [{ name: "W", dims: [3, 2], data: W }, { name: "B", dims: [2], data: B }],
  nodes: [{ name: "gemm", opType: "Gemm", inputs: ["x", "W", "B"], outputs: ["y"] }],
};

// An independent float reference (what onnxruntime computes for this graph).
const reference: FloatReference = async (batch) =>
  batch.map(([x]) => [[0, 1].map((n) => x.reduce((acc, v, k) => acc + Math.fround(v) * Math.fround(W[k * 2 + n]), Math.fround(B[n])))]);

describe("calibration", () => {
  let graph: Graph;
  before(() => (graph = importSpec(spec)));

  it("picks the smallest scale whose error is within the target, and reports it", async () => {
    const samples = calibrationSamples(graph, [], 32, rng(1));
    const { model, report } = await calibrate(graph, { inputBits: 24, samples, reference });
    expect(report.withinTarget).to.equal(true);
    expect(report.maxAbsError).to.be.at.most(acceptedError(report.outputRange));
    expect(model.quant.scaleBits).to.equal(report.scaleBits);
    // Every smaller scale tried was rejected for its error.
    const below = report.tried.filter((t) => t.scaleBits < report.scaleBits);
    expect(below.length).to.be.greaterThan(0);
    for (const t of below) expect(t.maxAbsError!).to.be.greaterThan(acceptedError(report.outputRange));
    expect(report.argmaxAgreement).to.be.a("number");
    expect(report.samples).to.equal(32);
  });

  it("a tighter target needs a finer scale", async () => {
    const samples = calibrationSamples(graph, [], 16, rng(2));
    const loose = await calibrate(graph, { inputBits: 24, samples, reference, target: 0.02 });
    const tight = await calibrate(graph, { inputBits: 24, samples, reference, target: 0.0002 });
    expect(tight.report.scaleBits).to.be.greaterThan(loose.report.scaleBits);
  });

  it("never picks a scale at which the calibration inputs overflow the input range", async () => {
    // Inputs up to 100 need 8 integer bits: with 16-bit inputs the scale can be at most 8.
    const big = [[[100, -100, 50]]];
    const samples = calibrationSamples(graph, big, 8, rng(3));
    const { report } = await calibrate(graph, { inputBits: 16, samples, reference, target: 1e-9 });
    expect(report.scaleBits).to.be.at.most(8);
    expect(report.withinTarget).to.equal(false);
    expect(report.tried.some((t) => t.rejected?.includes("input range"))).to.equal(true);
  });

  it("keeps a given scale and still measures its fidelity", async () => {
    const samples = calibrationSamples(graph, [], 8, rng(4));
    const { report } = await calibrate(graph, { inputBits: 24, samples, reference, scales: [5] });
    expect(report.scaleBits).to.equal(5);
    expect(report.maxAbsError).to.be.greaterThan(0);
  });

  it("random samples are drawn from the range the given inputs span", () => {
    const samples = calibrationSamples(graph, [[[2, 3, 4]]], 50, rng(5));
    expect(samples).to.have.length(50);
    for (const s of samples) for (const v of s[0]) expect(v).to.be.within(2, 4);
  });
});
