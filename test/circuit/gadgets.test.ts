import { expect } from "chai";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { inputRangeChecks } from "../../src/emit/circom";
import { roundShift } from "../../src/numeric/fixed-point";
import { fromField } from "../../src/numeric/field";
import { ASSERT_ONLY_RESCALE, satisfyingAssignments, sourceCircuit, TestCircuit, violatedAfter } from "./helpers";

/**
 * The gadgets of circuits/lib/zkml.circom at tiny sizes, where every in-range input can be tried and
 * every assignment of the prover-chosen wires can be enumerated: the honest witness must be the only
 * satisfying one (a forged quotient, remainder or sign bit can never satisfy the constraints).
 */

const wrap = (gadget: string, out: string) =>
  `pragma circom 2.1.6;\ninclude "zkml.circom";\ntemplate T() {\n  signal input in;\n  signal output out;\n  component g = ${gadget};\n  g.in <== in;\n  out <== ${out};\n}\ncomponent main {public [in]} = T();\n`;

const relu = (v: bigint) => (v > 0n ? v : 0n);

/** Every satisfying assignment of the non-input wires (bits and signs over {0, 1}). */
function satisfying(c: TestCircuit, honest: bigint[], intRange: number): bigint[][] {
  const free = [...c.sym.entries()].filter(([name, w]) => w > 0 && name !== "main.in").map(([name, wire]) => ({ wire, boolean: /bits|nonneg/.test(name) }));
  return satisfyingAssignments(c.r1cs, honest, free, intRange);
}

interface GadgetCase {
  gadget: string;
  out: string;
  /** Inputs whose result fits the proven width. */
  range: [number, number];
  expected: (x: bigint) => bigint;
  /** The gadget accepts every field element (nothing is range-checked). */
  total?: boolean;
}

const cases: GadgetCase[] = [
  // shift 2, width 3: quotient in [-4, 4), so in + 2 in [-16, 16)
  { gadget: "RescaleRangeCheck(2, 3)", out: "g.out", range: [-18, 13], expected: (x) => roundShift(x, 2) },
  { gadget: "RescaleRelu(2, 3)", out: "g.out", range: [-18, 13], expected: (x) => relu(roundShift(x, 2)) },
  { gadget: "Relu(3)", out: "g.out", range: [-4, 3], expected: relu },
  { gadget: "SignedRangeCheck(3)", out: "g.nonneg", range: [-4, 3], expected: (x) => (x >= 0n ? 1n : 0n) },
  { gadget: "IsZero()", out: "g.out", range: [-6, 6], expected: (x) => (x === 0n ? 1n : 0n), total: true },
  // SignedDigits: the quotient as its bits spell it (offset 4); every bit is prover-chosen.
  { gadget: "SignedDigits(2, 3)", out: "g.bits[0] + 2 * g.bits[1] + 4 * g.bits[2] - 4", range: [-18, 13], expected: (x) => roundShift(x, 2) },
  { gadget: "SignedDigits(0, 3)", out: "g.bits[0] + 2 * g.bits[1] + 4 * g.bits[2] - 4", range: [-4, 3], expected: (x) => x },
  { gadget: "SignedDigits(2, 3)", out: "g.bits[2]", range: [-18, 13], expected: (x) => (roundShift(x, 2) >= 0n ? 1n : 0n) },
  // Bits(3) proves 0 <= in < 8; the output checked is the top bit.
  { gadget: "Bits(3)", out: "g.bits[2]", range: [0, 7], expected: (x) => (x >> 2n) & 1n },
];

