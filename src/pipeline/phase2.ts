import crypto from "crypto";
import fs from "fs";
import path from "path";
import { ProverChoice, provingSystem } from "../backend/provers";
import { ProvingSystem } from "../backend/proving-system";
import { fail } from "../errors";
import { writeDirAtomically, writeJson } from "./files";
import { artifact, loadManifest, Manifest, MANIFEST_FILE, Phase2Step } from "./manifest";

/**
 * Phase-2 (circuit-specific) ceremony steps on a compiled model: contributions by participants and a
 * final public beacon. Each step changes the key's delta, so the zkey, verification key and Solidity
 * verifier are replaced together (the whole model directory is rebuilt and swapped in atomically).
 */


/** The proving system that runs the phase-2 steps (default "native"; src/backend/provers.ts). */
export interface Phase2Options {
  prover?: ProverChoice;
}

export async function contributeModel(dir: string, name: string, entropy?: string, opts: Phase2Options = {}): Promise<{ manifest: Manifest; step: Phase2Step; warning?: string }> {
  const system = provingSystem(opts.prover);
  const r = await replaceKey(dir, "contribution", name, system, (from, to) => system.contribute(from, to, name, entropy ?? crypto.randomBytes(32).toString("hex")));
  return { ...r, warning: developmentKeyWarning(r.manifest) };
}

/**
 * A phase-2 contribution refreshes only δ. A development key's powers of tau (τ, α, β) were made on the
 * compiling machine, which could have kept them and so forge proofs whatever phase 2 adds.
 */
export function developmentKeyWarning(m: Manifest): string | undefined {
  if (!m.ptau.development) return undefined;
  return `WARNING: model "${m.name}" was set up from a development powers of tau made on this machine, which could have kept τ, α and β; a phase-2 contribution refreshes only δ, so the key is still not trustworthy. For production, recompile with \`--ptau <ceremony.ptau>\` from a public powers-of-tau ceremony, then run the phase-2 contributions`;
}

/** A beacon (e.g. a future block hash) as the last step makes the final key publicly reproducible. */
export async function beaconModel(dir: string, name: string, beaconHex: string, iterationsExp = 10, opts: Phase2Options = {}): Promise<{ manifest: Manifest; step: Phase2Step }> {
  if (!/^(0x)?[0-9a-fA-F]{2,}$/.test(beaconHex) || beaconHex.replace(/^0x/, "").length % 2 !== 0) fail(`the beacon must be an even-length hex string, got "${beaconHex}"`);
  if (!Number.isInteger(iterationsExp) || iterationsExp < 10 || iterationsExp > 63) fail(`beacon iterations exponent must be 10..63, got ${iterationsExp}`);
  const system = provingSystem(opts.prover);
  return replaceKey(dir, "beacon", name, system, (from, to) => system.beacon(from, to, name, beaconHex.replace(/^0x/, ""), iterationsExp));
}

/** The full check of the key against the circuit and the powers of tau it was made from (snarkjs's `zkey verify`). */
export async function verifySetup(dir: string, opts: Phase2Options = {}): Promise<boolean> {
  const system = provingSystem(opts.prover);
  const m = loadManifest(dir);
  if (!m.ptau.file)
    fail(`model "${m.name}" has a development key made from discarded secrets for a 2^${m.ptau.power} circuit; its matching powers of tau was not kept (too large), so there is nothing to check it against`);
  const ptau = path.resolve(dir, m.ptau.file);
  if (!fs.existsSync(ptau)) fail(`the powers of tau this model was set up with is gone: ${ptau}`);
  return system.verifySetup(artifact(dir, m, "r1cs"), ptau, artifact(dir, m, "zkey"));
}

/** One phase-2 step: reads the key `from`, writes the next one to `to`, returns the step's hash (hex). */
type KeyStep = (from: string, to: string) => Promise<string>;

async function replaceKey(dir: string, kind: Phase2Step["kind"], name: string, system: ProvingSystem, run: KeyStep): Promise<{ manifest: Manifest; step: Phase2Step }> {
  const m = loadManifest(dir);
  if (m.phase2?.some((s) => s.kind === "beacon")) fail(`model "${m.name}" already has its final beacon; recompile to start a new phase-2 ceremony`);
  return writeDirAtomically(dir, async (tmp) => {
    fs.cpSync(dir, tmp, { recursive: true });
    const zkey = path.join(tmp, m.files.zkey);
    const next = `${zkey}.next`;
    const hash = await run(zkey, next);
    fs.renameSync(next, zkey);
    writeJson(path.join(tmp, m.files.vkey), await system.verificationKey(zkey));
    fs.writeFileSync(path.join(tmp, m.files.verifier), await system.solidityVerifier(zkey, m.contractName));
    const step: Phase2Step = { kind, name, hash, date: new Date().toISOString() };
    const manifest: Manifest = { ...m, phase2: [...(m.phase2 ?? []), step] };
    writeJson(path.join(tmp, MANIFEST_FILE), manifest);
    return { manifest, step };
  });
}
