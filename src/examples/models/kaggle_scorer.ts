// kaggle_scorer: the scoring circuit of the ModelCompetition example (contracts/examples/ModelCompetition.sol),
// a "decentralised Kaggle" where the models stay private and the test set is public.
//
// The graph is a competitor's classifier followed by its own evaluation on a labelled test set:
//
//   x [16, 6] -> Gemm(6->8) -> Relu -> Gemm(8->2) -> ArgMax(axis 1) -> Cast(float) -> Equal(labels [16])
//     -> Cast(float) -> ReduceSum -> correct [1]
//
// so a proof shows "this committed model classifies `correct` of these 16 rows right". The weights and
// biases (all of them Gemm parameters, so the pipeline lifts every one to a private, committed signal) are
// the competitor's secret; the test set is the host's public data, committed to by one Poseidon hash.
//
// Two weight sets share the architecture, so both run on the same circuit:
//   network.onnx  a well-trained competitor (the model the circuit is compiled from),
//   rival.onnx    a differently seeded, barely trained one: a worse score, and a different commitment.
// The task is credit_mlp's synthetic credit scoring (6 standardized features, approve / reject); input.json
// is the test set: { "input_data": [x (16 rows of 6), labels (16, 0 = reject, 1 = approve)] }.
//
// Everything derives from fixed seeds, so re-running yields byte-identical files.
import * as fs from "fs";
import * as path from "path";
import * as ort from "onnxruntime-node";
import { writeDirAtomically } from "../../pipeline/files";
import { accumulateGradient, argmax, forwardMlp, softmax, glorotUniform, Mlp, mlpHidden, mlpOutput, roundToFloat32, Vec, zerosLike } from "../mlp";
import { encodeModel } from "../../onnx/writer";
import { mulberry32 } from "../../util/prng";

const N_FEATURES = 6;
const N_HIDDEN = 8;
const N_CLASSES = 2;
const N_TEST = 16;
const N_TRAIN = 512;
const LEARNING_RATE = 0.5;

/** A competitor's recipe: its initialisation seed and how long it trains. */
interface Recipe {
  file: string;
  seed: number;
  epochs: number;
}
const COMPETITOR: Recipe = { file: "network.onnx", seed: 7, epochs: 400 };
const RIVAL: Recipe = { file: "rival.onnx", seed: 99, epochs: 3 };

// ---- synthetic credit data (credit_mlp's generator) ----

function makeRows(rand: () => number, n: number): { xs: Vec[]; ys: number[] } {
  const xs: Vec[] = [];
  const ys: number[] = [];
  for (let r = 0; r < n; r++) {
    const x = Array.from({ length: N_FEATURES }, () => Math.round((rand() * 4 - 2) * 1e4) / 1e4);
    const [income, debt, age, history, employment, inquiries] = x;
    const score =
      0.8 * income + 0.6 * history + 0.4 * employment - 0.5 * inquiries - 1.5 * Math.max(0, debt - 0.5 * income) - 0.3 * (age * age - 1) + 0.3 * (rand() * 2 - 1);
    xs.push(x);
    ys.push(score > 0 ? 1 : 0);
  }
  return { xs, ys };
}

// ---- training (full-batch gradient descent on softmax cross-entropy) ----


function train(recipe: Recipe, xs: Vec[], ys: number[]): Mlp {
  const rand = mulberry32(recipe.seed);
  const m: Mlp = { w1: glorotUniform(rand, N_HIDDEN, N_FEATURES), b1: new Array(N_HIDDEN).fill(0), w2: glorotUniform(rand, N_CLASSES, N_HIDDEN), b2: new Array(N_CLASSES).fill(0) };
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    const g = zerosLike(m);
    xs.forEach((x, r) => {
      const h = mlpHidden(m, x);
      const p = softmax(mlpOutput(m, h));
      accumulateGradient(m, g, x, h, p.map((pk, k) => pk - (k === ys[r] ? 1 : 0)));
    });
    const step = LEARNING_RATE / xs.length;
    m.w1.forEach((row, j) => row.forEach((_, i) => (row[i] -= step * g.w1[j][i])));
    m.b1.forEach((_, j) => (m.b1[j] -= step * g.b1[j]));
    m.w2.forEach((row, k) => row.forEach((_, j) => (row[j] -= step * g.w2[k][j])));
    m.b2.forEach((_, k) => (m.b2[k] -= step * g.b2[k]));
  }
  return roundToFloat32(m);
}

/** The number of rows the model classifies right: what the circuit computes. */
export function countCorrect(m: Mlp, xs: Vec[], labels: number[]): number {
  return xs.filter((x, r) => argmax(forwardMlp(m, x)) === labels[r]).length;
}

// ---- export ----

