import fs from "fs";

/**
 * A witness in snarkjs's .wtns format (version 2: a header section with the field and the witness
 * count, then the values), as `groth16 prove` reads it from a file or from memory.
 */
export function encodeWtns(witness: bigint[], prime: bigint): Buffer {
  const n8 = 32;
  const le = (x: bigint) => {
    const b = Buffer.alloc(n8);
    for (let i = 0; i < n8; i++, x >>= 8n) b[i] = Number(x & 0xffn);
    return b;
  };
  const field = (v: bigint) => le(((v % prime) + prime) % prime);
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const u64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
  const header = Buffer.concat([u32(n8), le(prime), u32(witness.length)]);
  const values = Buffer.concat(witness.map(field));
  return Buffer.concat([
    Buffer.from("wtns"), u32(2), u32(2),
    u32(1), u64(header.length), header,
    u32(2), u64(values.length), values,
  ]);
}

/** Writes a witness as a .wtns file, so a hand-made witness can be fed to `groth16 prove`. */
export function writeWtns(file: string, witness: bigint[], prime: bigint): void {
  fs.writeFileSync(file, encodeWtns(witness, prime));
}
