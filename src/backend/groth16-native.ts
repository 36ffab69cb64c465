import fs from "fs";
import { fail } from "../errors";
import { FIELD_MODULUS } from "../numeric/field";
import { snarkjsGroth16 } from "./groth16-snarkjs";
import { loadNativeAddon, NativeAddon } from "./native";
import { ProofAndSignals, ProvingSystem, Witness } from "./proving-system";

/**
 * Groth16 with the native prover (C++, multithreaded; src/backend/native.ts). It proves from
 * snarkjs's .zkey and gives snarkjs's proof.json; everything else (setup, verify, verifiers, phase 2)
 * is snarkjs's, so keys and proofs are interchangeable with the "snarkjs" system.
 */
export const nativeGroth16: ProvingSystem = {
  ...snarkjsGroth16,
  name: "native",

  async prove(zkey: string, witness: Witness): Promise<ProofAndSignals> {
    const addon = nativeAddon();
    const values = Array.isArray(witness) ? witnessBytes(witness) : readWtns(witness.wtnsFile);
    const raw = await addon.prove(zkey, values).catch((e: unknown) => fail(`native Groth16 prover: ${firstLine(e)}`));
    const publicSignals: string[] = [];
    for (let i = 1; i <= raw.nPublic; i++) publicSignals.push(fieldAt(values, i).toString());
    // The key order of snarkjs's groth16.prove, so proof.json files are alike whichever system wrote them.
    return { proof: { pi_a: raw.pi_a, pi_b: raw.pi_b, pi_c: raw.pi_c, protocol: "groth16", curve: "bn128" }, publicSignals };
  },
};

function nativeAddon(): NativeAddon {
  const addon = loadNativeAddon();
  if ("error" in addon) fail(`the native prover is unavailable: ${addon.error}`);
  return addon;
}

const N8 = 32;
const SMALL = 1n << 32n;

/** Field elements (reduced mod r) as 32-byte little-endian words, the addon's witness. */
export function witnessBytes(witness: bigint[]): Buffer {
  const out = Buffer.alloc(witness.length * N8);
  for (let i = 0; i < witness.length; i++) {
    let x = witness[i];
    if (x < 0n || x >= FIELD_MODULUS) x = ((x % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
    // Most wires of a quantized model are bits and small integers: one 32-bit write. Others go
    // through one hex conversion (about 1.5x faster than four 64-bit BigInt shifts and writes).
    if (x < SMALL) out.writeUInt32LE(Number(x), i * N8);
    else Buffer.from(x.toString(16).padStart(2 * N8, "0"), "hex").reverse().copy(out, i * N8);
  }
  return out;
}

/** The i-th 32-byte little-endian element of a witness. */
function fieldAt(values: Uint8Array, i: number): bigint {
  const b = Buffer.from(values.buffer, values.byteOffset + i * N8, N8);
  let x = 0n;
  for (let j = 3; j >= 0; j--) x = (x << 64n) | b.readBigUInt64LE(j * 8);
  return x;
}

/**
 * The values of a snarkjs .wtns file ("wtns", u32 version, u32 sections; each section u32 id, u64 size;
 * section 1: u32 n8, the prime, u32 count; section 2: the values), as 32-byte little-endian words.
 * A file over another field than BN254's scalar field is a one-line error.
 */
export function readWtns(file: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    fail(`cannot read witness ${file}: ${firstLine(e)}`);
  }
  const bad = (why: string): never => fail(`${file} is not a snarkjs .wtns witness: ${why}`);
  if (data.length < 12 || data.toString("latin1", 0, 4) !== "wtns") bad('no "wtns" magic');
  const nSections = data.readUInt32LE(8);
  const sections = new Map<number, { start: number; size: number }>();
  let pos = 12;
  for (let s = 0; s < nSections; s++) {
    if (pos + 12 > data.length) bad("truncated section header");
    const id = data.readUInt32LE(pos);
    const size = Number(data.readBigUInt64LE(pos + 4));
    pos += 12;
    if (pos + size > data.length) bad(`section ${id} runs past the end of the file`);
    if (!sections.has(id)) sections.set(id, { start: pos, size });
    pos += size;
  }
  const header = sections.get(1) ?? bad("no header section");
  if (header.size < 4) bad("truncated header section");
  const n8 = data.readUInt32LE(header.start);
  if (header.size < 8 + n8) bad("truncated header section");
  let prime = 0n;
  for (let i = n8 - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(data[header.start + 4 + i]);
  if (prime !== FIELD_MODULUS) fail(`witness ${file} is over the field of prime ${prime}, not BN254's scalar field ${FIELD_MODULUS}`);
  if (n8 !== N8) bad(`field elements of ${n8} bytes, not ${N8}`);
  const count = data.readUInt32LE(header.start + 4 + n8);
  const values = sections.get(2) ?? bad("no values section");
  if (values.size !== count * N8) bad(`its values section holds ${values.size} bytes, not ${count} × ${N8}`);
  return data.subarray(values.start, values.start + values.size);
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";
}
