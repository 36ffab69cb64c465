// The ERC-7007 collection's byte encodings (see contracts/AigcCollection.sol), shared by scripts/mint.ts and
// the tests: a proof of the recipient-bound model becomes the (prompt, aigcData, proof) byte strings that
// mintWithProof and verify take (mintWithProof also takes the salt of its commitment: ./prompt-commitment.ts).
import { AbiCoder, keccak256 } from "ethers";
import type { Groth16Calldata } from "../../src/backend/groth16";
import type { Manifest } from "../../src/pipeline/manifest";
import { decodeInputs, decodeOutputs } from "../../src/pipeline/prove";

const abi = AbiCoder.defaultAbiCoder();
const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A field element (decimal or 0x string) as the signed integer it encodes: values above p/2 are negative. */
export function signedFromField(v: string | bigint): bigint {
  const x = BigInt(v);
  if (x < 0n || x >= P) throw new Error(`${v} is not a BN254 field element`);
  return x > P / 2n ? x - P : x;
}

/** `abi.encode(int256[])`: the encoding of a prompt (quantized inputs) and of AIGC data (quantized outputs). */
export const encodeValues = (values: readonly bigint[]): string => abi.encode(["int256[]"], [values]);

export const decodeValues = (data: string): bigint[] => [...abi.decode(["int256[]"], data)[0]].map(BigInt);

/** `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c, address recipient)`. */
export function encodeProof(cd: Pick<Groth16Calldata, "a" | "b" | "c">, recipient: string): string {
  return abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [cd.a, cd.b, cd.c, recipient]);
}

export const tokenIdOf = (prompt: string): bigint => BigInt(keccak256(prompt));

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

/** The JSON of a `data:application/json;base64,` token URI. */
export function decodeTokenUri(uri: string): Record<string, unknown> {
  const prefix = "data:application/json;base64,";
  if (!uri.startsWith(prefix)) throw new Error(`not a base64 JSON data URI: ${uri.slice(0, 40)}...`);
  return JSON.parse(Buffer.from(uri.slice(prefix.length), "base64").toString("utf8"));
}

/** The SVG markup of a `data:image/svg+xml;base64,` URI. */
export function decodeSvgUri(uri: string): string {
  const prefix = "data:image/svg+xml;base64,";
  if (!uri.startsWith(prefix)) throw new Error(`not a base64 SVG data URI: ${uri.slice(0, 40)}...`);
  return Buffer.from(uri.slice(prefix.length), "base64").toString("utf8");
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

/** What the contract draws for a quantized output: clamp to [0, 1], then round to 0-255 (half up). */
export function expectedGray(q: bigint, scaleBits: number): number {
  const one = 1n << BigInt(scaleBits);
  const clamped = q < 0n ? 0n : q > one ? one : q;
  return Number((clamped * 255n + one / 2n) / one);
}

/** A 4x4 (or any width) image of grays as text, darkest to lightest. */
export function asciiGrays(grays: number[], width: number): string[] {
  const ramp = " .:-=+*#%@";
  const lines: string[] = [];
  for (let i = 0; i < grays.length; i += width)
    lines.push(grays.slice(i, i + width).map((g) => ramp[Math.round((g / 255) * (ramp.length - 1))].repeat(2)).join(""));
  return lines;
}
