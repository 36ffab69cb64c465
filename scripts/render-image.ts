// Renders a proven image next to onnxruntime's float rendering of the same input, and reports the
// fidelity. Usage: npx ts-node scripts/render-image.ts <proof dir> [out.png]
// The proof dir is what `npx hardhat zkml:prove` wrote: output.json carries the proven outputs and,
// unless --no-reference was given, onnxruntime's outputs for the same input.
import fs from "fs";
import path from "path";
import { renderComparison } from "../src/util/render";

function main(): void {
  const [dir, out] = process.argv.slice(2);
  if (!dir) throw new Error("usage: render-image.ts <proof dir> [out.png]");
  const file = path.join(dir, "output.json");
  if (!fs.existsSync(file)) throw new Error(`${file} not found: run zkml:prove first`);
  const o = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!o.reference) throw new Error(`${file} has no onnxruntime reference: prove without --no-reference`);
  const { shape, values } = o.outputs[0];
  const [height, width] = shape.slice(-2);
  const r = renderComparison(out ?? path.join(dir, "image.png"), values, o.reference.outputs[0], width, height);
  console.log(`wrote ${r.file}: proven (left) and onnxruntime (right), ${width}x${height}`);
  console.log(`max pixel error ${r.maxPixelError.toExponential(2)} (${r.maxGrayLevelError} of 255 gray levels)`);
}

main();
