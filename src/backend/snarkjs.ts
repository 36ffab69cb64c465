/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * snarkjs (no type declarations). The pipeline reaches it only through the proving system in
 * src/backend/groth16-snarkjs.ts; Groth16Proof lives in groth16.ts and is re-exported for older importers.
 */
export type { Groth16Proof } from "./groth16";

export type Logger = { info(msg: string): void; debug(msg: string): void; warn(msg: string): void; error(msg: string): void };

export function snarkjs(): any {
  return require("snarkjs");
}

/**
 * snarkjs keeps a bn128 curve (with worker threads) in a global after any call; those threads keep
 * the process alive, so every entry point releases them when done.
 */
export async function releaseSnarkjs(): Promise<void> {
  const g = globalThis as any;
  const curve = g.curve_bn128;
  if (curve) {
    // Forgotten first, so a call that starts meanwhile builds a fresh curve instead of using this one.
    delete g.curve_bn128;
    await curve.terminate();
  }
}

/** A logger that forwards snarkjs's progress lines (useful on long steps) to `log`, quietly. */
export function snarkLogger(log: (msg: string) => void, verbose: boolean): Logger {
  const fwd = (m: string) => verbose && log(m);
  return { info: fwd, debug: () => undefined, warn: fwd, error: log };
}
