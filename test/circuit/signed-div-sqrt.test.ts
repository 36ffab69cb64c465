/**
 * The signed floor division (SignedFloorDiv, src/gadgets/sdiv.ts) and the integer square root
 * (IntegerSqrt, src/gadgets/sqrt.ts) alone, on their direct R1CS (the circom templates are the same
 * system: test/circuit/gadget-registry.test.ts):
 *  - every input at small widths, and every candidate value of each prover-chosen wire over a range
 *    wider than the valid one: exactly the honest witness satisfies the constraints. Bits and products
 *    are not enumerated separately: booleans that recombine to a value are that value's binary digits,
 *    and a product's output wire is its factors' product, so each is a function of the rest;
 *  - a zero divisor and a negative radicand admit no witness at all;
 *  - every coherent forgery of the audit (wrapped quotients, a flipped sign, a root ±1) and every
 *    single-wire change breaks a constraint;
 *  - a planted too-wide division admits a wrapped quotient, is refused by the width precondition and
 *    flagged by the field-wrap checker.
 */
import { expect } from "chai";
import { buildBody } from "../../src/emit/r1cs";
import { gadgetMutations, Terms } from "../../src/gadgets";
import { CircuitProgram, LinExpr } from "../../src/lower";
import { FIELD_MODULUS } from "../../src/numeric/field";
import { floorDivSigned, isqrt, signedRange } from "../../src/numeric/fixed-point";
import { IntervalDomain, MAX_CONSTRAINT_BITS, SiteKind } from "../../src/quantize/interval";
import { IntegerDomain } from "../../src/quantize/evaluate";
import { checkFieldWrap } from "../../src/audit/field-wrap";
import { expectZkmlError } from "../unit/helpers";

const P = FIELD_MODULUS;
const toField = (v: bigint) => ((v % P) + P) % P;
const x = (s: number): LinExpr => ({ terms: new Map([[s, 1n]]), c: 0n });
type C = { a: Terms; b: Terms; c: Terms };

function program(kind: SiteKind, width: number, shift: number, inputs: number, inputBits = 16): CircuitProgram {
  return {
    inputCount: inputs,
    inputBits,
    paramCount: 0,
    gadgets: [{ site: { kind, node: "g", index: 0, width, shift }, inputs: Array.from({ length: inputs }, (_, i) => x(i)), signals: [inputs] }],
    outputs: [x(inputs)],
    outputBounds: [signedRange(width)],
  };
}

/** Wire 0 is one, 1..n the inputs, n+1 the output port; the body follows. */
function body(prog: CircuitProgram, values: bigint[]) {
  const n = prog.inputCount;
  const ports = { input: (i: number) => 1 + i, param: () => -1, output: () => 1 + n, firstWire: 2 + n };
  const constraints: C[] = [];
  const built = buildBody(prog, ports, { sink: { constraint: (a, b, c) => constraints.push({ a, b, c }) }, values: { inputs: values, params: [] }, names: true });
  const witness = [1n, ...values, built.outputs![0], ...built.witness!].map(toField);
  const names = built.names!;
  const wire = (name: string) => {
    const i = names.indexOf(name);
    return i < 0 ? undefined : ports.firstWire + i;
  };
  return { constraints, witness, wire, names, firstWire: ports.firstWire, outPort: 1 + n };
}

const holds = (cs: C[], w: bigint[]) =>
  cs.every(({ a, b, c }) => {
    const dot = (t: Terms) => [...t].reduce((s, [wire, k]) => s + k * w[wire], 0n);
    return toField(dot(a) * dot(b) - dot(c)) === 0n;
  });

const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(i)) & 1n);
/** Binary digits of v if 0 <= v < 2^n, else the low bits (which then cannot recombine to v). */
const digitsOf = (v: bigint, n: number) => bitsOf(((v % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n)), n);
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => BigInt(lo + i));

