import { fail, invariant } from "../errors";
import { CircuitProgram, Gadget, LinExpr } from "../lower";
import { BodyWriter, GADGETS, negate, Terms } from "../gadgets";

/**
 * The model's gadgets written straight to R1CS constraints, without circom: circom2 (WASM) needs ~32 KB
 * per constraint and stops near 100k constraints under its 4 GiB memory, while a generator like
 * mnist_gan lowers to about a million. Each gadget here is the constraint system of its template in
 * circuits/lib/zkml.circom, term for term (the same bits, the same recombination identities), so the
 * soundness argument written beside each template holds unchanged; tests check both on the same
 * models (same outputs, every wire's change caught).
 *
 * The same code computes the witness: a gadget's hint values (bits, inverses, quotients) are worked out
 * from its inputs as it allocates each wire, so constraints and witness cannot drift apart.
 */


/** Where the model's own signals live: wires of the interface circuit the body is linked into. */
export interface BodyPorts {
  /** Wire of model input i (the interface's `in[i]`). */
  input(i: number): number;
  /** Wire of private parameter i (`params[i]`). */
  param(i: number): number;
  /** Wire of model output i (the interface's `out[i]`, which it packs or commits to). */
  output(i: number): number;
  /** The first wire number the body may allocate. */
  firstWire: number;
}

/** Receives each constraint A·B = C as it is made. */
export interface ConstraintSink {
  constraint(a: Terms, b: Terms, c: Terms): void;
  /** Called before gadget k's constraints; k = gadgets.length before the outputs are bound. */
  gadget?(k: number): void;
}

/**
 * Widths up to which a decomposition's recombination is folded into its lowest remainder bit's
 * booleanity (digitsOf): the folded constraint's |L·(L − 1)| stays below 2^(2·(125+1)) = 2^252 < p/2.
 */
const MAX_SUBSTITUTED_BITS = 125;

/** Above this many terms an input feeding a product gets its own wire, so proving keys stay small. */
const MAX_PRODUCT_TERMS = 16;

/**
 * Builds the body: with `sink` the constraints, with `values` (model inputs and parameters, as
 * integers) the witness of every body wire. Returns the number of wires allocated and, with values,
 * the witness from `firstWire` on and the output values.
 */
export function buildBody(
  program: CircuitProgram,
  ports: BodyPorts,
  opts: { sink?: ConstraintSink; values?: { inputs: bigint[]; params: bigint[] }; names?: boolean },
): { wires: number; constraints: number; witness?: bigint[]; outputs?: bigint[]; names?: string[] } {
  const b = new BodyBuilder(program, ports, opts.sink, opts.values, opts.names);
  program.gadgets.forEach((g, k) => {
    opts.sink?.gadget?.(k);
    b.gadget(g, k);
  });
  opts.sink?.gadget?.(program.gadgets.length);
  const outputs = program.outputs.map((e, i) => b.bindOutput(e, ports.output(i)));
  return { wires: b.wireCount, constraints: b.constraintCount, witness: b.witness, outputs: opts.values ? outputs : undefined, names: b.names };
}

const pow2 = (k: number) => 1n << BigInt(k);

class BodyBuilder implements BodyWriter {
  wireCount = 0;
  constraintCount = 0;
  readonly witness?: bigint[];
  /**
   * Each body wire's name as circom would give the same signal of the same template (`main.g7.qbits[2]`),
   * so the audit (src/audit) reads a linked circuit as it reads a compiled one.
   */
  readonly names?: string[];
  /** `main.g<k>` of the gadget being written. */
  private prefix = "main";
  /** Model signal id -> wire; -1 until the gadget producing it has run. */
  private readonly wireOf: Int32Array;
  get witnessing(): boolean {
    return this.signalValue !== undefined;
  }
  /** Model signal id -> value (witness mode). */
  private readonly signalValue?: bigint[];

