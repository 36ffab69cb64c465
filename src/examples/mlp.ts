// The two-layer MLP (Gemm -> Relu -> Gemm) shared by the example models in ./models/:
// the forward pass and its gradient, float32 rounding, the ONNX export, EZKL's input.json format and
// the onnxruntime cross-check. Each model keeps its own data, training loop and build().
import * as fs from "fs";
import * as path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../pipeline/files";
import { encodeModel } from "../onnx/writer";

export type Vec = number[];
/** [out][in], the PyTorch/ONNX Gemm transB=1 layout. */
export type Mat = number[][];

/** fc1 (w1, b1) -> Relu -> fc2 (w2, b2). The shapes give the sizes: w1 is [hidden][in], w2 is [out][hidden]. */
export interface Mlp {
  w1: Mat;
  b1: Vec;
  w2: Mat;
  b2: Vec;
}

// ---- forward pass ----

/** Relu(w1 x + b1). */
export function mlpHidden(m: Mlp, x: Vec): Vec {
  return m.w1.map((row, j) => Math.max(0, row.reduce((s, w, i) => s + w * x[i], m.b1[j])));
}

/** w2 h + b2, from the hidden activations `h`. */
export function mlpOutput(m: Mlp, h: Vec): Vec {
  return m.w2.map((row, k) => row.reduce((s, w, j) => s + w * h[j], m.b2[k]));
}

export function forwardMlp(m: Mlp, x: Vec): Vec {
  return mlpOutput(m, mlpHidden(m, x));
}

/** The index of the largest value (the first, on a tie): a classifier's predicted class. */
/** softmax(z), shifted by max(z) so exp never overflows. */
export function softmax(z: Vec): Vec {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export const argmax = (v: readonly number[]): number => v.indexOf(Math.max(...v));

// ---- training helpers ----

/** Uniform in [-limit, limit), row by row. */
export function uniformMatrix(rand: () => number, nOut: number, nIn: number, limit: number): Mat {
  return Array.from({ length: nOut }, () => Array.from({ length: nIn }, () => (rand() * 2 - 1) * limit));
}

/** Glorot-uniform: limit sqrt(6 / (nIn + nOut)). */
export function glorotUniform(rand: () => number, nOut: number, nIn: number): Mat {
  return uniformMatrix(rand, nOut, nIn, Math.sqrt(6 / (nIn + nOut)));
}

/** An all-zero Mlp of the same shape, e.g. to accumulate gradients into. */
export function zerosLike(m: Mlp): Mlp {
  const zeros = (v: Vec) => v.map(() => 0);
  return { w1: m.w1.map(zeros), b1: zeros(m.b1), w2: m.w2.map(zeros), b2: zeros(m.b2) };
}

/**
 * Backpropagation for one sample: adds to `g` the gradient of the loss given `dz`, the loss's gradient
 * with respect to the outputs, where `h` is mlpHidden(m, x).
 */
export function accumulateGradient(m: Mlp, g: Mlp, x: Vec, h: Vec, dz: Vec): void {
  dz.forEach((d, k) => {
    g.b2[k] += d;
    h.forEach((hj, j) => (g.w2[k][j] += d * hj));
  });
  h.forEach((hj, j) => {
    if (hj <= 0) return; // ReLU gate
    const dh = dz.reduce((s, d, k) => s + d * m.w2[k][j], 0);
    g.b1[j] += dh;
    x.forEach((xi, i) => (g.w1[j][i] += dh * xi));
  });
}

// ---- export ----

/** Rounding before export makes the TS reference pass use exactly the weights ONNX stores. */
export function roundToFloat32(m: Mlp): Mlp {
  const f = (v: Vec) => v.map(Math.fround);
  return { w1: m.w1.map(f), b1: f(m.b1), w2: m.w2.map(f), b2: f(m.b2) };
}

/** Names of the ONNX graph's input and output tensors (also the onnxruntime feed and fetch names). */
export interface MlpIo {
  input: string;
  output: string;
}

/** The model as ONNX, laid out as PyTorch's exporter would: fc1.weight, /fc1/Gemm, /relu/Relu, ... */
export function mlpOnnx(m: Mlp, { name, input, output }: MlpIo & { name: string }): Buffer {
  const [nHidden, nIn, nOut] = [m.w1.length, m.w1[0].length, m.w2.length];
  const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };
  return encodeModel({
    name,
    inputs: [{ name: input, dims: ["batch_size", nIn] }],
    outputs: [{ name: output, dims: ["batch_size", nOut] }],
    initializers: [
      { name: "fc1.weight", dims: [nHidden, nIn], data: m.w1.flat() },
      { name: "fc1.bias", dims: [nHidden], data: m.b1 },
      { name: "fc2.weight", dims: [nOut, nHidden], data: m.w2.flat() },
      { name: "fc2.bias", dims: [nOut], data: m.b2 },
    ],
    nodes: [
      { name: "/fc1/Gemm", opType: "Gemm", inputs: [input, "fc1.weight", "fc1.bias"], outputs: ["/fc1/Gemm_output_0"], attributes: gemm },
      { name: "/relu/Relu", opType: "Relu", inputs: ["/fc1/Gemm_output_0"], outputs: ["/relu/Relu_output_0"] },
      { name: "/fc2/Gemm", opType: "Gemm", inputs: ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], outputs: [output], attributes: gemm },
    ],
  });
}

