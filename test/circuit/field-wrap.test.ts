import { expect } from "chai";
import fs from "fs";
import { checkFieldWrap, FieldWrapChecker, HALF_P_BITS, outputsOutsideDigit } from "../../src/audit/field-wrap";
import { auditCircuit } from "../../src/audit";
import { Constraint, constraintsByWire, R1cs } from "../../src/backend/r1cs";
import { buildBody } from "../../src/emit/r1cs";
import { Terms } from "../../src/gadgets";
import { size } from "../../src/ir/graph";
import { CircuitProgram, LinExpr, lowerModel } from "../../src/lower";
import { importOnnx } from "../../src/onnx/import";
import { buildCircuit, CIRCOMLIB_DIR, CIRCUIT_LIB_DIR, wrapFacts } from "../../src/pipeline/compile";
import { weightForgeries } from "../../src/audit/weight-forgeries";
import { compileCircuit, computeWitness } from "../../src/backend/circom";
import { emitCircom } from "../../src/emit/circom";
import { modelWitnessInput, SignalLayout, signalLayout } from "../../src/privacy/layout";
import path from "path";
import { packWords, unpackWords } from "../../src/privacy/packing";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import { quantizeModel } from "../../src/quantize";
import { paramBits, signedRange, signedWidth } from "../../src/numeric/fixed-point";
import { FIELD_MODULUS, toField } from "../../src/numeric/field";
import { IntervalDomain } from "../../src/quantize/interval";
import { ParamTable, runGraph } from "../../src/quantize/run";
import { GraphSpec, NodeSpec } from "../../src/onnx/writer";
import { encodeWith, expectZkmlError, f32, importSpec } from "../unit/helpers";
import { MODELS_DIR, rng, sharedModel, tmpDir } from "./helpers";

/**
 * Issue 14: the field-wrap checker (src/audit/field-wrap.ts) and the two forgeries it was written for.
 * F1: FloorDiv's a − r = q·b with q·b past p/2 admits q' = ⌊(a + k·p)/b⌋. F2: bounds sized for the
 * compile-time weights let other committed weights carry an output into its neighbour's packing digit.
 */

const P = FIELD_MODULUS;
const x = (s: number): LinExpr => ({ terms: new Map([[s, 1n]]), c: 0n });

/** in0 / in1 as one FloorDiv of the given widths; the output is the quotient. */
function divProgram(qwidth: number, rbits: number, inputBits: number): CircuitProgram {
  return {
    inputCount: 2,
    inputBits,
    paramCount: 0,
    gadgets: [{ site: { kind: "div", node: "div0", index: 0, width: qwidth, shift: rbits }, inputs: [x(0), x(1)], signals: [2] }],
    outputs: [x(2)],
    outputBounds: [signedRange(qwidth)],
  };
}

/** The constraints and the named honest witness of a program's direct body. */
function body(program: CircuitProgram, inputs: bigint[]) {
  const constraints: { a: Terms; b: Terms; c: Terms }[] = [];
  const n = program.inputCount;
  const ports = { input: (i: number) => 1 + i, param: () => -1, output: (i: number) => 1 + n + i, firstWire: 1 + n + program.outputs.length };
  const built = buildBody(program, ports, { sink: { constraint: (a, b, c) => constraints.push({ a, b, c }) }, values: { inputs, params: [] }, names: true });
  const witness = [1n, ...inputs, ...built.outputs!, ...built.witness!].map(toField);
  const wireOf = (name: string) => ports.firstWire + built.names!.indexOf(name);
  return { constraints, witness, wireOf, ports };
}

const holds = (cs: { a: Terms; b: Terms; c: Terms }[], w: bigint[]) =>
  cs.every(({ a, b, c }) => {
    const dot = (t: Terms) => [...t].reduce((s, [wire, k]) => s + k * w[wire], 0n);
    return (((dot(a) * dot(b) - dot(c)) % P) + P) % P === 0n;
  });

/**
 * Relu(Gemm(x, W, b)) with two outputs, W and b private (the shape of issue 14's F2), with biases that keep
 * every output at 0 for the compile-time weights: a 1-bit packing digit.
 */