describe("circuit gadgets (zkml.circom)", () => {
  for (const k of cases) {
    describe(`${k.gadget} -> ${k.out}`, () => {
      let c: TestCircuit;
      before(async () => {
        c = await sourceCircuit("gadget", wrap(k.gadget, k.out));
      });

      it("computes the reference result for every in-range input", async () => {
        for (let x = k.range[0]; x <= k.range[1]; x++) {
          const w = await c.witness({ in: x });
          expect(unsatisfiedConstraints(c.r1cs, w), `in=${x}`).to.deep.equal([]);
          expect(fromField(w[1]), `in=${x}`).to.equal(k.expected(BigInt(x)));
        }
      });

      // A total gadget (IsZero) has no range to leave.
      if (!k.total) it("cannot produce a witness just outside the proven range", async () => {
        for (const x of [k.range[0] - 1, k.range[1] + 1]) {
          let failed = false;
          try {
            await c.witness({ in: x });
          } catch {
            failed = true;
          }
          expect(failed, `in=${x} should be unprovable`).to.equal(true);
        }
      });

      it("admits exactly one satisfying assignment (no forged quotient, remainder or sign)", async () => {
        for (const x of [k.range[0], -3, -1, 0, 1, 2, k.range[1]].filter((v) => v >= k.range[0] && v <= k.range[1])) {
          const honest = await c.witness({ in: x });
          const all = satisfying(c, honest, 12);
          expect(all.length, `in=${x}`).to.equal(1);
          expect(all[0]).to.deep.equal(honest);
        }
      });
    });
  }

  describe("FloorDiv(6, 3): q = floor(a / b)", () => {
    const src = `pragma circom 2.1.6;\ninclude "zkml.circom";\ntemplate T() {\n  signal input a;\n  signal input b;\n  signal output out;\n  component g = FloorDiv(6, 3);\n  g.a <== a;\n  g.b <== b;\n  out <== g.out;\n}\ncomponent main {public [a, b]} = T();\n`;
    let c: TestCircuit;
    before(async () => {
      c = await sourceCircuit("floordiv", src);
    });
    const floorDiv = (a: bigint, b: bigint) => (a - (((a % b) + b) % b)) / b;

    it("computes floor(a / b) for every a in [-30, 30] and divisor in [1, 7]", async () => {
      for (let a = -30; a <= 30; a++)
        for (let b = 1; b <= 7; b++) {
          const w = await c.witness({ a, b });
          expect(unsatisfiedConstraints(c.r1cs, w), `a=${a} b=${b}`).to.deep.equal([]);
          expect(fromField(w[1]), `a=${a} b=${b}`).to.equal(floorDiv(BigInt(a), BigInt(b)));
        }
    });

    it("cannot divide by zero or a negative number", async () => {
      for (const b of [0, -1, -5]) {
        let failed = false;
        try {
          await c.witness({ a: 5, b });
        } catch {
          failed = true;
        }
        expect(failed, `b=${b}`).to.equal(true);
      }
    });

    it("rejects every other quotient, even with a coherent remainder and re-decomposed bits", async () => {
      const wire = (n: string) => c.sym.get(n)!;
      for (const [a, b] of [[17, 5], [-17, 5], [0, 3], [29, 7], [-1, 1]]) {
        const honest = await c.witness({ a, b });
        const q = fromField(honest[1]);
        for (let dq = -3n; dq <= 3n; dq++) {
          if (dq === 0n) continue;
          const q2 = q + dq;
          const r2 = BigInt(a) - q2 * BigInt(b);
          const changes = new Map<number, bigint>();
          // circom -O2 merges some of these wires; set each one that survived.
          const set = (n: string, v: bigint) => c.sym.has(n) && changes.set(wire(n), v);
          [["main.out", q2], ["main.g.out", q2], ["main.g.r", r2], ["main.g.rRange.in", r2], ["main.g.qRange.in", q2]].forEach(([n, v]) => set(n as string, v as bigint));
          const setBits = (prefix: string, v: bigint, n: number) => {
            for (let i = 0; i < n; i++) set(`${prefix}[${i}]`, ((((v % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n))) >> BigInt(i)) & 1n);
          };
          setBits("main.g.qRange.bits", q2 + 32n, 6);
          setBits("main.g.rRange.bits", r2, 3);
          setBits("main.g.gap.bits", BigInt(b) - r2 - 1n, 3);
          expect(violatedAfter(c, honest, changes), `a=${a} b=${b} q=${q2}`).to.not.deep.equal([]);
        }
      }
    });
  });

  it("Mul: out = a * b, and a changed product breaks its constraint", async () => {
    const src = `pragma circom 2.1.6;\ninclude "zkml.circom";\ntemplate T() {\n  signal input a;\n  signal input b;\n  signal output out;\n  component g = Mul();\n  g.a <== a;\n  g.b <== b;\n  out <== g.out;\n}\ncomponent main {public [a, b]} = T();\n`;
    const c = await sourceCircuit("mul", src);
    for (const [a, b] of [[3, 4], [-7, 5], [0, 9]]) {
      const w = await c.witness({ a, b });
      expect(fromField(w[1])).to.equal(BigInt(a * b));
      expect(violatedAfter(c, w, new Map([[1, w[1] + 1n]]))).to.not.deep.equal([]);
    }
  });

  it("the enumeration catches a rescale whose remainder is not range-checked", async () => {
    const c = await sourceCircuit("broken", ASSERT_ONLY_RESCALE);
    const honest = await c.witness({ in: 5 });
    expect(fromField(honest[1])).to.equal(1n);
    const forgeries = satisfying(c, honest, 12).filter((w) => w[1] !== honest[1]);
    expect(forgeries.length).to.be.greaterThan(0);
  });
});

