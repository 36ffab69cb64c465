import { Site } from "../quantize/interval";
import { FIELD_MODULUS, floorDiv, roundShift, toField } from "../quantize/fixed-point";

/**
 * Coherent alternatives for one gadget: the values a cheating prover would try (quotient ± 1 with the
 * remainder moved by ∓2^shift, the sign flipped), written to every wire of the gadget that survived
 * circom's optimiser. Each must still be rejected once the rest of the witness is re-solved.
 */
export interface GadgetMutation {
  label: string;
  changes: Map<number, bigint>;
}

const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(i)) & 1n);

/**
 * `t`: the gadget's input value in the honest evaluation (a div's dividend; `divisor` its divisor).
 * `wire(name)`: a signal's witness index, if it exists.
 */
export function gadgetMutations(k: number, site: Site, t: bigint, wire: (name: string) => number | undefined, divisor?: bigint): GadgetMutation[] {
  const out: GadgetMutation[] = [];
  const set = (changes: Map<number, bigint>, name: string, v: bigint) => {
    const w = wire(name);
    if (w !== undefined) changes.set(w, toField(v));
  };
  const relu = (v: bigint) => (v > 0n ? v : 0n);
  if (site.kind === "rescale" || site.kind === "rescaleRelu") {
    const base = site.kind === "rescale" ? `main.g${k}` : `main.g${k}.rescale`;
    const S = site.shift;
    const offset = 1n << BigInt(site.width - 1);
    const shifted = t + (1n << BigInt(S - 1)) + (offset << BigInt(S));
    const q = roundShift(t, S);
    for (const dq of [1n, -1n]) {
      const q2 = q + dq;
      const r2 = shifted - ((q2 + offset) << BigInt(S)); // the remainder that would balance the sum
      const changes = new Map<number, bigint>();
      bitsOf(q2 + offset, site.width).forEach((b, i) => set(changes, `${base}.qbits[${i}]`, b));
      bitsOf(((r2 % (1n << BigInt(S))) + (1n << BigInt(S))) % (1n << BigInt(S)), S).forEach((b, i) => set(changes, `${base}.rbits[${i}]`, b));
      set(changes, `${base}.out`, q2);
      set(changes, `${base}.nonneg`, q2 >= 0n ? 1n : 0n);
      if (site.kind === "rescaleRelu") set(changes, `main.g${k}.out`, relu(q2));
      out.push({ label: `quotient ${dq > 0 ? "+" : "-"}1, remainder ${dq > 0 ? "-" : "+"}2^${S}`, changes });
    }
    if (site.kind === "rescaleRelu") {
      const changes = new Map<number, bigint>();
      set(changes, `${base}.nonneg`, q >= 0n ? 0n : 1n);
      set(changes, `main.g${k}.out`, q >= 0n ? 0n : q);
      out.push({ label: "sign flipped", changes });
    }
  } else if (site.kind === "split") {
    // The same coherent forgery as a rescale's: every bit a table reads moves with the quotient.
    const S = site.shift;
    const offset = 1n << BigInt(site.width - 1);
    const shifted = t + (S > 0 ? 1n << BigInt(S - 1) : 0n) + (offset << BigInt(S));
    const q = roundShift(t, S);
    for (const dq of [1n, -1n]) {
      const q2 = q + dq;
      const r2 = shifted - ((q2 + offset) << BigInt(S));
      const changes = new Map<number, bigint>();
      bitsOf(q2 + offset, site.width).forEach((b, i) => set(changes, `main.g${k}.bits[${i}]`, b));
      if (S > 0) bitsOf(((r2 % (1n << BigInt(S))) + (1n << BigInt(S))) % (1n << BigInt(S)), S).forEach((b, i) => set(changes, `main.g${k}.rbits[${i}]`, b));
      out.push({ label: `quotient ${dq > 0 ? "+" : "-"}1, remainder ${dq > 0 ? "-" : "+"}2^${S}`, changes });
    }
  } else if (site.kind === "div") {
    if (divisor !== undefined) out.push(...wrappedQuotients(k, site, t, divisor, set));
  } else {
    const changes = new Map<number, bigint>();
    const nonneg = t >= 0n ? 1n : 0n;
    set(changes, `main.g${k}.range.nonneg`, 1n - nonneg);
    set(changes, `main.g${k}.range.bits[${site.width - 1}]`, 1n - nonneg);
    set(changes, `main.g${k}.out`, nonneg ? 0n : t);
    out.push({ label: "sign flipped", changes });
  }
  return out.filter((m) => m.changes.size > 0);
}


/**
 * Issue 14, F1: FloorDiv's a − r = q·b also holds in the field for a + j·p = q'·b + r', so the coherent
 * forgery is q' = ⌊(a + j·p)/b⌋ with r' = (a + j·p) mod b, every bit re-decomposed. A circuit within
 * the width precondition refuses it: q' ≈ j·p/b does not fit the quotient's range check.
 */
function wrappedQuotients(k: number, site: Site, a: bigint, b: bigint, set: (c: Map<number, bigint>, name: string, v: bigint) => void): GadgetMutation[] {
  const low = (v: bigint, n: number) => ((v % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n));
  return [1n, 2n, -1n].map((j) => {
    const A = a + j * FIELD_MODULUS;
    const q = floorDiv(A, b);
    const r = A - q * b;
    const changes = new Map<number, bigint>();
    set(changes, `main.g${k}.out`, q);
    set(changes, `main.g${k}.r`, r);
    bitsOf(low(q + (1n << BigInt(site.width - 1)), site.width), site.width).forEach((v, i) => set(changes, `main.g${k}.qRange.bits[${i}]`, v));
    bitsOf(low(r, site.shift), site.shift).forEach((v, i) => set(changes, `main.g${k}.rRange.bits[${i}]`, v));
    bitsOf(low(b - r - 1n, site.shift), site.shift).forEach((v, i) => set(changes, `main.g${k}.gap.bits[${i}]`, v));
    return { label: `quotient wrapped by ${j}·p/b`, changes };
  });
}
