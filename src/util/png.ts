import { deflateSync } from "zlib";
import { fail } from "../errors";

/**
 * A minimal PNG writer for 8-bit grayscale images (colour type 0), enough to look at a generator's
 * outputs without an image library. Rows are stored unfiltered (filter byte 0): the images are tiny, so
 * the smaller files the adaptive filters would give are not worth the code.
 */

export interface GrayImage {
  /** Row-major, one byte per pixel (0 black, 255 white). */
  gray: Uint8Array;
  width: number;
  height: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** CRC-32 lookup table for the reflected polynomial 0xEDB88320 (the one PNG, zlib and gzip use). */
const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes`, as PNG computes it over a chunk's type and data. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** length (4 bytes) | type | data | CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

function checkImage({ gray, width, height }: GrayImage): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) fail(`image size must be positive integers, got ${width}x${height}`);
  if (gray.length !== width * height) fail(`a ${width}x${height} image needs ${width * height} pixels, got ${gray.length}`);
}

export function encodeGrayPng(width: number, height: number, gray: Uint8Array): Buffer {
  checkImage({ gray, width, height });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, adaptive filtering (method 0), no interlace
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(gray.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/**
 * Images upscaled `scale` times (nearest neighbour) and placed left to right, top-aligned, `gap` output
 * pixels apart. The gap and the space below shorter images are `background` (mid-gray by default, so it
 * separates both black-background and white-background images).
 */
export function sideBySide(images: GrayImage[], gap: number, scale: number, background = 128): GrayImage {
  if (images.length === 0) fail("nothing to place side by side");
  if (!Number.isInteger(scale) || scale < 1) fail(`scale must be a positive integer, got ${scale}`);
  if (!Number.isInteger(gap) || gap < 0) fail(`gap must be a non-negative integer, got ${gap}`);
  images.forEach(checkImage);
  const width = images.reduce((w, im) => w + im.width * scale, 0) + gap * (images.length - 1);
  const height = Math.max(...images.map((im) => im.height)) * scale;
  const gray = new Uint8Array(width * height).fill(background);
  let left = 0;
  for (const im of images) {
    for (let y = 0; y < im.height * scale; y++) {
      for (let x = 0; x < im.width * scale; x++) {
        gray[y * width + left + x] = im.gray[Math.floor(y / scale) * im.width + Math.floor(x / scale)];
      }
    }
    left += im.width * scale + gap;
  }
  return { gray, width, height };
}
