import fs from "fs";
import { fail } from "../errors";
import { checkCeremonyPtau } from "./ceremony";

/** The smallest power of two whose domain fits a circuit, as snarkjs's `zkey new` computes it. */
export function requiredPower(nConstraints: number, nPublic: number): number {
  return Math.max(1, Math.ceil(Math.log2(nConstraints + nPublic + 1)));
}

export interface PtauChoice {
  file: string;
  power: number;
  /** True for a locally generated, single-party file: fine for development, never for production. */
  development: boolean;
  /** A recognised public ceremony ("hermez 2^N"), its hash verified. */
  ceremony?: string;
}

/** The power a .ptau file was prepared for, read from its header section. */
export function ptauPower(file: string): number {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(4096);
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.toString("ascii", 0, 4) !== "ptau") fail(`${file} is not a powers-of-tau (.ptau) file`);
    // section 1 (header) comes first: type u32, size u64, n8 u32, prime, power u32
    const n8 = head.readUInt32LE(24);
    return head.readUInt32LE(28 + n8);
  } finally {
    fs.closeSync(fd);
  }
}

/** A user-supplied (ceremony) .ptau: present, large enough, and its published hash when it claims one. */
export async function choosePtau(power: number, opts: { ptau: string; log: (m: string) => void }): Promise<PtauChoice> {
  if (!fs.existsSync(opts.ptau)) fail(`ptau file not found: ${opts.ptau}`);
  const have = ptauPower(opts.ptau);
  if (have < power) fail(`${opts.ptau} supports 2^${have} constraints; this circuit needs 2^${power}`);
  const { ceremony } = await checkCeremonyPtau(opts.ptau);
  return { file: opts.ptau, power: have, development: false, ceremony };
}
