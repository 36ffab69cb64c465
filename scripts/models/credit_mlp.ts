// credit_mlp: a small credit-scoring classifier, trained here in TypeScript on synthetic data.
// Everything derives from fixed seeds, so re-running yields byte-identical files.
import * as fs from "fs";
import * as path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../../src/pipeline/files";
import { encodeModel } from "../lib/onnx-writer";
import { mulberry32 } from "../lib/prng";

const N_IN = 6;
const N_HIDDEN = 8;
const N_OUT = 2; // logits: [reject, approve]
const N_ROWS = 512;
const EPOCHS = 300;
const LEARNING_RATE = 0.5;
const N_CALIBRATION = 16;
const TOLERANCE = 1e-4;


type Vec = number[];
type Mat = number[][]; // [out][in], the PyTorch/ONNX Gemm transB=1 layout

interface Mlp {
  w1: Mat;
  b1: Vec;
  w2: Mat;
  b2: Vec;
}

// ---- synthetic "credit scoring" data ----

// Features are pre-standardized to [-2, 2], as a real pipeline would feed the model.
const FEATURES = ["income", "debt", "age", "credit_history", "employment_years", "recent_inquiries"];

function makeDataset(rand: () => number): { xs: Vec[]; ys: number[] } {
  const xs: Vec[] = [];
  const ys: number[] = [];
  for (let r = 0; r < N_ROWS; r++) {
    // 4 decimals keeps input.json readable and exactly reproducible.
    const x = FEATURES.map(() => Math.round((rand() * 4 - 2) * 1e4) / 1e4);
    const [income, debt, age, history, employment, inquiries] = x;
    // Nonlinear on purpose (so the hidden layer matters): debt only hurts once it outweighs
    // income, and both very young and very old applicants are riskier.
    const score =
      0.8 * income +
      0.6 * history +
      0.4 * employment -
      0.5 * inquiries -
      1.5 * Math.max(0, debt - 0.5 * income) -
      0.3 * (age * age - 1) +
      0.3 * (rand() * 2 - 1);
    xs.push(x);
    ys.push(score > 0 ? 1 : 0);
  }
  return { xs, ys };
}

// ---- model ----

function hidden(m: Mlp, x: Vec): Vec {
  return m.w1.map((row, j) => Math.max(0, row.reduce((s, w, i) => s + w * x[i], m.b1[j])));
}

function forward(m: Mlp, x: Vec): Vec {
  const h = hidden(m, x);
  return m.w2.map((row, k) => row.reduce((s, w, j) => s + w * h[j], m.b2[k]));
}

