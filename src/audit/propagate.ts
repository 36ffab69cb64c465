import { Constraint, LinearCombination, R1cs } from "../backend/r1cs";
import { mod, modInverse } from "../numeric/field";

/**
 * Re-solving after a mutation: a broken constraint that is linear in exactly one free wire (a private
 * wire not yet fixed) is solved for that wire, and the constraints it touches are re-checked, until
 * everything holds (the mutation is consistent: a second witness) or no constraint can be solved.
 *
 * This is what makes a missing range check visible: mutate a quotient, and an unconstrained remainder
 * is re-solved to absorb the change.
 */
export interface PropagationResult {
  satisfied: boolean;
  witness: bigint[];
  /** Wires the solver changed besides the mutated ones. */
  solved: number[];
}

function evalLc(lc: LinearCombination, w: bigint[], p: bigint, skip = -1): bigint {
  let s = 0n;
  for (const [wire, k] of lc) if (wire !== skip) s += k * w[wire];
  return mod(s, p);
}

function holds(c: Constraint, w: bigint[], p: bigint): boolean {
  return mod(evalLc(c.a, w, p) * evalLc(c.b, w, p) - evalLc(c.c, w, p), p) === 0n;
}

/** The value of `wire` that makes `c` hold with every other wire fixed, if `c` is linear in it. */
function solveFor(c: Constraint, wire: number, w: bigint[], p: bigint): bigint | undefined {
  const inA = c.a.get(wire);
  const inB = c.b.get(wire);
  const inC = c.c.get(wire);
  if (inA !== undefined && inB !== undefined) return solveBoolean(c, wire, w, p);
  if (inA === undefined && inB === undefined) {
    // (A·w)(B·w) = C_rest + k w
    const rhs = mod(evalLc(c.a, w, p) * evalLc(c.b, w, p) - evalLc(c.c, w, p, wire), p);
    return mod(rhs * modInverse(inC!, p), p);
  }
  // (A_rest + k w) · B = C  (or the same with A and B swapped), with w not in C
  if (inC !== undefined) return undefined;
  const [lin, other, k] = inA !== undefined ? [c.a, c.b, inA] : [c.b, c.a, inB!];
  const o = evalLc(other, w, p);
  if (o === 0n) return undefined;
  const target = mod(evalLc(c.c, w, p) * modInverse(o, p), p);
  return mod((target - evalLc(lin, w, p, wire)) * modInverse(k, p), p);
}

/**
 * L·(L − 1) = 0, a decomposition's lowest remainder bit folded into its recombination (src/emit/r1cs.ts):
 * quadratic in each of L's wires, yet solved by making L 0 or 1, whichever gives the wire the smaller
 * value, so a forgery that re-solves the recombination is still found. Undefined for any other product.
 */
function solveBoolean(c: Constraint, wire: number, w: bigint[], p: bigint): bigint | undefined {
  if (c.c.size !== 0 || c.a.size !== c.b.size) return undefined;
  for (const [x, k] of c.a) if (x !== 0 && c.b.get(x) !== k) return undefined;
  if (mod((c.a.get(0) ?? 0n) - (c.b.get(0) ?? 0n), p) !== 1n) return undefined;
  const k = c.a.get(wire)!;
  const rest = evalLc(c.a, w, p, wire);
  const [v0, v1] = [0n, 1n].map((target) => mod((target - rest) * modInverse(k, p), p));
  const size = (v: bigint) => (v > p / 2n ? p - v : v);
  return size(v1) < size(v0) ? v1 : v0;
}

/**
 * Applies `changes` to a satisfying `honest` witness and propagates. `fixed` wires (the constant 1 and
 * the public inputs the verifier chooses) are never re-solved.
 */
export function propagate(
  r1cs: R1cs,
  byWire: number[][],
  honest: bigint[],
  changes: Map<number, bigint>,
  fixed: (wire: number) => boolean,
  budget = 256,
): PropagationResult {
  const p = r1cs.prime;
  const cs = r1cs.constraints!;
  const w = [...honest];
  const locked = new Set<number>();
  const queue = new Set<number>();
  for (const [wire, v] of changes) {
    w[wire] = mod(v, p);
    locked.add(wire);
    byWire[wire].forEach((i) => queue.add(i));
  }
  const solved: number[] = [];
  while (queue.size > 0) {
    const i = queue.values().next().value as number;
    queue.delete(i);
    const c = cs[i];
    if (holds(c, w, p)) continue;
    if (budget-- <= 0) return { satisfied: false, witness: w, solved };
    // Public outputs are tried first: a packed output word shares its constraint with every other
    // packed value's wires, and a forgery is exactly the output absorbing the change.
    const isOutput = (wire: number) => wire >= 1 && wire <= r1cs.nPubOut;
    const candidates = [...new Set([...c.a.keys(), ...c.b.keys(), ...c.c.keys()])].sort((x, y) => Number(isOutput(y)) - Number(isOutput(x)));
    let fixedIt = false;
    for (const wire of candidates) {
      if (fixed(wire) || locked.has(wire)) continue;
      const v = solveFor(c, wire, w, p);
      if (v === undefined) continue;
      w[wire] = v;
      locked.add(wire);
      solved.push(wire);
      byWire[wire].forEach((j) => queue.add(j));
      fixedIt = true;
      break;
    }
    if (!fixedIt) return { satisfied: false, witness: w, solved };
  }
  // Every constraint a changed wire touches was queued and re-checked: all of them hold now, and the
  // others were never affected (the honest witness satisfied them).
  return { satisfied: true, witness: w, solved };
}
