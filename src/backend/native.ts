import path from "path";

/**
 * The native Groth16 prover (BN254, C++ in native/, built by node-gyp at `npm install` into
 * build/Release/zkml_native.node). Every byte string is little-endian standard form (not Montgomery):
 * field elements 32 bytes, G1 points 64 bytes affine (x, y), G2 points 128 bytes (x.c0, x.c1, y.c0,
 * y.c1); all zeros is the point at infinity.
 */
export interface NativeAddon {
  /**
   * A Groth16 proof from a snarkjs .zkey and the circuit's full witness (nVars × 32 bytes, wire 0 = 1),
   * in snarkjs's proof.json layout as decimal strings. Rejects a malformed key or witness in one line.
   */
  prove(zkeyPath: string, witness: Uint8Array, threads?: number): Promise<NativeProof>;
  /** One operation in Fq (the base field) or Fr (the scalar field); `b` for the binary ones. */
  fieldOp(field: "fq" | "fr", op: NativeFieldOp, a: Uint8Array, b?: Uint8Array): Uint8Array;
  /** Σ scalars[i]·points[i] over G1: n × 64-byte points, n × 32-byte scalars; 64 bytes. */
  g1Msm(points: Uint8Array, scalars: Uint8Array, threads?: number): Uint8Array;
  /** Σ scalars[i]·points[i] over G2: n × 128-byte points, n × 32-byte scalars; 128 bytes. */
  g2Msm(points: Uint8Array, scalars: Uint8Array, threads?: number): Uint8Array;
  /** ffjavascript's Fr.fft (or Fr.ifft when `inverse`) of n = 2^k elements. */
  fft(values: Uint8Array, inverse: boolean): Uint8Array;
  /**
   * k_i·G for the G1 or G2 generator (the development setup's points), with a process-wide table of
   * `windowBits` (2..15) windows; scalars n × 32 bytes, standard form, below 2^254. Affine points in
   * Montgomery form, as a .zkey stores them (zeros for infinity). Empty scalars: only builds the table.
   */
  fixedBase(group: "G1" | "G2", windowBits: number, scalars: Uint8Array): Uint8Array;
  /** A uniform element of Fr from the OS CSPRNG. */
  randomFr(): Uint8Array;
  /** The worker threads used by default. */
  threads(): number;
}

export type NativeFieldOp = "add" | "sub" | "mul" | "sqr" | "inv" | "neg";

export interface NativeProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  nPublic: number;
}

/** Where the addon is: $ZKML_NATIVE_ADDON, else build/Release at the package root (from src/backend or dist/backend). */
export function nativeAddonPath(): string {
  return process.env.ZKML_NATIVE_ADDON || path.resolve(__dirname, "../../build/Release/zkml_native.node");
}

const EXPORTS = ["prove", "fieldOp", "g1Msm", "g2Msm", "fft", "fixedBase", "randomFr", "threads"] as const;

let cached: NativeAddon | { error: string } | undefined;

/**
 * The native addon, loaded on first call (never when the plugin loads), or why it cannot be: a
 * missing or unloadable file, or one without the expected functions. Never throws; the result is kept.
 */
export function loadNativeAddon(): NativeAddon | { error: string } {
  if (cached) return cached;
  const file = nativeAddonPath();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(file) as Record<string, unknown>;
    const missing = EXPORTS.filter((name) => typeof addon?.[name] !== "function");
    cached = missing.length ? { error: `${file} does not export ${missing.join(", ")}` } : (addon as unknown as NativeAddon);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    const reason = code === "MODULE_NOT_FOUND" ? `${file} not built; npm 11 builds a dependency's addon only once approved: npm install-scripts approve hardhat-zkml && npm rebuild hardhat-zkml` : firstLine(e);
    cached = { error: reason };
  }
  return cached;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";
}
