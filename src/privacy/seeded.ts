import { getAddress, keccak256, solidityPacked, toUtf8Bytes } from "ethers";
import { poseidon2 } from "poseidon-lite";
import { fail } from "../errors";
import { FIELD_MODULUS } from "../numeric/field";

/**
 * The public statement of a seeded generator (contracts/ProvenImageCollection.sol), computed off-chain
 * exactly as the contract and the circuit compute it. A proof has three public signals
 * [fingerprint S, seed, challenge r]:
 *
 *   seed = uint256(keccak256(prompt)) >> 8                 (248 bits, so always below the field modulus)
 *   latent: digits of h_k = Poseidon(seed, k), k = 0, 1, ...  (expanded inside the circuit, so the
 *                                                           contract needs only the seed)
 *   r    = uint256(keccak256(abi.encodePacked(words, context))) mod p
 *   S    = sum_j words[j] * r^(j+1) mod p
 *
 * The output words are the image packed as src/privacy/packing.ts packs public values. Publishing S
 * instead of the words keeps the verifier at three signals however large the image is; r hashes the
 * submitted words, so other words than the circuit's match S only with probability n/p.
 */

/** Bits of a Poseidon block used for latent digits: below the ~253.6-bit field, and every digit is uniform. */
export const LATENT_BLOCK_BITS = 250;

/** The seed of a prompt; a string is taken as its UTF-8 bytes. */
export function promptSeed(prompt: Uint8Array | string): bigint {
  const bytes = typeof prompt === "string" ? toUtf8Bytes(prompt) : prompt;
  return BigInt(keccak256(bytes)) >> 8n;
}

/**
 * The quantized latent the circuit derives from `seed`: `count` signed `inputBits`-bit integers, each in
 * [-2^(inputBits-1), 2^(inputBits-1)), read little-endian from successive Poseidon blocks.
 */
export function latentFromSeed(seed: bigint, count: number, inputBits: number): bigint[] {
  if (!Number.isInteger(inputBits) || inputBits < 1 || inputBits > LATENT_BLOCK_BITS) fail(`latent digits must be 1..${LATENT_BLOCK_BITS} bits, got ${inputBits}`);
  if (!Number.isInteger(count) || count < 0) fail(`latent length must be a non-negative integer, got ${count}`);
  if (seed < 0n || seed >= FIELD_MODULUS) fail("latent seed must be a field element");
  const perBlock = Math.floor(LATENT_BLOCK_BITS / inputBits);
  const mask = (1n << BigInt(inputBits)) - 1n;
  const offset = 1n << BigInt(inputBits - 1);
  const out: bigint[] = [];
  let block = 0n;
  for (let i = 0; i < count; i++) {
    const j = i % perBlock;
    if (j === 0) block = poseidon2([seed, BigInt(Math.floor(i / perBlock))]);
    out.push(((block >> BigInt(j * inputBits)) & mask) - offset);
  }
  return out;
}

/** The quantized inputs a seed expands to, split by graph input (each `shape` in graph-input order). */
export function seededInputs(seed: bigint, inputs: { shape: number[] }[], inputBits: number): bigint[][] {
  const sizes = inputs.map((vi) => vi.shape.reduce((a, b) => a * b, 1));
  const flat = latentFromSeed(seed, sizes.reduce((a, b) => a + b, 0), inputBits);
  let at = 0;
  return sizes.map((n) => flat.slice(at, (at += n)));
}

/** The context binding a proof to its recipient: the address as a uint256 (`bytes32(uint256(uint160(to)))`). */
export function recipientContext(address: string): bigint {
  return BigInt(getAddress(address));
}

/** The challenge r: keccak256 over the words (32 bytes each, big-endian) and the context, reduced mod p. */
export function outputChallenge(words: bigint[], context: bigint): bigint {
  for (const w of words) if (w < 0n || w >= 1n << 256n) fail("output words must be uint256 values");
  if (context < 0n || context >= 1n << 256n) fail("context must be a bytes32 value");
  return BigInt(keccak256(solidityPacked(["uint256[]", "uint256"], [words, context]))) % FIELD_MODULUS;
}

/** The fingerprint S = sum_j words[j] * r^(j+1) mod p, by Horner's rule as the contract computes it. */
export function outputFingerprint(words: bigint[], r: bigint): bigint {
  let acc = 0n;
  for (let j = words.length - 1; j >= 0; j--) acc = ((acc + words[j]) * r) % FIELD_MODULUS;
  return acc;
}
