import { expect } from "chai";
import { requiredPower } from "../../src/backend/ptau";
import { emitCircom, formatLinExpr } from "../../src/emit/circom";
import { Graph } from "../../src/ir/graph";
import { lowerModel } from "../../src/lower";
import { ExprDomain, LinExpr } from "../../src/lower/expr";
import { quantizeModel } from "../../src/quantize";
import { Site } from "../../src/quantize/interval";
import { signalLayout } from "../../src/privacy/layout";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import type { CircuitProgram } from "../../src/lower";

const expr = (terms: [number, bigint][], c = 0n): LinExpr => ({ terms: new Map(terms), c });
const name = (s: number) => `s${s}`;

describe("lower: linear expressions", () => {
  it("affine combines terms, folds constants and drops cancelled signals", () => {
    const dom = new ExprDomain([], 10);
    const x = expr([[0, 1n], [1, 2n]], 3n);
    const y = expr([[1, -1n]], -1n);
    const e = dom.affine([x, y], [2n, 4n], 5n); // 2x + 4y + 5 = 2 s0 + 0 s1 + 6 - 4 + 5
    expect([...e.terms]).to.deep.equal([[0, 2n]]);
    expect(e.c).to.equal(7n);
    expect(dom.mulConst(x, 0n).terms.size).to.equal(0);
  });

  it("allocates one gadget per non-linear site, in order, and refuses a mismatched site", () => {
    const sites: Site[] = [
      { node: "n", index: 0, kind: "rescaleRelu", shift: 12, width: 20 },
      { node: "n", index: 1, kind: "relu", shift: 0, width: 8 },
    ];
    const dom = new ExprDomain(sites, 3);
    const a = dom.rescaleRelu(expr([[0, 5n]]), 12, { node: "n", index: 0 });
    expect([...a.terms]).to.deep.equal([[3, 1n]]);
    expect(() => dom.rescale(expr([[1, 1n]]), 1, { node: "n", index: 1 })).to.throw(/disagree/);
  });

  it("formats expressions as circom source", () => {
    expect(formatLinExpr(expr([[2, -1n], [0, 3n]], -4n), name)).to.equal("3*s0 - s2 - 4");
    expect(formatLinExpr(expr([[1, -7n]]), name)).to.equal("-7*s1");
    expect(formatLinExpr(expr([], 0n), name)).to.equal("0");
    expect(formatLinExpr(expr([], -2n), name)).to.equal("-2");
  });
});

describe("emit: circom for a lowered model", () => {
  // y = relu(x · W + b) with W = [[1], [-2]], b = [0.5]: one fused rescale+relu gadget.
  const graph: Graph = {
    inputs: [{ name: "x", shape: [1, 2] }],
    outputs: [{ name: "y", shape: [1, 1] }],
    nodes: [
      { op: "MatMul", name: "mm", inputs: ["x", "W"], outputs: ["t"], attrs: {} },
      { op: "Add", name: "add", inputs: ["t", "b"], outputs: ["u"], attrs: {} },
      { op: "Relu", name: "relu", inputs: ["u"], outputs: ["y"], attrs: {} },
    ],
    constants: new Map([
      ["W", { dims: [2, 1], data: [1, -2] }],
      ["b", { dims: [1], data: [0.5] }],
    ]),
    shapes: new Map(),
    opset: 13,
  };

  it("emits range-checked public inputs, one fused gadget with the weights inline, and the output", () => {
    const program = lowerModel(quantizeModel(graph, { scaleBits: 4, inputBits: 8 }));
    expect(program.gadgets.map((g) => g.site.kind)).to.deep.equal(["rescaleRelu"]);
    const src = emitCircom(program, "test", layoutOf(program));
    expect(src).to.contain("signal input in[2];");
    // in + 128's bits 1..7, bit 0 folded into the recombination.
    expect(src).to.contain("signal inRange[2][7];");
    expect(src).to.contain("(t - rest) * (t - rest - 1) === 0;");
    // x quantized at 2^4, W at 2^4: 16*in0 - 32*in1 + 0.5 * 2^8
    expect(src).to.contain("g0.in <== 16*in[0] - 32*in[1] + 128;");
    // |acc| <= 128*16 + 128*32 + 128 = 6272 -> rescaled by 2^4 -> 392 -> 10 signed bits
    expect(src).to.match(/component g0 = RescaleRelu\(4, 10\); \/\/ relu\[0\]/);
    expect(src).to.contain("out[0] <== g0.out;");
    // One output in [0, 392]: 10-bit offset-binary digits; two 8-bit inputs in one packed word.
    expect(src).to.contain("outPacked[0] <== out[0] + 512;");
    expect(src).to.contain("inPacked[0] === in[0] + 256*in[1] + 32896;");
    expect(src).to.contain("component main {public [inPacked]} = Model();");
    expect(src).not.to.contain("commitment.circom");
  });
});

const layoutOf = (p: CircuitProgram) =>
  signalLayout({ inputCount: p.inputCount, inputBits: p.inputBits, outputBounds: p.outputBounds, scaleBits: 4 }, PUBLIC_VISIBILITY, []);

describe("emit: long linear expressions", () => {
  it("are accumulated in a var in chunks (circom's parser overflows on one long sum), the same way every time", () => {
    const terms = new Map<number, bigint>(Array.from({ length: 450 }, (_, i) => [i, BigInt(i + 1)]));
    const program = { inputCount: 450, inputBits: 8, paramCount: 0, gadgets: [], outputs: [{ terms, c: 7n }], outputBounds: [{ lo: 0n, hi: 1000n }] };
    const src = emitCircom(program, "long", layoutOf(program));
    const lines = src.split("\n").filter((l) => /lc0/.test(l));
    expect(lines[0]).to.match(/^\s+var lc0 = in\[0\] \+ 2\*in\[1\]/);
    expect(lines[0]).to.match(/\+ 7;$/);
    expect(lines.filter((l) => l.includes("lc0 +="))).to.have.length(2);
    expect(lines[lines.length - 1].trim()).to.equal("out[0] <== lc0;");
    // Every term appears exactly once in the accumulated sum.
    const sum = lines.join("\n");
    for (let i = 0; i < 450; i++) expect(sum.match(new RegExp(`\\bin\\[${i}\\]`, "g"))!.length, `in[${i}]`).to.equal(1);
    expect(emitCircom(program, "long", layoutOf(program))).to.equal(src);
  });
});

describe("backend: ptau sizing", () => {
  it("matches snarkjs's domain size rule (constraints + public signals + 1)", () => {
    expect(requiredPower(220, 7)).to.equal(8);
    expect(requiredPower(248, 7)).to.equal(8);
    expect(requiredPower(249, 7)).to.equal(9);
    expect(requiredPower(7217, 42)).to.equal(13);
  });
});
