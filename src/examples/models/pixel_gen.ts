// pixel_gen: a tiny deterministic "image generator" for the ERC-7007 collection.
// A prompt of 4 numbers in [-1, 1] goes through Gemm(4->16) -> Relu -> Gemm(16->16); the 16 outputs are
// a 4x4 grayscale image, row by row, roughly in [0, 1] (0 = black, 1 = white).
//
// The network is trained here in TypeScript (fixed seeds, so re-running yields byte-identical files) to
// imitate a hand-written pattern family: each prompt coordinate steers one ingredient of the image
//   z0: left-right gradient, z1: top-bottom gradient, z2: diagonal saddle, z3: ring vs. blob,
// pushed through a soft threshold so most pixels end up clearly dark or clearly light.
import { Adam, accumulateGradient, forwardMlp, glorotUniform, Mlp, mlpHidden, mlpOutput, roundToFloat32, uniformMatrix, Vec, writeMlpExample, zerosLike } from "../mlp";
import { mulberry32 } from "../../util/prng";
import { asciiGrays, toGray } from "../../util/render";

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

function mse(m: Mlp, xs: Vec[], ys: Vec[]): number {
  let sum = 0;
  xs.forEach((x, r) => forwardMlp(m, x).forEach((o, k) => (sum += (o - ys[r][k]) ** 2)));
  return sum / (xs.length * N_OUT);
}

// He-uniform init for the ReLU layer, Glorot for the linear one; output bias at mid-gray.
function initMlp(rand: () => number): Mlp {
  return {
    w1: uniformMatrix(rand, N_HIDDEN, N_IN, Math.sqrt(6 / N_IN)),
    b1: Array.from({ length: N_HIDDEN }, () => 0.1),
    w2: glorotUniform(rand, N_OUT, N_HIDDEN),
    b2: new Array(N_OUT).fill(0.5),
  };
}

/** Full-batch Adam on the mean squared error. Returns the final loss. */
function train(m: Mlp, xs: Vec[], ys: Vec[]): number {
  const adam = new Adam(m, LEARNING_RATE);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const g = zerosLike(m);
    const scale = 2 / (xs.length * N_OUT);
    xs.forEach((x, r) => {
      const h = mlpHidden(m, x);
      accumulateGradient(m, g, x, h, mlpOutput(m, h).map((o, k) => (o - ys[r][k]) * scale));
    });
    adam.step(g, epoch);
  }
  return mse(m, xs, ys);
}

export async function build(outDir: string): Promise<void> {
  const { xs, ys } = makeDataset(mulberry32(2024));
  const trained = initMlp(mulberry32(11));
  const loss = train(trained, xs, ys);
  const model = roundToFloat32(trained);
  const outs = xs.flatMap((x) => forwardMlp(model, x));
  console.log(
    `pixel_gen: ${N_ROWS} prompts, ${EPOCHS} epochs of Adam, mse ${loss.toExponential(2)}, ` +
      `outputs in [${Math.min(...outs).toFixed(3)}, ${Math.max(...outs).toFixed(3)}]`,
  );

  const check = [SAMPLE_PROMPT, ...xs.slice(0, N_CHECK - 1)];
  await writeMlpExample(outDir, model, { name: "pixel_gen", io: { input: "prompt", output: "image" }, sample: [SAMPLE_PROMPT], check, tolerance: TOLERANCE });
  console.log(`  onnxruntime matches TS forward pass on ${check.length} prompts (tol ${TOLERANCE})`);
  console.log(`  sample prompt ${JSON.stringify(SAMPLE_PROMPT)} ->`);
  for (const line of asciiGrays([...toGray(forwardMlp(model, SAMPLE_PROMPT), SIDE, SIDE).gray], SIDE)) console.log(`    |${line}|`);
}
