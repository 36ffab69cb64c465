// The part of snarkjs (no type declarations of its own) the prover worker calls.
declare module "snarkjs" {
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: Uint8Array, zkey: Uint8Array): Promise<{ proof: import("../../src/backend/groth16").Groth16Proof; publicSignals: string[] }>;
    exportSolidityCallData(proof: unknown, publicSignals: string[]): Promise<string>;
  };
}
