import { Groth16Calldata, Groth16Proof, Groth16VerificationKey } from "./groth16";

/**
 * The proving-system seam: everything the pipeline (compile, setup, prove, verify, phase 2) asks of
 * a proving system, so a second prover is one more implementation and one more entry in
 * PROVING_SYSTEMS (src/backend/provers.ts), selected by `zkml.prover` or `zkml:prove --prover`.
 *
 * Every system reads and writes the same files: Groth16 over BN254 in snarkjs's formats (`.zkey`
 * proving keys, `.wtns` witnesses, vkey.json, proof.json, public.json; src/backend/groth16.ts). A key
 * made through one system proves and verifies through any other, and a model's cached build does not
 * depend on which system made its key.
 */
export interface ProvingSystem {
  /** What `zkml.prover` and `--prover` call it. */
  readonly name: string;

  /**
   * Writes the circuit's proving key to `zkeyOut` and returns its verification key: from a ceremony
   * powers of tau when `opts.ptau` is given, otherwise a DEVELOPMENT key from fresh secrets that are
   * discarded when it returns. A key is never left with δ = 1 (anyone could forge proofs with it).
   */
  setup(r1cs: string, zkeyOut: string, opts: KeySetupOptions): Promise<Groth16VerificationKey>;
  /** The verification key a proving key holds. */
  verificationKey(zkey: string): Promise<Groth16VerificationKey>;

  /** A proof from the circuit's full witness (src/pipeline/witness.ts), the same way for every circuit body. */
  prove(zkey: string, witness: Witness): Promise<ProofAndSignals>;
  /** False for a proof or signals that do not verify, including malformed ones (never throws on them). */
  verify(vkey: Groth16VerificationKey, publicSignals: string[], proof: Groth16Proof): Promise<boolean>;
  /** The arguments of the generated verifier's `verifyProof`. */
  calldata(proof: Groth16Proof, publicSignals: string[]): Promise<Groth16Calldata>;
  /** Solidity source of the key's verifier, its contract named `contractName`. */
  solidityVerifier(zkey: string, contractName: string): Promise<string>;

  /** Phase 2: a participant's contribution to δ, written to `zkeyOut`; returns the contribution hash (hex). */
  contribute(zkey: string, zkeyOut: string, participant: string, entropy: string): Promise<string>;
  /** Phase 2: the final public random beacon (hex, `2^iterationsExp` hash iterations); returns its hash (hex). */
  beacon(zkey: string, zkeyOut: string, name: string, beaconHex: string, iterationsExp: number): Promise<string>;
  /** Phase 2: whether the key was correctly made from this circuit and powers of tau, every contribution included. */
  verifySetup(r1cs: string, ptau: string, zkey: string): Promise<boolean>;

  /** Frees what the system keeps alive between calls (snarkjs: the bn128 curve's worker threads). */
  release(): Promise<void>;
}

export interface KeySetupOptions {
  /** log2 of the circuit's domain: 2^power ≥ constraints + public signals + 1 (src/backend/ptau.ts). */
  power: number;
  /** A ceremony .ptau of at least 2^power, already checked (src/backend/ptau.ts `choosePtau`). */
  ptau?: string;
  /** Development key only: also write its matching .ptau here, for `zkml:verify-setup`. */
  devPtauOut?: string;
  log: (msg: string) => void;
  /** Forward the system's progress lines to `log`. */
  verbose?: boolean;
}

/**
 * A circuit's full witness, wire 0 the constant 1: its values as field elements in wire order, or a
 * snarkjs `.wtns` file.
 */
export type Witness = bigint[] | { wtnsFile: string };

export interface ProofAndSignals {
  proof: Groth16Proof;
  /** Decimal field elements, in the circuit's public-signal order (public.json). */
  publicSignals: string[];
}
