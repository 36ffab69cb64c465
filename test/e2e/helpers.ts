import { expect } from "chai";
// Shared by test/e2e/*.test.ts. Contains no tests; mocha loading it is harmless. Its decoders are independent of
// src/ on purpose, so a test checks the library against a second implementation.
import type { Groth16Calldata } from "../../src/backend/groth16";
import type { Groth16Proof } from "../../src/backend/snarkjs";
import type { Manifest } from "../../src/pipeline/manifest";
import type { EthereumProvider } from "hardhat/types";

/** The BN254 scalar field modulus (kept local so a test checks src/'s constant rather than reusing it). */
export const BN254_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Field element (decimal string or bigint) -> the signed integer it encodes: values above p/2 are negative. */
export function fieldToSigned(v: string | bigint): bigint {
  const x = BigInt(v);
  if (x < 0n || x >= BN254_P) throw new Error(`${v} is not a field element`);
  return x > BN254_P / 2n ? x - BN254_P : x;
}

/**
 * The signed integers packed in a group of public signals: `floor(253 / bits)` offset-binary digits
 * (v + 2^(bits-1)) per signal, little-endian. Independent of src/privacy/packing.ts on purpose.
 */
export function unpackGroup(m: Manifest, group: "outputs" | "inputs", signals: readonly (string | bigint)[]): bigint[] {
  const g = m.publicSignals[group];
  if (g.encoding !== "packed") throw new Error(`${group} of "${m.name}" are not public`);
  const perWord = Math.floor(253 / g.packing.bits);
  const out: bigint[] = [];
  for (let i = 0; i < g.packing.values; i++) {
    const word = BigInt(signals[g.offset + Math.floor(i / perWord)]);
    const digit = (word >> BigInt((i % perWord) * g.packing.bits)) & ((1n << BigInt(g.packing.bits)) - 1n);
    out.push(digit - (1n << BigInt(g.packing.bits - 1)));
  }
  return out;
}

/** Decodes public signals with the manifest's layout, dequantized with each part's scaleBits. */
export function decodePublicSignals(m: Manifest, signals: readonly (string | bigint)[]): { outputs: number[]; inputs: number[] } {
  if (signals.length !== m.publicSignals.count) throw new Error(`expected ${m.publicSignals.count} public signals, got ${signals.length}`);
  const part = (g: "outputs" | "inputs") => unpackGroup(m, g, signals).map((v) => Number(v) / 2 ** m.publicSignals[g].scaleBits);
  return { outputs: part("outputs"), inputs: part("inputs") };
}

/** Deep copy so tampering never touches the original calldata. */
export function cloneCalldata(cd: Groth16Calldata): Groth16Calldata {
  return JSON.parse(JSON.stringify(cd));
}

export function cloneProof(p: Groth16Proof): Groth16Proof {
  return JSON.parse(JSON.stringify(p));
}

/** The BN254 base field modulus: the coordinates of the proof points a, b, c live in this field. */
export const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** (v + delta) mod `modulus` for a decimal or 0x string, as a decimal string. */
export function addMod(v: string, delta: bigint, modulus: bigint): string {
  return String((((BigInt(v) + delta) % modulus) + modulus) % modulus);
}

/** Awaits `p`, expects it to fail with a message matching `pattern`, and returns the error. */
export async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<Error> {
  let error: Error | undefined;
  try {
    await p;
  } catch (e) {
    error = e as Error;
  }
  expect(error, `expected an error matching ${pattern}`).to.not.equal(undefined);
  expect(error!.message).to.match(pattern);
  return error!;
}

/** A fixed gas limit for transactions sent with automine off: estimating one that will revert would throw before it is sent. */
export const FIXED_GAS = { gasLimit: 2_000_000n };

/**
 * Runs `send` with automine off, then mines everything it sent in one block (evm_mine), in the mempool's order
 * (higher tips first, each sender's nonces in order). Automine is back on afterwards, whatever happens.
 */
export async function inOneBlock<T>(provider: EthereumProvider, send: () => Promise<T>): Promise<T> {
  await provider.send("evm_setAutomine", [false]);
  try {
    const sent = await send();
    await provider.send("evm_mine");
    return sent;
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
}

/** The custom error of `contract` that a mined transaction reverted with, read from its trace (the chai matchers decode only errors thrown when sending). */
export async function minedRevert(provider: EthereumProvider, contract: any, tx: { hash: string }): Promise<{ name: string; args: unknown[] }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const trace = await provider.send("debug_traceTransaction", [tx.hash, { disableMemory: true, disableStack: true, disableStorage: true }]);
  expect(trace.failed, `${tx.hash} reverted`).to.equal(true);
  const error = contract.interface.parseError("0x" + String(trace.returnValue).replace(/^0x/, ""));
  expect(error, `${tx.hash}'s revert data is a custom error of the contract`).to.not.equal(null);
  return { name: error.name, args: [...error.args] };
}
