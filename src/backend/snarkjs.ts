/* eslint-disable @typescript-eslint/no-explicit-any */

/** snarkjs has no type declarations; this is the small surface hardhat-zkml uses. */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

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
  if (g.curve_bn128) {
    await g.curve_bn128.terminate();
    delete g.curve_bn128;
  }
}

/** A logger that forwards snarkjs's progress lines (useful on long steps) to `log`, quietly. */
export function snarkLogger(log: (msg: string) => void, verbose: boolean): Logger {
  const fwd = (m: string) => verbose && log(m);
  return { info: fwd, debug: () => undefined, warn: fwd, error: log };
}