  constructor(
    private readonly program: CircuitProgram,
    private readonly ports: BodyPorts,
    private readonly sink: ConstraintSink | undefined,
    values: { inputs: bigint[]; params: bigint[] } | undefined,
    names = false,
  ) {
    if (names) this.names = [];
    const { inputCount, paramCount } = program;
    const signals = inputCount + paramCount + program.gadgets.reduce((n, g) => n + g.signals.length, 0);
    this.wireOf = new Int32Array(signals).fill(-1);
    for (let i = 0; i < inputCount; i++) this.wireOf[i] = ports.input(i);
    for (let i = 0; i < paramCount; i++) this.wireOf[inputCount + i] = ports.param(i);
    if (values) {
      invariant(values.inputs.length === inputCount && values.params.length === paramCount, `the body needs ${inputCount} inputs and ${paramCount} parameters`);
      this.witness = [];
      this.signalValue = new Array(signals);
      values.inputs.forEach((v, i) => (this.signalValue![i] = v));
      values.params.forEach((v, i) => (this.signalValue![inputCount + i] = v));
    }
  }

  /** A new wire; `value` is only called when the witness is being computed. */
  wire(value: () => bigint, name: string): number {
    const w = this.ports.firstWire + this.wireCount++;
    if (this.witness) this.witness.push(value());
    this.names?.push(`${this.prefix}.${name}`);
    return w;
  }

  valueOfWire(w: number): bigint {
    return this.witness![w - this.ports.firstWire];
  }

  constrain(a: Terms, b: Terms, c: Terms): void {
    this.constraintCount++;
    this.sink?.constraint(a, b, c);
  }

  /** The expression over wires (the constant on wire 0) and, in witness mode, its value. */
  terms(e: LinExpr): Terms {
    const t: Terms = new Map();
    if (e.c !== 0n) t.set(0, e.c);
    for (const [s, k] of e.terms) {
      const w = this.wireOf[s];
      invariant(w >= 0, `signal ${s} is used before the gadget that computes it`);
      t.set(w, (t.get(w) ?? 0n) + k);
    }
    return t;
  }

  value(e: LinExpr): bigint {
    if (!this.signalValue) return 0n;
    let v = e.c;
    for (const [s, k] of e.terms) v += k * this.signalValue[s];
    return v;
  }

  /** An expression small enough for a product constraint: itself, or a new wire equal to it. */
  operand(e: LinExpr): Terms {
    const t = this.terms(e);
    if (t.size <= MAX_PRODUCT_TERMS) return t;
    const w = this.wire(() => this.value(e), `operand${this.wireCount}`);
    this.linear(t, new Map([[w, -1n]]));
    return new Map([[w, 1n]]);
  }

  /** The linear constraint sum(a) + sum(b) = 0 (as 0 · 0 = -(a + b)). */
  linear(a: Terms, b: Terms = new Map()): void {
    const c: Terms = new Map();
    for (const [w, k] of a) c.set(w, -k);
    for (const [w, k] of b) c.set(w, (c.get(w) ?? 0n) - k);
    this.constrain(new Map(), new Map(), c);
  }