/** EZKL's input format; one row per line keeps diffs reviewable. */
export function ezklInputJson(rows: Vec[]): string {
  return `{"input_data": [\n${rows.map((r) => "  " + JSON.stringify(r)).join(",\n")}\n]}\n`;
}

/** Independent check that the ONNX file at `modelPath` means what the TS model `m` means on `rows`. */
export async function checkWithOnnxRuntime(modelPath: string, m: Mlp, rows: Vec[], { input, output, tolerance }: MlpIo & { tolerance: number }): Promise<void> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    for (const row of rows) {
      const result = await session.run({ [input]: new ort.Tensor("float32", Float32Array.from(row), [1, row.length]) });
      const got = Array.from(result[output].data as Float32Array);
      const want = forwardMlp(m, row);
      const err = Math.max(...want.map((w, k) => Math.abs(w - got[k])));
      if (!(got.length === want.length && err <= tolerance)) {
        throw new Error(`onnxruntime mismatch on ${JSON.stringify(row)}: got [${got}], expected [${want}]`);
      }
    }
  } finally {
    await session.release();
  }
}

// ---- an example's directory ----

/** What an example model's directory holds besides network.onnx. */
export interface MlpExampleFiles {
  /** The ONNX graph's name, and the directory's under outDir. */
  name: string;
  io: MlpIo;
  /** input.json's rows. */
  sample: Vec[];
  /** calibration.json's rows; no calibration.json when absent. */
  calibration?: Vec[];
  /** Further files by name, written after those above. */
  extra?: Record<string, string>;
  /** Rows on which onnxruntime must agree with forwardMlp to within `tolerance`. */
  check: Vec[];
  tolerance: number;
}

/**
 * Writes <outDir>/<name>/{network.onnx, input.json, [calibration.json], ...extra} atomically, once the
 * written network.onnx passes checkWithOnnxRuntime, and logs each file written. Returns the directory.
 */
export async function writeMlpExample(outDir: string, m: Mlp, spec: MlpExampleFiles): Promise<string> {
  const files: Record<string, string | Buffer> = {
    "network.onnx": mlpOnnx(m, { name: spec.name, ...spec.io }),
    "input.json": ezklInputJson(spec.sample),
    ...(spec.calibration ? { "calibration.json": ezklInputJson(spec.calibration) } : {}),
    ...spec.extra,
  };
  const dest = path.join(outDir, spec.name);
  await writeDirAtomically(dest, async (dir) => {
    for (const [f, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), data);
    await checkWithOnnxRuntime(path.join(dir, "network.onnx"), m, spec.check, { ...spec.io, tolerance: spec.tolerance });
  });
  for (const f of Object.keys(files)) {
    const p = path.join(dest, f);
    console.log(`  wrote ${path.relative(process.cwd(), p)} (${fs.statSync(p).size} bytes)`);
  }
  return dest;
}

/** Adam (beta1 0.9, beta2 0.999, eps 1e-8) over every weight and bias of an MLP. */
export class Adam {
  private readonly params: Mat[];
  private readonly moments: { m: Mat; v: Mat }[];

  constructor(m: Mlp, private readonly learningRate: number) {
    this.params = [m.w1, [m.b1], m.w2, [m.b2]];
    this.moments = this.params.map((p) => ({ m: p.map((r) => r.map(() => 0)), v: p.map((r) => r.map(() => 0)) }));
  }

  /** One update from the gradient `g` at step `t` (1-based, for the bias correction). */
  step(g: Mlp, t: number): void {
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    const grads = [g.w1, [g.b1], g.w2, [g.b2]];
    this.params.forEach((p, n) =>
      p.forEach((row, a) =>
        row.forEach((_, b) => {
          const gr = grads[n][a][b];
          const mo = this.moments[n];
          mo.m[a][b] = beta1 * mo.m[a][b] + (1 - beta1) * gr;
          mo.v[a][b] = beta2 * mo.v[a][b] + (1 - beta2) * gr * gr;
          const mHat = mo.m[a][b] / (1 - beta1 ** t);
          const vHat = mo.v[a][b] / (1 - beta2 ** t);
          row[b] -= (this.learningRate * mHat) / (Math.sqrt(vHat) + eps);
        }),
      ),
    );
  }
}
