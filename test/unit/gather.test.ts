import { expect } from "chai";
import { Domain } from "../../src/ops/domain";
import { Gather } from "../../src/ops/gather";
import { IntegerDomain } from "../../src/quantize/evaluate";
import { IntervalDomain } from "../../src/quantize/interval";
import { QUANT } from "./helpers";
import { castToFloat, checkCase, onGrid } from "./op-cases";

/**
 * Gather / GatherElements with computed indices: the indices come from ArgMax or from Cast of an
 * input to int64 (values drawn in range), as tree models compute them.
 */

const TABLE = { name: "table", dims: [5, 3], data: [0.5, -1.25, 2, 3.75, 0, -0.5, 1, 1, 1, -2, 0.25, 4, 7, -7, 0.125] };
const INT_TABLE = { name: "itable", dims: [6], data: [3, 0, 4, 1, 4, 2] };

/** Floats whose truncation is an index in [0, n). */
const indexLike = (rand: () => number, count: number, n: number) => onGrid(rand, count, 0, n - 0.01);

describe("Gather with computed indices against onnxruntime", function () {
  this.timeout(60000);

  it("constant data, index from ArgMax (one-hot, linear in the data)", () =>
    checkCase({
      title: "Gather argmax",
      inputs: [[2, 5]],
      floats: [TABLE],
      nodes: [{ op: "ArgMax", inputs: ["x0"], outputs: ["i"], attributes: { axis: { i: 1 }, keepdims: { i: 0 } } }, { op: "Gather", inputs: ["table", "i"] }],
      out: [2, 3],
    }));

  it("constant data on axis 1, indices of rank 2 from Cast", () =>
    checkCase({
      title: "Gather axis 1",
      inputs: [[2, 2]],
      floats: [TABLE],
      nodes: [{ op: "Cast", inputs: ["x0"], outputs: ["i"], attributes: { to: { i: 7 } } }, { op: "Gather", inputs: ["table", "i"], attributes: { axis: { i: 1 } } }],
      out: [5, 2, 2],
      values: (rand) => [indexLike(rand, 4, 3)],
    }));

  it("integer constant data chains into a second computed Gather (a tree walk)", () =>
    checkCase({
      title: "Gather chain",
      inputs: [[4]],
      floats: [INT_TABLE, TABLE],
      nodes: [
        { op: "Cast", inputs: ["x0"], outputs: ["i"], attributes: { to: { i: 7 } } },
        { op: "Gather", inputs: ["itable", "i"], outputs: ["j"] },
        { op: "Cast", inputs: ["j"], outputs: ["k"], attributes: { to: { i: 7 } } },
        { op: "Gather", inputs: ["table", "k"], attributes: { axis: { i: 0 } } },
      ],
      out: [4, 3],
      values: (rand) => [indexLike(rand, 4, 6)],
    }));

  it("computed data and computed indices (one multiplication per candidate)", () =>
    checkCase({
      title: "Gather computed data",
      inputs: [[3, 4], [2]],
      nodes: [{ op: "Cast", inputs: ["x1"], outputs: ["i"], attributes: { to: { i: 7 } } }, { op: "Gather", inputs: ["x0", "i"], attributes: { axis: { i: 1 } } }],
      out: [3, 2],
      values: (rand) => [onGrid(rand, 12), indexLike(rand, 2, 4)],
    }));
});

describe("GatherElements against onnxruntime", function () {
  this.timeout(60000);

  it("constant indices are data movement", () =>
    checkCase({
      title: "GatherElements const",
      inputs: [[3, 4]],
      ints: [{ name: "ind", dims: [3, 2], values: [0, 3, -1, 1, 2, 2] }],
      nodes: [{ op: "GatherElements", inputs: ["x0", "ind"], attributes: { axis: { i: 1 } } }],
      out: [3, 2],
      sites: 0,
    }));

  it("computed indices from ArgMax with keepdims select the row maxima", () =>
    checkCase({
      title: "GatherElements argmax",
      inputs: [[3, 4]],
      nodes: [
        { op: "ArgMax", inputs: ["x0"], outputs: ["i"], attributes: { axis: { i: 1 }, keepdims: { i: 1 } } },
        { op: "GatherElements", inputs: ["x0", "i"], attributes: { axis: { i: 1 } } },
      ],
      out: [3, 1],
    }));

  it("computed indices on axis 0 into constant data", () =>
    checkCase({
      title: "GatherElements axis 0",
      inputs: [[2, 3]],
      floats: [TABLE],
      nodes: [{ op: "Cast", inputs: ["x0"], outputs: ["i"], attributes: { to: { i: 7 } } }, { op: "GatherElements", inputs: ["table", "i"], attributes: { axis: { i: 0 } } }],
      out: [2, 3],
      values: (rand) => [indexLike(rand, 6, 5)],
    }));

  it("the hummingbird pattern: input features picked by computed node ids", () =>
    checkCase({
      title: "GatherElements features",
      inputs: [[1, 3], [1, 6]],
      nodes: [
        { op: "Cast", inputs: ["x1"], outputs: ["i"], attributes: { to: { i: 7 } } },
        { op: "GatherElements", inputs: ["x0", "i"], outputs: ["g"], attributes: { axis: { i: 1 } } },
        { op: "Less", inputs: ["g", "t"], outputs: ["b"] },
        castToFloat("b"),
      ],
      floats: [{ name: "t", dims: [6], data: [0.3, -0.3, 1.1, 0, 2, -2] }],
      out: [1, 6],
      values: (rand) => [onGrid(rand, 3), indexLike(rand, 6, 3)],
    }));
});

describe("Gather with an index at a finer scale", () => {
  it("matches index k as k * 2^scale exactly (an integer index scaled by a quantized constant)", () => {
    const node = { op: "Gather", name: "g", inputs: ["data", "i"], outputs: ["y"], attrs: {} };
    const data = { kind: "const" as const, tensor: { dims: [4], data: [0.5, -1.25, 2, 3.75] } };
    const run = <T>(dom: Domain<T>, index: T) =>
      Gather.apply({ dom, quant: QUANT, opset: 13 }, node, [data, { kind: "value", value: { shape: [1], scale: 12, data: [index] } }])[0];
    const bounds = new IntervalDomain();
    run(bounds, { lo: 0n, hi: 4n << 12n });
    const pick = (q: bigint) => {
      const out = run(new IntegerDomain(bounds.sites), q);
      return Number(out.data[0]) / 2 ** out.scale;
    };
    expect([0, 1, 2, 3].map((k) => pick(BigInt(k) << 12n))).to.deep.equal([0.5, -1.25, 2, 3.75]);
    // A fractional index (1.5) matches no candidate.
    expect(pick(3n << 11n)).to.equal(0);
  });
});
