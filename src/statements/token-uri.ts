// What both ERC-7007 collections (contracts/AigcCollection.sol, contracts/ProvenImageCollection.sol) put in a
// token URI, read back: the base64 data URIs of the metadata JSON and of its SVG image, and the gray level a
// collection draws for a fixed-point pixel. Runs in Node and in a browser (app/ renders the gallery with it).

/** UTF-8 text from base64 (atob and TextDecoder exist in both Node and browsers; Buffer only in Node). */
const fromBase64 = (b64: string): string => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

/** The JSON of a `data:application/json;base64,` token URI. */
export function decodeTokenUri(uri: string): Record<string, unknown> {
  const prefix = "data:application/json;base64,";
  if (!uri.startsWith(prefix)) throw new Error(`not a base64 JSON data URI: ${uri.slice(0, 40)}...`);
  return JSON.parse(fromBase64(uri.slice(prefix.length)));
}

/** The SVG markup of a `data:image/svg+xml;base64,` URI. */
export function decodeSvgUri(uri: string): string {
  const prefix = "data:image/svg+xml;base64,";
  if (!uri.startsWith(prefix)) throw new Error(`not a base64 SVG data URI: ${uri.slice(0, 40)}...`);
  return fromBase64(uri.slice(prefix.length));
}

/** What the collections draw for a quantized pixel value: clamp to [0, 1], then round to 0-255 (half up). */
export function expectedGray(q: bigint, scaleBits: number): number {
  const one = 1n << BigInt(scaleBits);
  const clamped = q < 0n ? 0n : q > one ? one : q;
  return Number((clamped * 255n + one / 2n) / one);
}
