// ProvenImageCollection's byte encodings (contracts/ProvenImageCollection.sol): the mint's arguments from an
// image's packed words, and the SVG rasterized back to gray levels.
import { AbiCoder, toUtf8Bytes } from "ethers";
import type { Groth16Calldata } from "../backend/groth16";
import { outputChallenge, outputFingerprint, promptSeed, recipientContext } from "../privacy/seeded";

const abi = AbiCoder.defaultAbiCoder();

/** `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c)`: the proof {mintWithProof} takes. */
export function encodeMintProof(cd: Pick<Groth16Calldata, "a" | "b" | "c">): string {
  return abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]"], [cd.a, cd.b, cd.c]);
}

/** The public signals [S, seed, r] a proof must carry to mint `words` for `prompt` to `recipient`. */
export function imageSignals(prompt: string | Uint8Array, words: bigint[], recipient: string): [bigint, bigint, bigint] {
  const r = outputChallenge(words, recipientContext(recipient));
  return [outputFingerprint(words, r), promptSeed(prompt), r];
}

/** `abi.encode(uint256[] words)`: a token's AIGC data. */
export const encodeWords = (words: readonly bigint[]): string => abi.encode(["uint256[]"], [words]);

/** The prompt as the bytes the contract hashes (strings as UTF-8). */
export const promptBytes = (prompt: string | Uint8Array): Uint8Array => (typeof prompt === "string" ? toUtf8Bytes(prompt) : prompt);

/**
 * The gray levels (row by row) drawn by GraySvg: a black background rect, then per gray level one `<path>`
 * whose 1-unit stroke (on rows' centre lines) draws runs `Mx yhw`. Throws on any other content, a pixel
 * drawn twice or a run outside the image.
 */
export function svgRunPixels(svg: string): { width: number; height: number; grays: number[]; runs: number; levels: number } {
  const head = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) (\d+)" width="\d+" height="\d+" shape-rendering="crispEdges"><rect width="(\d+)" height="(\d+)" fill="#000"\/><g transform="translate\(0 \.5\)">/.exec(svg);
  if (!head || head[1] !== head[3] || head[2] !== head[4]) throw new Error(`unexpected SVG header: ${svg.slice(0, 200)}`);
  const width = Number(head[1]);
  const height = Number(head[2]);
  const tail = "</g></svg>";
  if (!svg.endsWith(tail)) throw new Error("SVG not closed");
  const body = svg.slice(head[0].length, svg.length - tail.length);
  const grays: number[] = new Array(width * height).fill(0);
  const painted = new Array(width * height).fill(false);
  const path = /<path stroke="#([0-9a-f]{2})\1\1" d="((?:M\d+ \d+h\d+)+)"\/>/y;
  let runs = 0;
  let levels = 0;
  while (path.lastIndex < body.length) {
    const m = path.exec(body);
    if (!m) throw new Error(`unexpected SVG content: ${body.slice(path.lastIndex, path.lastIndex + 80)}`);
    const g = parseInt(m[1], 16);
    levels++;
    for (const [, xs, ys, ws] of m[2].matchAll(/M(\d+) (\d+)h(\d+)/g)) {
      const [x, y, w] = [Number(xs), Number(ys), Number(ws)];
      if (w < 1 || x + w > width || y >= height) throw new Error(`run outside the image: M${x} ${y}h${w}`);
      for (let i = y * width + x; i < y * width + x + w; i++) {
        if (painted[i]) throw new Error(`pixel ${i} painted twice`);
        painted[i] = true;
        grays[i] = g;
      }
      runs++;
    }
  }
  return { width, height, grays, runs, levels };
}
