/**
 * Fast single-party DEVELOPMENT trusted setup for Groth16 over bn128, snarkjs-compatible.
 *
 * snarkjs's development path computes the phase-2 Lagrange sections with FFTs over curve points
 * (minutes to hours). A setup run by a single party knows its own secrets τ, α, β, δ while it runs,
 * so every point can instead be computed from its scalar (τ^i, L_i(τ), QAP values at τ) by
 * fixed-base multiplication, in parallel WASM threads. The secrets are dropped when a call returns and
 * never written anywhere; the files carry the usual proofs of knowledge, so `snarkjs powersoftau
 * verify` and `snarkjs zkey verify` accept them. Never use these files in production: the party that
 * ran the setup could have kept the secrets.
 */
export { generateDevPtau, MAX_DEV_POWER, readPtauPower } from "./ptau";
export { generateDevZkey, DevZkeyInfo, DevZkeyOptions } from "./zkey";
