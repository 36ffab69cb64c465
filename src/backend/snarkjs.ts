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

/** web-worker's handle on the node:worker_threads Worker under each of ffjavascript's pool workers. */
const NODE_WORKER = Symbol.for("worker");

/**
 * Runs `fn` with snarkjs, then lets the process exit while snarkjs's curve sits idle: its worker threads
 * are unref'd (kept for the next call, ~0.5 s to rebuild otherwise), so a finished script or a test
 * runner that waits for its event loop to drain (Hardhat 3's mocha) ends. During the call a timer holds
 * the event loop instead. Nothing is terminated, so calls that overlap are safe.
 */
export async function useSnarkjs<T>(fn: (s: any) => Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 1 << 30);
  try {
    return await fn(snarkjs());
  } finally {
    clearInterval(hold);
    for (const worker of (globalThis as any).curve_bn128?.tm?.workers ?? []) worker?.[NODE_WORKER]?.unref?.();
  }
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
