import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import { FIELD_MODULUS } from "../quantize/fixed-point";
import { writeWtns } from "./wtns";
import { fail } from "../errors";
import { Groth16Proof, snarkjs, snarkLogger } from "./snarkjs";

export interface Groth16Calldata {
  a: [string, string];
  b: [[string, string], [string, string]];
  c: [string, string];
  publicSignals: string[];
}

/**
 * Groth16 key generation with one random phase-2 contribution: a zkey straight out of `zkey new`
 * has delta = 1 and would let anyone forge proofs, so it is never used as is.
 */
export async function setupGroth16(r1cs: string, ptau: string, zkeyOut: string, log: (m: string) => void, verbose = false): Promise<object> {
  const s = snarkjs();
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

export async function proveGroth16(input: Record<string, unknown>, wasm: string, zkey: string): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  return snarkjs().groth16.fullProve(input, wasm, zkey);
}

/** A proof from a witness computed outside circom (a linked circuit's, see link.ts). */
export async function proveGroth16FromWitness(witness: bigint[], zkey: string): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const tmp = path.join(os.tmpdir(), `zkml-${process.pid}-${crypto.randomBytes(4).toString("hex")}.wtns`);
  try {
    writeWtns(tmp, witness, FIELD_MODULUS);
    return await snarkjs().groth16.prove(zkey, tmp);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export async function verifyGroth16(vkey: object, publicSignals: string[], proof: Groth16Proof): Promise<boolean> {
  try {
    return await snarkjs().groth16.verify(vkey, publicSignals, proof, { info: () => undefined, error: () => undefined });
  } catch {
    return false; // malformed proof or signals: not a valid proof
  }
}

export async function groth16Calldata(proof: Groth16Proof, publicSignals: string[]): Promise<Groth16Calldata> {
  const raw: string = await snarkjs().groth16.exportSolidityCallData(proof, publicSignals);
  const [a, b, c, pub] = JSON.parse(`[${raw}]`);
  return { a, b, c, publicSignals: pub };
}

/** snarkjs's Groth16 verifier template, renamed so several models can live in one Hardhat project. */
export async function exportSolidityVerifier(zkey: string, contractName: string): Promise<string> {
  const template = fs.readFileSync(path.join(path.dirname(require.resolve("snarkjs")), "..", "templates", "verifier_groth16.sol.ejs"), "utf8");
  const src: string = await snarkjs().zKey.exportSolidityVerifier(zkey, { groth16: template });
  if (!src.includes("contract Groth16Verifier")) fail("unexpected snarkjs verifier template: contract Groth16Verifier not found");
  return src.replace("contract Groth16Verifier", `contract ${contractName}`);
}
