import fs from "fs";
import { R } from "./field";

export interface R1csForSetup {
  nVars: number;
  nOutputs: number;
  nPubInputs: number;
  nConstraints: number;
  n8: number;
  /** The raw constraints section: per constraint, for A, B, C: u32 nTerms, then (u32 wire, n8-byte LE coefficient)*. */
  constraints: Uint8Array;
}

/** Reads what a Groth16 key needs from a circom .r1cs: header counts and the raw constraint section. */
export function readR1csForSetup(file: string): R1csForSetup {
  const fd = fs.openSync(file, "r");
  try {
    const read = (pos: number, n: number): Buffer => {
      const b = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const k = fs.readSync(fd, b, got, n - got, pos + got);
        if (k === 0) throw new Error(`${file}: unexpected end of file`);
        got += k;
      }
      return b;
    };
    const head = read(0, 12);
    if (head.toString("ascii", 0, 4) !== "r1cs") throw new Error(`${file} is not an R1CS file`);
    const nSections = head.readUInt32LE(8);
    const sections = new Map<number, { pos: number; size: number }>();
    let pos = 12;
    for (let i = 0; i < nSections; i++) {
      const h = read(pos, 12);
      const type = h.readUInt32LE(0);
      const size = Number(h.readBigUInt64LE(4));
      if (sections.has(type)) throw new Error(`${file}: duplicated section ${type}`);
      sections.set(type, { pos: pos + 12, size });
      pos += 12 + size;
    }
    const h = sections.get(1);
    const c = sections.get(2);
    if (!h || !c) throw new Error(`${file}: missing header or constraints section`);
    const hb = read(h.pos, h.size);
    const n8 = hb.readUInt32LE(0);
    let prime = 0n;
    for (let i = n8 - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(hb[4 + i]);
    if (prime !== R || n8 !== 32) throw new Error(`${file}: R1CS is not over the bn128 scalar field`);
    const o = 4 + n8;
    const buf = read(c.pos, c.size);
    return {
      n8,
      nVars: hb.readUInt32LE(o),
      nOutputs: hb.readUInt32LE(o + 4),
      nPubInputs: hb.readUInt32LE(o + 8),
      // o + 12: private inputs; o + 16: u64 labels
      nConstraints: hb.readUInt32LE(o + 24),
      constraints: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    };
  } finally {
    fs.closeSync(fd);
  }
}
