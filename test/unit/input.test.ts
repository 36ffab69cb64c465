import { expect } from "chai";
import { ValueInfo } from "../../src/ir/graph";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { expectZkmlError, inputRange, QUANT } from "./helpers";

const ONE: ValueInfo[] = [{ name: "x", shape: [1, 2, 3] }];
const TWO: ValueInfo[] = [
  { name: "a", shape: [1, 2] },
  { name: "b", shape: [2, 2] },
];

describe("readModelInput", () => {
  describe("EZKL format ({ input_data: [...] })", () => {
    it("reads one flat list per graph input", () => {
      expect(readModelInput({ input_data: [[1, 2, 3, 4, 5, 6]] }, ONE)).to.deep.equal([[1, 2, 3, 4, 5, 6]]);
      expect(readModelInput({ input_data: [[1, 2], [3, 4, 5, 6]] }, TWO)).to.deep.equal([[1, 2], [3, 4, 5, 6]]);
    });

    it("flattens nested lists row-major and ignores EZKL's other keys", () => {
      const raw = { input_data: [[[1, 2, 3], [4, 5, 6]]], input_shapes: [[2, 3]], output_data: [[0]] };
      expect(readModelInput(raw, ONE)).to.deep.equal([[1, 2, 3, 4, 5, 6]]);
    });

    it("rejects a list count different from the number of graph inputs, naming the inputs", () => {
      expectZkmlError(() => readModelInput({ input_data: [[1, 2]] }, TWO), "1 list(s)", "2 input(s)", "a, b");
      expectZkmlError(() => readModelInput({ input_data: [] }, ONE), "0 list(s)", "1 input(s)");
    });

    it("rejects a list with the wrong number of values, stating the shape", () => {
      expectZkmlError(() => readModelInput({ input_data: [[1, 2, 3, 4, 5]] }, ONE), 'input "x" has 5 values', "[1,2,3]", "needs 6");
      expectZkmlError(() => readModelInput({ input_data: [[1, 2, 3], [3, 4, 5, 6]] }, TWO), 'input "a" has 3 values');
    });

    it("rejects input_data that is not an array", () => {
      expectZkmlError(() => readModelInput({ input_data: { x: [1] } }, ONE), '"input_data" must be an array');
    });
  });

  describe("named format ({ <name>: tensor })", () => {
    it("reads nested arrays", () => {
      expect(readModelInput({ x: [[[1, 2, 3], [4, 5, 6]]] }, ONE)).to.deep.equal([[1, 2, 3, 4, 5, 6]]);
    });

    it("reads flat arrays", () => {
      expect(readModelInput({ x: [1, 2, 3, 4, 5, 6] }, ONE)).to.deep.equal([[1, 2, 3, 4, 5, 6]]);
    });

    it("orders the result by the graph's inputs, not by the JSON keys", () => {
      expect(readModelInput({ b: [[3, 4], [5, 6]], a: [1, 2] }, TWO)).to.deep.equal([[1, 2], [3, 4, 5, 6]]);
    });

    it("rejects a tensor with the wrong number of values", () => {
      expectZkmlError(() => readModelInput({ x: [1, 2, 3, 4, 5, 6, 7] }, ONE), 'input "x" has 7 values', "needs 6");
      expectZkmlError(() => readModelInput({ x: [[1, 2, 3]] }, ONE), 'input "x" has shape [1,3]; the model expects');
      expectZkmlError(() => readModelInput({ x: [] }, ONE), 'input "x" has 0 values');
    });

    it("rejects a scalar where a tensor is expected", () => {
      expectZkmlError(() => readModelInput({ x: 5 }, ONE), 'input "x" has 1 values');
    });

    it("rejects an unknown name, listing the model's inputs", () => {
      expectZkmlError(() => readModelInput({ a: [1, 2], b: [1, 2, 3, 4], c: [1] }, TWO), 'unknown input name(s) "c"', '"a", "b"');
    });

    it("rejects a missing name, stating its shape", () => {
      expectZkmlError(() => readModelInput({ a: [1, 2] }, TWO), 'missing input "b"', "[2,2]");
    });
  });

  describe("non-numeric and non-finite values", () => {
    const cases: [string, unknown][] = [
      ["a string", "1.5"],
      ["null", null],
      ["a boolean", true],
      ["an object", { v: 1 }],
    ];
    for (const [what, bad] of cases) {
      it(`rejects ${what} in either format, quoting it`, () => {
        const values = [1, 2, bad, 4, 5, 6];
        expectZkmlError(() => readModelInput({ x: values }, ONE), 'input "x" contains', JSON.stringify(bad), "only numbers");
        expectZkmlError(() => readModelInput({ input_data: [values] }, ONE), 'input "x" contains', JSON.stringify(bad));
      });
    }

    for (const bad of [NaN, Infinity, -Infinity]) {
      it(`rejects ${bad}, naming the element`, () => {
        expectZkmlError(() => readModelInput({ x: [[1, 2, 3], [4, bad, 6]] }, ONE), 'input "x" element 4 is', String(bad), "finite");
        expectZkmlError(() => readModelInput({ input_data: [[bad, 2, 3, 4, 5, 6]] }, ONE), "element 0", String(bad));
      });
    }
  });

  it("rejects input that is not a JSON object", () => {
    for (const raw of [null, [1, 2, 3], "x", 3]) expectZkmlError(() => readModelInput(raw, ONE), "input must be a JSON object");
  });
});

