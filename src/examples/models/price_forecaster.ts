// price_forecaster: the AI vault's model. From the last N = 8 feed prices it predicts the next one.
// Trained here in TypeScript on a synthetic price series; everything derives from fixed seeds, so
// re-running yields byte-identical files.
//
// Units (inputs and output alike): the price of the vault's risk asset in THOUSANDS of USD, e.g. 3.0
// for $3,000, oldest price first, latest last. AiVault.sol converts each Chainlink-style answer to the
// model's fixed-point input with integer math (src/statements/vault-inputs.ts does the same off-chain):
//   q = floor((answer * 2^12 + U / 2) / U),  U = 1000 * 10^feedDecimals.
// At scale 2^12 one unit of q is $0.244; with inputBits = 24 the provable range is prices below
// $2,048,000.
import { accumulateGradient, forwardMlp, glorotUniform, Mat, Mlp, mlpHidden, mlpOutput, roundToFloat32, Vec, writeMlpExample, zerosLike } from "../mlp";
import { WINDOW } from "../../statements/vault-inputs";
import { mulberry32 } from "../../util/prng";

const N_HIDDEN = 8;
const N_POINTS = 1200; // series length; the last TEST_POINTS are held out
const TEST_POINTS = 200;
const STEPS = 4000; // full-batch Adam steps
const LEARNING_RATE = 0.01;
const TOLERANCE = 1e-4;
/** Scenario windows for the vault's tests: the model's predicted move must exceed this (as a fraction). */
const SCENARIO_MOVE = 0.02;

// ---- synthetic price series ----

/**
 * A price in thousands of USD, rounded to the cent ($0.01 = 1e-5 thousands, so an 8-decimals feed
 * answer is the exact integer price * 1e11): two cycles around $3,000 plus mean-reverting noise.
 */
export function syntheticPrices(n = N_POINTS, seed = 2024): number[] {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const prices: number[] = [];
  let noise = 0;
  for (let t = 0; t < n; t++) {
    noise = 0.8 * noise + 0.01 * gauss();
    const p = 3 + 0.35 * Math.sin((2 * Math.PI * t) / 40) + 0.12 * Math.sin((2 * Math.PI * t) / 13 + 0.7) + noise;
    prices.push(Math.round(p * 1e5) / 1e5);
  }
  return prices;
}

/** (last WINDOW prices, next price) pairs. */
function windows(prices: number[]): { xs: Vec[]; ys: number[] } {
  const xs: Vec[] = [];
  const ys: number[] = [];
  for (let t = WINDOW; t < prices.length; t++) {
    xs.push(prices.slice(t - WINDOW, t));
    ys.push(prices[t]);
  }
  return { xs, ys };
}

// ---- model ----

/** The predicted next price, in thousands of USD. */
export function forward(m: Mlp, x: Vec): number {
  return forwardMlp(m, x)[0];
}

function rmse(predict: (x: Vec) => number, xs: Vec[], ys: number[]): number {
  return Math.sqrt(xs.reduce((s, x, r) => s + (predict(x) - ys[r]) ** 2, 0) / xs.length);
}

function initMlp(rand: () => number): Mlp {
  // A small positive bias keeps every ReLU alive at the start.
  return { w1: glorotUniform(rand, N_HIDDEN, WINDOW), b1: new Array(N_HIDDEN).fill(0.1), w2: glorotUniform(rand, 1, N_HIDDEN), b2: [0] };
}

/**
 * Full-batch Adam on mean squared error, on standardized prices (z = (p - mu) / sigma): the network
 * trains well there, and the affine maps are folded into the first and last Gemm afterwards.
 */
function train(m: Mlp, xs: Vec[], ys: number[]): number {
  const params = [m.w1, m.b1, m.w2, m.b2];
  const flat = (): { get: () => number; set: (v: number) => void }[] => {
    const refs: { get: () => number; set: (v: number) => void }[] = [];
    const visit = (a: Vec | Mat) =>
      a.forEach((v, i) => (Array.isArray(v) ? visit(v) : refs.push({ get: () => a[i] as number, set: (x) => ((a as Vec)[i] = x) })));
    params.forEach(visit);
    return refs;
  };
  const refs = flat();
  const mom = new Array(refs.length).fill(0);
  const vel = new Array(refs.length).fill(0);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let loss = 0;
  for (let step = 1; step <= STEPS; step++) {
    const g = zerosLike(m);
    loss = 0;
    xs.forEach((x, r) => {
      const h = mlpHidden(m, x);
      const y = mlpOutput(m, h)[0];
      loss += (y - ys[r]) ** 2 / xs.length;
      accumulateGradient(m, g, x, h, [(2 * (y - ys[r])) / xs.length]);
    });
    const grads = [g.w1.flat(), g.b1, g.w2.flat(), g.b2].flat();
    refs.forEach((ref, k) => {
      mom[k] = beta1 * mom[k] + (1 - beta1) * grads[k];
      vel[k] = beta2 * vel[k] + (1 - beta2) * grads[k] ** 2;
      const mHat = mom[k] / (1 - beta1 ** step);
      const vHat = vel[k] / (1 - beta2 ** step);
      ref.set(ref.get() - (LEARNING_RATE * mHat) / (Math.sqrt(vHat) + eps));
    });
  }
  return loss;
}

