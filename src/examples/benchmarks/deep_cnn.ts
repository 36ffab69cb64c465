// deep_cnn: a plain deep CNN too large for one proof at the default limit of a 24 GiB machine (issue 20), to
// be proven as a chain of segments:
//   BLOCKS x (Conv 3x3, pads 1, bias -> Relu) with CHANNELS channels (the first reads the 1-channel image),
//   AveragePool 4 (stride 4), Flatten, Gemm 784->10
// on a 1x1x28x28 image. The padding keeps every block at 28x28, so every block costs the same (a Relu on
// 16 * 28 * 28 values; its Conv's rescale is fused into it) and every Relu output is a layer boundary a
// chain can be cut at. 50 blocks put estimateGraph (scaleBits 8, inputBits 12) at 7,536,792 constraints,
// 6% above defaultMaxConstraints(24 GiB) = 7,097,050 (8% above the 6,961,111 of a machine whose total
// memory is a little under 24 GiB). Each block's Relu is 150,528; a one-block segment 313,600, with the
// range checks of the 12,544 values it reads.
//
// The weights are He-uniform from a fixed seed, then each layer is scaled so that its largest
// pre-activation on the build's stroke images is TARGET_MAX: fifty random layers would otherwise drift
// the activations by orders of magnitude. The scaling is plain float arithmetic on fixed inputs, so the
// file is byte-identical on every run; the model is for measuring circuits, not for classifying digits.
// Writes <outDir>/deep_cnn/{network.onnx, input.json, calibration.json}.
import { encodeModel, InitializerSpec, NodeSpec } from "../../onnx/writer";
import { mulberry32 } from "../../util/prng";
import { writeImageBenchmark } from "./image-benchmark";
import { strokeImages } from "./mnist_cnn";

export const NAME = "deep_cnn";
export const BLOCKS = 50;
export const CHANNELS = 16;
const SIDE = 28;
const POOL = 4;
const N_CALIBRATION = 8;
/** The largest |pre-activation| of each layer on the build's images, after scaling. */
const TARGET_MAX = 2;
/** input.json's image first, then the calibration images. */
const IMAGE_SEED = 2020;
const WEIGHT_SEED = 20;

/** input.json's image, then the calibration images: stroke images as in mnist_cnn. */
export function deepCnnImages(): number[][] {
  return strokeImages(1 + N_CALIBRATION, IMAGE_SEED).map(([img]) => img);
}

/** The name of block `i`'s Relu output (1-based), the cut point after that block. */
export function reluOutput(i: number): string {
  return `/block${i}/relu/Relu_output_0`;
}

/** A 3x3, pad-1 convolution of `x` (cIn planes of SIDE x SIDE) with `w` ([cOut][cIn][3][3]) and `b`. */
function conv3x3(x: Float64Array, cIn: number, w: number[], b: number[], cOut: number): Float64Array {
  const plane = SIDE * SIDE;
  const y = new Float64Array(cOut * plane);
  for (let o = 0; o < cOut; o++) {
    const yo = y.subarray(o * plane, (o + 1) * plane);
    yo.fill(b[o]);
    for (let c = 0; c < cIn; c++) {
      const xc = x.subarray(c * plane, (c + 1) * plane);
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++) {
          const k = w[((o * cIn + c) * 3 + ky) * 3 + kx];
          const [dy, dx] = [ky - 1, kx - 1];
          for (let r = Math.max(0, -dy); r < Math.min(SIDE, SIDE - dy); r++)
            for (let col = Math.max(0, -dx); col < Math.min(SIDE, SIDE - dx); col++) yo[r * SIDE + col] += k * xc[(r + dy) * SIDE + col + dx];
        }
    }
  }
  return y;
}

export function deepCnnOnnx(seed = WEIGHT_SEED): Buffer {
  const rand = mulberry32(seed);
  const inits: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  // The activations of every build image, carried through the layers to scale each one.
  let acts = deepCnnImages().map((img) => Float64Array.from(img));
  let x = "input";
  let cIn = 1;
  for (let i = 1; i <= BLOCKS; i++) {
    const fanIn = cIn * 9;
    const limit = Math.sqrt(6 / fanIn);
    const w0 = Array.from({ length: CHANNELS * fanIn }, () => (rand() * 2 - 1) * limit);
    const b0 = Array.from({ length: CHANNELS }, () => (rand() * 2 - 1) * 0.1);
    const pre0 = acts.map((a) => conv3x3(a, cIn, w0, b0, CHANNELS));
    const peak = Math.max(...pre0.map((p) => p.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    const k = peak > 0 ? TARGET_MAX / peak : 1;
    const w = w0.map((v) => Math.fround(v * k));
    const b = b0.map((v) => Math.fround(v * k));
    // The next layer's scale is measured on what the file computes: the rounded weights.
    acts = acts.map((a) => conv3x3(a, cIn, w, b, CHANNELS).map((v) => Math.fround(Math.max(0, v))));
    inits.push({ name: `block${i}.conv.weight`, dims: [CHANNELS, cIn, 3, 3], data: w });
    inits.push({ name: `block${i}.conv.bias`, dims: [CHANNELS], data: b });
    const convOut = `/block${i}/conv/Conv_output_0`;
    nodes.push({
      name: `/block${i}/conv/Conv`,
      opType: "Conv",
      inputs: [x, `block${i}.conv.weight`, `block${i}.conv.bias`],
      outputs: [convOut],
      attributes: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } },
    });
    nodes.push({ name: `/block${i}/relu/Relu`, opType: "Relu", inputs: [convOut], outputs: [reluOutput(i)] });
    x = reluOutput(i);
    cIn = CHANNELS;
  }
  nodes.push({ name: "/pool/AveragePool", opType: "AveragePool", inputs: [x], outputs: ["/pool/AveragePool_output_0"], attributes: { kernel_shape: { ints: [POOL, POOL] }, strides: { ints: [POOL, POOL] } } });
  nodes.push({ name: "/flatten/Flatten", opType: "Flatten", inputs: ["/pool/AveragePool_output_0"], outputs: ["/flatten/Flatten_output_0"], attributes: { axis: { i: 1 } } });
  const features = CHANNELS * (SIDE / POOL) ** 2;
  const fcLimit = Math.sqrt(6 / features);
  inits.push({ name: "fc.weight", dims: [10, features], data: Array.from({ length: 10 * features }, () => Math.fround((rand() * 2 - 1) * fcLimit)) });
  inits.push({ name: "fc.bias", dims: [10], data: Array.from({ length: 10 }, () => Math.fround((rand() * 2 - 1) * 0.1)) });
  nodes.push({ name: "/fc/Gemm", opType: "Gemm", inputs: ["/flatten/Flatten_output_0", "fc.weight", "fc.bias"], outputs: ["output"], attributes: { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } } });
  return encodeModel({ name: NAME, inputs: [{ name: "input", dims: [1, 1, SIDE, SIDE] }], outputs: [{ name: "output", dims: [1, 10] }], initializers: inits, nodes });
}

/** Writes <outDir>/deep_cnn/ atomically, once onnxruntime runs the model on every image; returns the directory. */
export async function build(outDir: string): Promise<string> {
  const images = deepCnnImages();
  return writeImageBenchmark(outDir, NAME, deepCnnOnnx(), images, SIDE);
}
