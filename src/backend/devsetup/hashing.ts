/* eslint-disable @typescript-eslint/no-explicit-any */
import crypto from "crypto";
import { ffjavascript, nobleBlake2b } from "./deps";

/** BLAKE2b-512 (unkeyed, 64-byte digest): what snarkjs uses for every transcript hash. */
export function blake2b512(...parts: Uint8Array[]): Uint8Array {
  const h = crypto.createHash("blake2b512");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** A streaming BLAKE2b-512 whose intermediate state can be exported (needed for `partialHash`). */
export function resumableBlake2b(): any {
  return nobleBlake2b().create({ dkLen: 64 });
}

/**
 * The 216-byte "partialHash" a .ptau contribution stores: the hasher's 128-byte block buffer, its
 * sixteen 32-bit state words, then (bytes absorbed before the buffer, 0, bytes in the buffer, 0, 0, 0),
 * all little-endian. snarkjs resumes from it to recompute the contribution's response hash.
 */
export function exportPartialHash(h: any): Uint8Array {
  const out = new Uint8Array(216);
  const dv = new DataView(out.buffer);
  out.set(h.buffer, 0);
  const words: number[] = h.get();
  if (words.length !== 16 || h.buffer.length !== 128) throw new Error("unexpected BLAKE2b internal state layout");
  words.forEach((w, i) => dv.setUint32(128 + 4 * i, w >>> 0, true));
  dv.setUint32(128 + 64, h.length - h.pos, true);
  dv.setUint32(128 + 72, h.pos, true);
  return out;
}

/** snarkjs's deterministic map from a 64-byte hash to a G2 point (ChaCha seeded with 8 BE words). */
export function hashToG2(curve: any, hash: Uint8Array): any {
  const dv = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  const seed = Array.from({ length: 8 }, (_, i) => dv.getUint32(4 * i, false));
  const { ChaCha } = ffjavascript();
  return curve.G2.fromRng(new ChaCha(seed));
}

/**
 * The challenge a first contributor answers: the hash of a fresh accumulator in which every point is
 * the generator (tauG1: 2n−1 points, tauG2, alphaTauG1, betaTauG1: n each, betaG2: one), preceded by
 * the hash of nothing. Matches snarkjs's calculateFirstChallengeHash.
 */
export function firstChallengeHash(curve: any, power: number): Uint8Array {
  const n = 2 ** power;
  const g1 = new Uint8Array(64);
  const g2 = new Uint8Array(128);
  curve.G1.toRprUncompressed(g1, 0, curve.G1.g);
  curve.G2.toRprUncompressed(g2, 0, curve.G2.g);
  const h = crypto.createHash("blake2b512");
  h.update(blake2b512());
  const repeat = (unit: Uint8Array, count: number) => {
    const per = Math.min(count, 1 << 14);
    const block = new Uint8Array(per * unit.length);
    for (let i = 0; i < per; i++) block.set(unit, i * unit.length);
    for (let left = count; left > 0; left -= per) h.update(left >= per ? block : block.subarray(0, left * unit.length));
  };
  repeat(g1, 2 * n - 1);
  repeat(g2, n);
  repeat(g1, n);
  repeat(g1, n);
  h.update(g2);
  return new Uint8Array(h.digest());
}
