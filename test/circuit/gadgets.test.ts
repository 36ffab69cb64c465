import { expect } from "chai";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { FIELD_MODULUS, fromField, roundShift } from "../../src/quantize/fixed-point";
import { ASSERT_ONLY_RESCALE, sourceCircuit, TestCircuit } from "./helpers";

/**
 * The gadgets of circuits/lib/zkml.circom at tiny sizes, where every in-range input can be tried and
 * every assignment of the prover-chosen wires can be enumerated: the honest witness must be the only
 * satisfying one (a forged quotient, remainder or sign bit can never satisfy the constraints).
 */

const wrap = (gadget: string, out: string) =>
  `pragma circom 2.1.6;\ninclude "zkml.circom";\ntemplate T() {\n  signal input in;\n  signal output out;\n  component g = ${gadget};\n  g.in <== in;\n  out <== ${out};\n}\ncomponent main {public [in]} = T();\n`;

const relu = (v: bigint) => (v > 0n ? v : 0n);

/** Every assignment of the non-input wires over small domains that satisfies the R1CS. */
function satisfyingAssignments(c: TestCircuit, honest: bigint[], intRange: number): bigint[][] {
  const free = [...c.sym.entries()].filter(([name, w]) => w > 0 && name !== "main.in").map(([name, w]) => ({ name, w }));
  const domains = free.map(({ name }) =>
    /bits|nonneg/.test(name) ? [0n, 1n] : Array.from({ length: 2 * intRange + 1 }, (_, i) => BigInt(i - intRange)),
  );
  const found: bigint[][] = [];
  const w = [...honest];
  const rec = (k: number) => {
    if (k === free.length) {
      if (unsatisfiedConstraints(c.r1cs, w).length === 0) found.push([...w]);
      return;
    }
    for (const v of domains[k]) {
      w[free[k].w] = ((v % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
      rec(k + 1);
    }
  };
  rec(0);
  return found;
}

interface GadgetCase {
  gadget: string;
  out: string;
  /** Inputs whose result fits the proven width. */
  range: [number, number];
  expected: (x: bigint) => bigint;
}

const cases: GadgetCase[] = [
  // shift 2, width 3: quotient in [-4, 4), so in + 2 in [-16, 16)
  { gadget: "RescaleRangeCheck(2, 3)", out: "g.out", range: [-18, 13], expected: (x) => roundShift(x, 2) },
  { gadget: "RescaleRelu(2, 3)", out: "g.out", range: [-18, 13], expected: (x) => relu(roundShift(x, 2)) },
  { gadget: "Relu(3)", out: "g.out", range: [-4, 3], expected: relu },
  { gadget: "SignedRangeCheck(3)", out: "g.nonneg", range: [-4, 3], expected: (x) => (x >= 0n ? 1n : 0n) },
];

describe("circuit gadgets (zkml.circom)", () => {
  for (const k of cases) {
    describe(k.gadget, () => {
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

      it("cannot produce a witness just outside the proven range", async () => {
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
        for (const x of [k.range[0], -3, -1, 0, 1, 2, k.range[1]]) {
          const honest = await c.witness({ in: x });
          const all = satisfyingAssignments(c, honest, 12);
          expect(all.length, `in=${x}`).to.equal(1);
          expect(all[0]).to.deep.equal(honest);
        }
      });
    });
  }

  it("the enumeration catches a rescale whose remainder is not range-checked", async () => {
    const c = await sourceCircuit("broken", ASSERT_ONLY_RESCALE);
    const honest = await c.witness({ in: 5 });
    expect(fromField(honest[1])).to.equal(1n);
    const forgeries = satisfyingAssignments(c, honest, 12).filter((w) => w[1] !== honest[1]);
    expect(forgeries.length).to.be.greaterThan(0);
  });
});
