// mnist_cnn: circomlib-ml's MNIST test architecture as a benchmark ONNX model, with seeded (untrained) weights:
//   Conv 3x3 1->4, BatchNormalization, Relu, AveragePool 2, Conv 3x3 4->8, BatchNormalization, Relu,
//   AveragePool 2, Flatten, Gemm 200->10
// on a 1x1x28x28 image. No padding, so the spatial sizes are 28 -> 26 -> 13 -> 11 -> 5 and the Gemm reads
// 8 * 5 * 5 = 200 values. The weights are He-uniform from a fixed seed and the BatchNorm statistics are drawn
// around (mean 0, var 1), so the file is byte-identical on every run; the model is for measuring circuits,
// not for classifying digits. Writes <outDir>/mnist_cnn/{network.onnx, input.json, calibration.json}.
import { encodeModel, InitializerSpec, NodeSpec } from "../../onnx/writer";
import { mulberry32 } from "../../util/prng";
import { writeImageBenchmark } from "./image-benchmark";

export const NAME = "mnist_cnn";
const SIDE = 28;
/** input.json's image and the calibration images: blobs of ink in [0, 1] on a 0 background, like MNIST's pixels. */
const N_CALIBRATION = 8;

function heUniform(rand: () => number, count: number, fanIn: number): number[] {
  const limit = Math.sqrt(6 / fanIn);
  return Array.from({ length: count }, () => Math.fround((rand() * 2 - 1) * limit));
}

/** A synthetic "digit": a few thick strokes of ink in [0, 1] on a blank 28x28 image, row-major. */
function strokeImage(rand: () => number): number[] {
  const img = new Array(SIDE * SIDE).fill(0);
  const strokes = 2 + Math.floor(rand() * 3);
  for (let s = 0; s < strokes; s++) {
    let [y, x] = [6 + rand() * 16, 6 + rand() * 16];
    const [dy, dx] = [rand() * 2 - 1, rand() * 2 - 1];
    for (let t = 0; t < 10; t++, y += dy, x += dx)
      for (let i = -1; i <= 1; i++)
        for (let j = -1; j <= 1; j++) {
          const [r, c] = [Math.round(y) + i, Math.round(x) + j];
          if (r >= 0 && r < SIDE && c >= 0 && c < SIDE) img[r * SIDE + c] = Math.max(img[r * SIDE + c], Math.fround(1 - 0.25 * (Math.abs(i) + Math.abs(j))));
        }
  }
  return img;
}

/** `count` more stroke images from `seed`, for checks on inputs the calibration did not see (one graph input each). */
export function strokeImages(count: number, seed: number): number[][][] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => [strokeImage(rand)]);
}

export function mnistCnnOnnx(seed = 21): Buffer {
  const rand = mulberry32(seed);
  const inits: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  const conv = (name: string, x: string, cIn: number, cOut: number): string => {
    inits.push({ name: `${name}.weight`, dims: [cOut, cIn, 3, 3], data: heUniform(rand, cOut * cIn * 9, cIn * 9) });
    inits.push({ name: `${name}.bias`, dims: [cOut], data: Array.from({ length: cOut }, () => Math.fround((rand() * 2 - 1) * 0.1)) });
    nodes.push({ name: `/${name}/Conv`, opType: "Conv", inputs: [x, `${name}.weight`, `${name}.bias`], outputs: [`/${name}/Conv_output_0`], attributes: { kernel_shape: { ints: [3, 3] } } });
    return `/${name}/Conv_output_0`;
  };
  const batchNorm = (name: string, x: string, c: number): string => {
    const v = (f: () => number) => Array.from({ length: c }, () => Math.fround(f()));
    inits.push({ name: `${name}.weight`, dims: [c], data: v(() => 0.5 + rand()) });
    inits.push({ name: `${name}.bias`, dims: [c], data: v(() => (rand() * 2 - 1) * 0.2) });
    inits.push({ name: `${name}.running_mean`, dims: [c], data: v(() => (rand() * 2 - 1) * 0.2) });
    inits.push({ name: `${name}.running_var`, dims: [c], data: v(() => 0.5 + rand()) });
    const out = `/${name}/BatchNormalization_output_0`;
    nodes.push({ name: `/${name}/BatchNormalization`, opType: "BatchNormalization", inputs: [x, ...["weight", "bias", "running_mean", "running_var"].map((p) => `${name}.${p}`)], outputs: [out], attributes: { epsilon: { f: 1e-5 } } });
    return out;
  };
  const unary = (name: string, op: string, x: string, attributes?: NodeSpec["attributes"]): string => {
    nodes.push({ name: `/${name}/${op}`, opType: op, inputs: [x], outputs: [`/${name}/${op}_output_0`], attributes });
    return `/${name}/${op}_output_0`;
  };
  const pool = { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } };
  let x = "input";
  x = unary("pool1", "AveragePool", unary("relu1", "Relu", batchNorm("bn1", conv("conv1", x, 1, 4), 4)), pool);
  x = unary("pool2", "AveragePool", unary("relu2", "Relu", batchNorm("bn2", conv("conv2", x, 4, 8), 8)), pool);
  x = unary("flatten", "Flatten", x, { axis: { i: 1 } });
  inits.push({ name: "fc.weight", dims: [10, 200], data: heUniform(rand, 2000, 200) });
  inits.push({ name: "fc.bias", dims: [10], data: Array.from({ length: 10 }, () => Math.fround((rand() * 2 - 1) * 0.1)) });
  nodes.push({ name: "/fc/Gemm", opType: "Gemm", inputs: [x, "fc.weight", "fc.bias"], outputs: ["output"], attributes: { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } } });
  return encodeModel({ name: NAME, inputs: [{ name: "input", dims: [1, 1, SIDE, SIDE] }], outputs: [{ name: "output", dims: [1, 10] }], initializers: inits, nodes });
}

/** Writes <outDir>/mnist_cnn/ atomically, once onnxruntime runs the model on every image; returns the directory. */
export async function build(outDir: string): Promise<string> {
  const rand = mulberry32(2021);
  const images = Array.from({ length: 1 + N_CALIBRATION }, () => strokeImage(rand));
  return writeImageBenchmark(outDir, NAME, mnistCnnOnnx(), images, SIDE);
}
