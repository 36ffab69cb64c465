import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { GraphSpec, NodeSpec } from "../../src/onnx/writer";
import { importOnnx } from "../../src/onnx/import";
import { SiteInfo } from "../../src/ops/domain";
import { decompose, EXP_NEGATIVE, EXPM1_NEGATIVE, ERF, erf, FunctionSpec, lookup, lookupCost, PHI, polyTable, SIGMOID, TableMode, TANH } from "../../src/ops/piecewise";
import { IntegerDomain } from "../../src/quantize/evaluate";
import { estimateConstraints } from "../../src/gadgets";
import { IntervalDomain } from "../../src/quantize/interval";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { quantizeModel } from "../../src/quantize";
import { deferrable } from "../../src/quantize/run";
import { activationChainSpec } from "../circuit/activation-chain-model";
import { encodeWith, expectWithinBounds, QUANT, randomInputs, rng, runQuantized } from "./helpers";

const S = 12;
const site: SiteInfo = { node: "t", index: 0 };
const SPECS: FunctionSpec[] = [SIGMOID, TANH, ERF, PHI, EXP_NEGATIVE, EXPM1_NEGATIVE];
const MODES: TableMode[] = ["rounded", "fine"];

/**
 * f at every `stride`-th input step of [from, to] (plus far beyond), through decompose + lookup in
 * the exact evaluator, for an input at scale `xScale` (a pending rescale when above S).
 */
function sweep(spec: FunctionSpec, mode: TableMode, from: number, to: number, stride: number, xScale = S): { x: number; approx: number }[] {
  const bounds = new IntervalDomain();
  const wide = { lo: -(1n << BigInt(28 + xScale)), hi: 1n << BigInt(28 + xScale) };
  lookup(bounds, spec, decompose(bounds, wide, xScale, S, site), mode, site);
  const points: bigint[] = [];
  for (let q = Math.round(from * 2 ** xScale); q <= to * 2 ** xScale; q += stride) points.push(BigInt(q));
  points.push(-(1n << BigInt(27 + xScale)), (1n << BigInt(27 + xScale)) - 1n);
  return points.map((q) => {
    const dom = new IntegerDomain(bounds.sites);
    const r = lookup(dom, spec, decompose(dom, q, xScale, S, site), mode, site);
    return { x: Number(q) / 2 ** xScale, approx: Number(r.v) / 2 ** r.scale };
  });
}

/** What the op computes: a one-sided table gives 0 for x >= 0 (the caller's branch). */
function expected(spec: FunctionSpec, x: number): number {
  return spec.domain === "negative" && x >= 0 ? 0 : spec.f(x);
}

