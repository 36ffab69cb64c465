import { expect } from "chai";
import fs from "fs";
import path from "path";
import { compileCircuit } from "../../src/backend/circom";
import { readR1cs } from "../../src/backend/r1cs";
import { readSym } from "../../src/backend/sym";
import { buildBody } from "../../src/emit/r1cs";
import { GADGETS, Terms } from "../../src/gadgets";
import { CircuitProgram, LinExpr } from "../../src/lower";
import { CIRCUIT_LIB_DIR } from "../../src/pipeline/compile";
import { FIELD_MODULUS } from "../../src/numeric/field";
import { Site, SiteKind } from "../../src/quantize/interval";
import os from "os";

/**
 * Each gadget kind is written twice, as its circom template (circuits/lib/zkml.circom) and as direct
 * R1CS (its r1cs() in src/gadgets). For every kind of the registry, at small parameters, both are
 * reduced to one canonical form and compared: the template compiled at -O0, the direct body as
 * written. The canonical form eliminates, through the linear constraints, the wires only one side has
 * (circom's copies such as `g0.in` or `nonneg`), then scales every constraint to a leading coefficient
 * of 1. Equal forms mean the same constraints over the same named wires.
 */

const P = FIELD_MODULUS;
const mod = (v: bigint) => ((v % P) + P) % P;
function inv(v: bigint): bigint {
  let [a, b, x0, x1] = [mod(v), P, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x0, x1] = [x1, x0 - q * x1];
  }
  return mod(x0);
}

/** One case per kind: the registry's type makes a new kind without a case a compile error here. */
const CASES: Record<SiteKind, { shift: number; width: number; inputs: number; outputs: number }> = {
  rescale: { shift: 2, width: 3, inputs: 1, outputs: 1 },
  rescaleRelu: { shift: 2, width: 3, inputs: 1, outputs: 1 },
  split: { shift: 2, width: 3, inputs: 1, outputs: 3 },
  relu: { shift: 0, width: 3, inputs: 1, outputs: 1 },
  nonneg: { shift: 0, width: 3, inputs: 1, outputs: 1 },
  mul: { shift: 0, width: 0, inputs: 2, outputs: 1 },
  isZero: { shift: 0, width: 0, inputs: 1, outputs: 1 },
  bits: { shift: 0, width: 3, inputs: 1, outputs: 3 },
  div: { shift: 2, width: 3, inputs: 2, outputs: 1 },
  dot: { shift: 0, width: 2, inputs: 4, outputs: 1 },
  sdiv: { shift: 2, width: 3, inputs: 2, outputs: 1 },
  sqrt: { shift: 0, width: 2, inputs: 1, outputs: 1 },
};

type Named = Map<string, bigint>;
interface NamedConstraint {
  a: Named;
  b: Named;
  c: Named;
}

function named(t: Terms, name: (w: number) => string): Named {
  const out: Named = new Map();
  for (const [w, k] of t) {
    const n = name(w);
    const v = mod((out.get(n) ?? 0n) + k);
    if (v === 0n) out.delete(n);
    else out.set(n, v);
  }
  return out;
}

/** lc with `name` replaced by `by` (a linear combination): lc - k·name + k·by. */
function substitute(lc: Named, name: string, by: Named): Named {
  const k = lc.get(name);
  if (k === undefined) return lc;
  const out = new Map(lc);
  out.delete(name);
  for (const [n, v] of by) {
    const s = mod((out.get(n) ?? 0n) + k * v);
    if (s === 0n) out.delete(n);
    else out.set(n, s);
  }
  return out;
}

const isConstant = (lc: Named) => [...lc.keys()].every((n) => n === "one");

/** A linear constraint's combination (= 0), or undefined for a product of two non-constants. */
function linearForm(c: NamedConstraint): Named | undefined {
  if (c.a.size === 0 || c.b.size === 0) return c.c;
  if (isConstant(c.a)) return combine(c.b, c.a.get("one")!, c.c);
  if (isConstant(c.b)) return combine(c.a, c.b.get("one")!, c.c);
  return undefined;
}

/** k·x − c. */
function combine(x: Named, k: bigint, c: Named): Named {
  const out: Named = new Map();
  for (const [n, v] of x) out.set(n, mod(k * v));
  for (const [n, v] of c) {
    const s = mod((out.get(n) ?? 0n) - v);
    if (s === 0n) out.delete(n);
    else out.set(n, s);
  }
  return out;
}

function serialize(lc: Named, scale: bigint): string {
  return [...lc].map(([n, v]) => [n, mod(v * scale)] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([n, v]) => `${n}:${v}`).join(",");
}

/** The leading coefficient's inverse: scaling by it makes the smallest name's coefficient 1. */
function lead(lc: Named): bigint {
  const first = [...lc.keys()].sort()[0];
  return first === undefined ? 1n : inv(lc.get(first)!);
}

/** Eliminates the wires not in `keep` through linear constraints, then writes each constraint canonically. */
function canonical(constraints: NamedConstraint[], keep: Set<string>): string[] {
  let cs = constraints;
  for (;;) {
    const i = cs.findIndex((c) => {
      const lin = linearForm(c);
      return lin !== undefined && [...lin.keys()].some((n) => !keep.has(n));
    });
    if (i < 0) break;
    const lin = linearForm(cs[i])!;
    const name = [...lin.keys()].filter((n) => !keep.has(n)).sort()[0];
    // name = −(lin − k·name)/k
    const k = lin.get(name)!;
    const rest = new Map(lin);
    rest.delete(name);
    const by: Named = new Map([...rest].map(([n, v]) => [n, mod(-v * inv(k))]));
    cs = cs.filter((_, j) => j !== i).map((c) => ({ a: substitute(c.a, name, by), b: substitute(c.b, name, by), c: substitute(c.c, name, by) }));
  }
  const out: string[] = [];
  for (const c of cs) {
    const lin = linearForm(c);
    if (lin !== undefined) {
      if (lin.size > 0) out.push(`L|${serialize(lin, lead(lin))}`);
      continue;
    }
    const la = lead(c.a);
    const lb = lead(c.b);
    const [sa, sb] = [serialize(c.a, la), serialize(c.b, lb)].sort();
    out.push(`Q|${sa}|${sb}|${serialize(c.c, mod(la * lb))}`);
  }
  return out.sort();
}

