import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { GraphSpec, NodeSpec } from "../../scripts/lib/onnx-writer";
import { importOnnx } from "../../src/onnx/import";
import { SiteInfo } from "../../src/ops/domain";
import { EXP_NONPOSITIVE, EXPM1_NONPOSITIVE, ERF, erf, piecewise, piecewiseErrorBound, PiecewiseSpec, SIGMOID, TANH } from "../../src/ops/piecewise";
import { IntegerDomain } from "../../src/quantize/evaluate";
import { IntervalDomain } from "../../src/quantize/interval";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { encodeWith, expectWithinBounds, randomInputs, rng, runQuantized } from "./helpers";

const S = 12;
const site: SiteInfo = { node: "t", index: 0 };

/** The approximation at every `stride`-th input step of [from, to] (plus the far tails), at scale S. */
function sweep(spec: PiecewiseSpec, from: number, to: number, stride: number): { x: number; approx: number }[] {
  const bounds = new IntervalDomain();
  piecewise(bounds, spec, { lo: -(1n << 40n), hi: 1n << 40n }, S, site);
  const out: { x: number; approx: number }[] = [];
  const lo = Math.round(from * 2 ** S);
  const hi = Math.round(to * 2 ** S);
  const points: number[] = [];
  for (let q = lo; q <= hi; q += stride) points.push(q);
  points.push(hi, -(2 ** 30), 2 ** 30);
  for (const q of points) {
    const dom = new IntegerDomain(bounds.sites);
    out.push({ x: q / 2 ** S, approx: Number(piecewise(dom, spec, BigInt(q), S, site)) / 2 ** S });
  }
  return out;
}

describe("piecewise-linear activations: documented error bounds", () => {
  const specs: [PiecewiseSpec, number, number][] = [
    [SIGMOID, -20, 20],
    [TANH, -10, 10],
    [ERF, -6, 6],
    [EXP_NONPOSITIVE, -20, 0],
    [EXPM1_NONPOSITIVE, -20, 0],
  ];
  for (const [spec, from, to] of specs) {
    it(`${spec.name}: within ${piecewiseErrorBound(spec, S).toExponential(2)} of the float function over [${from}, ${to}] and beyond`, () => {
      const bound = piecewiseErrorBound(spec, S);
      // The bound is what the docs promise: a few output steps at 2^-12.
      expect(bound).to.be.below(2 ** -9);
      let worst = 0;
      for (const { x, approx } of sweep(spec, from, to, 5)) {
        const exact = spec.name === "exp" || spec.name === "expm1" ? spec.f(Math.min(x, 0)) : spec.f(x);
        worst = Math.max(worst, Math.abs(approx - exact));
      }
      expect(worst).to.be.at.most(bound);
      // ...and the bound is not vacuous: the approximation really is inexact somewhere.
      expect(worst).to.be.greaterThan(0);
    });
  }

  it("the table is exact at the grid points that matter: exp(0) = 1, sigmoid(0) = 1/2, tanh(0) = 0", () => {
    const at = (spec: PiecewiseSpec, x: number) => sweep(spec, x, x, 1)[0].approx;
    expect(at(EXP_NONPOSITIVE, 0)).to.equal(1);
    expect(at(SIGMOID, 0)).to.equal(0.5);
    expect(at(TANH, 0)).to.equal(0);
    expect(at(EXPM1_NONPOSITIVE, 0)).to.equal(0);
  });

  it("erf (used to fill tables) matches known values", () => {
    expect(erf(0)).to.equal(0);
    expect(erf(1)).to.be.closeTo(0.8427007929, 2e-7);
    expect(erf(-0.5)).to.be.closeTo(-0.5204998778, 2e-7);
  });
});

// ---------------------------------------------------------------------------------------------
// Each op against onnxruntime, through the quantized evaluator, with the bounds pass checked.

interface OpCase {
  title: string;
  node: Omit<NodeSpec, "name" | "inputs" | "outputs"> & { extraInputs?: string[] };
  dims: number[];
  opset?: number;
  initializers?: GraphSpec["initializers"];
  tol: number;
  range?: [number, number];
}

const CASES: OpCase[] = [
  { title: "Sigmoid", node: { opType: "Sigmoid" }, dims: [2, 8], tol: piecewiseErrorBound(SIGMOID, S) + 2 ** -11, range: [-12, 12] },
  { title: "Tanh", node: { opType: "Tanh" }, dims: [2, 8], tol: piecewiseErrorBound(TANH, S) + 2 ** -10, range: [-6, 6] },
  { title: "Erf", node: { opType: "Erf" }, dims: [2, 8], tol: piecewiseErrorBound(ERF, S) + 2 ** -10 },
  { title: "Elu alpha=1", node: { opType: "Elu" }, dims: [16], tol: 2 ** -9 },
  { title: "Elu alpha=0.5", node: { opType: "Elu", attributes: { alpha: { f: 0.5 } } }, dims: [16], tol: 2 ** -9 },
  { title: "LeakyRelu default alpha", node: { opType: "LeakyRelu" }, dims: [16], tol: 2 ** -9 },
  { title: "LeakyRelu alpha=0.2", node: { opType: "LeakyRelu", attributes: { alpha: { f: 0.2 } } }, dims: [16], tol: 2 ** -9 },
  {
    title: "PRelu with a per-channel slope",
    node: { opType: "PRelu", extraInputs: ["slope"] },
    dims: [1, 3, 4],
    initializers: [{ name: "slope", dims: [3, 1], data: [0.1, 0.25, -0.5] }],
    tol: 2 ** -9,
  },
  { title: "Softmax opset 11 (2-D coercion at axis 1)", node: { opType: "Softmax" }, dims: [2, 3, 4], opset: 11, tol: 2 ** -8 },
  { title: "Softmax opset 13 default axis -1", node: { opType: "Softmax" }, dims: [2, 3, 4], opset: 13, tol: 2 ** -8 },
  { title: "Softmax opset 13 axis 1", node: { opType: "Softmax", attributes: { axis: { i: 1 } } }, dims: [2, 3, 4], opset: 13, tol: 2 ** -8 },
  { title: "Gelu (opset 20)", node: { opType: "Gelu" }, dims: [16], opset: 20, tol: 2 ** -8 },
];

describe("activation ops match onnxruntime", () => {
  let dir: string;
  const rand = rng(4242);
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-act-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  CASES.forEach((c, k) => {
    it(c.title, async () => {
      const { extraInputs, ...node } = c.node;
      const spec: GraphSpec = {
        name: c.title,
        opset: c.opset ?? 13,
        inputs: [{ name: "x", dims: c.dims }],
        outputs: [{ name: "y", dims: c.dims }],
        initializers: c.initializers ?? [],
        nodes: [{ name: "act", inputs: ["x", ...(extraInputs ?? [])], outputs: ["y"], ...node }],
      };
      const bytes = encodeWith(spec);
      const file = path.join(dir, `act${k}.onnx`);
      fs.writeFileSync(file, bytes);
      const graph = importOnnx(bytes, file);
      const [lo, hi] = c.range ?? [-4, 4];
      for (let trial = 0; trial < 3; trial++) {
        const inputs = randomInputs(graph, rand, lo, hi);
        const [expected] = await runOnnxRuntime(file, graph.inputs, inputs);
        const run = runQuantized(graph, inputs);
        const worst = Math.max(...run.outputs[0].map((v, i) => Math.abs(v - expected[i])));
        expect(worst, c.title).to.be.at.most(c.tol);
        expectWithinBounds(run.model, run.qInputs);
      }
    });
  });
});
