import fs from "fs";
import { fail } from "../errors";
import { BodyPorts, buildBody, Terms } from "../emit/r1cs";
import { CircuitProgram } from "../lower";
import { FIELD_MODULUS } from "../quantize/fixed-point";
import { readSym } from "./sym";

/**
 * A large model's circuit in two parts: the interface (public signals, packing, commitments, input
 * range checks), compiled by circom from src/emit/circom.ts with `out[]` as an input, and the body
 * (every gadget, from src/emit/r1cs.ts). Linking keeps the interface's wire numbers (so its public
 * signals stay first, as snarkjs expects), appends the body's wires, and concatenates the constraints:
 * the result is one R1CS, satisfied exactly when both parts are, sharing the in/params/out wires.
 */

interface RawR1cs {
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nLabels: bigint;
  nConstraints: number;
  constraints: Buffer;
  wireLabels: Buffer;
}

function readRaw(file: string): RawR1cs {
  const buf = fs.readFileSync(file);
  if (buf.toString("ascii", 0, 4) !== "r1cs") fail(`${file} is not an R1CS file`);
  const sections = new Map<number, Buffer>();
  let pos = 12;
  for (let i = 0; i < buf.readUInt32LE(8); i++) {
    const size = Number(buf.readBigUInt64LE(pos + 4));
    sections.set(buf.readUInt32LE(pos), buf.subarray(pos + 12, pos + 12 + size));
    pos += 12 + size;
  }
  const h = sections.get(1);
  const c = sections.get(2);
  const m = sections.get(3);
  if (!h || !c || !m) fail(`${file}: missing an R1CS section`);
  if (h.readUInt32LE(0) !== 32) fail(`${file}: not over a 32-byte field`);
  const o = 36;
  return {
    nWires: h.readUInt32LE(o),
    nPubOut: h.readUInt32LE(o + 4),
    nPubIn: h.readUInt32LE(o + 8),
    nPrvIn: h.readUInt32LE(o + 12),
    nLabels: h.readBigUInt64LE(o + 16),
    nConstraints: h.readUInt32LE(o + 24),
    constraints: c,
    wireLabels: m,
  };
}

/** Where the body's ports are in the interface circuit, from circom's symbol file. */
export function interfacePorts(symFile: string, program: CircuitProgram, firstWire: number): BodyPorts {
  const sym = readSym(symFile);
  const at = (name: string) => {
    const w = sym.get(`main.${name}`);
    if (w === undefined) fail(`internal error: the interface circuit has no wire for ${name}`);
    return w;
  };
  const inputs = Array.from({ length: program.inputCount }, (_, i) => at(`in[${i}]`));
  const params = Array.from({ length: program.paramCount }, (_, i) => at(`params[${i}]`));
  const outputs = Array.from({ length: program.outputs.length }, (_, i) => at(`out[${i}]`));
  return { input: (i) => inputs[i], param: (i) => params[i], output: (i) => outputs[i], firstWire };
}