describe("piecewise-polynomial activations: documented error bounds", () => {
  for (const spec of SPECS)
    for (const mode of MODES) {
      it(`${spec.name} (${mode}): every input step of the range within ${polyTable(spec, S, mode).bound.toExponential(2)}, and the same through the domains`, () => {
        const table = polyTable(spec, S, mode);
        // The bound is what the docs promise: a few output steps at 2^-12 (the old tables' were 6e-4 to 1e-3).
        expect(table.bound).to.be.below(2 ** -9);
        // The table checked every input step of the range exactly as the circuit computes it.
        expect(table.maxError).to.be.at.most(table.bound);
        // ...and the bound is not vacuous: within a factor 8 of the truth.
        expect(table.maxError).to.be.greaterThan(table.bound / 8);
        const R = 2 ** spec.log2Range;
        let worst = 0;
        for (const { x, approx } of sweep(spec, mode, -R - 2, R + 2, 7)) worst = Math.max(worst, Math.abs(approx - expected(spec, x)));
        expect(worst).to.be.at.most(table.bound);
      });
    }

  it("the bound holds at coarser and finer scales too (every input step checked)", () => {
    for (const scale of [6, 9, 14])
      for (const spec of SPECS)
        for (const mode of MODES) {
          const table = polyTable(spec, scale, mode);
          expect(table.maxError, `${spec.name} ${mode} at 2^${scale}`).to.be.at.most(table.bound);
        }
  });

  it("a pending rescale is done by the same decomposition: a 2^24 input rounds half up first", () => {
    for (const spec of [SIGMOID, EXPM1_NEGATIVE]) {
      const direct = sweep(spec, "rounded", -3, 1, 37);
      const pending = sweep(spec, "rounded", -3, 1, 37 * 4096, 24);
      expect(direct.length).to.be.greaterThan(300);
      expect(pending.map((p) => p.approx)).to.deep.equal(direct.map((p) => p.approx));
      // Half a step below a rounding boundary goes down, at it goes up.
      const at = (q: bigint) => {
        const b = new IntervalDomain();
        lookup(b, spec, decompose(b, { lo: -(1n << 40n), hi: 1n << 40n }, 24, S, site), "rounded", site);
        const d = new IntegerDomain(b.sites);
        return lookup(d, spec, decompose(d, q, 24, S, site), "rounded", site).v;
      };
      const one = (k: bigint) => at(k << 12n);
      expect(at((-5n << 12n) + 2047n)).to.equal(one(-5n));
      expect(at((-5n << 12n) + 2048n)).to.equal(one(-4n));
    }
  });

  it("exact where it matters: sigmoid(0) = 1/2, tanh(0) = erf(0) = 0 (0 is a node of its segment), and the limits far out", () => {
    const at = (spec: FunctionSpec, mode: TableMode, x: number) => sweep(spec, mode, x, x, 1)[0].approx;
    for (const mode of MODES) {
      // At a node only the integer coefficients' rounding is left, which "rounded" rounds away.
      const slack = (spec: FunctionSpec) => {
        const t = polyTable(spec, S, mode);
        if (mode === "rounded") return 0;
        let sum = 0;
        for (let k = 0; k <= t.degree; k++) sum += 2 ** (k * (t.fracBits - 1));
        return (sum * 2 ** -(S + t.precision)) / 2;
      };
      expect(at(SIGMOID, mode, 0)).to.be.closeTo(0.5, slack(SIGMOID));
      expect(at(TANH, mode, 0)).to.be.closeTo(0, slack(TANH));
      expect(at(ERF, mode, 0)).to.be.closeTo(0, slack(ERF));
      expect(at(PHI, mode, 0)).to.be.closeTo(0.5, slack(PHI));
      expect(slack(SIGMOID)).to.be.below(2 ** -(S + 2));
      expect(at(EXPM1_NEGATIVE, mode, -1000)).to.equal(-1);
      expect(at(SIGMOID, mode, 1000)).to.equal(1);
      expect(at(TANH, mode, -1000)).to.equal(-1);
    }
  });

  it("cost: the lookup costs what lookupCost says, far below the old 2^t-product tables", () => {
    for (const spec of SPECS)
      for (const mode of MODES) {
        const b = new IntervalDomain();
        const x = decompose(b, { lo: -(1n << 39n), hi: 1n << 39n }, 24, S, site);
        const afterSplit = b.sites.length;
        lookup(b, spec, x, mode, site);
        const sites = b.sites.slice(afterSplit);
        const cost = estimateConstraints(sites, 0, 0);
        expect(cost, `${spec.name} ${mode}`).to.equal(lookupCost(polyTable(spec, S, mode), b.sites[0].width));
        // The old tables cost about 300 constraints per element at 2^12 on top of the rescale.
        expect(cost).to.be.below(mode === "fine" ? 20 : 90);
      }
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
  { title: "Sigmoid", node: { opType: "Sigmoid" }, dims: [2, 8], tol: polyTable(SIGMOID, S, "rounded").bound + 2 ** -11, range: [-12, 12] },
  { title: "Tanh", node: { opType: "Tanh" }, dims: [2, 8], tol: polyTable(TANH, S, "rounded").bound + 2 ** -10, range: [-6, 6] },
  { title: "Erf", node: { opType: "Erf" }, dims: [2, 8], tol: polyTable(ERF, S, "rounded").bound + 2 ** -10 },
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

describe("tables left unrounded for the linear layer after them", () => {
  it("Elu and Tanh feeding narrower linear layers stay fine; the next rescale absorbs the rounding, within the propagated bounds", async () => {
    const spec = activationChainSpec();
    const bytes = encodeWith(spec);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-"));
    const file = path.join(dir, "chain.onnx");
    fs.writeFileSync(file, bytes);
    const graph = importOnnx(bytes, file);
    expect([...deferrable(graph)].sort()).to.deep.equal(["elu", "elu_half", "tanh"]);
    const model = quantizeModel(graph, QUANT);
    // No rescale inside the deferred tables; the Sigmoid's decomposition rescales by the weight
    // scale plus the Elu table's precision.
    for (const node of ["elu", "elu_half", "tanh"]) expect(model.sites.filter((s) => s.node === node && s.kind === "rescale")).to.deep.equal([]);
    const sigShift = model.sites.find((s) => s.node === "sig" && s.kind === "split")!.shift;
    expect(sigShift).to.equal(S + polyTable(EXPM1_NEGATIVE, S, "fine").precision);
    const colSum = (name: string, cols: number) => {
      const w = Array.from(spec.initializers!.find((i) => i.name === name)!.data);
      return Math.max(...Array.from({ length: cols }, (_, c) => w.filter((_, i) => i % cols === c).reduce((a, v) => a + Math.abs(v), 0)));
    };
    // Each output's error: its table's bound times the weights it is summed with (Sigmoid's slope
    // <= 1/4 for y1), plus 2^-10 per term for h's own rounding and the input and weight rounding.
    const tol = [
      0.25 * colSum("W2", 4) * (polyTable(EXPM1_NEGATIVE, S, "fine").bound + 2 ** -10) + polyTable(SIGMOID, S, "rounded").bound,
      colSum("W3", 3) * (polyTable(TANH, S, "fine").bound + 2 ** -10) + 2 ** -13,
      colSum("W4", 2) * (0.5 * polyTable(EXPM1_NEGATIVE, S, "fine").bound + 2 ** -10) + 2 ** -13,
    ];
    const rand = rng(77);
    for (let trial = 0; trial < 5; trial++) {
      const inputs = randomInputs(graph, rand, -3, 3);
      const ref = await runOnnxRuntime(file, graph.inputs, inputs);
      const run = runQuantized(graph, inputs, QUANT, model);
      run.outputs.forEach((o, i) => o.forEach((v, j) => expect(Math.abs(v - ref[i][j]), `y${i + 1}[${j}]`).to.be.at.most(tol[i])));
      expectWithinBounds(run.model, run.qInputs);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