describe("SignedFloorDiv (sdiv): direct R1CS at small widths", () => {
  const W = 4; // quotient bits
  const R = 2; // |b| < 2^R
  const prog = program("sdiv", W, R, 2);
  const template = body(prog, [1n, 1n]);

  /** Writes a candidate (q, r, n) and every wire that is a function of it. */
  function candidate(base: bigint[], a: bigint, b: bigint, q: bigint, r: bigint, n: bigint): bigint[] {
    const w = [...base];
    const set = (name: string, v: bigint) => (w[template.wire(name)!] = toField(v));
    set("main.g0.out", q);
    w[template.outPort] = toField(q);
    set("main.g0.r", r);
    set("main.g0.bnonneg", n);
    set("main.g0.bsel", n * b);
    set("main.g0.rsel", n * r);
    digitsOf(q + (1n << BigInt(W - 1)), W).forEach((v, i) => set(`main.g0.qRange.bits[${i}]`, v));
    digitsOf(r, R).forEach((v, i) => set(`main.g0.rRange.bits[${i}]`, v));
    digitsOf((2n * n - 1n) * b - r - 1n, R).forEach((v, i) => set(`main.g0.gap.bits[${i}]`, v));
    return w;
  }

  it("for every a and every b != 0 in range, exactly the honest witness (q = floor(a / b), remainder with b's sign) is accepted", () => {
    let inputs = 0;
    for (const b of range(-3, 3)) {
      if (b === 0n) continue;
      for (const a of range(-8, 8)) {
        const q0 = floorDivSigned(a, b);
        if (q0 < -(1n << BigInt(W - 1)) || q0 >= 1n << BigInt(W - 1)) continue; // not provable at this width
        inputs++;
        const { constraints, witness } = body(prog, [a, b]);
        expect(holds(constraints, witness), `honest a=${a} b=${b}`).to.equal(true);
        expect(witness[template.outPort]).to.equal(toField(q0));
        const rem = a - q0 * b;
        expect(rem === 0n || (rem > 0n) === (b > 0n), "the remainder takes the divisor's sign").to.equal(true);
        const accepted: string[] = [];
        for (const q of range(-12, 12))
          for (const r of range(-6, 9))
            for (const n of [0n, 1n, 2n, P - 1n])
              if (holds(constraints, candidate(witness, a, b, q, r, n))) accepted.push(`q=${q} r=${r} n=${n}`);
        expect(accepted, `a=${a} b=${b}`).to.deep.equal([`q=${q0} r=${rem < 0n ? -rem : rem} n=${b > 0n ? 1n : 0n}`]);
      }
    }
    expect(inputs).to.be.greaterThan(80);
  });

  it("a zero divisor admits no witness: no candidate satisfies the constraints, and the witness builder refuses it", () => {
    const { constraints } = body(prog, [1n, 1n]);
    for (const a of range(-8, 8)) {
      const base = [...template.witness];
      base[1] = toField(a);
      base[2] = 0n;
      for (const q of range(-12, 12)) for (const r of range(-6, 9)) for (const n of [0n, 1n]) expect(holds(constraints, candidate(base, a, 0n, q, r, n)), `a=${a} q=${q} r=${r} n=${n}`).to.equal(false);
    }
    expectZkmlError(() => body(prog, [3n, 0n]), "divides by 0");
    const dom = new IntegerDomain([{ kind: "sdiv", node: "div0", index: 0, width: W, shift: R }]);
    const e = expectZkmlError(() => dom.sdiv(5n, 0n, { node: "div0", index: 0 }), 'node "div0" divides by 0', "no proof");
    expect(e.message).not.to.include("\n");
  });

  it("the audit's coherent forgeries (wrapped quotients, the divisor's sign flipped) and every single-wire ±1 break a constraint", () => {
    for (const [a, b] of [[7n, -2n], [-7n, 2n], [-5n, -3n], [0n, 1n], [6n, 3n]]) {
      const { constraints, witness, wire, firstWire } = body(prog, [a, b]);
      const ms = gadgetMutations({ k: 0, site: prog.gadgets[0].site, t: a, divisor: b, wire });
      expect(ms.map((m) => m.label)).to.include.members(["quotient wrapped by 1·p/b", "divisor's sign flipped"]);
      for (const m of ms) {
        const w = [...witness];
        for (const [k, v] of m.changes) w[k] = v;
        w[template.outPort] = w[wire("main.g0.out")!];
        expect(holds(constraints, w), `${m.label} at a=${a} b=${b}`).to.equal(false);
      }
      for (let k = firstWire - 1; k < witness.length; k++)
        for (const d of [1n, -1n]) {
          const w = [...witness];
          w[k] = toField(w[k] + d);
          expect(holds(constraints, w), `wire ${k} ${d}`).to.equal(false);
        }
    }
  });

  it(`a planted division past the width precondition admits a wrapped quotient; the bounds pass refuses it and the checker flags it`, () => {
    const planted = program("sdiv", 129, 128, 2, 128);
    const a = 5n;
    const b = -(1n << 127n);
    const { constraints, witness, wire } = body(planted, [a, b]);
    expect(holds(constraints, witness)).to.equal(true);
    const [wrapped] = gadgetMutations({ k: 0, site: planted.gadgets[0].site, t: a, divisor: b, wire });
    const w = [...witness];
    for (const [k, v] of wrapped.changes) w[k] = v;
    w[1 + 2] = w[wire("main.g0.out")!];
    expect(holds(constraints, w), "the wrapped quotient satisfies the too-wide instance").to.equal(true);
    const r = checkFieldWrap(planted, { input: signedRange(128) });
    expect(r.problems.length).to.be.greaterThan(0);
    expect(r.problems[0].where).to.include('node "g" (sdiv, quotient 129 bits');
    const dom = new IntervalDomain();
    expectZkmlError(() => dom.sdiv({ lo: -(1n << 200n), hi: 1n << 200n }, { lo: -(1n << 60n), hi: 1n << 60n }, { node: "div0", index: 0 }), 'node "div0" (sdiv)', "Div's quotient", `above the ${MAX_CONSTRAINT_BITS}`);
    // Within the precondition: cleared, and the same forgery fails.
    const ok = program("sdiv", 25, 24, 2, 24);
    expect(checkFieldWrap(ok, { input: signedRange(24) }).problems).to.deep.equal([]);
    const honest = body(ok, [5n, -(1n << 20n)]);
    for (const m of gadgetMutations({ k: 0, site: ok.gadgets[0].site, t: 5n, divisor: -(1n << 20n), wire: honest.wire })) {
      const v = [...honest.witness];
      for (const [k, val] of m.changes) v[k] = val;
      v[3] = v[honest.wire("main.g0.out")!];
      expect(holds(honest.constraints, v), m.label).to.equal(false);
    }
  });

  it("the bounds pass: exact floor-quotient corners for each sign piece, FloorDiv when the divisor is always >= 1", () => {
    const dom = new IntervalDomain();
    expect(dom.sdiv({ lo: -7n, hi: 9n }, { lo: -3n, hi: 2n }, { node: "d", index: 0 })).to.deep.equal({ lo: -9n, hi: 9n });
    expect(dom.sdiv({ lo: 4n, hi: 9n }, { lo: 2n, hi: 3n }, { node: "d", index: 1 })).to.deep.equal({ lo: 1n, hi: 4n });
    expect(dom.sdiv({ lo: 4n, hi: 9n }, { lo: -3n, hi: -2n }, { node: "d", index: 2 })).to.deep.equal({ lo: -5n, hi: -2n });
    expect(dom.sites.map((s) => s.kind)).to.deep.equal(["sdiv", "div", "sdiv"]);
    expectZkmlError(() => dom.sdiv({ lo: 1n, hi: 2n }, { lo: 0n, hi: 0n }, { node: "z", index: 0 }), "always 0");
    // Exhaustive: every (a, b) in the boxes lands in the interval.
    for (const a of range(-7, 9)) for (const b of range(-3, 2)) if (b !== 0n) expect(Number(floorDivSigned(a, b))).to.be.within(-9, 9);
  });
});

