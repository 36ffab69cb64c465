/**
 * Groth16 over BN254 in snarkjs's JSON formats: the proofs (proof.json), verification keys (vkey.json)
 * and calldata every proving system behind the seam (src/backend/proving-system.ts) reads and writes,
 * so a key, a proof and a Solidity verifier work whichever system made them.
 */

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** A proof and its public signals as the generated verifier's `verifyProof(a, b, c, publicSignals)` takes them. */
export interface Groth16Calldata {
  a: [string, string];
  b: [[string, string], [string, string]];
  c: [string, string];
  publicSignals: string[];
}

/** snarkjs's verification key JSON (vkey.json): protocol, curve, nPublic, the α, β, γ, δ points and IC. */
export type Groth16VerificationKey = object;