  /** n boolean wires holding bits from..from+n-1 of `t` (a non-negative integer), named from `name[first]`. */
  bits(t: () => bigint, from: number, n: number, name: string, first = 0): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const w = this.wire(() => (t() >> BigInt(from + i)) & 1n, `${name}[${first + i}]`);
      this.constrain(new Map([[w, 1n]]), new Map([[w, 1n], [0, -1n]]), new Map());
      out.push(w);
    }
    return out;
  }

  /** sum(bits[i] * 2^(shift + i)) as terms. */
  recombine(bits: number[], shift = 0, into: Terms = new Map()): Terms {
    bits.forEach((w, i) => into.set(w, (into.get(w) ?? 0n) + pow2(shift + i)));
    return into;
  }

  setSignal(g: Gadget, i: number, wire: number): void {
    const s = g.signals[i];
    this.wireOf[s] = wire;
    if (this.signalValue) this.signalValue[s] = this.valueOfWire(wire);
  }

  /**
   * Offset-binary digits of q = round-half-up(e / 2^shift): rbits then qbits of
   * t = e + half + 2^(width-1) * 2^shift, with sum(qbits·2^(shift+i)) + sum(rbits·2^i) = t.
   */
  digits(e: LinExpr, shift: number, width: number, names: [r: string, q: string]): { q: number[]; r: number[] } {
    return this.digitsOf(this.terms(e), this.signalValue ? this.value(e) : 0n, shift, width, names);
  }

  digitsOf(e: Terms, v: bigint, shift: number, width: number, [rName, qName]: [string, string]): { q: number[]; r: number[] } {
    const half = shift > 0 ? pow2(shift - 1) : 0n;
    const k = half + pow2(width - 1 + shift);
    const t = v + k;
    if (this.signalValue && (t < 0n || t >= pow2(width + shift)))
      fail(`a value ${v} does not fit its range check (${width} bits after a shift of ${shift}): the proof cannot be made`);
    const minus = new Map(e);
    minus.set(0, (minus.get(0) ?? 0n) + k);
    if (shift >= 1 && width + shift <= MAX_SUBSTITUTED_BITS) {
      // The lowest remainder bit gets no wire: it is L = t − (every other digit's weight), and its
      // booleanity L·(L − 1) = 0 is also the recombination, one constraint where the template has two
      // (circom's -O2 makes the same substitution). L ≡ 0 or 1 (mod p) and |L| < 2^(width+shift+1) < p/2
      // make L an integer 0 or 1, so the template's argument holds unchanged. Only a remainder bit: no
      // gadget reads r, while q's bits are outputs (sign, table index).
      const r = this.bits(() => t, 1, shift - 1, rName, 1);
      const q = this.bits(() => t, shift, width, qName);
      const low = negate(this.recombine(q, shift, this.recombine(r, 1)));
      for (const [w, c] of minus) low.set(w, (low.get(w) ?? 0n) + c);
      const lowMinusOne = new Map(low);
      lowMinusOne.set(0, (lowMinusOne.get(0) ?? 0n) - 1n);
      for (const t of [low, lowMinusOne]) for (const [w, c] of t) if (c === 0n) t.delete(w);
      this.constrain(low, lowMinusOne, new Map());
      return { q, r };
    }
    const r = this.bits(() => t, 0, shift, rName);
    const q = this.bits(() => t, shift, width, qName);
    const sum = this.recombine(q, shift, this.recombine(r));
    this.linear(sum, negate(minus));
    return { q, r };
  }

  /** in + 2^(n-1) as n bits (SignedRangeCheck); returns the bits, the top one is `in >= 0`. */
  signedRange(e: LinExpr, n: number, name: string): number[] {
    return this.digits(e, 0, n, ["", name]).q;
  }

  /** sum(bits·2^i) - 2^(width-1): the signed value offset-binary bits spell. */
  signedValue(bits: number[]): Terms {
    const t = this.recombine(bits);
    t.set(0, -pow2(bits.length - 1));
    return t;
  }

  /** A new wire equal to the expression `t`, whose value is `v`. */
  define(t: Terms, v: () => bigint, name: string): number {
    const w = this.wire(v, name);
    this.linear(t, new Map([[w, -1n]]));
    return w;
  }

  product(a: Terms, b: Terms, v: () => bigint, name: string): number {
    const w = this.wire(v, name);
    this.constrain(a, b, new Map([[w, 1n]]));
    return w;
  }

  bitValue(w: number): bigint {
    return this.signalValue ? this.valueOfWire(w) : 0n;
  }

  signedOf(bits: number[]): bigint {
    if (!this.signalValue) return 0n;
    let v = 0n;
    bits.forEach((w, i) => (v += this.valueOfWire(w) << BigInt(i)));
    return v - pow2(bits.length - 1);
  }

  gadget(g: Gadget, k: number): void {
    this.prefix = `main.g${k}`;
    GADGETS[g.site.kind].r1cs(this, g);
  }

  /** n bits of an existing wire (Bits(n) on it). */
  bitsOfWire(w: number, n: number, name: string): void {
    const bits = this.bits(() => this.valueOfWire(w), 0, n, name);
    this.linear(this.recombine(bits), new Map([[w, -1n]]));
  }

  /** The interface's out[i] wire equals the output expression. */
  bindOutput(e: LinExpr, wire: number): bigint {
    this.linear(this.terms(e), new Map([[wire, -1n]]));
    return this.value(e);
  }
}
