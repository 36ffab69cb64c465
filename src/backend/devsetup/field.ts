import crypto from "crypto";
import { FIELD_MODULUS, mod, modInverse } from "../../numeric/field";

/** bn128 (alt_bn128 / BN254) scalar field order r and base field order q. */
export const R = FIELD_MODULUS;
export const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** Small BigInt arithmetic in Fr for the handful of setup constants computed on the main thread. */
export const fr = {
  mod: (a: bigint): bigint => mod(a),
  mul: (a: bigint, b: bigint): bigint => (a * b) % R,
  add: (a: bigint, b: bigint): bigint => (a + b) % R,
  sub: (a: bigint, b: bigint): bigint => (((a - b) % R) + R) % R,
  pow(base: bigint, e: bigint): bigint {
    let acc = 1n;
    let b = ((base % R) + R) % R;
    for (; e > 0n; e >>= 1n) {
      if (e & 1n) acc = (acc * b) % R;
      b = (b * b) % R;
    }
    return acc;
  },
  inv: (a: bigint): bigint => modInverse(a),
  /** Uniform-enough nonzero element: 512 random bits reduced mod r (bias < 2^-250). */
  random(): bigint {
    for (;;) {
      const v = BigInt("0x" + crypto.randomBytes(64).toString("hex")) % R;
      if (v !== 0n) return v;
    }
  },
};

export function leBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

export function u32be(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, false);
  return b;
}

export function u64le(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

/** snarkjs's misc.log2: floor(log2(v)) for a 32-bit v (0 for 0). */
export function floorLog2(v: number): number {
  return v <= 0 ? 0 : 31 - Math.clz32(v);
}