/** The classifier and its evaluation as one ONNX graph (see the header). */
function scorerOnnx(m: Mlp): Buffer {
  const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };
  const FLOAT = { i: 1 };
  return encodeModel({
    name: "kaggle_scorer",
    inputs: [
      { name: "x", dims: [N_TEST, N_FEATURES] },
      { name: "labels", dims: [N_TEST] },
    ],
    outputs: [{ name: "correct", dims: [1] }],
    initializers: [
      { name: "fc1.weight", dims: [N_HIDDEN, N_FEATURES], data: m.w1.flat() },
      { name: "fc1.bias", dims: [N_HIDDEN], data: m.b1 },
      { name: "fc2.weight", dims: [N_CLASSES, N_HIDDEN], data: m.w2.flat() },
      { name: "fc2.bias", dims: [N_CLASSES], data: m.b2 },
    ],
    nodes: [
      { name: "/fc1/Gemm", opType: "Gemm", inputs: ["x", "fc1.weight", "fc1.bias"], outputs: ["/fc1/Gemm_output_0"], attributes: gemm },
      { name: "/relu/Relu", opType: "Relu", inputs: ["/fc1/Gemm_output_0"], outputs: ["/relu/Relu_output_0"] },
      { name: "/fc2/Gemm", opType: "Gemm", inputs: ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], outputs: ["logits"], attributes: gemm },
      { name: "/ArgMax", opType: "ArgMax", inputs: ["logits"], outputs: ["prediction"], attributes: { axis: { i: 1 }, keepdims: { i: 0 } } },
      { name: "/Cast", opType: "Cast", inputs: ["prediction"], outputs: ["prediction_float"], attributes: { to: FLOAT } },
      { name: "/Equal", opType: "Equal", inputs: ["prediction_float", "labels"], outputs: ["hit"] },
      { name: "/Cast_1", opType: "Cast", inputs: ["hit"], outputs: ["hit_float"], attributes: { to: FLOAT } },
      { name: "/ReduceSum", opType: "ReduceSum", inputs: ["hit_float"], outputs: ["correct"], attributes: { keepdims: { i: 1 } } },
    ],
  });
}

/** Independent check that onnxruntime counts what the TS model counts. */
async function checkWithOnnxRuntime(file: string, m: Mlp, xs: Vec[], labels: number[]): Promise<number> {
  const session = await ort.InferenceSession.create(file);
  try {
    const result = await session.run({
      x: new ort.Tensor("float32", Float32Array.from(xs.flat()), [N_TEST, N_FEATURES]),
      labels: new ort.Tensor("float32", Float32Array.from(labels), [N_TEST]),
    });
    const got = Array.from(result.correct.data as Float32Array);
    const want = countCorrect(m, xs, labels);
    if (got.length !== 1 || got[0] !== want) throw new Error(`${path.basename(file)}: onnxruntime counts [${got}] correct, the TS model ${want}`);
    return want;
  } finally {
    await session.release();
  }
}

export async function build(outDir: string): Promise<void> {
  const trainSet = makeRows(mulberry32(42), N_TRAIN);
  const test = makeRows(mulberry32(2025), N_TEST);
  const models = [COMPETITOR, RIVAL].map((r) => ({ recipe: r, model: train(r, trainSet.xs, trainSet.ys) }));
  const rows = test.xs.map((x) => "    " + JSON.stringify(x)).join(",\n");
  const testSet = `{"input_data": [\n  [\n${rows}\n  ],\n  ${JSON.stringify(test.ys)}\n]}\n`;
  const dest = path.join(outDir, "kaggle_scorer");
  const counts = await writeDirAtomically(dest, async (dir) => {
    fs.writeFileSync(path.join(dir, "input.json"), testSet);
    const out: number[] = [];
    for (const { recipe, model } of models) {
      fs.writeFileSync(path.join(dir, recipe.file), scorerOnnx(model));
      out.push(await checkWithOnnxRuntime(path.join(dir, recipe.file), model, test.xs, test.ys));
    }
    return out;
  });
  const approve = test.ys.reduce((a, b) => a + b, 0);
  console.log(`kaggle_scorer: test set of ${N_TEST} rows (${approve} approve), onnxruntime agrees with the TS models`);
  models.forEach(({ recipe, model }, i) => {
    const trainAcc = countCorrect(model, trainSet.xs, trainSet.ys) / N_TRAIN;
    console.log(`  ${recipe.file}: seed ${recipe.seed}, ${recipe.epochs} epochs, train accuracy ${(trainAcc * 100).toFixed(1)}%, test ${counts[i]}/${N_TEST} correct`);
  });
  for (const f of ["network.onnx", "rival.onnx", "input.json"]) {
    const p = path.join(dest, f);
    console.log(`  wrote ${path.relative(process.cwd(), p)} (${fs.statSync(p).size} bytes)`);
  }
}
