// credit_mlp: a small credit-scoring classifier, trained here in TypeScript on synthetic data.
// Everything derives from fixed seeds, so re-running yields byte-identical files.
import { accumulateGradient, argmax, forwardMlp, softmax, glorotUniform, Mlp, mlpHidden, mlpOutput, roundToFloat32, Vec, writeMlpExample, zerosLike } from "../mlp";
import { mulberry32 } from "../../util/prng";

const N_IN = 6;
const N_HIDDEN = 8;
const N_OUT = 2; // logits: [reject, approve]

/** The decision credit_mlp's logits [reject, approve] stand for. */
export const creditDecision = (logits: readonly number[]): "approve" | "reject" => (argmax(logits) === 1 ? "approve" : "reject");
const N_ROWS = 512;
const EPOCHS = 300;
const LEARNING_RATE = 0.5;
const N_CALIBRATION = 16;
const TOLERANCE = 1e-4;

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


function accuracy(m: Mlp, xs: Vec[], ys: number[]): number {
  return xs.filter((x, r) => argmax(forwardMlp(m, x)) === ys[r]).length / xs.length;
}

// Glorot-uniform init, the PyTorch-ish default that trains reliably at this size.
function initMlp(rand: () => number): Mlp {
  return { w1: glorotUniform(rand, N_HIDDEN, N_IN), b1: new Array(N_HIDDEN).fill(0), w2: glorotUniform(rand, N_OUT, N_HIDDEN), b2: new Array(N_OUT).fill(0) };
}

/** Full-batch gradient descent on mean softmax cross-entropy. Returns the final loss. */
function train(m: Mlp, xs: Vec[], ys: number[]): number {
  let loss = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const g = zerosLike(m);
    loss = 0;
    xs.forEach((x, r) => {
      const h = mlpHidden(m, x);
      const p = softmax(mlpOutput(m, h));
      loss -= Math.log(p[ys[r]]);
      accumulateGradient(m, g, x, h, p.map((pk, k) => pk - (k === ys[r] ? 1 : 0)));
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

export async function build(outDir: string): Promise<void> {
  const { xs, ys } = makeDataset(mulberry32(42));
  const approveRate = ys.reduce((a, b) => a + b, 0) / ys.length;
  const trained = initMlp(mulberry32(7));
  const loss = train(trained, xs, ys);
  const model = roundToFloat32(trained);
  console.log(
    `credit_mlp: ${N_ROWS} rows (${(approveRate * 100).toFixed(1)}% approve), ${EPOCHS} epochs, ` +
      `loss ${loss.toFixed(4)}, train accuracy ${(accuracy(model, xs, ys) * 100).toFixed(2)}%`,
  );

  const sample = xs[0];
  const calibration = xs.slice(0, N_CALIBRATION);
  await writeMlpExample(outDir, model, {
    name: "credit_mlp",
    io: { input: "input", output: "output" },
    sample: [sample],
    calibration,
    check: calibration,
    tolerance: TOLERANCE,
  });
  const logits = forwardMlp(model, sample);
  console.log(`  onnxruntime matches TS forward pass on ${calibration.length} rows (tol ${TOLERANCE})`);
  console.log(`  sample logits [reject, approve] = [${logits.map((v) => v.toFixed(4))}] -> ${creditDecision(logits)}`);
}
