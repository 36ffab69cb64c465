import { fail, invariant } from "../errors";
import { buildBody, BodyPorts, ConstraintSink } from "../emit/r1cs";
import { GADGETS, Terms } from "../gadgets";
import { CircuitProgram } from "../lower";
import { FIELD_MODULUS } from "../numeric/field";
import { Interval, Site } from "../quantize/interval";

/**
 * The field-wrap checker. Every gadget's soundness argument is about integers: "q·2^s + r = t with
 * these bit counts has one solution". A constraint only states A·B ≡ C (mod p); the integer identity
 * follows when the integer values of A·B and of C both lie strictly inside (−p/2, p/2), since then
 * their difference is below p in magnitude and a multiple of p only if it is 0.
 *
 * The checker shows that for every constraint of the model, from bounds it derives itself from the
 * constraints, never from the bounds pass (src/quantize/interval.ts) that sized them:
 *  - the constant wire is 1; model inputs and private parameters lie in the range the interface's own
 *    range check enforces on them (`WrapFacts`), whatever the prover chooses;
 *  - a wire in a boolean constraint w·(w−1) = 0 is 0 or 1 (a field fact, no integer assumption);
 *  - a wire that appears once, with coefficient ±1, in C of a constraint whose other terms are all
 *    bounded takes the integer value C forces on it: its range is the product's minus the rest;
 *  - IsZero's inverse is a field element with no integer meaning: its two constraints are the
 *    template's field argument (zkml.circom) and are counted apart, and its output is 0 or 1.
 * A wire that none of these bound is reported: it is a value the prover picks that nothing ranges.
 *
 * It reads the constraint system of the direct body (src/emit/r1cs.ts), which is each zkml.circom
 * template term for term; a circom-built body is the same system after circom's -O2, which only
 * substitutes linear constraints away and so admits exactly the same assignments.
 */

/** What the interface proves about the body's inputs before the body is read. */
export interface WrapFacts {
  /** Each model input: the interface's range check of inputBits (src/emit/circom.ts), or a seeded digit. */
  input: Interval;
  /** Each private parameter: SignedRangeCheck of the committed packing width. */
  param?: Interval;
}

/** One constraint that can wrap, or one wire nothing bounds. */
export interface WrapProblem {
  /** The gadget it belongs to (its ONNX node, kind and widths), or "output binding". */
  where: string;
  detail: string;
}

export interface WrapReport {
  constraints: number;
  /** IsZero's inverse constraints: sound by a field argument, exempt from the integer check. */
  fieldNative: number;
  /** Bits of the largest |A·B| or |C| over all constraints (an integer below 2^widestBits). */
  widestBits: number;
  /** Where the widest constraint is. */
  widestAt: string;
  /** floor(log2(p/2)) − widestBits: how far the widest constraint stays below wrapping. */
  marginBits: number;
  /** Each model output's range as the constraints prove it. */
  outputs: Interval[];
  problems: WrapProblem[];
}

const P = FIELD_MODULUS;
const HALF_P = P / 2n;
/** floor(log2(p/2)): p is about 2^253.6. */
export const HALF_P_BITS = HALF_P.toString(2).length - 1;
const MAX_PROBLEMS = 20;

/** Runs the checker over the program's constraint system. */
export function checkFieldWrap(program: CircuitProgram, facts: WrapFacts): WrapReport {
  const { inputCount, paramCount } = program;
  const outputs = program.outputs.length;
  const ports: BodyPorts = {
    input: (i) => 1 + i,
    param: (i) => 1 + inputCount + i,
    output: (i) => 1 + inputCount + paramCount + i,
    firstWire: 1 + inputCount + paramCount + outputs,
  };
  const checker = new FieldWrapChecker(program.gadgets.map((g) => g.site));
  checker.set(0, { lo: 1n, hi: 1n });
  for (let i = 0; i < inputCount; i++) checker.set(ports.input(i), facts.input);
  if (paramCount > 0) {
    invariant(facts.param, "the wrap check needs the private parameters' range");
    for (let i = 0; i < paramCount; i++) checker.set(ports.param(i), facts.param);
  }
  buildBody(program, ports, { sink: checker });
  return checker.report(Array.from({ length: outputs }, (_, i) => ports.output(i)));
}

/** Refuses a circuit the checker does not clear, with the first problem and what to change. */
export function requireNoFieldWrap(report: WrapReport, model: string): void {
  const p = report.problems[0];
  if (!p) return;
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : "";
  fail(`${model}: ${p.where}: ${p.detail}${more}; lower inputBits or scaleBits`);
}

