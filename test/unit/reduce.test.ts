import { castToFloat, checkCase, onGrid } from "./op-cases";

const STEP = 2 ** -12;

describe("reductions against onnxruntime", function () {
  this.timeout(60000);

  it("ReduceSum with the axes input (opset 13), keepdims", () =>
    checkCase({ title: "ReduceSum axes input", inputs: [[2, 3, 4]], ints: [{ name: "ax", dims: [2], values: [0, -1] }], nodes: [{ op: "ReduceSum", inputs: ["x0", "ax"] }], out: [1, 3, 1], sites: 0 }));

  it("ReduceSum with the axes attribute (opset 11), no keepdims", () =>
    checkCase({ title: "ReduceSum axes attr", opset: 11, inputs: [[2, 3, 4]], nodes: [{ op: "ReduceSum", inputs: ["x0"], attributes: { axes: { ints: [1] }, keepdims: { i: 0 } } }], out: [2, 4], sites: 0 }));

  it("ReduceSum over all axes when none are given", () =>
    checkCase({ title: "ReduceSum all", inputs: [[3, 4]], nodes: [{ op: "ReduceSum", inputs: ["x0"], attributes: { keepdims: { i: 0 } } }], out: [] }));

  it("ReduceSum with empty axes and noop_with_empty_axes is the identity", () =>
    checkCase({ title: "ReduceSum noop", inputs: [[3, 4]], ints: [{ name: "ax", dims: [0], values: [] }], nodes: [{ op: "ReduceSum", inputs: ["x0", "ax"], attributes: { noop_with_empty_axes: { i: 1 } } }], out: [3, 4] }));

  it("ReduceMean (opset 11, all axes, no keepdims): within a step", () =>
    checkCase({ title: "ReduceMean all", opset: 11, inputs: [[1, 1, 300]], nodes: [{ op: "ReduceMean", inputs: ["x0"], attributes: { keepdims: { i: 0 } } }], out: [], tol: STEP }));

  it("ReduceMean over a middle axis with keepdims (opset 18 axes input)", () =>
    checkCase({ title: "ReduceMean axis", opset: 18, inputs: [[2, 5, 3]], ints: [{ name: "ax", dims: [1], values: [1] }], nodes: [{ op: "ReduceMean", inputs: ["x0", "ax"] }], out: [2, 1, 3], tol: STEP }));

  for (const op of ["ReduceMax", "ReduceMin"]) {
    it(`${op} over the last axis (opset 13 attribute), ties included`, () =>
      checkCase({
        title: `${op} attr`,
        inputs: [[3, 5]],
        nodes: [{ op, inputs: ["x0"], attributes: { axes: { ints: [-1] }, keepdims: { i: 0 } } }],
        out: [3],
        values: (rand) => {
          const v = onGrid(rand, 15);
          v[3] = v[1];
          return [v];
        },
        sites: 3 * 4,
      }));
    it(`${op} with the axes input (opset 18) over two axes`, () =>
      checkCase({ title: `${op} input`, opset: 18, inputs: [[2, 3, 4]], ints: [{ name: "ax", dims: [2], values: [0, 2] }], nodes: [{ op, inputs: ["x0", "ax"] }], out: [1, 3, 1] }));
  }
});

describe("ArgMax / ArgMin against onnxruntime", function () {
  this.timeout(60000);
  /** Rows with repeated extremes, so first vs last occurrence matters. */
  const withTies = (rand: () => number) => {
    const v = onGrid(rand, 4 * 6, -2, 2);
    for (let r = 0; r < 4; r++) {
      const row = v.slice(r * 6, r * 6 + 6);
      const m = r % 2 === 0 ? Math.max(...row) : Math.min(...row);
      v[r * 6 + ((r + 3) % 6)] = m;
      v[r * 6 + 5] = m;
    }
    return [v];
  };
  for (const op of ["ArgMax", "ArgMin"]) {
    for (const last of [0, 1]) {
      it(`${op} axis 1, keepdims 0, select_last_index ${last}`, () =>
        checkCase({
          title: `${op} last ${last}`,
          inputs: [[4, 6]],
          nodes: [{ op, inputs: ["x0"], outputs: ["i"], attributes: { axis: { i: 1 }, keepdims: { i: 0 }, select_last_index: { i: last } } }, castToFloat("i")],
          out: [4],
          values: withTies,
          // Per row: 5 comparison signs, 4 index updates (the first is linear) and 4 best updates.
          sites: 4 * (5 + 4 + 4),
        }));
    }
    it(`${op} axis 0 with keepdims (default), 3-D`, () =>
      checkCase({
        title: `${op} axis 0`,
        inputs: [[3, 2, 2]],
        nodes: [{ op, inputs: ["x0"], outputs: ["i"] }, castToFloat("i")],
        out: [1, 2, 2],
      }));
  }
});
