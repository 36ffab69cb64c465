import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import { fail } from "../errors";
import { checkCeremonyPtau } from "./ceremony";
import { snarkjs } from "./snarkjs";

/** The smallest power of two whose domain fits a circuit, as snarkjs's `zkey new` computes it. */
export function requiredPower(nConstraints: number, nPublic: number): number {
  return Math.max(1, Math.ceil(Math.log2(nConstraints + nPublic + 1)));
}

export function defaultPtauCache(): string {
  return process.env.ZKML_PTAU_CACHE ?? path.join(os.homedir(), ".cache", "hardhat-zkml", "ptau");
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

/**
 * A ceremony .ptau when the user gives one; otherwise the smallest cached development file that is
 * large enough, generated (and cached) on first need.
 */
export async function choosePtau(power: number, opts: { ptau?: string; cacheDir: string; log: (m: string) => void }): Promise<PtauChoice> {
  if (opts.ptau) {
    if (!fs.existsSync(opts.ptau)) fail(`ptau file not found: ${opts.ptau}`);
    const have = ptauPower(opts.ptau);
    if (have < power) fail(`${opts.ptau} supports 2^${have} constraints; this circuit needs 2^${power}`);
    const { ceremony } = await checkCeremonyPtau(opts.ptau);
    return { file: opts.ptau, power: have, development: false, ceremony };
  }
  const cached = fs.existsSync(opts.cacheDir)
    ? fs.readdirSync(opts.cacheDir).map((f) => /^pot(\d+)_dev\.ptau$/.exec(f)).filter((m): m is RegExpExecArray => !!m)
        .map((m) => Number(m[1])).filter((p) => p >= power).sort((a, b) => a - b)
    : [];
  if (cached.length > 0) return { file: path.join(opts.cacheDir, `pot${cached[0]}_dev.ptau`), power: cached[0], development: true };
  return { file: await generateDevPtau(power, opts.cacheDir, opts.log), power, development: true };
}

async function generateDevPtau(power: number, cacheDir: string, log: (m: string) => void): Promise<string> {
  if (power > 20) fail(`generating a 2^${power} powers of tau locally would take hours; pass a ceremony file with --ptau`);
  log(`generating a DEVELOPMENT-ONLY powers of tau (2^${power}, single party, not secure for production) in ${cacheDir}...`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const s = snarkjs();
  const curve = await s.curves.getCurveFromName("bn128");
  const tmp = fs.mkdtempSync(path.join(cacheDir, ".gen-"));
  try {
    const p0 = path.join(tmp, "0.ptau");
    const p1 = path.join(tmp, "1.ptau");
    const final = path.join(tmp, "final.ptau");
    await s.powersOfTau.newAccumulator(curve, power, p0);
    await s.powersOfTau.contribute(p0, p1, "hardhat-zkml development", crypto.randomBytes(32).toString("hex"));
    log(`preparing phase 2 (the slow step)...`);
    await s.powersOfTau.preparePhase2(p1, final);
    const dest = path.join(cacheDir, `pot${power}_dev.ptau`);
    fs.renameSync(final, dest);
    return dest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