describe("the interface's input range check (src/emit/circom.ts inputRangeChecks, bit 0 folded)", () => {
  // 3 bits: in must lie in [-4, 3]; in + 4's bits 1 and 2 are wires, bit 0 is the folded L.
  const src = ["pragma circom 2.1.6;", "template T() {", "    signal input in[1];", "    signal output out;", ...inputRangeChecks(1, 3), "    out <== in[0] * 1;", "}", "component main {public [in]} = T();", ""].join("\n");
  let c: TestCircuit;
  before(async () => {
    c = await sourceCircuit("input-range", src);
  });

  it("costs 3 constraints per 3-bit input (2 booleanities and the folded one)", () => {
    // The fourth is out = in[0], which the wrapper adds.
    expect(c.r1cs.nConstraints).to.equal(4);
  });

  it("every in-range input has exactly one assignment of the bit wires, over small integers not only booleans", async () => {
    const bitWires = [...c.sym.entries()].filter(([n]) => n.startsWith("main.inRange")).map(([, wire]) => ({ wire, boolean: false }));
    expect(bitWires.length).to.equal(2);
    for (let x = -4; x <= 3; x++) {
      const honest = await c.witness({ in: [x] });
      expect(unsatisfiedConstraints(c.r1cs, honest), `in=${x}`).to.deep.equal([]);
      expect(satisfyingAssignments(c.r1cs, honest, bitWires, 6), `in=${x}`).to.deep.equal([honest]);
    }
  });

  it("no assignment of the bit wires admits an input outside [-4, 3], and the witness refuses it", async () => {
    const honest = await c.witness({ in: [0] });
    const bitWires = [...c.sym.entries()].filter(([n]) => n.startsWith("main.inRange")).map(([, wire]) => ({ wire, boolean: false }));
    const inWire = c.sym.get("main.in[0]")!;
    for (const x of [-6, -5, 4, 5, 8]) {
      const tampered = [...honest];
      // in and the wrapper's out = in take x; only the range check's wires are searched.
      for (const w of [inWire, c.sym.get("main.out")!]) tampered[w] = ((BigInt(x) % c.r1cs.prime) + c.r1cs.prime) % c.r1cs.prime;
      expect(unsatisfiedConstraints(c.r1cs, tampered).length, "only the range check can fail").to.be.greaterThan(0);
      expect(satisfyingAssignments(c.r1cs, tampered, bitWires, 8), `in=${x}`).to.deep.equal([]);
      let failed = false;
      try {
        await c.witness({ in: [x] });
      } catch {
        failed = true;
      }
      expect(failed, `in=${x} should be unprovable`).to.equal(true);
    }
  });
});

describe("the interface's input range check, unsigned (QuantParams.inputUnsigned)", () => {
  // 3 unsigned bits: in must lie in [0, 7].
  const src = ["pragma circom 2.1.6;", "template T() {", "    signal input in[1];", "    signal output out;", ...inputRangeChecks(1, 3, true), "    out <== in[0] * 1;", "}", "component main {public [in]} = T();", ""].join("\n");
  let c: TestCircuit;
  before(async () => {
    c = await sourceCircuit("input-range-unsigned", src);
  });

  it("admits each input in [0, 7] with exactly one assignment, and none outside it", async () => {
    const bitWires = [...c.sym.entries()].filter(([n]) => n.startsWith("main.inRange")).map(([, wire]) => ({ wire, boolean: false }));
    const inWire = c.sym.get("main.in[0]")!;
    const zero = await c.witness({ in: [0] });
    for (let x = -4; x <= 10; x++) {
      const tampered = [...zero];
      // in and the wrapper's out = in take x; only the range check's wires are searched.
      for (const w of [inWire, c.sym.get("main.out")!]) tampered[w] = ((BigInt(x) % c.r1cs.prime) + c.r1cs.prime) % c.r1cs.prime;
      const found = satisfyingAssignments(c.r1cs, tampered, bitWires, 8);
      if (x >= 0 && x <= 7) expect(found, `in=${x}`).to.deep.equal([await c.witness({ in: [x] })]);
      else expect(found, `in=${x}`).to.deep.equal([]);
    }
  });
});

