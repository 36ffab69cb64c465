// pixel_gen: a tiny deterministic "image generator" for the ERC-7007 collection.
// A prompt of 4 numbers in [-1, 1] goes through Gemm(4->16) -> Relu -> Gemm(16->16); the 16 outputs are
// a 4x4 grayscale image, row by row, roughly in [0, 1] (0 = black, 1 = white).
//
// The network is trained here in TypeScript (fixed seeds, so re-running yields byte-identical files) to
// imitate a hand-written pattern family: each prompt coordinate steers one ingredient of the image
//   z0: left-right gradient, z1: top-bottom gradient, z2: diagonal saddle, z3: ring vs. blob,
// pushed through a soft threshold so most pixels end up clearly dark or clearly light.
import * as fs from "fs";
import * as path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../../src/pipeline/files";
import { encodeModel } from "../lib/onnx-writer";
import { mulberry32 } from "../lib/prng";

const SIDE = 4;
const N_IN = 4;
const N_HIDDEN = 16;
const N_OUT = SIDE * SIDE;
const N_ROWS = 1024;
const EPOCHS = 3000;
const LEARNING_RATE = 0.01;
const N_CHECK = 16;
const TOLERANCE = 1e-4;

/** The prompt of input.json: a light ring on a dark top-left corner (see the log line below). */
const SAMPLE_PROMPT = [0.5, -0.25, 0.75, -0.5];

type Vec = number[];
type Mat = number[][]; // [out][in], the PyTorch/ONNX Gemm transB=1 layout

interface Mlp {
  w1: Mat;
  b1: Vec;
  w2: Mat;
  b2: Vec;
}

// ---- the pattern family the generator imitates ----

/** Pixel centres in [-0.75, 0.75]. */
const coord = (k: number) => (2 * k + 1) / SIDE - 1;

/** The target image for prompt `z`, row-major, in (0, 1). */
function targetImage(z: Vec): Vec {
  const out: Vec = [];
  for (let row = 0; row < SIDE; row++) {
    for (let col = 0; col < SIDE; col++) {
      const u = coord(col);
      const v = coord(row);
      const field = z[0] * u + z[1] * v + 2 * z[2] * u * v + 2 * z[3] * (u * u + v * v - 0.625);
      out.push(0.5 + 0.5 * Math.tanh(2.5 * field));
    }
  }
  return out;
}

function makeDataset(rand: () => number): { xs: Vec[]; ys: Vec[] } {
  const xs: Vec[] = [];
  for (let r = 0; r < N_ROWS; r++) xs.push(Array.from({ length: N_IN }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4));
  return { xs, ys: xs.map(targetImage) };
}

// ---- model ----

function hidden(m: Mlp, x: Vec): Vec {
  return m.w1.map((row, j) => Math.max(0, row.reduce((s, w, i) => s + w * x[i], m.b1[j])));
}

function forward(m: Mlp, x: Vec): Vec {
  const h = hidden(m, x);
  return m.w2.map((row, k) => row.reduce((s, w, j) => s + w * h[j], m.b2[k]));
}

function mse(m: Mlp, xs: Vec[], ys: Vec[]): number {
  let sum = 0;
  xs.forEach((x, r) => forward(m, x).forEach((o, k) => (sum += (o - ys[r][k]) ** 2)));
  return sum / (xs.length * N_OUT);
}

// He-uniform init for the ReLU layer, Glorot for the linear one; output bias at mid-gray.
function initMlp(rand: () => number): Mlp {
  const layer = (nOut: number, nIn: number, limit: number): Mat =>
    Array.from({ length: nOut }, () => Array.from({ length: nIn }, () => (rand() * 2 - 1) * limit));
  return {
    w1: layer(N_HIDDEN, N_IN, Math.sqrt(6 / N_IN)),
    b1: Array.from({ length: N_HIDDEN }, () => 0.1),
    w2: layer(N_OUT, N_HIDDEN, Math.sqrt(6 / (N_HIDDEN + N_OUT))),
    b2: new Array(N_OUT).fill(0.5),
  };
}

/** Full-batch Adam on the mean squared error. Returns the final loss. */
function train(m: Mlp, xs: Vec[], ys: Vec[]): number {
  const params = [m.w1, [m.b1], m.w2, [m.b2]];
  const moments = params.map((p) => ({ m: p.map((r) => r.map(() => 0)), v: p.map((r) => r.map(() => 0)) }));
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const g = { w1: m.w1.map((r) => r.map(() => 0)), b1: m.b1.map(() => 0), w2: m.w2.map((r) => r.map(() => 0)), b2: m.b2.map(() => 0) };
    const scale = 2 / (xs.length * N_OUT);
    xs.forEach((x, r) => {
      const h = hidden(m, x);
      const dz = m.w2.map((row, k) => (row.reduce((s, w, j) => s + w * h[j], m.b2[k]) - ys[r][k]) * scale);
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
    });
    const grads = [g.w1, [g.b1], g.w2, [g.b2]];
    params.forEach((p, n) =>
      p.forEach((row, a) =>
        row.forEach((_, b) => {
          const gr = grads[n][a][b];
          const mo = moments[n];
          mo.m[a][b] = beta1 * mo.m[a][b] + (1 - beta1) * gr;
          mo.v[a][b] = beta2 * mo.v[a][b] + (1 - beta2) * gr * gr;
          const mHat = mo.m[a][b] / (1 - beta1 ** epoch);
          const vHat = mo.v[a][b] / (1 - beta2 ** epoch);
          row[b] -= (LEARNING_RATE * mHat) / (Math.sqrt(vHat) + eps);
        }),
      ),
    );
  }
  return mse(m, xs, ys);
}

