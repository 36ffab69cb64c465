import fs from "fs";
import path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../../pipeline/files";
import { ezklInputJson } from "../mlp";

/**
 * Writes an image benchmark model to <outDir>/<name>/{network.onnx, input.json, calibration.json} atomically,
 * once onnxruntime has run it on every image (a 1x1xSxS input named "input", 10 finite outputs); the first image
 * is input.json, the rest the calibration inputs. Returns the directory.
 */
export async function writeImageBenchmark(outDir: string, name: string, onnx: Buffer, images: number[][], side: number): Promise<string> {
  const files: Record<string, string | Buffer> = {
    "network.onnx": onnx,
    "input.json": ezklInputJson(images.slice(0, 1)),
    // An array of input objects, as zkml's `calibration` setting reads it: one image each.
    "calibration.json": `[\n${images.slice(1).map((img) => ezklInputJson([img]).trimEnd()).join(",\n")}\n]\n`,
  };
  const dest = path.join(outDir, name);
  await writeDirAtomically(dest, async (dir) => {
    for (const [f, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), data);
    const session = await ort.InferenceSession.create(path.join(dir, "network.onnx"));
    try {
      for (const img of images) {
        const out = await session.run({ input: new ort.Tensor("float32", Float32Array.from(img), [1, 1, side, side]) });
        const logits = Array.from(out.output.data as Float32Array);
        if (logits.length !== 10 || !logits.every(Number.isFinite)) throw new Error(`onnxruntime gave [${logits}] for a benchmark image`);
      }
    } finally {
      await session.release();
    }
  });
  for (const f of Object.keys(files)) console.log(`  wrote ${path.relative(process.cwd(), path.join(dest, f))} (${fs.statSync(path.join(dest, f)).size} bytes)`);
  return dest;
}