/** The network on raw prices: z = (x - mu) / sigma folded into layer 1, y = sigma * y_z + mu into layer 2. */
function fold(m: Mlp, mu: number, sigma: number): Mlp {
  return {
    w1: m.w1.map((row) => row.map((w) => w / sigma)),
    b1: m.b1.map((b, j) => b - (m.w1[j].reduce((s, w) => s + w, 0) * mu) / sigma),
    w2: m.w2.map((row) => row.map((w) => w * sigma)),
    b2: [m.b2[0] * sigma + mu],
  };
}

/** Held-out windows where the model predicts a move of more than SCENARIO_MOVE up ("buy") or down ("sell"). */
function scenarios(m: Mlp, xs: Vec[]): { buy: Vec; sell: Vec } {
  const move = (x: Vec) => forward(m, x) / x[WINDOW - 1] - 1;
  const buy = xs.find((x) => move(x) > SCENARIO_MOVE);
  const sell = xs.find((x) => move(x) < -SCENARIO_MOVE);
  if (!buy || !sell) throw new Error(`no held-out window with a predicted move beyond ±${SCENARIO_MOVE * 100}%`);
  return { buy, sell };
}

export async function build(outDir: string): Promise<void> {
  const prices = syntheticPrices();
  const { xs, ys } = windows(prices);
  const nTrain = xs.length - TEST_POINTS;
  const [trainX, trainY, testX, testY] = [xs.slice(0, nTrain), ys.slice(0, nTrain), xs.slice(nTrain), ys.slice(nTrain)];
  const mu = trainY.reduce((a, b) => a + b, 0) / trainY.length;
  const sigma = Math.sqrt(trainY.reduce((a, b) => a + (b - mu) ** 2, 0) / trainY.length);
  const z = (v: number) => (v - mu) / sigma;
  const net = initMlp(mulberry32(11));
  const loss = train(net, trainX.map((x) => x.map(z)), trainY.map(z));
  const model = roundToFloat32(fold(net, mu, sigma));

  const naive = rmse((x) => x[WINDOW - 1], testX, testY);
  const err = rmse((x) => forward(model, x), testX, testY);
  console.log(
    `price_forecaster: ${prices.length} prices, ${nTrain} training windows, ${STEPS} Adam steps, loss ${loss.toFixed(5)} (standardized); ` +
      `held-out RMSE $${(err * 1000).toFixed(2)} vs $${(naive * 1000).toFixed(2)} for "next = latest"`,
  );
  if (!(err < naive / 2)) throw new Error(`price_forecaster does not beat the naive forecast clearly (${err} vs ${naive})`);

  const { buy, sell } = scenarios(model, testX);
  const calibration = testX.slice(0, 16);
  await writeMlpExample(outDir, model, {
    name: "price_forecaster",
    io: { input: "prices", output: "next_price" },
    sample: [buy],
    calibration,
    // Windows for the vault's tests and demos (prices in thousands of USD, oldest first).
    extra: { "scenarios.json": `{\n  "units": "thousands of USD, oldest first",\n  "buy": ${JSON.stringify(buy)},\n  "sell": ${JSON.stringify(sell)}\n}\n` },
    check: [...calibration, buy, sell],
    tolerance: TOLERANCE,
  });
  console.log(`  onnxruntime matches TS forward pass on ${calibration.length + 2} windows (tol ${TOLERANCE})`);
  for (const [name, x] of [["buy", buy], ["sell", sell]] as const) {
    console.log(`  ${name} scenario: latest $${(x[WINDOW - 1] * 1000).toFixed(2)} -> predicted $${(forward(model, x) * 1000).toFixed(2)}`);
  }
}
