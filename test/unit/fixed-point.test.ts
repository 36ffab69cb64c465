import { expect } from "chai";
import { dequantize, floorShift, quantizeReal, roundShift, signedWidth } from "../../src/numeric/fixed-point";
import { FIELD_MODULUS, fromField, toField } from "../../src/numeric/field";
import { expectZkmlError, rng } from "./helpers";

const P = FIELD_MODULUS;

describe("fixed-point helpers", () => {
  describe("roundShift", () => {
    it("is the identity for shift 0", () => {
      for (const v of [0n, 1n, -1n, 12345n, -(1n << 200n)]) expect(roundShift(v, 0)).to.equal(v);
    });

    it("rounds exact halves up (toward +infinity), for both signs", () => {
      expect(roundShift(1n, 1)).to.equal(1n); //   0.5  -> 1
      expect(roundShift(-1n, 1)).to.equal(0n); //  -0.5  -> 0
      expect(roundShift(3n, 1)).to.equal(2n); //   1.5  -> 2
      expect(roundShift(-3n, 1)).to.equal(-1n); // -1.5  -> -1
      expect(roundShift(6n, 2)).to.equal(2n); //   1.5  -> 2
      expect(roundShift(-6n, 2)).to.equal(-1n); // -1.5  -> -1
      expect(roundShift(-2n, 2)).to.equal(0n); //  -0.5  -> 0
    });

    it("rounds non-halves to the nearest integer, for both signs", () => {
      expect(roundShift(5n, 2)).to.equal(1n); //   1.25 -> 1
      expect(roundShift(7n, 2)).to.equal(2n); //   1.75 -> 2
      expect(roundShift(-5n, 2)).to.equal(-1n); // -1.25 -> -1
      expect(roundShift(-7n, 2)).to.equal(-2n); // -1.75 -> -2
      expect(roundShift(-1n, 2)).to.equal(0n); //  -0.25 -> 0
      expect(roundShift(-3n, 2)).to.equal(-1n); // -0.75 -> -1
    });

    it("equals floor(a / 2^s + 1/2) on random values (exact rational arithmetic)", () => {
      const rand = rng(7);
      const wrong: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const a = BigInt(Math.floor((rand() - 0.5) * 2 ** 40));
        const s = 1 + Math.floor(rand() * 20);
        // floor((2a + 2^s) / 2^(s+1)) with a floor division that is correct for negatives
        const num = 2n * a + (1n << BigInt(s));
        const den = 1n << BigInt(s + 1);
        const expected = num >= 0n ? num / den : -((-num + den - 1n) / den);
        if (roundShift(a, s) !== expected) wrong.push(`roundShift(${a}, ${s}) = ${roundShift(a, s)}, expected ${expected}`);
      }
      expect(wrong).to.deep.equal([]);
    });

    it("works on values far beyond 2^53", () => {
      const big = (1n << 200n) + (1n << 99n); // x.5 at shift 100
      expect(roundShift(big, 100)).to.equal((1n << 100n) + 1n);
      expect(roundShift(-big, 100)).to.equal(-(1n << 100n));
    });
  });

  it("floorShift floors negative values (not truncation)", () => {
    expect(floorShift(-1n, 1)).to.equal(-1n);
    expect(floorShift(-5n, 2)).to.equal(-2n);
    expect(floorShift(5n, 2)).to.equal(1n);
  });

  describe("signedWidth", () => {
    it("is 1 for [-1, 0] and its sub-ranges", () => {
      expect(signedWidth(0n, 0n)).to.equal(1);
      expect(signedWidth(-1n, 0n)).to.equal(1);
      expect(signedWidth(-1n, -1n)).to.equal(1);
    });

    it("is tight at the two's-complement boundaries", () => {
      expect(signedWidth(0n, 1n)).to.equal(2);
      expect(signedWidth(-2n, 1n)).to.equal(2);
      expect(signedWidth(-3n, 0n)).to.equal(3);
      expect(signedWidth(-128n, 127n)).to.equal(8);
      expect(signedWidth(-129n, 127n)).to.equal(9);
      expect(signedWidth(-128n, 128n)).to.equal(9);
      expect(signedWidth(5n, 5n)).to.equal(4); // 5 < 8 = 2^3
      expect(signedWidth(-8n, -8n)).to.equal(4);
    });

    it("handles widths beyond 64 bits", () => {
      expect(signedWidth(-(1n << 249n), (1n << 249n) - 1n)).to.equal(250);
      expect(signedWidth(0n, 1n << 249n)).to.equal(251);
    });

    it("is the smallest width w with -2^(w-1) <= lo and hi < 2^(w-1)", () => {
      const rand = rng(11);
      const wrong: string[] = [];
      for (let i = 0; i < 500; i++) {
        const a = BigInt(Math.floor((rand() - 0.5) * 2 ** 30));
        const b = BigInt(Math.floor((rand() - 0.5) * 2 ** 30));
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const w = BigInt(signedWidth(lo, hi));
        const fits = (k: bigint) => lo >= -(1n << (k - 1n)) && hi < 1n << (k - 1n);
        if (!fits(w) || (w > 1n && fits(w - 1n))) wrong.push(`signedWidth(${lo}, ${hi}) = ${w}`);
      }
      expect(wrong).to.deep.equal([]);
    });
  });

  describe("toField / fromField", () => {
    it("maps negatives to the top of the field", () => {
      expect(toField(-1n)).to.equal(P - 1n);
      expect(toField(-5n)).to.equal(P - 5n);
      expect(toField(0n)).to.equal(0n);
      expect(toField(P)).to.equal(0n);
      expect(toField(-P)).to.equal(0n);
      expect(toField(P + 3n)).to.equal(3n);
    });

    it("round-trips signed values, including the extremes of (-p/2, p/2)", () => {
      const halfP = (P - 1n) / 2n; // P is odd
      for (const v of [0n, 1n, -1n, 42n, -42n, 1n << 200n, -(1n << 200n), halfP, -halfP]) {
        const f = toField(v);
        expect(f >= 0n && f < P, `toField(${v}) is reduced`).to.equal(true);
        expect(fromField(f), `round trip of ${v}`).to.equal(v);
      }
    });

    it("decodes field elements above p/2 as negative", () => {
      const halfP = (P - 1n) / 2n;
      expect(fromField(halfP)).to.equal(halfP);
      expect(fromField(halfP + 1n)).to.equal(-halfP);
      expect(fromField(P - 1n)).to.equal(-1n);
    });
  });

  describe("quantizeReal / dequantize", () => {
    it("rounds x * 2^scale half up", () => {
      expect(quantizeReal(1, 12, "x")).to.equal(4096n);
      expect(quantizeReal(-1.5, 1, "x")).to.equal(-3n);
      expect(quantizeReal(0.5, 0, "x")).to.equal(1n);
      expect(quantizeReal(-0.5, 0, "x")).to.equal(0n); // half up, like roundShift
      expect(quantizeReal(-0.75, 1, "x")).to.equal(-1n); // -1.5 -> -1
      expect(quantizeReal(0.1, 12, "x")).to.equal(410n); // 409.6
    });

    it("is inverted by dequantize for values on the grid", () => {
      for (const x of [0, 1, -1, 0.25, -3.75, 1000.125]) expect(dequantize(quantizeReal(x, 12, "x"), 12)).to.equal(x);
    });

    for (const bad of [NaN, Infinity, -Infinity]) {
      it(`rejects ${bad} with a ZkmlError naming the value`, () => {
        expectZkmlError(() => quantizeReal(bad, 12, "weight of node g"), "weight of node g", String(bad), "finite");
      });
    }
  });
});
