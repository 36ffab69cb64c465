import { expect } from "chai";
import { f32, importSpec, runQuantized } from "./helpers";
import { castToFloat, checkCase, onGrid } from "./op-cases";

const STEP = 2 ** -12;
const RELATIONS = ["Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal"];

/** Thresholds between grid points and on grid points: where a rounded threshold would flip a comparison. */
const THRESHOLDS = f32([0.1, -0.7, 1.25, -2.5 + STEP / 3, 3 * STEP, -STEP / 2, 0]);
const onGridCount = THRESHOLDS.filter((t) => Number.isInteger(t / STEP)).length;

/** For each threshold, an input on the grid point at or just below it, or one step above or below. */
function nearThresholds(rand: () => number): number[] {
  return THRESHOLDS.map((t) => Math.floor(t / STEP) * STEP + STEP * [0, 0, 1, -1][Math.floor(rand() * 4)]);
}

const IDENTITY_4 = { name: "eye", dims: [4, 4], data: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)) };

describe("comparison ops against onnxruntime", function () {
  this.timeout(60000);
  for (const op of RELATIONS) {
    it(`${op}: value vs constant threshold, exact at the boundary`, () =>
      checkCase(
        {
          title: `${op} value-const`,
          inputs: [[THRESHOLDS.length]],
          floats: [{ name: "t", dims: [THRESHOLDS.length], data: THRESHOLDS }],
          nodes: [{ op, inputs: ["x0", "t"], outputs: ["b"] }, castToFloat("b")],
          out: [THRESHOLDS.length],
          values: (rand) => [nearThresholds(rand)],
          // One sign (or isZero) per element; Equal with an off-grid threshold is constant false.
          sites: op === "Equal" ? onGridCount : THRESHOLDS.length,
        },
        [1, 2, 3, 4, 5, 6, 7, 8],
      ));

    it(`${op}: constant vs value (mirrored), with broadcasting`, () =>
      checkCase({
        title: `${op} const-value`,
        inputs: [[2, THRESHOLDS.length]],
        floats: [{ name: "t", dims: [THRESHOLDS.length], data: THRESHOLDS }],
        nodes: [{ op, inputs: ["t", "x0"], outputs: ["b"] }, castToFloat("b")],
        out: [2, THRESHOLDS.length],
        values: (rand) => [[...nearThresholds(rand), ...nearThresholds(rand)]],
      }));

    it(`${op}: value vs value at different scales, with broadcasting`, () =>
      checkCase({
        title: `${op} value-value`,
        inputs: [[3, 4], [4]],
        floats: [IDENTITY_4],
        // x1 @ I reaches the comparison at twice x0's scale: the operands are aligned exactly.
        nodes: [{ op: "MatMul", inputs: ["x1", "eye"], outputs: ["x1s"] }, { op, inputs: ["x0", "x1s"], outputs: ["b"] }, castToFloat("b")],
        out: [3, 4],
        values: (rand) => {
          const x1 = onGrid(rand, 4, -1, 1);
          return [[...x1, ...x1.map((v) => v + STEP), ...onGrid(rand, 4, -1, 1)], x1];
        },
      }));
  }

  it("decides infinite thresholds without a constraint", async () => {
    await checkCase({
      title: "Less vs infinities",
      inputs: [[2]],
      floats: [{ name: "t", dims: [2], data: [Infinity, -Infinity] }],
      nodes: [{ op: "Less", inputs: ["x0", "t"], outputs: ["b"] }, castToFloat("b")],
      out: [2],
      sites: 0,
    });
  });
});

