// Gray images for people to look at: a proven image next to its float reference as a PNG, or a small one as text.
import fs from "fs";
import { encodeGrayPng, GrayImage, sideBySide } from "./png";

/** Values in [0, 1] (clamped) as 8-bit gray, rounded: 0 is black, 1 white. */
export function toGray(values: number[], width: number, height: number): GrayImage {
  if (values.length !== width * height) throw new Error(`an image of ${width}x${height} needs ${width * height} values, got ${values.length}`);
  const gray = Uint8Array.from(values, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  return { gray, width, height };
}

export interface Rendering {
  file: string;
  /** max |proven - onnxruntime| over the pixels, in the model's output units (1 = white). */
  maxPixelError: number;
  /** The same in 8-bit gray levels after rounding both images. */
  maxGrayLevelError: number;
}

/**
 * Writes the proven image and onnxruntime's float image side by side (proven on the left), scaled up
 * for viewing, and returns how far apart they are.
 */
export function renderComparison(file: string, proven: number[], reference: number[], width: number, height: number, scale = 8): Rendering {
  const a = toGray(proven, width, height);
  const b = toGray(reference, width, height);
  const img = sideBySide([a, b], 4, scale);
  fs.writeFileSync(file, encodeGrayPng(img.width, img.height, img.gray));
  const maxPixelError = Math.max(...proven.map((v, i) => Math.abs(v - reference[i])));
  const maxGrayLevelError = Math.max(...a.gray.map((g, i) => Math.abs(g - b.gray[i])));
  return { file, maxPixelError, maxGrayLevelError };
}

/** A small image of grays (0-255, row by row) as lines of text, darkest to lightest, two characters a pixel. */
export function asciiGrays(grays: number[], width: number): string[] {
  const ramp = " .:-=+*#%@";
  const lines: string[] = [];
  for (let i = 0; i < grays.length; i += width)
    lines.push(grays.slice(i, i + width).map((g) => ramp[Math.round((g / 255) * (ramp.length - 1))].repeat(2)).join(""));
  return lines;
}
