/**
 * The BN254 scalar field every circuit value lives in: its modulus and the conversions between signed
 * integers and field elements. The one home of these in the library (tests keep their own on purpose).
 */

/** The BN254 (alt_bn128) scalar field modulus r, about 2^253.6. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** v mod p in [0, p) for any sign of v. */
export function mod(v: bigint, p: bigint = FIELD_MODULUS): bigint {
  const r = v % p;
  return r < 0n ? r + p : r;
}

/** A signed integer as the field element it stands for. */
export function toField(v: bigint): bigint {
  return mod(v);
}

/** Field element -> the signed integer it encodes (values above p/2 are negative). */
export function fromField(v: bigint): bigint {
  return v > FIELD_MODULUS / 2n ? v - FIELD_MODULUS : v;
}

/** 1/a mod p (extended Euclid); a must not be a multiple of p. */
export function modInverse(a: bigint, p: bigint = FIELD_MODULUS): bigint {
  let [x, y, x0, x1] = [mod(a, p), p, 1n, 0n];
  if (x === 0n) throw new Error("internal error: the inverse of 0 does not exist");
  while (y !== 0n) {
    const q = x / y;
    [x, y] = [y, x - q * y];
    [x0, x1] = [x1, x0 - q * x1];
  }
  return mod(x0, p);
}
