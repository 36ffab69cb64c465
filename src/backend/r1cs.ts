import fs from "fs";
import { fail } from "../errors";
import { FIELD_MODULUS, mod } from "../numeric/field";
import { BufferedFileWriter } from "../util/buffered-file-writer";

/**
 * circom's .r1cs format (version 1), read and written in one place: a header section (1), the
 * constraints (2: per constraint, for A, B and C, a u32 term count then (u32 wire, n8-byte
 * little-endian coefficient) per term) and the wire-to-label map (3).
 */

/** One R1CS constraint: (A·w) * (B·w) = C·w, each side a sparse map wire -> coefficient. */
export type LinearCombination = Map<number, bigint>;
export interface Constraint {
  a: LinearCombination;
  b: LinearCombination;
  c: LinearCombination;
}

export interface R1csHeader {
  prime: bigint;
  /** Bytes per field element. */
  n8: number;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nLabels: bigint;
  nConstraints: number;
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

/** The header and the raw constraint and label sections. */
export interface RawR1cs extends R1csHeader {
  constraints: Buffer;
  wireLabels: Buffer;
}

const HEADER = 1;
const CONSTRAINTS = 2;
const WIRE_LABELS = 3;

/**
 * Reads a .r1cs into its header and raw sections (checked to be over the BN254 scalar field). Each
 * section is read into a buffer of its own, so a large constraint section can be handed to a worker
 * thread without a copy.
 */
export function readRawR1cs(file: string): RawR1cs {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const read = (pos: number, n: number): Buffer => {
      if (pos + n > size) fail(`${file}: truncated R1CS file`);
      const b = Buffer.alloc(n);
      for (let got = 0; got < n; ) got += fs.readSync(fd, b, got, n - got, pos + got);
      return b;
    };
    const head = read(0, Math.min(12, size));
    if (head.length < 12 || head.toString("ascii", 0, 4) !== "r1cs") fail(`${file} is not an R1CS file`);
    const at = new Map<number, { pos: number; size: number }>();
    let pos = 12;
    for (let i = 0; i < head.readUInt32LE(8); i++) {
      const h = read(pos, 12);
      const type = h.readUInt32LE(0);
      const n = Number(h.readBigUInt64LE(4));
      if (at.has(type)) fail(`${file}: duplicated R1CS section ${type}`);
      at.set(type, { pos: pos + 12, size: n });
      pos += 12 + n;
    }
    const section = (type: number) => {
      const s = at.get(type);
      if (!s) fail(`${file}: missing R1CS section ${type}`);
      return read(s.pos, s.size);
    };
    const h = section(HEADER);
    const n8 = h.readUInt32LE(0);
    let prime = 0n;
    for (let i = n8 - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(h[4 + i]);
    if (n8 !== 32 || prime !== FIELD_MODULUS) fail(`${file}: the R1CS is not over the BN254 scalar field`);
    const o = 4 + n8;
    return {
      prime,
      n8,
      nWires: h.readUInt32LE(o),
      nPubOut: h.readUInt32LE(o + 4),
      nPubIn: h.readUInt32LE(o + 8),
      nPrvIn: h.readUInt32LE(o + 12),
      nLabels: h.readBigUInt64LE(o + 16),
      nConstraints: h.readUInt32LE(o + 24),
      constraints: section(CONSTRAINTS),
      wireLabels: section(WIRE_LABELS),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads circom's .r1cs. Constraints are parsed only when asked: they can be large. */
export function readR1cs(file: string, withConstraints = false): R1cs {
  const raw = readRawR1cs(file);
  const r1cs: R1cs = { prime: raw.prime, nWires: raw.nWires, nPubOut: raw.nPubOut, nPubIn: raw.nPubIn, nPrvIn: raw.nPrvIn, nConstraints: raw.nConstraints };
  if (withConstraints) r1cs.constraints = parseConstraints(raw.constraints, raw.n8, raw.nConstraints);
  return r1cs;
}

function parseConstraints(buf: Buffer, n8: number, count: number): Constraint[] {
  let q = 0;
  const readLc = (): LinearCombination => {
    const n = buf.readUInt32LE(q);
    q += 4;
    const lc: LinearCombination = new Map();
    for (let i = 0; i < n; i++) {
      let v = 0n;
      for (let j = n8 - 1; j >= 0; j--) v = (v << 8n) | BigInt(buf[q + 4 + j]);
      lc.set(buf.readUInt32LE(q), v);
      q += 4 + n8;
    }
    return lc;
  };
  return Array.from({ length: count }, () => ({ a: readLc(), b: readLc(), c: readLc() }));
}

/** 32-byte little-endian field elements, cached: gadgets reuse a few coefficients (powers of two, ±1). */
class CoefficientCache {
  private readonly cache = new Map<bigint, Buffer>();
  get(k: bigint): Buffer | undefined {
    let b = this.cache.get(k);
    if (b) return b;
    let v = mod(k);
    if (v === 0n) return undefined;
    b = Buffer.alloc(32);
    for (let i = 0; i < 32; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    if (this.cache.size < 1 << 16) this.cache.set(k, b);
    return b;
  }
}

/**
 * Streams a .r1cs to disk: raw constraint bytes and constraints one at a time (their count is known
 * only at the end, so the constraints section comes first; readers find sections by id), then the
 * header and the wire labels.
 */
export class R1csWriter {
  private readonly w: BufferedFileWriter;
  private readonly coefs = new CoefficientCache();
  private readonly sizeAt: number;
  private readonly start: number;
  count = 0;

  constructor(file: string) {
    this.w = new BufferedFileWriter(file);
    this.w.write(Buffer.from("r1cs", "ascii"));
    this.w.u32(1);
    this.w.u32(3);
    this.w.u32(CONSTRAINTS);
    this.sizeAt = this.w.pos;
    this.w.u64(0n);
    this.start = this.w.pos;
  }

  /** Constraints already encoded (another file's constraints section). */
  rawConstraints(bytes: Buffer, count: number): void {
    this.w.write(bytes);
    this.count += count;
  }

  constraint(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    this.side(a);
    this.side(b);
    this.side(c);
    this.count++;
  }

  /**
   * Ends the file: the header (the constraint count is this writer's), then the wire labels: `labels`
   * as they are, followed by `extra` new labels numbered from header.nLabels - extra.
   */
  finish(header: Omit<R1csHeader, "prime" | "n8" | "nConstraints">, labels: Buffer, extra: number): void {
    const w = this.w;
    w.patchU64(this.sizeAt, BigInt(w.pos - this.start));
    w.u32(HEADER);
    w.u64(BigInt(4 + 32 + 4 * 4 + 8 + 4));
    w.u32(32);
    const prime = Buffer.alloc(32);
    let p = FIELD_MODULUS;
    for (let i = 0; i < 32; i++, p >>= 8n) prime[i] = Number(p & 0xffn);
    w.write(prime);
    w.u32(header.nWires);
    w.u32(header.nPubOut);
    w.u32(header.nPubIn);
    w.u32(header.nPrvIn);
    w.u64(header.nLabels);
    w.u32(this.count);
    w.u32(WIRE_LABELS);
    w.u64(BigInt(8 * header.nWires));
    w.write(labels);
    for (let i = 0; i < extra; i++) w.u64(header.nLabels - BigInt(extra - i));
    w.close();
  }

  /** Closes the file without finishing it (the caller deletes it). */
  abort(): void {
    try {
      this.w.close();
    } catch {
      // already closed
    }
  }

  private side(t: LinearCombination): void {
    const entries: [number, Buffer][] = [];
    for (const [wire, k] of t) {
      const b = this.coefs.get(k);
      if (b) entries.push([wire, b]);
    }
    this.w.u32(entries.length);
    for (const [wire, b] of entries) {
      this.w.u32(wire);
      this.w.write(b);
    }
  }
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