/** Outputs whose proven range does not fit a signed `bits`-wide packing digit: they need a digit check. */
export function outputsOutsideDigit(report: WrapReport, bits: number): number[] {
  const half = 1n << BigInt(bits - 1);
  return report.outputs.flatMap((r, i) => (r.lo < -half || r.hi >= half ? [i] : []));
}

const bitLength = (v: bigint) => (v < 0n ? -v : v).toString(2).length;

/** The checker as a constraint sink: `set` the wires the interface proves, then feed it constraints. */
export class FieldWrapChecker implements ConstraintSink {
  private readonly lo: (bigint | undefined)[] = [];
  private readonly hi: (bigint | undefined)[] = [];
  /** IsZero inverses: field elements that no integer range describes. */
  private readonly fieldWires = new Set<number>();
  /** IsZero outputs awaiting their x·out = 0, with their x. */
  private readonly zeroTests = new Map<number, Terms>();
  private site: Site | undefined;
  private count = 0;
  private fieldNative = 0;
  private widest = 0n;
  private widestAt = "";
  private readonly problems: WrapProblem[] = [];

  /** `sites`: each gadget's site, to name where a problem is. */
  constructor(private readonly sites: Site[] = []) {}

  set(w: number, r: Interval): void {
    this.lo[w] = r.lo;
    this.hi[w] = r.hi;
  }

  gadget(k: number): void {
    this.site = this.sites[k];
  }

  constraint(a: Terms, b: Terms, c: Terms): void {
    this.count++;
    if (this.isBoolean(a, b, c)) return;
    if (this.isBooleanExpression(a, b, c)) return;
    if (this.site && GADGETS[this.site.kind].fieldArgument && this.isZeroField(a, b, c)) return;
    const ra = this.range(a);
    const rb = this.range(b);
    if (!ra || !rb) return this.problem(`a product reads a prover-chosen wire that no constraint bounds`);
    const prod = mul(ra, rb);
    const unknown = [...c.keys()].filter((w) => this.lo[w] === undefined);
    if (unknown.length > 1) return this.problem(`${unknown.length} prover-chosen wires in one constraint, none bounded`);
    if (unknown.length === 1) {
      const u = unknown[0];
      const k = signed(c.get(u)!);
      if (k !== 1n && k !== -1n) return this.problem(`a prover-chosen wire with coefficient ${k} is not bounded by its constraint`);
      const rest = new Map(c);
      rest.delete(u);
      const rr = this.range(rest)!;
      // k·u = prod − rest, so u ranges over (prod − rest)·k.
      const diff = { lo: prod.lo - rr.hi, hi: prod.hi - rr.lo };
      const ur = k === 1n ? diff : { lo: -diff.hi, hi: -diff.lo };
      this.measure(ur);
      this.set(u, ur);
      this.measure(prod);
      return;
    }
    this.measure(prod);
    this.measure(this.range(c)!);
  }

  report(outputWires: number[]): WrapReport {
    const outputs = outputWires.map((w, i) => {
      if (this.lo[w] !== undefined) return { lo: this.lo[w]!, hi: this.hi[w]! };
      // Only after a problem: an unbounded wire it reads leaves the output unbounded too.
      invariant(this.problems.length > 0, "an output wire was never bound by the body");
      this.site = undefined;
      this.problem(`output ${i} is not bounded`);
      return { lo: -HALF_P, hi: HALF_P };
    });
    const widestBits = bitLength(this.widest);
    return { constraints: this.count, fieldNative: this.fieldNative, widestBits, widestAt: this.widestAt, marginBits: HALF_P_BITS - widestBits, outputs, problems: this.problems };
  }

  /** w·(w − 1) = 0 (either factor order): w is 0 or 1. */
  private isBoolean(a: Terms, b: Terms, c: Terms): boolean {
    if (c.size !== 0 || a.size !== 1 || b.size !== 2) return false;
    const [[w, ka]] = a;
    if (w === 0 || signed(ka) !== 1n || signed(b.get(w) ?? 0n) !== 1n || signed(b.get(0) ?? 0n) !== -1n) return false;
    const lo = this.lo[w];
    // Intersect with what is already known (a recombined wire may be re-proven boolean).
    this.set(w, { lo: lo !== undefined && lo > 0n ? lo : 0n, hi: this.hi[w] !== undefined && this.hi[w]! < 1n ? this.hi[w]! : 1n });
    return true;
  }

