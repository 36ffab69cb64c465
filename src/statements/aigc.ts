// AigcCollection's byte encodings (contracts/AigcCollection.sol): a proof of the recipient-bound model becomes
// the (prompt, aigcData, proof) byte strings that mintWithProof and verify take (mintWithProof also takes the
// salt of its commitment: ./prompt-commitment.ts), and the token's SVG read back as gray levels.
import { AbiCoder, concat, getBytes, keccak256, toUtf8Bytes } from "ethers";
import type { Groth16Calldata } from "../backend/groth16";
import type { Manifest } from "../pipeline/manifest";
import { decodeInputs, decodeOutputs } from "../pipeline/statement";

const abi = AbiCoder.defaultAbiCoder();

/** `abi.encode(int256[])`: the encoding of a prompt (quantized inputs) and of AIGC data (quantized outputs). */
export const encodeValues = (values: readonly bigint[]): string => abi.encode(["int256[]"], [values]);

export const decodeValues = (data: string): bigint[] => [...abi.decode(["int256[]"], data)[0]].map(BigInt);

/** `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c, address recipient)`. */
export function encodeProof(cd: Pick<Groth16Calldata, "a" | "b" | "c">, recipient: string): string {
  return abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [cd.a, cd.b, cd.c, recipient]);
}

export const tokenIdOf = (prompt: string): bigint => BigInt(keccak256(prompt));

/**
 * A text prompt as a generator's `count` input values in [-1, 1): keccak256 of its UTF-8 bytes (chained as
 * keccak256(previous ‖ text) when more than 16 values are needed) read as signed 16-bit numbers / 2^15, each
 * rounded down to a multiple of 2^-scaleBits so that it quantizes exactly. The same text always gives the same values.
 */
export function promptValues(text: string, count: number, scaleBits: number): number[] {
  if (text.trim() === "") throw new Error("the prompt is empty");
  const bytes: number[] = [];
  for (let block = keccak256(toUtf8Bytes(text)); bytes.length < 2 * count; block = keccak256(concat([block, toUtf8Bytes(text)]))) bytes.push(...getBytes(block));
  return Array.from({ length: count }, (_, i) => {
    const raw = ((bytes[2 * i] << 8) | bytes[2 * i + 1]) << 16 >> 16; // signed 16-bit, big-endian
    return Math.floor((raw * 2 ** scaleBits) / 2 ** 15) / 2 ** scaleBits;
  });
}

export interface MintArgs {
  /** Quantized model inputs and outputs, as the proof's public signals hold them. */
  inputs: bigint[];
  outputs: bigint[];
  prompt: string;
  aigcData: string;
  proof: string;
  tokenId: bigint;
}

/** The mintWithProof (but its salt) / verify arguments for a proof of `m` bound to `recipient`, read off its public signals. */
export function mintArgs(m: Manifest, cd: Groth16Calldata, recipient: string): MintArgs {
  const ps = m.publicSignals;
  const outputs = decodeOutputs(m, cd.publicSignals);
  const inputs = decodeInputs(m, cd.publicSignals);
  const bound = ps.bindings.find((b) => b.name === "recipient");
  if (!bound) throw new Error(`model "${m.name}" proofs are not bound to a recipient`);
  if (BigInt(cd.publicSignals[bound.offset]) !== BigInt(recipient)) throw new Error(`the proof is bound to ${cd.publicSignals[bound.offset]}, not ${recipient}`);
  const prompt = encodeValues(inputs);
  return { inputs, outputs, prompt, aigcData: encodeValues(outputs), proof: encodeProof(cd, recipient), tokenId: tokenIdOf(prompt) };
}

/** The grays (0-255) of the SVG's squares, row by row, and the grid size from its viewBox. */
export function svgPixels(svg: string): { width: number; height: number; grays: number[] } {
  const vb = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!vb) throw new Error("SVG without a viewBox");
  const cells = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="1" height="1" fill="rgb\((\d+),(\d+),(\d+)\)"\/>/g)];
  const width = Number(vb[1]);
  const grays: number[] = [];
  for (const [, x, y, r, g, b] of cells) {
    if (r !== g || g !== b) throw new Error(`non-gray square rgb(${r},${g},${b})`);
    grays[Number(y) * width + Number(x)] = Number(r);
  }
  return { width, height: Number(vb[2]), grays };
}
