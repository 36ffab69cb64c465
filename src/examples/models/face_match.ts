// face_match: a liveness / match scorer for a 16-number biometric embedding, the public model of the
// HumanityPass example (contracts/examples/HumanityPass.sol). The embedding stays private: a proof shows
// only the model's score and a Poseidon commitment to the embedding, which the pass uses as a nullifier.
//
// The embedding (synthetic, as a face-recognition front end would emit it, pre-standardized):
//   dims 0..11  identity features (who the person is: irrelevant to liveness, but part of the commitment),
//   dims 12..15 liveness cues: depth relief, texture (moire / print grain), eye blink, specular glare.
// A live capture has depth, little texture artefact, a blink and moderate glare; a printed photo is flat
// and grainy, a replayed video glares, a mask does not blink. The label is a nonlinear rule over the cues
// (|texture| needs the hidden layer), learned by Gemm(16->16) -> Relu -> Gemm(16->1): the output is a
// logit, the liveness score (> 0: more likely live than not).
//
// Everything derives from fixed seeds, so re-running yields byte-identical files.
import { Adam, accumulateGradient, forwardMlp, glorotUniform, Mlp, mlpHidden, mlpOutput, roundToFloat32, Vec, writeMlpExample, zerosLike } from "../mlp";
import { mulberry32 } from "../../util/prng";

const N_IDENTITY = 12;
const N_CUES = 4;
const N_IN = N_IDENTITY + N_CUES;
const N_HIDDEN = 16;
const N_ROWS = 1024;
const EPOCHS = 1500;
const LEARNING_RATE = 0.01;
const N_CHECK = 16;
const TOLERANCE = 1e-4;

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

// ---- synthetic captures ----

type Capture = "live" | "print" | "replay" | "mask";

/** One embedding of the given kind; `u(a, b)` is uniform in [a, b). */
function capture(rand: () => number, kind: Capture): Vec {
  const u = (a: number, b: number) => a + (b - a) * rand();
  const identity = Array.from({ length: N_IDENTITY }, () => u(-1, 1));
  let depth = u(0.4, 1.4);
  let texture = u(-0.4, 0.4);
  let blink = u(0.3, 1.2);
  let glare = u(-0.6, 0.6);
  if (kind === "print") {
    depth = u(-0.3, 0.25);
    texture = (rand() < 0.5 ? -1 : 1) * u(0.7, 1.6);
  } else if (kind === "replay") {
    glare = u(1.0, 1.9);
    texture = u(-0.9, 0.9);
  } else if (kind === "mask") {
    blink = u(-0.5, 0.1);
  }
  return [...identity, depth, texture, blink, glare].map(round4);
}

/** The ground truth the scorer learns: depth, no texture artefact, a blink, no screen glare. */
function isLive(x: Vec): boolean {
  const [depth, texture, blink, glare] = x.slice(N_IDENTITY);
  return depth > 0.3 && Math.abs(texture) < 0.6 && blink > 0.2 && glare < 0.8;
}

function makeDataset(rand: () => number): { xs: Vec[]; ys: number[] } {
  const kinds: Capture[] = ["live", "live", "print", "replay", "mask"];
  const xs: Vec[] = [];
  for (let r = 0; r < N_ROWS; r++) xs.push(capture(rand, kinds[Math.floor(rand() * kinds.length)]));
  return { xs, ys: xs.map((x) => (isLive(x) ? 1 : 0)) };
}

// ---- model ----

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function initMlp(rand: () => number): Mlp {
  return { w1: glorotUniform(rand, N_HIDDEN, N_IN), b1: new Array(N_HIDDEN).fill(0.05), w2: glorotUniform(rand, 1, N_HIDDEN), b2: [0] };
}

function accuracy(m: Mlp, xs: Vec[], ys: number[]): number {
  return xs.filter((x, r) => (forwardMlp(m, x)[0] > 0 ? 1 : 0) === ys[r]).length / xs.length;
}

/** Full-batch Adam on the mean logistic loss. Returns the final loss. */
function train(m: Mlp, xs: Vec[], ys: number[]): number {
  const adam = new Adam(m, LEARNING_RATE);
  let loss = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const g = zerosLike(m);
    loss = 0;
    xs.forEach((x, r) => {
      const h = mlpHidden(m, x);
      const p = sigmoid(mlpOutput(m, h)[0]);
      loss -= Math.log(ys[r] ? Math.max(p, 1e-12) : Math.max(1 - p, 1e-12));
      accumulateGradient(m, g, x, h, [(p - ys[r]) / xs.length]);
    });
    loss /= xs.length;
    adam.step(g, epoch);
  }
  return loss;
}

export async function build(outDir: string): Promise<void> {
  const { xs, ys } = makeDataset(mulberry32(1601));
  const trained = initMlp(mulberry32(16));
  const loss = train(trained, xs, ys);
  const model = roundToFloat32(trained);
  const liveRate = ys.reduce((a, b) => a + b, 0) / ys.length;
  console.log(
    `face_match: ${N_ROWS} captures (${(liveRate * 100).toFixed(1)}% live), ${EPOCHS} epochs of Adam, ` +
      `loss ${loss.toFixed(4)}, train accuracy ${(accuracy(model, xs, ys) * 100).toFixed(2)}%`,
  );

  // Sample captures for the example and its tests: live people (clearly live: score well above 0) and
  // one of each attack (clearly not), all from their own seed so the training data is not reused.
  const rand = mulberry32(7007);
  const pick = (kind: Capture, live: boolean, n: number): Vec[] => {
    const out: Vec[] = [];
    while (out.length < n) {
      const x = capture(rand, kind);
      const score = forwardMlp(model, x)[0];
      if (isLive(x) === live && (live ? score > 4 : score < -4)) out.push(x);
    }
    return out;
  };
  const live = pick("live", true, 4);
  const spoofs = [...pick("print", false, 1), ...pick("replay", false, 1), ...pick("mask", false, 1)];
  const fmt = (rows: Vec[]) => `[\n${rows.map((r) => "    " + JSON.stringify(r)).join(",\n")}\n  ]`;
  await writeMlpExample(outDir, model, {
    name: "face_match",
    io: { input: "embedding", output: "score" },
    sample: [live[0]],
    extra: { "captures.json": `{\n  "live": ${fmt(live)},\n  "spoof": ${fmt(spoofs)}\n}\n` },
    check: [...live, ...spoofs, ...xs.slice(0, N_CHECK)],
    tolerance: TOLERANCE,
  });
  console.log(`  onnxruntime matches TS forward pass on ${N_CHECK + live.length + spoofs.length} captures (tol ${TOLERANCE})`);
  console.log(`  live scores  [${live.map((x) => forwardMlp(model, x)[0].toFixed(3))}]`);
  console.log(`  spoof scores [${spoofs.map((x) => forwardMlp(model, x)[0].toFixed(3))}] (print, replay, mask)`);
}