function circomSide(kind: SiteKind, site: Site): { constraints: NamedConstraint[]; names: Set<string> } {
  const { inputs, outputs } = CASES[kind];
  const t = GADGETS[kind].template;
  const src = [
    "pragma circom 2.1.6;",
    'include "zkml.circom";',
    "template T() {",
    `    signal input in[${inputs}];`,
    `    signal output out[${outputs}];`,
    `    component g0 = ${t.instance(site)};`,
    ...Array.from({ length: inputs }, (_, i) => `    g0.${t.input(i, site)} <== in[${i}];`),
    ...Array.from({ length: outputs }, (_, j) => `    out[${j}] <== g0.${t.output(j)};`),
    "}",
    "component main = T();",
  ].join("\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zkml-registry-${kind}-`));
  const file = path.join(dir, "t.circom");
  fs.writeFileSync(file, src);
  const art = compileCircuit(file, dir, [CIRCUIT_LIB_DIR], false);
  const r1cs = readR1cs(art.r1cs, true);
  const byWire = new Map<number, string>([[0, "one"]]);
  for (const [n, w] of readSym(art.sym)) if (w >= 0 && !byWire.has(w)) byWire.set(w, n);
  const name = (w: number) => byWire.get(w) ?? `wire${w}`;
  return { constraints: r1cs.constraints!.map((c) => ({ a: named(c.a, name), b: named(c.b, name), c: named(c.c, name) })), names: new Set(byWire.values()) };
}

function directSide(kind: SiteKind, site: Site): { constraints: NamedConstraint[]; names: Set<string> } {
  const { inputs, outputs } = CASES[kind];
  const x = (s: number): LinExpr => ({ terms: new Map([[s, 1n]]), c: 0n });
  const signals = Array.from({ length: outputs }, (_, j) => inputs + j);
  const program: CircuitProgram = {
    inputCount: inputs,
    inputBits: 8,
    paramCount: 0,
    gadgets: [{ site, inputs: Array.from({ length: inputs }, (_, i) => x(i)), signals }],
    outputs: signals.map(x),
    outputBounds: [],
  };
  // Wire 0 is one, then out[], then in[], as circom numbers a main component's signals.
  const ports = { output: (j: number) => 1 + j, input: (i: number) => 1 + outputs + i, param: () => -1, firstWire: 1 + outputs + inputs };
  const constraints: { a: Terms; b: Terms; c: Terms }[] = [];
  const built = buildBody(program, ports, { sink: { constraint: (a, b, c) => constraints.push({ a, b, c }) }, names: true });
  const byWire = new Map<number, string>([[0, "one"]]);
  for (let j = 0; j < outputs; j++) byWire.set(ports.output(j), `main.out[${j}]`);
  for (let i = 0; i < inputs; i++) byWire.set(ports.input(i), `main.in[${i}]`);
  built.names!.forEach((n, i) => byWire.set(ports.firstWire + i, n));
  const name = (w: number) => byWire.get(w)!;
  return { constraints: constraints.map((c) => ({ a: named(c.a, name), b: named(c.b, name), c: named(c.c, name) })), names: new Set(byWire.values()) };
}

describe("gadget registry: each kind's circom template and direct R1CS are one constraint system", () => {
  for (const kind of Object.keys(GADGETS) as SiteKind[]) {
    it(kind, () => {
      const { shift, width } = CASES[kind];
      const site: Site = { kind, shift, width, node: "test", index: 0 };
      const circom = circomSide(kind, site);
      const direct = directSide(kind, site);
      const keep = new Set([...direct.names].filter((n) => circom.names.has(n)));
      const a = canonical(circom.constraints, keep);
      const b = canonical(direct.constraints, keep);
      expect(b.length, "constraints after eliminating one-sided copies").to.be.greaterThan(0);
      expect(b).to.deep.equal(a);
      // The registry's count lies between what survives circom's -O2 (the products) and the -O0 total.
      const products = circom.constraints.filter((c) => linearForm(c) === undefined).length;
      expect(GADGETS[kind].constraints(site)).to.be.within(products, circom.constraints.length);
    });
  }

  it("a difference is seen: a direct rescale without one remainder bit's booleanity is another system", () => {
    const site: Site = { kind: "rescale", shift: 2, width: 3, node: "test", index: 0 };
    const circom = circomSide("rescale", site);
    const direct = directSide("rescale", site);
    const keep = new Set([...direct.names].filter((n) => circom.names.has(n)));
    // rbits[1]: the direct body gives bit 0 no wire (its booleanity is the recombination, src/emit/r1cs.ts).
    const broken = direct.constraints.filter((c) => !(c.c.size === 0 && c.a.size === 1 && c.a.has("main.g0.rbits[1]") && c.b.has("main.g0.rbits[1]")));
    expect(broken.length).to.equal(direct.constraints.length - 1);
    expect(canonical(broken, keep)).to.not.deep.equal(canonical(circom.constraints, keep));
  });
});