// Rounding before export makes the TS reference pass use exactly the weights ONNX stores.
function toFloat32(m: Mlp): Mlp {
  const f = (v: Vec) => v.map(Math.fround);
  return { w1: m.w1.map(f), b1: f(m.b1), w2: m.w2.map(f), b2: f(m.b2) };
}

function pixelGenOnnx(m: Mlp): Buffer {
  const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };
  return encodeModel({
    name: "pixel_gen",
    inputs: [{ name: "prompt", dims: ["batch_size", N_IN] }],
    outputs: [{ name: "image", dims: ["batch_size", N_OUT] }],
    initializers: [
      { name: "fc1.weight", dims: [N_HIDDEN, N_IN], data: m.w1.flat() },
      { name: "fc1.bias", dims: [N_HIDDEN], data: m.b1 },
      { name: "fc2.weight", dims: [N_OUT, N_HIDDEN], data: m.w2.flat() },
      { name: "fc2.bias", dims: [N_OUT], data: m.b2 },
    ],
    nodes: [
      { name: "/fc1/Gemm", opType: "Gemm", inputs: ["prompt", "fc1.weight", "fc1.bias"], outputs: ["/fc1/Gemm_output_0"], attributes: gemm },
      { name: "/relu/Relu", opType: "Relu", inputs: ["/fc1/Gemm_output_0"], outputs: ["/relu/Relu_output_0"] },
      { name: "/fc2/Gemm", opType: "Gemm", inputs: ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], outputs: ["image"], attributes: gemm },
    ],
  });
}

// EZKL's input format; one row per line keeps diffs reviewable.
function ezklInputJson(rows: Vec[]): string {
  return `{"input_data": [\n${rows.map((r) => "  " + JSON.stringify(r)).join(",\n")}\n]}\n`;
}

/** Independent check that the file we wrote means what the TS model means. */
async function verifyWithOnnxRuntime(modelPath: string, m: Mlp, rows: Vec[]): Promise<void> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    for (const row of rows) {
      const result = await session.run({ prompt: new ort.Tensor("float32", Float32Array.from(row), [1, N_IN]) });
      const got = Array.from(result.image.data as Float32Array);
      const want = forward(m, row);
      const err = Math.max(...want.map((w, k) => Math.abs(w - got[k])));
      if (!(got.length === N_OUT && err <= TOLERANCE)) {
        throw new Error(`onnxruntime mismatch on ${JSON.stringify(row)}: got [${got}], expected [${want}]`);
      }
    }
  } finally {
    await session.release();
  }
}

/** A 4x4 image as text, darkest to lightest, for the build log. */
export function asciiImage(pixels: Vec): string[] {
  const ramp = " .:-=+*#%@";
  const lines: string[] = [];
  for (let row = 0; row < SIDE; row++) {
    const cells = pixels.slice(row * SIDE, row * SIDE + SIDE).map((p) => ramp[Math.round(Math.min(1, Math.max(0, p)) * (ramp.length - 1))]);
    lines.push(cells.map((c) => c + c).join(""));
  }
  return lines;
}

export async function build(outDir: string): Promise<void> {
  const { xs, ys } = makeDataset(mulberry32(2024));
  const trained = initMlp(mulberry32(11));
  const loss = train(trained, xs, ys);
  const model = toFloat32(trained);
  const outs = xs.flatMap((x) => forward(model, x));
  console.log(
    `pixel_gen: ${N_ROWS} prompts, ${EPOCHS} epochs of Adam, mse ${loss.toExponential(2)}, ` +
      `outputs in [${Math.min(...outs).toFixed(3)}, ${Math.max(...outs).toFixed(3)}]`,
  );

  const check = [SAMPLE_PROMPT, ...xs.slice(0, N_CHECK - 1)];
  const dest = path.join(outDir, "pixel_gen");
  await writeDirAtomically(dest, async (dir) => {
    fs.writeFileSync(path.join(dir, "network.onnx"), pixelGenOnnx(model));
    fs.writeFileSync(path.join(dir, "input.json"), ezklInputJson([SAMPLE_PROMPT]));
    await verifyWithOnnxRuntime(path.join(dir, "network.onnx"), model, check);
  });

  for (const f of ["network.onnx", "input.json"]) {
    const p = path.join(dest, f);
    console.log(`  wrote ${path.relative(process.cwd(), p)} (${fs.statSync(p).size} bytes)`);
  }
  console.log(`  onnxruntime matches TS forward pass on ${check.length} prompts (tol ${TOLERANCE})`);
  console.log(`  sample prompt ${JSON.stringify(SAMPLE_PROMPT)} ->`);
  for (const line of asciiImage(forward(model, SAMPLE_PROMPT))) console.log(`    |${line}|`);
}