const reluGemm = (): GraphSpec => ({
  name: "relu_gemm",
  inputs: [{ name: "x", dims: [1, 2] }],
  outputs: [{ name: "y", dims: [1, 2] }],
  initializers: [
    { name: "W", dims: [2, 2], data: f32([0.5, -0.25, 0.125, 0.25]) },
    { name: "B", dims: [2], data: f32([-2, -2]) },
  ],
  nodes: [
    { name: "gemm0", opType: "Gemm", inputs: ["x", "W", "B"], outputs: ["h"], attributes: { transB: { i: 1 } } },
    { name: "relu0", opType: "Relu", inputs: ["h"], outputs: ["y"] },
  ],
});

const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(i)) & 1n);

describe("field-wrap checker (issue 14)", () => {
  describe("F1: a FloorDiv whose q·b can pass p/2", () => {
    // 2^127 as the divisor makes (a + p)/b a quotient of 127 bits, inside a 129-bit quotient check.
    const planted = divProgram(129, 128, 128);
    const a = 5n;
    const b = 1n << 127n;

    it("the planted circuit really admits the wrapped quotient: every constraint holds", () => {
      const { constraints, witness, wireOf, ports } = body(planted, [a, b]);
      expect(holds(constraints, witness), "honest witness").to.equal(true);
      const A = a + P;
      const q = A / b;
      const r = A - q * b;
      const forged = [...witness];
      forged[wireOf("main.g0.out")] = q;
      forged[wireOf("main.g0.r")] = r;
      forged[ports.output(0)] = q;
      bitsOf(q + (1n << 128n), 129).forEach((v, i) => (forged[wireOf(`main.g0.qRange.bits[${i}]`)] = v));
      bitsOf(r, 128).forEach((v, i) => (forged[wireOf(`main.g0.rRange.bits[${i}]`)] = v));
      bitsOf(b - r - 1n, 128).forEach((v, i) => (forged[wireOf(`main.g0.gap.bits[${i}]`)] = v));
      expect(q > 1n << 120n, "a forged quotient of about 2^126.6, honest 0").to.equal(true);
      expect(holds(constraints, forged), "forged witness").to.equal(true);
    });

    it("the audit's coherent wrap forgery finds it in the planted circuit, and not within the precondition", () => {
      for (const [program, bits, divisor, expectForgery] of [[planted, 128, b, true], [divProgram(25, 24, 24), 24, 1n << 20n, false]] as const) {
        // Wire 1 is the public output, wires 2 and 3 the private inputs.
        const ports = { input: (i: number) => 2 + i, param: () => -1, output: () => 1, firstWire: 4 };
        const constraints: Constraint[] = [];
        const built = buildBody(program, ports, { sink: { constraint: (a, b2, c) => constraints.push({ a, b: b2, c }) }, values: { inputs: [a, divisor], params: [] }, names: true });
        const witness = [1n, built.outputs![0], a, divisor, ...built.witness!].map(toField);
        const r1cs: R1cs = { prime: P, nWires: witness.length, nPubOut: 1, nPubIn: 0, nPrvIn: 2, nConstraints: constraints.length, constraints };
        const names = new Map<number, string>([[1, "main.out[0]"], [2, "main.in[0]"], [3, "main.in[1]"], ...built.names!.map((n, i) => [4 + i, n] as [number, string])]);
        const report = auditCircuit({ r1cs, byWire: constraintsByWire(r1cs), names, gadgets: program.gadgets, witnesses: [{ witness, trace: [a], divisors: [divisor] }] }, 0);
        const wrapped = report.forgeries.filter((f) => f.detail.includes("quotient wrapped"));
        expect(wrapped.length > 0, `${bits}-bit division: wrap forgery found`).to.equal(expectForgery);
        if (!expectForgery) expect(report.forgeries).to.deep.equal([]);
      }
    });

    it("the checker flags it, naming the node and the widths", () => {
      const r = checkFieldWrap(planted, { input: signedRange(128) });
      expect(r.problems, "problems").to.have.length.greaterThan(0);
      expect(r.problems[0].where).to.include('node "div0" (div, quotient 129 bits');
      expect(r.problems[0].detail).to.include("could wrap the field");
    });

    it("the same gadget within its precondition is cleared, with its margin", () => {
      const r = checkFieldWrap(divProgram(25, 24, 24), { input: signedRange(24) });
      expect(r.problems).to.deep.equal([]);
      expect(r.widestBits).to.be.at.most(50);
      expect(r.marginBits).to.equal(HALF_P_BITS - r.widestBits);
    });

    const divSpec = (nodes: NodeSpec[]): GraphSpec => ({
      name: "div_wrap",
      inputs: [{ name: "x", dims: [2] }, { name: "z", dims: [2] }],
      outputs: [{ name: "y", dims: [2] }],
      initializers: [],
      nodes,
    });

    it("Div(x, z) at --input-bits 128 is refused when quantized, before any circuit exists", () => {
      const g = importSpec(divSpec([{ name: "div0", opType: "Div", inputs: ["x", "z"], outputs: ["y"] }]));
      // z may be negative: the signed division (sdiv) carries the same precondition.
      expectZkmlError(() => quantizeModel(g, { scaleBits: 12, inputBits: 128 }), 'node "div0" (sdiv)', "Div's quotient", "lower inputBits or scaleBits");
    });

    it("Div(Pow(x, 10), Pow(z, 10)) at the default 24-bit inputs and 2^12 is refused", () => {
      const ten = { name: "ten", dims: [], data: [10] };
      const g = importSpec({
        ...divSpec([
          { name: "pow_x", opType: "Pow", inputs: ["x", "ten"], outputs: ["px"] },
          { name: "pow_z", opType: "Pow", inputs: ["z", "ten"], outputs: ["pz"] },
          { name: "div0", opType: "Div", inputs: ["px", "pz"], outputs: ["y"] },
        ]),
        initializers: [ten],
      });
      expectZkmlError(() => quantizeModel(g, { scaleBits: 12, inputBits: 24 }), 'node "div0" (sdiv)', "Div's quotient");
    });
  });

  describe("F2: private weights other than the compile-time ones", () => {
    const quant = { scaleBits: 8, inputBits: 10 };
    const graph = importSpec(reluGemm());
    const inputs = graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => signedRange(quant.inputBits)));
    const layoutOf = (outputBounds: { lo: bigint; hi: bigint }[], params: bigint[]) =>
      signalLayout({ inputCount: 2, inputBits: quant.inputBits, outputBounds, params, scaleBits: quant.scaleBits }, { ...PUBLIC_VISIBILITY, params: "private" }, []);

    it("bounds sized for the compile-time weights leave an output outside its digit: the checker flags it", () => {
      // The old bounds pass: each parameter as its own value.
      const dom = new IntervalDomain();
      const table = new ParamTable(dom);
      const outs = runGraph(graph, dom, quant, inputs, table).flatMap((o) => o.data);
      const layout = layoutOf(outs, table.values);
      const fixed = quantizeModel(graph, quant, { privateParams: true });
      const report = checkFieldWrap(lowerModel(fixed), wrapFacts(quant, fixed));
      expect(report.problems).to.deep.equal([]);
      expect(outputsOutsideDigit(report, layout.outputs.packing.bits), "outputs a committed weight can push out of the old digit").to.not.deep.equal([]);
    });

    it("with the fix, any weights in the committed range give outputs that decode to what those weights compute", () => {
      const model = quantizeModel(graph, quant, { privateParams: true });
      const program = lowerModel(model);
      const layout = layoutOf(model.outputBounds, model.params!.values);
      const wrap = checkFieldWrap(program, wrapFacts(quant, model));
      expect(outputsOutsideDigit(wrap, layout.outputs.packing.bits), "every output's proven range fits its digit").to.deep.equal([]);
      const range = signedRange(paramBits(model.params!.values));
      const n = model.params!.values.length;
      const weightSets = [Array(n).fill(range.hi), Array(n).fill(range.lo), Array.from({ length: n }, (_, i) => (i % 2 ? range.lo : range.hi))];
      const inputSets = [[signedRange(10).hi, signedRange(10).hi], [signedRange(10).lo, signedRange(10).lo], [signedRange(10).hi, signedRange(10).lo]];
      let largest = 0n;
      for (const params of weightSets)
        for (const xs of inputSets) {
          const ports = { input: (i: number) => 1 + i, param: (i: number) => 3 + i, output: (i: number) => 3 + n + i, firstWire: 5 + n };
          const outputs = buildBody(program, ports, { values: { inputs: xs, params } }).outputs!;
          for (const o of outputs) if ((o < 0n ? -o : o) > largest) largest = o < 0n ? -o : o;
          expect(unpackWords(packWords(outputs, layout.outputs.packing), layout.outputs.packing)).to.deep.equal(outputs);
        }
      // The extremes really exercise the widened digit: far beyond what the compile-time weights reach.
      expect(signedWidth(-largest, largest)).to.be.greaterThan(12);
    });
  });

  describe("F2 end to end: the audit's other-committed-weights forgery, on compiled circuits", () => {
    const quant = { scaleBits: 8, inputBits: 10 };
    const visibility = { ...PUBLIC_VISIBILITY, params: "private" as const };
    const xs = [[511n, 511n], [-512n, 511n], [300n, -7n]];
    const circomWitness = (art: { wasm: string; witnessCalculator: string }, layout: SignalLayout) => (params: bigint[], inputs: bigint[]) =>
      computeWitness(art.wasm, art.witnessCalculator, { ...modelWitnessInput(layout, inputs), params: params.map(String) });

    it("the circuit as it was built before the fix publishes outputs other weights do not compute", async () => {
      const graph = importSpec(reluGemm());
      const dom = new IntervalDomain();
      const table = new ParamTable(dom);
      const outputBounds = runGraph(graph, dom, quant, graph.inputs.map(() => [signedRange(10), signedRange(10)]), table).flatMap((o) => o.data);
      const old = { graph, quant, sites: dom.sites, outputBounds, params: { tensors: table.tensors, values: table.values } };
      const program = lowerModel(old);
      const layout = signalLayout({ inputCount: 2, inputBits: 10, outputBounds, params: table.values, scaleBits: 8 }, visibility, []);
      const dir = tmpDir("f2-old");
      fs.writeFileSync(path.join(dir, "model.circom"), emitCircom(program, "F2 as it was", layout));
      const art = compileCircuit(path.join(dir, "model.circom"), dir, [CIRCUIT_LIB_DIR, CIRCOMLIB_DIR]);
      const report = await weightForgeries({ program, layout, params: table.values, inputs: xs, witness: circomWitness(art, layout) }, rng(14));
      expect(report.forgeries.length, "forgeries in the old circuit").to.be.greaterThan(0);
    });

    it("the compiled circuit now publishes exactly what any committed weights compute", async () => {
      const built = await buildCircuit("relu_gemm", encodeWith(reluGemm()), "relu_gemm.onnx", quant, tmpDir("f2-new"), undefined, { bindings: [], visibility });
      const report = await weightForgeries({ program: built.program, layout: built.layout, params: built.qmodel.params!.values, inputs: xs, witness: circomWitness(built.artifacts, built.layout) }, rng(14));
      expect(report.tried).to.be.greaterThan(20);
      expect(report.noWitness, "every weight set in range can be proven").to.equal(0);
      expect(report.forgeries).to.deep.equal([]);
    });
  });

  describe("the checker's rules", () => {
    it("a prover-chosen wire that no constraint bounds is reported", () => {
      const c = new FieldWrapChecker();
      c.set(0, { lo: 1n, hi: 1n });
      c.set(1, { lo: -8n, hi: 7n });
      // wire 2 is a hint with no booleanity: out = in · hint cannot be bounded.
      c.constraint(new Map([[1, 1n]]), new Map([[2, 1n]]), new Map([[3, 1n]]));
      expect(c.report([]).problems[0].detail).to.include("no constraint bounds");
    });

    it("IsZero's output is 0 or 1 only with its x·out = 0: without it, out = 1 − x·inv is the prover's choice", () => {
      for (const complete of [true, false]) {
        const c = new FieldWrapChecker([{ kind: "isZero", node: "eq0", index: 0, shift: 0, width: 0 }]);
        c.set(0, { lo: 1n, hi: 1n });
        c.set(1, { lo: -8n, hi: 7n });
        c.gadget(0);
        // x = wire 1, inv = wire 2, out = wire 3 (as src/gadgets/is-zero.ts writes them).
        c.constraint(new Map([[1, 1n]]), new Map([[2, 1n]]), new Map([[0, 1n], [3, -1n]]));
        if (complete) c.constraint(new Map([[1, 1n]]), new Map([[3, 1n]]), new Map());
        c.constraint(new Map([[2, 1n]]), new Map([[3, 1n]]), new Map());
        c.gadget(1);
        // A later product reads out.
        c.constraint(new Map([[3, 1n]]), new Map([[1, 1n]]), new Map([[4, 1n]]));
        const r = c.report([4]);
        if (complete) {
          expect(r.problems).to.deep.equal([]);
          expect(r.outputs[0]).to.deep.equal({ lo: -8n, hi: 7n });
          expect(r.fieldNative).to.equal(2);
        } else expect(r.problems.length, "out unbounded without x·out = 0").to.be.greaterThan(0);
      }
    });

    it("a boolean wire is 0 or 1, and a sum of them is bounded exactly", () => {
      const c = new FieldWrapChecker();
      c.set(0, { lo: 1n, hi: 1n });
      for (const w of [1, 2, 3]) c.constraint(new Map([[w, 1n]]), new Map([[w, 1n], [0, -1n]]), new Map());
      // out = b1 + 2 b2 + 4 b3 - 4 (a signed 3-bit value).
      c.constraint(new Map(), new Map(), new Map([[1, 1n], [2, 2n], [3, 4n], [0, -4n], [4, -1n]]));
      const r = c.report([4]);
      expect(r.problems).to.deep.equal([]);
      expect(r.outputs[0]).to.deep.equal({ lo: -4n, hi: 3n });
    });

    it("a folded recombination L·(L − 1) = 0 is a boolean fact on L: cleared while |L| < p/2, reported past it or with an unbounded wire", () => {
      // L = in + 2 − 2·b1 − 4·b2 (the lowest remainder bit of in's digits, src/emit/r1cs.ts digitsOf).
      const fold = (inRange: ReturnType<typeof signedRange> | undefined) => {
        const c = new FieldWrapChecker();
        c.set(0, { lo: 1n, hi: 1n });
        if (inRange) c.set(1, inRange);
        for (const w of [2, 3]) c.constraint(new Map([[w, 1n]]), new Map([[w, 1n], [0, -1n]]), new Map());
        const L = new Map([[1, 1n], [0, 2n], [2, -2n], [3, -4n]]);
        c.constraint(L, new Map([[1, 1n], [0, 1n], [2, -2n], [3, -4n]]), new Map());
        return c.report([]);
      };
      const ok = fold(signedRange(3));
      expect(ok.problems).to.deep.equal([]);
      // |L| <= 4 + 2 + 6: measured as L itself, not as the product.
      expect(ok.widestBits).to.equal(4);
      expect(fold(signedRange(256)).problems[0].detail).to.include("past p/2");
      expect(fold(undefined).problems[0].detail).to.include("no constraint bounds");
    });

    it("a product whose integer value reaches p/2 is reported, one just below is not", () => {
      for (const [bits, bad] of [[126, false], [127, true]] as const) {
        const c = new FieldWrapChecker();
        c.set(0, { lo: 1n, hi: 1n });
        c.set(1, signedRange(bits + 1));
        c.set(2, signedRange(bits + 1));
        c.constraint(new Map([[1, 1n]]), new Map([[2, 1n]]), new Map([[3, 1n]]));
        expect(c.report([3]).problems.length > 0, `${bits}-bit factors`).to.equal(bad);
      }
    });
  });

  describe("every reference model passes at the default settings", () => {
    if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
    for (const name of fs.readdirSync(MODELS_DIR).sort()) {
      it(name, () => {
        const graph = importOnnx(fs.readFileSync(sharedModel(name)), name);
        const quant = { scaleBits: 12, inputBits: 24 };
        const model = quantizeModel(graph, quant);
        const report = checkFieldWrap(lowerModel(model), wrapFacts(quant, model));
        expect(report.problems).to.deep.equal([]);
        expect(report.marginBits).to.be.greaterThan(100);
      });
    }
  });
});