  /**
   * L·(L − 1) = 0 for a linear combination L (a decomposition's lowest remainder bit folded into its
   * recombination, src/emit/r1cs.ts): L ≡ 0 or 1 (mod p), a field fact. L's integer range must stay
   * inside (−p/2, p/2), where 0 and 1 are the only integers ≡ 0 or 1: then L is the integer 0 or 1 and the
   * recombination is an integer identity. Only |L| is measured, as for a boolean wire.
   */
  private isBooleanExpression(a: Terms, b: Terms, c: Terms): boolean {
    if (c.size !== 0 || a.size < 2) return false;
    const shifted = new Map(a);
    shifted.set(0, signed(shifted.get(0) ?? 0n) - 1n);
    if (shifted.get(0) === 0n) shifted.delete(0);
    if (!sameTerms(shifted, b)) return false;
    const r = this.range(a);
    if (!r) {
      this.problem("a folded recombination reads a prover-chosen wire that no constraint bounds");
      return true;
    }
    this.measure(r);
    return true;
  }

  /**
   * IsZero's field argument (zkml.circom): x·inv = 1 − out, then x·out = 0, then inv·out = 0.
   *  - The first marks inv a field element and out as awaiting x·out = 0.
   *  - Only x·out = 0 for the same x makes out 0 or 1: x ≠ 0 forces out = 0, and x = 0 forces out = 1.
   *    Without it, out = 1 − x·inv is anything the prover picks, so out stays unbounded until it is seen.
   *  - inv·out = 0 pins inv (no output reads it) and is counted as a field argument.
   */
  private isZeroField(a: Terms, b: Terms, c: Terms): boolean {
    const single = (t: Terms) => (t.size === 1 ? [...t][0] : undefined);
    const inv = single(b);
    if (inv && this.lo[inv[0]] === undefined && !this.fieldWires.has(inv[0]) && signed(inv[1]) === 1n && c.size === 2 && signed(c.get(0) ?? 0n) === 1n) {
      const out = [...c.keys()].find((w) => w !== 0)!;
      if (this.lo[out] !== undefined || signed(c.get(out)!) !== -1n) return false;
      this.fieldWires.add(inv[0]);
      this.zeroTests.set(out, a);
      this.fieldNative++;
      return true;
    }
    const r = single(b);
    const x = r && this.zeroTests.get(r[0]);
    if (x && signed(r[1]) === 1n && c.size === 0 && sameTerms(a, x)) {
      this.zeroTests.delete(r[0]);
      this.set(r[0], { lo: 0n, hi: 1n });
      const rx = this.range(a);
      if (!rx) this.problem("IsZero's input reads a prover-chosen wire that no constraint bounds");
      else this.measure(mul(rx, { lo: 0n, hi: 1n }));
      return true;
    }
    const l = single(a);
    if (l && r && c.size === 0 && this.fieldWires.has(l[0]) && this.lo[r[0]] !== undefined && this.hi[r[0]]! <= 1n && this.lo[r[0]]! >= 0n) {
      this.fieldNative++;
      return true;
    }
    return false;
  }

  /** The integer range of a linear combination, or undefined if a wire in it is unbounded. */
  private range(t: Terms): Interval | undefined {
    let lo = 0n;
    let hi = 0n;
    for (const [w, kRaw] of t) {
      const wl = this.lo[w];
      if (wl === undefined) return undefined;
      const wh = this.hi[w]!;
      const k = signed(kRaw);
      if (k >= 0n) {
        lo += k * wl;
        hi += k * wh;
      } else {
        lo += k * wh;
        hi += k * wl;
      }
    }
    return { lo, hi };
  }

  /** Records |r| and reports it if it reaches p/2. */
  private measure(r: Interval): void {
    const m = -r.lo > r.hi ? -r.lo : r.hi;
    if (m > this.widest) {
      this.widest = m;
      this.widestAt = this.where();
    }
    if (m > HALF_P) this.problem(`a constraint reaches 2^${bitLength(m) - 1}..2^${bitLength(m)}, past p/2 ≈ 2^${HALF_P_BITS}, so it could wrap the field`);
  }

  private where(): string {
    const s = this.site;
    if (!s) return "output binding";
    const widths = s.kind === "div" || s.kind === "sdiv" ? `quotient ${s.width} bits, divisor below 2^${s.shift}` : s.kind === "sqrt" ? `root ${s.width} bits` : s.kind === "dot" ? `${s.width} terms` : `width ${s.width}, shift ${s.shift}`;
    return `node "${s.node}" (${s.kind}, ${widths})`;
  }

  private problem(detail: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ where: this.where(), detail });
  }
}

/** A coefficient as the signed integer it stands for (the body writes them signed; a file, mod p). */
function signed(k: bigint): bigint {
  return k > HALF_P ? k - P : k;
}

function sameTerms(a: Terms, b: Terms): boolean {
  return a.size === b.size && [...a].every(([w, k]) => b.has(w) && signed(b.get(w)!) === signed(k));
}

function mul(a: Interval, b: Interval): Interval {
  const ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  return { lo: ps.reduce((m, v) => (v < m ? v : m)), hi: ps.reduce((m, v) => (v > m ? v : m)) };
}