describe("quantizeInputs", () => {
  const { min, max } = inputRange(QUANT); // [-2048, 2048 - 2^-12] for scaleBits 12, inputBits 24

  it("quantizes at scaleBits with round half up", () => {
    expect(quantizeInputs([[1, -1, 0.5, 2 ** -13, -(2 ** -13)]], [{ name: "x", shape: [5] }], QUANT)).to.deep.equal([
      [4096n, -4096n, 2048n, 1n, 0n],
    ]);
  });

  it("accepts both ends of the provable range", () => {
    const q = quantizeInputs([[min, max]], [{ name: "x", shape: [2] }], QUANT);
    expect(q).to.deep.equal([[-(1n << 23n), (1n << 23n) - 1n]]);
  });

  for (const bad of [2048, -2049, 1e9, -1e9]) {
    it(`rejects ${bad} with a message stating the provable range and settings`, () => {
      expectZkmlError(
        () => quantizeInputs([[0], [0, bad]], [{ name: "a", shape: [1] }, { name: "b", shape: [2] }], QUANT),
        `input "b" element 1 = ${bad}`,
        "outside the provable range: rounded to a multiple of 2^-12 it must lie in [-2048, 2047.999755859375]",
        "inputBits=24",
        "scaleBits=12",
      );
    });
  }

  it("scales the stated range with the settings", () => {
    const quant = { scaleBits: 4, inputBits: 8 }; // [-128, 128) / 16 = [-8, 8)
    expect(quantizeInputs([[-8, 7.9375]], [{ name: "x", shape: [2] }], quant)).to.deep.equal([[-128n, 127n]]);
    expectZkmlError(() => quantizeInputs([[8]], [{ name: "x", shape: [1] }], quant), "[-8, 7.9375]", "inputBits=8", "scaleBits=4");
    // 7.97 rounds up to 8 at 2^-4: the check is on the rounded value, exactly as the circuit sees it.
    expectZkmlError(() => quantizeInputs([[7.97]], [{ name: "x", shape: [1] }], quant), "[-8, 7.9375]");
  });

  it("rejects non-finite values with a ZkmlError", () => {
    expectZkmlError(() => quantizeInputs([[NaN]], [{ name: "x", shape: [1] }], QUANT), 'input "x" element 0', "NaN");
  });
});

describe("readModelInput: nested arrays must have the input's shape", () => {
  it("accepts the shape with or without the batch dimension, and a flat list", () => {
    const want = [[1, 2, 3, 4, 5, 6]];
    expect(readModelInput({ x: [[[1, 2, 3], [4, 5, 6]]] }, ONE)).to.deep.equal(want);
    expect(readModelInput({ x: [[1, 2, 3], [4, 5, 6]] }, ONE)).to.deep.equal(want);
    expect(readModelInput({ x: [1, 2, 3, 4, 5, 6] }, ONE)).to.deep.equal(want);
  });

  it("rejects a transposed or ragged nested array even when the count matches", () => {
    expectZkmlError(() => readModelInput({ x: [[1, 2], [3, 4], [5, 6]] }, ONE), 'input "x" has shape [3,2]; the model expects [1,2,3]');
    expectZkmlError(() => readModelInput({ x: [[1], [2, 3, 4, 5, 6]] }, ONE), 'input "x" is a ragged array');
  });
});

describe("integer and bool inputs", () => {
  const TYPED: ValueInfo[] = [
    { name: "ids", shape: [1, 3], elemType: "int64" },
    { name: "mask", shape: [1, 2], elemType: "bool" },
    { name: "px", shape: [1, 2], elemType: "uint8" },
    { name: "x", shape: [1, 1], elemType: "float64" },
  ];

  it("takes integers exactly (scale 0) and floats at the scale; bools as true/false or 0/1", () => {
    const raw = readModelInput({ ids: [5, 0, 8388607], mask: [true, false], px: [255, 0], x: [0.5] }, TYPED);
    expect(raw).to.deep.equal([[5, 0, 8388607], [1, 0], [255, 0], [0.5]]);
    expect(quantizeInputs(raw, TYPED, QUANT)).to.deep.equal([[5n, 0n, 8388607n], [1n, 0n], [255n, 0n], [2048n]]);
  });

  it("refuses a value of the wrong type or outside the input range, naming the input and element", () => {
    expectZkmlError(() => quantizeInputs([[1, 2.5, 3], [0, 1], [0, 0], [0]], TYPED, QUANT), 'input "ids" element 1 = 2.5 is not a value of type int64');
    expectZkmlError(() => quantizeInputs([[1, 2, -8388609], [0, 1], [0, 0], [0]], TYPED, QUANT), 'input "ids" element 2 = -8388609 is outside the provable range of an integer input: [-8388608, 8388607] (inputBits=24)');
    expectZkmlError(() => quantizeInputs([[1, 2, 3], [0, 2], [0, 0], [0]], TYPED, QUANT), 'input "mask" element 1 = 2 is not a value of type bool (integers in [0, 1])');
    expectZkmlError(() => quantizeInputs([[1, 2, 3], [0, 1], [256, 0], [0]], TYPED, QUANT), 'input "px" element 0 = 256 is not a value of type uint8 (integers in [0, 255])');
    expectZkmlError(() => readModelInput({ ids: [true, 0, 1], mask: [0, 1], px: [0, 0], x: [0] }, TYPED), 'input "ids" contains true; only numbers are allowed');
  });
});
