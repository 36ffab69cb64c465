import crypto from "crypto";
import fs from "fs";
import path from "path";
import { fail } from "../errors";
import { FIELD_MODULUS } from "../numeric/field";
import { generateDevZkey } from "./devsetup";
import { Groth16Calldata, Groth16Proof, Groth16VerificationKey } from "./groth16";
import { KeySetupOptions, ProofAndSignals, ProvingSystem, Witness } from "./proving-system";
import { releaseSnarkjs, snarkLogger, useSnarkjs } from "./snarkjs";
import { encodeWtns } from "./wtns";

const QUIET = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Groth16 with snarkjs (JavaScript + WASM, in-process). Development keys come from the fast
 * single-party setup in src/backend/devsetup, which writes snarkjs's zkey format.
 */
export const snarkjsGroth16: ProvingSystem = {
  name: "snarkjs",

  async setup(r1cs: string, zkeyOut: string, opts: KeySetupOptions): Promise<Groth16VerificationKey> {
    if (opts.ptau) return ceremonyKey(r1cs, opts.ptau, zkeyOut, opts.log, opts.verbose ?? false);
    await generateDevZkey(r1cs, opts.power, zkeyOut, { log: opts.verbose ? opts.log : undefined, ptauOut: opts.devPtauOut });
    if (opts.devPtauOut && !fs.existsSync(opts.devPtauOut)) throw new Error(`development setup did not write ${opts.devPtauOut}`);
    return useSnarkjs((s) => s.zKey.exportVerificationKey(zkeyOut));
  },

  async verificationKey(zkey: string): Promise<Groth16VerificationKey> {
    return useSnarkjs((s) => s.zKey.exportVerificationKey(zkey));
  },

  async prove(zkey: string, witness: Witness): Promise<ProofAndSignals> {
    // A witness in memory is handed over as an in-memory .wtns (fastfile's { type: "mem" }): no temporary file.
    const wtns = Array.isArray(witness) ? { type: "mem", data: encodeWtns(witness, FIELD_MODULUS) } : witness.wtnsFile;
    return useSnarkjs((s) => s.groth16.prove(zkey, wtns));
  },

  async verify(vkey: Groth16VerificationKey, publicSignals: string[], proof: Groth16Proof): Promise<boolean> {
    try {
      return await useSnarkjs((s) => s.groth16.verify(vkey, publicSignals, proof, { info: () => undefined, error: () => undefined }));
    } catch {
      return false; // malformed proof or signals: not a valid proof
    }
  },

  async calldata(proof: Groth16Proof, publicSignals: string[]): Promise<Groth16Calldata> {
    const raw: string = await useSnarkjs((s) => s.groth16.exportSolidityCallData(proof, publicSignals));
    const [a, b, c, pub] = JSON.parse(`[${raw}]`);
    return { a, b, c, publicSignals: pub };
  },

  /** snarkjs's Groth16 verifier template, renamed so several models can live in one Hardhat project. */
  async solidityVerifier(zkey: string, contractName: string): Promise<string> {
    const template = fs.readFileSync(path.join(path.dirname(require.resolve("snarkjs")), "..", "templates", "verifier_groth16.sol.ejs"), "utf8");
    const src: string = await useSnarkjs((s) => s.zKey.exportSolidityVerifier(zkey, { groth16: template }));
    if (!src.includes("contract Groth16Verifier")) fail("unexpected snarkjs verifier template: contract Groth16Verifier not found");
    return src.replace("contract Groth16Verifier", `contract ${contractName}`);
  },

  async contribute(zkey: string, zkeyOut: string, participant: string, entropy: string): Promise<string> {
    return hex(await useSnarkjs((s) => s.zKey.contribute(zkey, zkeyOut, participant, entropy)));
  },

  async beacon(zkey: string, zkeyOut: string, name: string, beaconHex: string, iterationsExp: number): Promise<string> {
    return hex(await useSnarkjs((s) => s.zKey.beacon(zkey, zkeyOut, name, beaconHex.replace(/^0x/, ""), iterationsExp)));
  },

  async verifySetup(r1cs: string, ptau: string, zkey: string): Promise<boolean> {
    return useSnarkjs((s) => s.zKey.verifyFromR1cs(r1cs, ptau, zkey, QUIET));
  },

  release: releaseSnarkjs,
};

/**
 * snarkjs's `zkey new` from a ceremony powers of tau, then one random phase-2 contribution: a zkey
 * straight out of `zkey new` has δ = 1 and would let anyone forge proofs, so it is never used as is.
 */
async function ceremonyKey(r1cs: string, ptau: string, zkeyOut: string, log: (m: string) => void, verbose: boolean): Promise<Groth16VerificationKey> {
  return useSnarkjs((s) => ceremonyKeyWith(s, r1cs, ptau, zkeyOut, log, verbose));
}

async function ceremonyKeyWith(s: any, r1cs: string, ptau: string, zkeyOut: string, log: (m: string) => void, verbose: boolean): Promise<Groth16VerificationKey> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const logger = snarkLogger(log, verbose);
  const initial = `${zkeyOut}.0`;
  try {
    await s.zKey.newZKey(r1cs, ptau, initial, logger);
    await s.zKey.contribute(initial, zkeyOut, "hardhat-zkml setup", crypto.randomBytes(32).toString("hex"), logger);
  } catch (e) {
    fail(`Groth16 setup failed: ${(e as Error).message ?? e}`);
  } finally {
    fs.rmSync(initial, { force: true });
  }
  return s.zKey.exportVerificationKey(zkeyOut, logger);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
