import fs from "fs";
import { fail } from "../errors";

/** One R1CS constraint: (A·w) * (B·w) = C·w, each side a sparse map wire -> coefficient. */
export type LinearCombination = Map<number, bigint>;
export interface Constraint {
  a: LinearCombination;
  b: LinearCombination;
  c: LinearCombination;
}

export interface R1cs {
  prime: bigint;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nConstraints: number;
  constraints?: Constraint[];
}

/** Reads circom's .r1cs (format version 1). Constraints are loaded only when asked: they can be large. */
export function readR1cs(file: string, withConstraints = false): R1cs {
  const buf = fs.readFileSync(file);
  if (buf.toString("ascii", 0, 4) !== "r1cs") fail(`${file} is not an R1CS file`);
  const nSections = buf.readUInt32LE(8);
  const sections = new Map<number, { start: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    const type = buf.readUInt32LE(pos);
    const size = Number(buf.readBigUInt64LE(pos + 4));
    sections.set(type, { start: pos + 12, size });
    pos += 12 + size;
  }
  const h = sections.get(1);
  if (!h) fail(`${file} has no R1CS header`);
  let p = h.start;
  const n8 = buf.readUInt32LE(p);
  const readField = (at: number) => {
    let v = 0n;
    for (let i = n8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[at + i]);
    return v;
  };
  const prime = readField(p + 4);
  p += 4 + n8;
  const r1cs: R1cs = {
    prime,
    nWires: buf.readUInt32LE(p),
    nPubOut: buf.readUInt32LE(p + 4),
    nPubIn: buf.readUInt32LE(p + 8),
    nPrvIn: buf.readUInt32LE(p + 12),
    nConstraints: buf.readUInt32LE(p + 24),
  };
  if (withConstraints) {
    const cs = sections.get(2);
    if (!cs) fail(`${file} has no constraints section`);
    let q = cs.start;
    const readLc = (): LinearCombination => {
      const n = buf.readUInt32LE(q);
      q += 4;
      const lc: LinearCombination = new Map();
      for (let i = 0; i < n; i++) {
        lc.set(buf.readUInt32LE(q), readField(q + 4));
        q += 4 + n8;
      }
      return lc;
    };
    r1cs.constraints = Array.from({ length: r1cs.nConstraints }, () => ({ a: readLc(), b: readLc(), c: readLc() }));
  }
  return r1cs;
}

/** Indices of the constraints a witness violates (empty: the witness satisfies the R1CS). */
export function unsatisfiedConstraints(r1cs: R1cs, witness: bigint[], only?: Iterable<number>): number[] {
  if (!r1cs.constraints) fail("R1CS was read without its constraints");
  if (witness.length !== r1cs.nWires) fail(`witness has ${witness.length} wires, the R1CS ${r1cs.nWires}`);
  const bad: number[] = [];
  for (const i of only ?? r1cs.constraints.keys()) if (!constraintHolds(r1cs, i, witness)) bad.push(i);
  return bad;
}

/** For each wire, the constraints it appears in: a witness change only needs those re-checked. */
export function constraintsByWire(r1cs: R1cs): number[][] {
  if (!r1cs.constraints) fail("R1CS was read without its constraints");
  const index: number[][] = Array.from({ length: r1cs.nWires }, () => []);
  r1cs.constraints.forEach((c, i) => {
    const wires = new Set([...c.a.keys(), ...c.b.keys(), ...c.c.keys()]);
    for (const w of wires) index[w].push(i);
  });
  return index;
}

/** Whether constraint `i` holds for `witness`. */
export function constraintHolds(r1cs: R1cs, i: number, witness: bigint[]): boolean {
  const c = r1cs.constraints![i];
  const p = r1cs.prime;
  const dot = (lc: LinearCombination) => {
    let s = 0n;
    for (const [w, k] of lc) s += k * witness[w];
    return s % p;
  };
  return (dot(c.a) * dot(c.b) - dot(c.c)) % p === 0n;
}