describe("boolean ops and Where against onnxruntime", function () {
  this.timeout(60000);
  const twoBits = [
    { op: "Less", inputs: ["x0", "x1"], outputs: ["p"] },
    { op: "Greater", inputs: ["x0", "half"], outputs: ["q"] },
  ];
  const half = { name: "half", dims: [1], data: [0.5] };
  for (const op of ["And", "Or", "Xor"]) {
    it(`${op} of two computed bits`, () =>
      checkCase({
        title: `${op} bits`,
        inputs: [[3, 4], [3, 4]],
        floats: [half],
        nodes: [...twoBits, { op, inputs: ["p", "q"], outputs: ["b"] }, castToFloat("b")],
        out: [3, 4],
      }));
    it(`${op} of a computed bit and a constant mask (linear)`, async () => {
      const c = {
        title: `${op} const`,
        inputs: [[2, 4]],
        floats: [half],
        nodes: [
          { op: "Greater", inputs: ["x0", "half"], outputs: ["q"] },
          { op: "Less", inputs: ["mask_f", "half"], outputs: ["mask"] },
          { op, inputs: ["q", "mask"], outputs: ["b"] },
          castToFloat("b"),
        ],
        out: [2, 4],
        sites: 8,
      };
      await checkCase({ ...c, floats: [half, { name: "mask_f", dims: [4], data: [0, 1, 1, 0] }] });
    });
  }

  it("Not of a comparison", () =>
    checkCase({
      title: "Not",
      inputs: [[5]],
      nodes: [{ op: "Less", inputs: ["x0", "z"], outputs: ["p"] }, { op: "Not", inputs: ["p"], outputs: ["b"] }, castToFloat("b")],
      floats: [{ name: "z", dims: [1], data: [0] }],
      out: [5],
      sites: 5,
    }));

  it("Where with a computed condition, computed and constant branches at different scales", () =>
    checkCase({
      title: "Where computed",
      inputs: [[2, 4], [4]],
      floats: [IDENTITY_4, { name: "c", dims: [2, 1], data: [1.5, -0.25] }],
      nodes: [
        { op: "Less", inputs: ["x0", "x1"], outputs: ["p"] },
        { op: "MatMul", inputs: ["x1", "eye"], outputs: ["x1s"] },
        { op: "Where", inputs: ["p", "x1s", "x0"], outputs: ["w1"] },
        { op: "Where", inputs: ["p", "w1", "c"], outputs: ["y"] },
      ],
      out: [2, 4],
    }));

  it("Where with two constant branches costs only the comparison", () =>
    checkCase({
      title: "Where const branches",
      inputs: [[6]],
      floats: [{ name: "a", dims: [1], data: [0.75] }, { name: "b", dims: [6], data: f32([1, 2, 3, -1, -2, -3.5]) }, { name: "z", dims: [1], data: [0] }],
      nodes: [{ op: "Less", inputs: ["x0", "z"], outputs: ["p"] }, { op: "Where", inputs: ["p", "a", "b"] }],
      out: [6],
      sites: 6,
    }));

  it("Where between integer constants yields integers (usable as indices)", () =>
    checkCase({
      title: "Where int branches",
      inputs: [[4]],
      floats: [{ name: "z", dims: [1], data: [0] }, { name: "table", dims: [3], data: [0.5, -2, 7.25] }],
      ints: [{ name: "a", dims: [1], values: [2] }, { name: "b", dims: [1], values: [0] }],
      nodes: [{ op: "Less", inputs: ["x0", "z"], outputs: ["p"] }, { op: "Where", inputs: ["p", "a", "b"], outputs: ["i"] }, { op: "Gather", inputs: ["table", "i"] }],
      out: [4],
    }));

  it("Where with a constant condition is data movement", () =>
    checkCase({
      title: "Where const cond",
      inputs: [[2, 3]],
      floats: [{ name: "cf", dims: [3], data: [1, 0, 1] }, { name: "z", dims: [1], data: [0.5] }, { name: "k", dims: [1], data: [2.25] }],
      nodes: [{ op: "Greater", inputs: ["cf", "z"], outputs: ["c"] }, { op: "Where", inputs: ["c", "x0", "k"] }],
      out: [2, 3],
      sites: 0,
    }));
});

describe("Cast of computed values", function () {
  this.timeout(60000);
  for (const to of [7, 6, 3]) {
    it(`to integer type ${to} truncates toward zero`, () =>
      checkCase({
        title: `Cast to ${to}`,
        inputs: [[16]],
        nodes: [{ op: "Cast", inputs: ["x0"], outputs: ["i"], attributes: { to: { i: to } } }, castToFloat("i")],
        out: [16],
        values: (rand) => [[2, -2, 1.5, -1.5, STEP, -STEP, 0, 3 - STEP, -3 + STEP, ...onGrid(rand, 7, -8, 8)]],
      }));
  }

  it("to bool is x != 0", () =>
    checkCase({
      title: "Cast to bool",
      inputs: [[8]],
      nodes: [{ op: "Cast", inputs: ["x0"], outputs: ["b"], attributes: { to: { i: 9 } } }, castToFloat("b")],
      out: [8],
      values: (rand) => [[0, STEP, -STEP, 0, ...onGrid(rand, 4)]],
    }));

  it("of a comparison bit to an integer type is free", () =>
    checkCase({
      title: "Cast bit",
      inputs: [[4]],
      floats: [{ name: "z", dims: [1], data: [0] }],
      nodes: [
        { op: "Less", inputs: ["x0", "z"], outputs: ["p"] },
        { op: "Cast", inputs: ["p"], outputs: ["i"], attributes: { to: { i: 7 } } },
        castToFloat("i"),
      ],
      out: [4],
      sites: 4,
    }));

  it("refuses a string target type with the node named", () => {
    const spec = {
      inputs: [{ name: "x", dims: [2] }],
      outputs: [{ name: "y", dims: [2] }],
      initializers: [],
      nodes: [{ name: "my_cast", opType: "Cast", inputs: ["x"], outputs: ["y"], attributes: { to: { i: 8 } } }],
    };
    expect(() => runQuantized(importSpec(spec), [[1, 2]])).to.throw(/my_cast.*type 8/);
  });
});
