import { expect } from "chai";
import { GraphSpec, InitializerSpec, NodeSpec, ValueSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { quantizeModel } from "../../src/quantize";
import { expectZkmlError, f32, importSpec, QUANT, randomArray, rng, runQuantized } from "./helpers";
import { expectMatchesOrt } from "./ort-check";

const rand = rng(4242);

function init(name: string, dims: number[], lo = -1, hi = 1): InitializerSpec {
  return { name, dims, data: f32(randomArray(rand, size(dims), lo, hi)) };
}

function model(inputs: ValueSpec[], nodes: NodeSpec[], initializers: InitializerSpec[] = []): GraphSpec {
  return { name: "arith_test", inputs, outputs: [{ name: "y", dims: ["n"] }], initializers, nodes };
}

/** Nodes producing "y" are named like "mul0"; the others after their output. */
const op = (opType: string, inputs: string[], out = "y"): NodeSpec => ({ name: out === "y" ? `${opType.toLowerCase()}0` : `${opType}_${out}`, opType, inputs, outputs: [out] });

/** Inputs in [lo, hi), per graph input. */
const ranges = (...r: [number, number][]) => (g: { inputs: { shape: number[] }[] }) =>
  g.inputs.map((vi, i) => randomArray(rand, size(vi.shape), r[i][0], r[i][1]));

describe("Mul, Div and Pow against onnxruntime", () => {
  it("Mul by a constant broadcast from [3]", async () => {
    await expectMatchesOrt(model([{ name: "x", dims: [2, 3] }], [op("Mul", ["x", "c"])], [init("c", [3], -3, 3)]), rand);
  });

  it("Mul by a constant on the left, broadcast up to a higher rank", async () => {
    await expectMatchesOrt(model([{ name: "x", dims: [3, 1] }], [op("Mul", ["c", "x"])], [init("c", [2, 1, 4])]), rand);
  });

  it("Mul by an integer constant costs no constraint", async () => {
    const spec = model([{ name: "x", dims: [4] }], [op("Mul", ["x", "c"])], [{ name: "c", dims: [1], data: [-3] }]);
    const g = await expectMatchesOrt(spec, rand);
    expect(quantizeModel(g, QUANT).sites.filter((s) => s.node === "mul0")).to.deep.equal([]);
  });

  it("Mul of two computed values with broadcasting", async () => {
    const spec = model([{ name: "x", dims: [2, 3] }, { name: "z", dims: [3] }], [op("Mul", ["x", "z"])]);
    const g = await expectMatchesOrt(spec, rand);
    expect(quantizeModel(g, QUANT).sites.filter((s) => s.kind === "mul")).to.have.length(6);
  });

  it("Mul of a value by itself after a linear op (scales add up, then rescale)", async () => {
    const spec = model([{ name: "x", dims: [1, 3] }], [op("MatMul", ["x", "W"], "h"), op("Mul", ["h", "h"], "p"), op("Add", ["p", "x"])], [init("W", [3, 3])]);
    await expectMatchesOrt(spec, rand);
  });

  it("Div by a constant (negative, small and large divisors)", async () => {
    const c: InitializerSpec = { name: "c", dims: [4], data: f32([-0.37, 3, 1000, 0.01]) };
    await expectMatchesOrt(model([{ name: "x", dims: [2, 4] }], [op("Div", ["x", "c"])], [c]), rand, { tol: 2e-2 });
  });

  it("Div by a scalar constant", async () => {
    const c: InitializerSpec = { name: "c", dims: [], data: [1.4142135381698608] };
    await expectMatchesOrt(model([{ name: "x", dims: [5] }], [op("Div", ["x", "c"])], [c]), rand);
  });

  it("Div of two computed values (positive divisor) with broadcasting", async () => {
    const spec = model([{ name: "x", dims: [2, 3] }, { name: "z", dims: [3] }], [op("Div", ["x", "z"])]);
    await expectMatchesOrt(spec, rand, { inputs: ranges([-4, 4], [0.25, 3]) });
  });

  for (const e of [0, 1, 2, 3, 4]) {
    it(`Pow with exponent ${e}`, async () => {
      const spec = model([{ name: "x", dims: [2, 3] }], [op("Pow", ["x", "e"])], [{ name: "e", dims: [], data: [e] }]);
      await expectMatchesOrt(spec, rand, { inputs: ranges([-1.5, 1.5]) });
    });
  }

  it("MatMul of two computed values, with broadcast batch dimensions", async () => {
    await expectMatchesOrt(model([{ name: "x", dims: [1, 3, 2, 4] }, { name: "z", dims: [3, 4, 2] }], [op("MatMul", ["x", "z"])]), rand);
    await expectMatchesOrt(model([{ name: "x", dims: [1, 3, 2, 2] }], [op("MatMul", ["x", "x"])]), rand);
  });

  it("constant subgraphs of Mul, Div and Pow are folded", async () => {
    const spec = model(
      [{ name: "x", dims: [3] }],
      [op("Pow", ["a", "two"], "a2"), op("Div", ["a2", "b"], "q"), op("Mul", ["q", "b"], "m"), op("Mul", ["x", "m"])],
      [init("a", [3]), init("b", [3], 1, 2), { name: "two", dims: [], data: [2] }],
    );
    const g = await expectMatchesOrt(spec, rand);
    expect(g.nodes.map((n) => n.op)).to.deep.equal(["Mul"]);
  });
});

describe("Mul, Div and Pow: bit-exact details and errors", () => {
  it("Div by a power of two is exact", () => {
    const g = importSpec(model([{ name: "x", dims: [3] }], [op("Div", ["x", "c"])], [{ name: "c", dims: [], data: [4] }]));
    const run = runQuantized(g, [[1, -2.5, 3.75]]);
    expect(run.outputs[0]).to.deep.equal([0.25, -0.625, 0.9375]);
  });

  it("Div of values rounds half up to the nearest step", () => {
    const g = importSpec(model([{ name: "x", dims: [3] }, { name: "z", dims: [3] }], [op("Div", ["x", "z"])]));
    const run = runQuantized(g, [[1, -1, 2], [3, 3, 0.5]]);
    const step = 2 ** -QUANT.scaleBits;
    expect(run.outputs[0]).to.deep.equal([Math.round(4096 / 3) * step, Math.round(-4096 / 3) * step, 4]);
  });

  it("Pow with a fractional or negative exponent is refused, naming the node", () => {
    for (const e of [0.5, -1, 2.5]) {
      const g = importSpec(model([{ name: "x", dims: [3] }], [op("Pow", ["x", "e"])], [{ name: "e", dims: [], data: [e] }]));
      expectZkmlError(() => quantizeModel(g, QUANT), 'Pow node "pow0"', `exponent ${e} is not supported`);
    }
  });

  it("Pow with a computed exponent is refused, naming the node", () => {
    const g = importSpec(model([{ name: "x", dims: [3] }, { name: "e", dims: [3] }], [op("Pow", ["x", "e"])]));
    expectZkmlError(() => quantizeModel(g, QUANT), 'Pow node "pow0"', "exponent must be a constant");
  });

  it("Div by a constant containing zero is refused (a constant divided by a value is test/unit/signed-div-sqrt.test.ts's)", () => {
    const g = importSpec(model([{ name: "x", dims: [2] }], [op("Div", ["x", "c"])], [{ name: "c", dims: [2], data: [1, 0] }]));
    expectZkmlError(() => quantizeModel(g, QUANT), 'Div node "div0"', "contains 0");
  });

  it("Mul of incompatible shapes fails at import, naming the node", () => {
    expectZkmlError(() => importSpec(model([{ name: "x", dims: [2, 3] }], [op("Mul", ["x", "c"])], [init("c", [4])])), 'Mul node "mul0"', "cannot be broadcast");
  });
});
