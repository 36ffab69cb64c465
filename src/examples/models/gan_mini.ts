// gan_mini: a reduced copy of the mnist_gan generator (../shared/models/ezkl/mnist_gan, tf2onnx) for fast
// tests of the seeded-image pipeline: the same graph, node for node, with tiny layers.
//
//   mnist_gan: latent 100 -> Gemm 3136 -> Mul, Add -> Elu -> Reshape [1,7,7,64] -> Transpose NCHW
//              -> ConvTranspose 64->128 (14x14) -> BatchNormalization -> Elu
//              -> ConvTranspose 128->1 (28x28) -> Sigmoid -> Reshape [1,28,28]
//   gan_mini:  latent 8   -> Gemm 72   -> Mul, Add -> Elu -> Reshape [1,3,3,8]  -> Transpose NCHW
//              -> ConvTranspose 8->4 (6x6)      -> BatchNormalization -> Elu
//              -> ConvTranspose 4->1 (12x12)    -> Sigmoid -> Reshape [1,12,12]
//
// The Mul/Add pair is Keras's batch normalization after the dense layer, as tf2onnx exports it (the
// compiler folds it, and the BatchNormalization, into the layer before). Both ConvTransposes use
// mnist_gan's attributes: kernel 5x5, strides 2, pads [1,1,2,2] (TF "same" padding), so each doubles the
// side: (n - 1) * 2 + 5 - 1 - 2 = 2n.
//
// The weights are untrained, seeded random numbers scaled so that the latent the circuit derives from a
// seed (uniform in [-2, 2) at inputBits 10, scale 2^8) gives images with contrast, not a flat gray.
import fs from "fs";
import path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../../pipeline/files";
import { latentFromSeed, promptSeed } from "../../privacy/seeded";
import { encodeModel, InitializerSpec, NodeSpec } from "../../onnx/writer";
import { mulberry32 } from "../../util/prng";

const LATENT = 8;
/** Side and channels after the dense layer (mnist_gan: 7 and 64). */
const SIDE0 = 3;
const CH0 = 8;
/** Channels after the first ConvTranspose (mnist_gan: 128). */
const CH1 = 4;
const SIDE = 4 * SIDE0;
const KERNEL = 5;
const CONV_T = { kernel_shape: { ints: [KERNEL, KERNEL] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 2, 2] }, dilations: { ints: [1, 1] } };

/** The latent the circuit would derive from `prompt`, as floats: inputBits 10 at scale 2^8. */
export function sampleLatent(prompt: string): number[] {
  return latentFromSeed(promptSeed(prompt), LATENT, 10).map((q) => Number(q) / 256);
}

const SAMPLE_PROMPTS = ["a handwritten seven", "gan_mini", "zero knowledge", "hello"];

function weights(): InitializerSpec[] {
  const rand = mulberry32(7007);
  const uniform = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
  // Limits from each output's fan-in: Gemm 8 inputs; a ConvTranspose output sums about
  // channels * (kernel / stride)^2 terms. The last layer is steeper so Sigmoid spreads over (0, 1).
  const fan1 = CH0 * (KERNEL / 2) ** 2;
  const fan2 = CH1 * (KERNEL / 2) ** 2;
  const dense = CH0 * SIDE0 * SIDE0;
  return [
    { name: "dense.weight", dims: [LATENT, dense], data: uniform(LATENT * dense, -Math.sqrt(3 / LATENT), Math.sqrt(3 / LATENT)) },
    { name: "dense.bias", dims: [dense], data: uniform(dense, -0.1, 0.1) },
    { name: "bn0.mul", dims: [dense], data: uniform(dense, 0.8, 1.2) },
    { name: "bn0.sub", dims: [dense], data: uniform(dense, -0.2, 0.2) },
    { name: "shape_nhwc", dims: [4], data: [1, SIDE0, SIDE0, CH0], type: "int64" },
    { name: "deconv1.weight", dims: [CH0, CH1, KERNEL, KERNEL], data: uniform(CH0 * CH1 * KERNEL * KERNEL, -Math.sqrt(3 / fan1), Math.sqrt(3 / fan1)) },
    { name: "deconv1.bias", dims: [CH1], data: uniform(CH1, -0.1, 0.1) },
    { name: "bn1.scale", dims: [CH1], data: uniform(CH1, 0.8, 1.2) },
    { name: "bn1.bias", dims: [CH1], data: uniform(CH1, -0.2, 0.2) },
    { name: "bn1.mean", dims: [CH1], data: uniform(CH1, -0.2, 0.2) },
    { name: "bn1.var", dims: [CH1], data: uniform(CH1, 0.5, 1.5) },
    { name: "deconv2.weight", dims: [CH1, 1, KERNEL, KERNEL], data: uniform(CH1 * KERNEL * KERNEL, -1.5 * Math.sqrt(3 / fan2), 1.5 * Math.sqrt(3 / fan2)) },
    { name: "deconv2.bias", dims: [1], data: [-0.5] },
    { name: "shape_out", dims: [3], data: [1, SIDE, SIDE], type: "int64" },
  ];
}