describe("IntegerSqrt (sqrt): direct R1CS at small widths", () => {
  const W = 3;
  const prog = program("sqrt", W, 0, 1);
  const template = body(prog, [0n]);

  function candidate(base: bigint[], xv: bigint, s: bigint): bigint[] {
    const w = [...base];
    const set = (name: string, v: bigint) => (w[template.wire(name)!] = toField(v));
    set("main.g0.out", s);
    w[template.outPort] = toField(s);
    set("main.g0.sq", s * s);
    digitsOf(s, W).forEach((v, i) => set(`main.g0.sRange.bits[${i}]`, v));
    digitsOf(xv - s * s, W + 1).forEach((v, i) => set(`main.g0.lo.bits[${i}]`, v));
    digitsOf(s * s + 2n * s - xv, W + 1).forEach((v, i) => set(`main.g0.hi.bits[${i}]`, v));
    return w;
  }

  it("for every 0 <= x < 2^(2·width), exactly s = floor(sqrt(x)) is accepted among every candidate root", () => {
    for (const xv of range(0, (1 << (2 * W)) - 1)) {
      const { constraints, witness } = body(prog, [xv]);
      expect(holds(constraints, witness), `honest x=${xv}`).to.equal(true);
      expect(witness[template.outPort]).to.equal(isqrt(xv));
      const accepted = range(-20, 20).filter((s) => holds(constraints, candidate(witness, xv, s)));
      expect(accepted, `x=${xv}`).to.deep.equal([isqrt(xv)]);
      // The field's "negative" roots too: -s squares to the same value.
      if (xv > 0n) expect(holds(constraints, candidate(witness, xv, P - isqrt(xv))), `x=${xv}: the root -s`).to.equal(false);
    }
  });

  it("a negative radicand admits no witness, and the evaluator says so in one line", () => {
    const { constraints } = body(prog, [0n]);
    for (const xv of range(-12, -1)) {
      const base = [...template.witness];
      base[1] = toField(xv);
      for (const s of range(-20, 20)) expect(holds(constraints, candidate(base, xv, s)), `x=${xv} s=${s}`).to.equal(false);
    }
    expectZkmlError(() => body(prog, [-1n]), "negative");
    const dom = new IntegerDomain([{ kind: "sqrt", node: "sqrt0", index: 0, width: W, shift: 0 }]);
    const e = expectZkmlError(() => dom.sqrt(-3n, { node: "sqrt0", index: 0 }), 'node "sqrt0"', "square root of a negative value", "no proof");
    expect(e.message).not.to.include("\n");
  });

  it("the audit's forgeries (root ±1) and every single-wire ±1 break a constraint", () => {
    for (const xv of [0n, 1n, 15n, 16n, 40n, 63n]) {
      const { constraints, witness, wire, firstWire } = body(prog, [xv]);
      const ms = gadgetMutations({ k: 0, site: prog.gadgets[0].site, t: xv, wire });
      expect(ms).to.have.length(2);
      for (const m of ms) {
        const w = [...witness];
        for (const [k, v] of m.changes) w[k] = v;
        w[template.outPort] = w[wire("main.g0.out")!];
        expect(holds(constraints, w), `${m.label} at x=${xv}`).to.equal(false);
      }
      for (let k = firstWire - 1; k < witness.length; k++)
        for (const d of [1n, -1n]) {
          const w = [...witness];
          w[k] = toField(w[k] + d);
          expect(holds(constraints, w), `wire ${k} ${d}`).to.equal(false);
        }
    }
  });

  it("the bounds pass sizes the root from the radicand and refuses a root too wide to square", () => {
    const dom = new IntervalDomain();
    expect(dom.sqrt({ lo: -5n, hi: 63n }, { node: "s", index: 0 })).to.deep.equal({ lo: 0n, hi: 7n });
    expect(dom.sqrt({ lo: 10n, hi: 64n }, { node: "s", index: 1 })).to.deep.equal({ lo: 3n, hi: 8n });
    expect(dom.sites.map((s) => s.width)).to.deep.equal([3, 4]);
    expectZkmlError(() => dom.sqrt({ lo: -5n, hi: -1n }, { node: "neg", index: 0 }), "always negative");
    expect(() => dom.sqrt({ lo: 0n, hi: (1n << 249n) }, { node: "ok", index: 0 })).not.to.throw();
    const wide = new IntervalDomain();
    // A radicand no bounds pass admits (past 2^250) would need a root of 126 bits: 2·126 + 1 > 252.
    expectZkmlError(() => wide.sqrt({ lo: 0n, hi: (1n << 252n) - 1n }, { node: "wide", index: 0 }), 'node "wide" (sqrt)', `above the ${MAX_CONSTRAINT_BITS}`);
    const r = checkFieldWrap(program("sqrt", 40, 0, 1, 80), { input: { lo: 0n, hi: (1n << 79n) - 1n } });
    expect(r.problems).to.deep.equal([]);
  });
});