function softmax(z: Vec): Vec {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

const argmax = (v: Vec) => v.indexOf(Math.max(...v));

function accuracy(m: Mlp, xs: Vec[], ys: number[]): number {
  return xs.filter((x, r) => argmax(forward(m, x)) === ys[r]).length / xs.length;
}

// Glorot-uniform init, the PyTorch-ish default that trains reliably at this size.
function initMlp(rand: () => number): Mlp {
  const layer = (nOut: number, nIn: number): Mat => {
    const limit = Math.sqrt(6 / (nIn + nOut));
    return Array.from({ length: nOut }, () => Array.from({ length: nIn }, () => (rand() * 2 - 1) * limit));
  };
  return { w1: layer(N_HIDDEN, N_IN), b1: new Array(N_HIDDEN).fill(0), w2: layer(N_OUT, N_HIDDEN), b2: new Array(N_OUT).fill(0) };
}

/** Full-batch gradient descent on mean softmax cross-entropy. Returns the final loss. */
function train(m: Mlp, xs: Vec[], ys: number[]): number {
  const zerosLike = (a: Mat) => a.map((row) => row.map(() => 0));
  let loss = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const g = { w1: zerosLike(m.w1), b1: m.b1.map(() => 0), w2: zerosLike(m.w2), b2: m.b2.map(() => 0) };
    loss = 0;
    xs.forEach((x, r) => {
      const h = hidden(m, x);
      const p = softmax(m.w2.map((row, k) => row.reduce((s, w, j) => s + w * h[j], m.b2[k])));
      loss -= Math.log(p[ys[r]]);
      const dz = p.map((pk, k) => pk - (k === ys[r] ? 1 : 0));
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
    const step = LEARNING_RATE / xs.length;
    m.w1.forEach((row, j) => row.forEach((_, i) => (row[i] -= step * g.w1[j][i])));
    m.b1.forEach((_, j) => (m.b1[j] -= step * g.b1[j]));
    m.w2.forEach((row, k) => row.forEach((_, j) => (row[j] -= step * g.w2[k][j])));
    m.b2.forEach((_, k) => (m.b2[k] -= step * g.b2[k]));
    loss /= xs.length;
  }
  return loss;
}

// Rounding before export makes the TS reference pass use exactly the weights ONNX stores.
function toFloat32(m: Mlp): Mlp {
  const f = (v: Vec) => v.map(Math.fround);
  return { w1: m.w1.map(f), b1: f(m.b1), w2: m.w2.map(f), b2: f(m.b2) };
}

function creditMlpOnnx(m: Mlp): Buffer {
  const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };
  return encodeModel({
    name: "credit_mlp",
    inputs: [{ name: "input", dims: ["batch_size", N_IN] }],
    outputs: [{ name: "output", dims: ["batch_size", N_OUT] }],
    initializers: [
      { name: "fc1.weight", dims: [N_HIDDEN, N_IN], data: m.w1.flat() },
      { name: "fc1.bias", dims: [N_HIDDEN], data: m.b1 },
      { name: "fc2.weight", dims: [N_OUT, N_HIDDEN], data: m.w2.flat() },
      { name: "fc2.bias", dims: [N_OUT], data: m.b2 },
    ],
    nodes: [
      { name: "/fc1/Gemm", opType: "Gemm", inputs: ["input", "fc1.weight", "fc1.bias"], outputs: ["/fc1/Gemm_output_0"], attributes: gemm },
      { name: "/relu/Relu", opType: "Relu", inputs: ["/fc1/Gemm_output_0"], outputs: ["/relu/Relu_output_0"] },
      { name: "/fc2/Gemm", opType: "Gemm", inputs: ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], outputs: ["output"], attributes: gemm },
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
  for (const row of rows) {
    const result = await session.run({ input: new ort.Tensor("float32", Float32Array.from(row), [1, N_IN]) });
    const got = Array.from(result.output.data as Float32Array);
    const want = forward(m, row);
    const err = Math.max(...want.map((w, k) => Math.abs(w - got[k])));
    if (!(got.length === N_OUT && err <= TOLERANCE)) {
      throw new Error(`onnxruntime mismatch on ${JSON.stringify(row)}: got [${got}], expected [${want}]`);
    }
  }
  await session.release();
}

export async function build(outDir: string): Promise<void> {
  const { xs, ys } = makeDataset(mulberry32(42));
  const trained = initMlp(mulberry32(7));
  const loss = train(trained, xs, ys);
  const model = toFloat32(trained);
  const approveRate = ys.reduce((a, b) => a + b, 0) / ys.length;
  console.log(
    `credit_mlp: ${N_ROWS} rows (${(approveRate * 100).toFixed(1)}% approve), ${EPOCHS} epochs, ` +
      `loss ${loss.toFixed(4)}, train accuracy ${(accuracy(model, xs, ys) * 100).toFixed(2)}%`,
  );

  const sample = xs[0];
  const calibration = xs.slice(0, N_CALIBRATION);
  const dest = path.join(outDir, "credit_mlp");
  await writeDirAtomically(dest, async (dir) => {
    fs.writeFileSync(path.join(dir, "network.onnx"), creditMlpOnnx(model));
    fs.writeFileSync(path.join(dir, "input.json"), ezklInputJson([sample]));
    fs.writeFileSync(path.join(dir, "calibration.json"), ezklInputJson(calibration));
    await verifyWithOnnxRuntime(path.join(dir, "network.onnx"), model, calibration);
  });

  for (const f of ["network.onnx", "input.json", "calibration.json"]) {
    const p = path.join(dest, f);
    console.log(`  wrote ${path.relative(process.cwd(), p)} (${fs.statSync(p).size} bytes)`);
  }
  const logits = forward(model, sample);
  console.log(`  onnxruntime matches TS forward pass on ${calibration.length} rows (tol ${TOLERANCE})`);
  console.log(`  sample logits [reject, approve] = [${logits.map((v) => v.toFixed(4))}] -> ${["reject", "approve"][argmax(logits)]}`);
}