/** Buffered sequential file writer: millions of small records, few system calls. */
class ChunkWriter {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 22);
  private used = 0;
  pos = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }
  write(b: Uint8Array): void {
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      fs.writeSync(this.fd, b);
    } else {
      this.buf.set(b, this.used);
      this.used += b.length;
    }
    this.pos += b.length;
  }
  u32(v: number): void {
    if (this.used + 4 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(v, this.used);
    this.used += 4;
    this.pos += 4;
  }
  u64(v: bigint): void {
    if (this.used + 8 > this.buf.length) this.flush();
    this.buf.writeBigUInt64LE(v, this.used);
    this.used += 8;
    this.pos += 8;
  }
  flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }
  /** Overwrites 8 bytes already written (a section size), after flushing. */
  patchU64(at: number, v: bigint): void {
    this.flush();
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    fs.writeSync(this.fd, b, 0, 8, at);
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** 32-byte little-endian field elements, cached: gadgets reuse a few coefficients (powers of two, ±1). */
class CoefficientCache {
  private readonly cache = new Map<bigint, Buffer>();
  get(k: bigint): Buffer | undefined {
    let b = this.cache.get(k);
    if (b) return b;
    let v = k % FIELD_MODULUS;
    if (v < 0n) v += FIELD_MODULUS;
    if (v === 0n) return undefined;
    b = Buffer.alloc(32);
    for (let i = 0; i < 32; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    if (this.cache.size < 1 << 16) this.cache.set(k, b);
    return b;
  }
}

export interface LinkedCircuit {
  nWires: number;
  nConstraints: number;
  nPublic: number;
  /** Wires and constraints of the body alone. */
  bodyWires: number;
  bodyConstraints: number;
}

/**
 * Writes the linked R1CS of `program` and the compiled interface to `outFile`, and with `symOut` a
 * symbol file: the interface's, then each body wire under the name circom gives the same signal.
 */
export function linkR1cs(interfaceR1cs: string, interfaceSym: string, program: CircuitProgram, outFile: string, symOut?: string): LinkedCircuit {
  const iface = readRaw(interfaceR1cs);
  const ports = interfacePorts(interfaceSym, program, iface.nWires);
  const w = new ChunkWriter(outFile);
  const coefs = new CoefficientCache();
  const side = (t: Terms) => {
    const entries: [number, Buffer][] = [];
    for (const [wire, k] of t) {
      const b = coefs.get(k);
      if (b) entries.push([wire, b]);
    }
    w.u32(entries.length);
    for (const [wire, b] of entries) {
      w.u32(wire);
      w.write(b);
    }
  };
  try {
    w.write(Buffer.from("r1cs", "ascii"));
    w.u32(1);
    w.u32(3);
    // Constraints first: their count is known only at the end, and readers find sections by id.
    w.u32(2);
    const sizeAt = w.pos;
    w.u64(0n);
    const start = w.pos;
    w.write(iface.constraints);
    const body = buildBody(program, ports, { sink: { constraint: (a, b, c) => (side(a), side(b), side(c)) }, names: symOut !== undefined });
    w.patchU64(sizeAt, BigInt(w.pos - start));

    const nWires = iface.nWires + body.wires;
    const nConstraints = iface.nConstraints + body.constraints;
    w.u32(1);
    w.u64(BigInt(4 + 32 + 4 * 4 + 8 + 4));
    w.u32(32);
    const prime = Buffer.alloc(32);
    let p = FIELD_MODULUS;
    for (let i = 0; i < 32; i++, p >>= 8n) prime[i] = Number(p & 0xffn);
    w.write(prime);
    w.u32(nWires);
    w.u32(iface.nPubOut);
    w.u32(iface.nPubIn);
    w.u32(iface.nPrvIn);
    w.u64(iface.nLabels + BigInt(body.wires));
    w.u32(nConstraints);

    w.u32(3);
    w.u64(BigInt(8 * nWires));
    w.write(iface.wireLabels);
    for (let i = 0; i < body.wires; i++) w.u64(iface.nLabels + BigInt(i));
    w.close();
    if (symOut) {
      const sym = new ChunkWriter(symOut);
      sym.write(fs.readFileSync(interfaceSym));
      body.names!.forEach((name, i) => sym.write(Buffer.from(`${iface.nLabels + BigInt(i)},${iface.nWires + i},-1,${name}\n`)));
      sym.close();
    }
    return { nWires, nConstraints, nPublic: iface.nPubOut + iface.nPubIn, bodyWires: body.wires, bodyConstraints: body.constraints };
  } catch (e) {
    try {
      w.close();
    } catch {
      // already closed
    }
    fs.rmSync(outFile, { force: true });
    if (symOut) fs.rmSync(symOut, { force: true });
    throw e;
  }
}

/**
 * The full witness of a linked circuit: the interface's (from circom's witness code, which also checks
 * the interface's own constraints) followed by the body's.
 */
export function linkedWitness(
  interfaceWitness: bigint[],
  program: CircuitProgram,
  ports: BodyPorts,
  values: { inputs: bigint[]; params: bigint[] },
): { witness: bigint[]; outputs: bigint[] } {
  const body = buildBody(program, ports, { values });
  const outputs = body.outputs!;
  outputs.forEach((v, i) => {
    const got = interfaceWitness[ports.output(i)];
    const want = ((v % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
    if (got !== want) fail(`internal error: output ${i} given to the interface (${got}) differs from the body's (${v})`);
  });
  // Field elements in [0, p), as circom's witness code gives them (the body computes with signed integers).
  const field = (v: bigint) => (v < 0n ? (v % FIELD_MODULUS) + FIELD_MODULUS : v % FIELD_MODULUS);
  return { witness: interfaceWitness.concat(body.witness!.map(field)), outputs };
}