function nodes(): NodeSpec[] {
  const n = (opType: string, name: string, inputs: string[], attributes?: NodeSpec["attributes"]): NodeSpec => ({ name, opType, inputs, outputs: [name], attributes });
  return [
    n("Gemm", "dense", ["input_0", "dense.weight", "dense.bias"], { transA: { i: 0 }, transB: { i: 0 } }),
    n("Mul", "bn0_mul", ["dense", "bn0.mul"]),
    n("Add", "bn0_add", ["bn0_mul", "bn0.sub"]),
    n("Elu", "elu0", ["bn0_add"]),
    n("Reshape", "reshape_nhwc", ["elu0", "shape_nhwc"]),
    n("Transpose", "to_nchw", ["reshape_nhwc"], { perm: { ints: [0, 3, 1, 2] } }),
    n("ConvTranspose", "deconv1", ["to_nchw", "deconv1.weight", "deconv1.bias"], CONV_T),
    n("BatchNormalization", "bn1", ["deconv1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"], { epsilon: { f: 0.001 } }),
    n("Elu", "elu1", ["bn1"]),
    n("ConvTranspose", "deconv2", ["elu1", "deconv2.weight", "deconv2.bias"], CONV_T),
    n("Sigmoid", "sigmoid", ["deconv2"]),
    { name: "reshape_2", opType: "Reshape", inputs: ["sigmoid", "shape_out"], outputs: ["reshape_2"] },
  ];
}

/** mnist_gan's opset (tf2onnx exported it at 12). */
function ganMiniOnnx(): Buffer {
  return encodeModel({
    name: "gan_mini",
    opset: 12,
    inputs: [{ name: "input_0", dims: [1, LATENT] }],
    outputs: [{ name: "reshape_2", dims: [1, SIDE, SIDE] }],
    initializers: weights(),
    nodes: nodes(),
  });
}

/** onnxruntime's images for the sample latents; throws unless they are 12x12 in (0, 1) with contrast. */
async function checkImages(modelPath: string, latents: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const images: number[][] = [];
    for (const z of latents) {
      const out = await session.run({ input_0: new ort.Tensor("float32", Float32Array.from(z), [1, LATENT]) });
      const img = Array.from(out.reshape_2.data as Float32Array);
      const [lo, hi] = [Math.min(...img), Math.max(...img)];
      if (img.length !== SIDE * SIDE || !(lo > 0 && hi < 1) || hi - lo < 0.5) {
        throw new Error(`gan_mini: image of ${img.length} pixels in [${lo}, ${hi}]: expected ${SIDE * SIDE} in (0, 1) spanning at least 0.5`);
      }
      images.push(img);
    }
    return images;
  } finally {
    await session.release();
  }
}

function ascii(img: number[]): string[] {
  const ramp = " .:-=+*#%@";
  const rows: string[] = [];
  for (let y = 0; y < SIDE; y++) rows.push(img.slice(y * SIDE, (y + 1) * SIDE).map((p) => ramp[Math.round(p * (ramp.length - 1))].repeat(2)).join(""));
  return rows;
}

export async function build(outDir: string): Promise<void> {
  const latents = SAMPLE_PROMPTS.map(sampleLatent);
  const files: Record<string, string | Buffer> = {
    "network.onnx": ganMiniOnnx(),
    // EZKL's input format: the first sample prompt's latent.
    "input.json": `{"input_data": [\n  ${JSON.stringify(latents[0])}\n]}\n`,
    "prompts.json": JSON.stringify({ inputBits: 10, scaleBits: 8, prompts: SAMPLE_PROMPTS }, null, 2) + "\n",
  };
  const dest = path.join(outDir, "gan_mini");
  const images = await writeDirAtomically(dest, async (dir) => {
    for (const [f, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), data);
    return checkImages(path.join(dir, "network.onnx"), latents);
  });
  console.log(`gan_mini: latent ${LATENT} -> ${SIDE}x${SIDE} image (mnist_gan's graph, reduced), untrained seeded weights`);
  for (const f of Object.keys(files)) console.log(`  wrote ${path.relative(process.cwd(), path.join(dest, f))} (${fs.statSync(path.join(dest, f)).size} bytes)`);
  console.log(`  prompt ${JSON.stringify(SAMPLE_PROMPTS[0])} (seeded latent) ->`);
  for (const line of ascii(images[0])) console.log(`    |${line}|`);
}
