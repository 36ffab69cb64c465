// npm run bench: compile, set up, prove and verify (off-chain and on the in-process EVM) every example
// model and every reference model that compiles; prints a table and writes bench/results.json.
// Every proven model is proven by both provers ("native" and "snarkjs", scripts/bench/provers.ts) on
// the same key and the same witness file, in one run, each in its own process (its peak RSS): rounds
// alternate which goes first, each process makes a warm-up proof then a timed one; the median of the
// rounds is compared as the ratio snarkjs / native. Both proofs must verify, or the model fails.
//   BENCH_MODELS=a,b        only these models
//   BENCH_MAX_POWER=18      skip models whose setup needs a larger domain
//   BENCH_ROUNDS=3          timed proofs per prover (interleaved) on circuits of 10,000 constraints or more
//   BENCH_SMALL_ROUNDS=1    the same below 10,000 (each round is two processes of a few seconds' start-up)
//   ZKML_MODELS_DIR=...     the reference models (default ../shared/models/ezkl)
import fs from "fs";
import hre from "hardhat";
import { Listr } from "listr2";
import os from "os";
import path from "path";
import { provingSystem } from "../src/backend/provers";
import { compareProvers, ProverComparison, ratioSummary } from "./bench/provers";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { EXAMPLE_MODELS, exampleModelOnnx } from "../src/examples";
import { MAX_ONCHAIN_SIGNALS } from "./bench/limits";
import { worker, StepResult } from "./bench/run";

const ROOT = hre.config.paths.root;
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const MAX_POWER = Number(process.env.BENCH_MAX_POWER ?? 18);
const QUANT = { scaleBits: 12, inputBits: 24 };
const WORK = path.join(ROOT, "zkml-build", "bench");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SMALL_ROUNDS = Number(process.env.BENCH_SMALL_ROUNDS ?? 1);
const SMALL = 10_000;
/** Issue 18's bar: the ratio is asked of every circuit of at least this many constraints. */
const LARGE = 100_000;

interface ModelResult {
  model: string;
  source: "example" | "pytorch" | "reference";
  status: "proven" | "unsupported" | "skipped" | "failed";
  reason?: string;
  ops?: string[];
  constraints?: number;
  constraintsByOp?: Record<string, number>;
  publicSignals?: number;
  power?: number;
  scaleBits?: number;
  body?: string;
  circuit?: StepResult;
  setup?: StepResult;
  /** Witness (median of 3) + the default (native) prover's Groth16 proof. */
  prove?: StepResult;
  witness?: StepResult;
  /** Both provers on the same key and witness, side by side. */
  provers?: ProverComparison;
  inferenceMs?: number;
  proveOverInference?: number;
  verifyGas?: number;
}

/** Verification gas of a real proof on Hardhat's in-process EVM (transaction incl. 21k base). */
async function verifyGas(dir: string): Promise<number | undefined> {
  // Compiled by the setup worker: soljson (WASM) compiling many verifiers in one process runs out of memory.
  if (!fs.existsSync(path.join(dir, "Verifier.json"))) return undefined;
  const { abi, bytecode } = JSON.parse(fs.readFileSync(path.join(dir, "Verifier.json"), "utf8"));
  const [signer] = await hre.ethers.getSigners();
  const verifier = await new hre.ethers.ContractFactory(abi, bytecode, signer).deploy();
  const { proof, publicSignals } = JSON.parse(fs.readFileSync(path.join(dir, "proof.json"), "utf8"));
  const cd = await provingSystem("snarkjs").calldata(proof, publicSignals);
  if (!(await verifier.getFunction("verifyProof")(cd.a, cd.b, cd.c, cd.publicSignals))) throw new Error("the verifier rejected a real proof");
  return Number(await verifier.getFunction("verifyProof").estimateGas(cd.a, cd.b, cd.c, cd.publicSignals));
}

/**
 * The PyTorch corpus models the bench proves too (examples/pytorch, committed), at the scale their e2e test
 * compiles them at: gpt (a GPT-style decoder, ~230k constraints at 2^9) is the bench's largest circuit.
 */
const PYTORCH_MODELS: Record<string, { scaleBits: number }> = { gpt: { scaleBits: 9 } };

interface BenchModel {
  model: string;
  onnx: string;
  input: string;
  source: ModelResult["source"];
  quant: { scaleBits: number; inputBits: number };
}

function modelList(): BenchModel[] {
  const examples = [...EXAMPLE_MODELS];
  const list: BenchModel[] = examples.map((model) => {
    const onnx = exampleModelOnnx(ROOT, model);
    return { model, onnx, input: path.join(path.dirname(onnx), "input.json"), source: "example" as const, quant: QUANT };
  });
  for (const [name, q] of Object.entries(PYTORCH_MODELS)) {
    const dir = path.join(ROOT, "examples", "pytorch", name);
    list.push({ model: `pytorch_${name}`, onnx: path.join(dir, "network.onnx"), input: path.join(dir, "input.json"), source: "pytorch", quant: { ...QUANT, ...q } });
  }
  if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
  for (const name of fs.readdirSync(MODELS_DIR).sort())
    list.push({ model: name, onnx: path.join(MODELS_DIR, name, "network.onnx"), input: path.join(MODELS_DIR, name, "input.json"), source: "reference", quant: QUANT });
  const only = process.env.BENCH_MODELS?.split(",");
  return only ? list.filter((m) => only.includes(m.model)) : list;
}

/**
 * A reference model bench/conformance.json (npm run conformance) already found to need a domain above
 * BENCH_MAX_POWER at its calibrated scale is skipped before compiling (mnist_gan: 1.7M constraints, compiled
 * and proven by `npm run gan` instead); the reason says so.
 */
function knownTooLarge(model: string): string | undefined {
  const file = path.join(ROOT, "bench", "conformance.json");
  if (!fs.existsSync(file)) return undefined;
  const row = (JSON.parse(fs.readFileSync(file, "utf8")).rows as { model: string; constraints?: number; scale?: number }[]).find((r) => r.model === model);
  if (!row?.constraints) return undefined;
  const power = Math.ceil(Math.log2(row.constraints + 1));
  return power > MAX_POWER ? `bench/conformance.json: ${row.constraints} constraints at scale 2^${row.scale}, setup needs 2^${power} > BENCH_MAX_POWER=${MAX_POWER} (see npm run gan)` : undefined;
}

const s = (ms?: number) => (ms === undefined ? "" : (ms / 1000).toFixed(2));

async function main(): Promise<void> {
  const results: ModelResult[] = [];
  const t0 = Date.now();
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  const tasks = new Listr(
    modelList().map((m) => ({
      title: m.model,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const r: ModelResult = { model: m.model, source: m.source, status: "failed" };
        results.push(r);
        const dir = path.join(WORK, m.model);
        fs.rmSync(dir, { recursive: true, force: true });
        try {
          const tooLarge = m.source === "reference" ? knownTooLarge(m.model) : undefined;
          if (tooLarge) {
            r.status = "skipped";
            r.reason = tooLarge;
            task.title = `${m.model}: skipped (${r.reason})`;
            return;
          }
          const quant = m.quant;
          if (quant.scaleBits !== QUANT.scaleBits) r.scaleBits = quant.scaleBits;
          task.output = "circuit";
          const circuit = await worker(["circuit", m.model, m.onnx, dir, String(quant.scaleBits), String(quant.inputBits)]).catch((e) => {
            r.status = "unsupported";
            throw e;
          });
          Object.assign(r, { circuit, body: circuit.body, constraints: circuit.constraints, publicSignals: circuit.publicSignals, ops: circuit.ops, constraintsByOp: circuit.constraintsByOp });
          delete (circuit as Partial<StepResult>).constraintsByOp;
          delete (circuit as Partial<StepResult>).ops;
          r.power = Math.ceil(Math.log2(r.constraints! + r.publicSignals! + 1));
          if (r.power > MAX_POWER) {
            r.status = "skipped";
            r.reason = `setup needs 2^${r.power} > BENCH_MAX_POWER=${MAX_POWER}`;
            task.title = `${m.model}: ${r.reason}`;
            return;
          }
          task.output = `setup (2^${r.power})`;
          r.setup = await worker(["setup", dir]);
          task.output = "witness";
          r.witness = await worker(["witness", dir, m.onnx, m.input, String(quant.scaleBits), String(quant.inputBits)]);
          const key = { zkey: path.join(dir, "model.zkey"), vkey: path.join(dir, "vkey.json"), wtns: path.join(dir, "witness.wtns"), outDir: dir };
          r.provers = await compareProvers({ ...key, rounds: r.constraints! >= SMALL ? ROUNDS : SMALL_ROUNDS, witnessMs: r.witness.ms, progress: (msg) => (task.output = msg) });
          // The default prover's proof, end to end: the witness and the native Groth16 proof from it.
          r.prove = { ms: r.witness.ms + r.provers.native.ms, peakMB: r.provers.native.peakMB };
          r.inferenceMs = r.witness.inferenceMs as number | undefined;
          if (r.inferenceMs) r.proveOverInference = Math.round(r.prove.ms / r.inferenceMs);
          task.output = "verify gas";
          r.verifyGas = await verifyGas(dir);
          if (r.verifyGas === undefined) r.reason = `proven and verified off-chain; no on-chain verifier: ${r.publicSignals} public signals (more than ${MAX_ONCHAIN_SIGNALS}) need packing`;
          r.status = "proven";
          task.title = `${m.model}: ${r.constraints} constraints, Groth16 native ${s(r.provers.native.ms)} s vs snarkjs ${s(r.provers.snarkjs.ms)} s (${r.provers.ratio}x), ${r.verifyGas === undefined ? "no on-chain verifier" : `${r.verifyGas} gas`}`;
        } catch (e) {
          r.reason = (e as Error).message;
          task.title = `${m.model}: ${r.status} (${r.reason})`;
        }
      },
    })),
    { concurrent: false, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  await tasks.run();

  const proven = results.filter((r) => r.status === "proven");
  console.log("");
  console.table(
    proven.map((r) => ({
      model: r.model,
      constraints: r.constraints,
      "pub": r.publicSignals,
      "circuit s": s(r.circuit?.ms),
      "setup s": s(r.setup?.ms),
      "prove s": s(r.prove?.ms),
      "peak MB c/s/p": `${r.circuit?.peakMB}/${r.setup?.peakMB}/${r.prove?.peakMB}`,
      "verify gas": r.verifyGas ?? "n/a",
      "ORT ms": r.inferenceMs?.toFixed(3),
      "prove/ORT": r.proveOverInference,
      "witness s": s(r.witness?.ms),
      "native s": s(r.provers?.native.ms),
      "snarkjs s": s(r.provers?.snarkjs.ms),
      "snarkjs/native": r.provers?.ratio,
      "peak MB n/s": `${r.provers?.native.peakMB}/${r.provers?.snarkjs.peakMB}`,
    })),
  );
  const large = ratioSummary(proven, LARGE);
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(
    `\nGroth16 prove, snarkjs / native, on circuits of >= ${LARGE.toLocaleString("en-US")} constraints: ` +
      (large.models.length === 0 ? "none proven in this run" : `${large.models.map((m) => `${m.model} (${m.constraints}) ${m.ratio}x`).join(", ")}; min ${large.min}x, median ${large.median}x; native peak RSS ${large.nativePeakNeverHigher ? "never above" : "ABOVE"} snarkjs's`),
  );
  const all = proven.map((r) => r.provers!.ratio);
  if (all.length) console.log(`all ${all.length} proven models: ratio min ${Math.min(...all)}x, median ${[...all].sort((a, b) => a - b)[Math.floor(all.length / 2)]}x, max ${Math.max(...all)}x; load average at the end ${load} (at the start ${loadStart})`);
  for (const r of results.filter((x) => x.status !== "proven" || x.reason)) console.log(`${r.model.padEnd(22)} ${r.status}: ${r.reason}`);
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, circom: require("../src/backend/circom").circomCommand().label },
    loadAverage: { start: loadStart, end: load, note: "os.loadavg() 1/5/15 min; other work may share the machine" },
    settings: {
      ...QUANT, maxPower: MAX_POWER, rounds: ROUNDS, smallRounds: { below: SMALL, rounds: SMALL_ROUNDS },
      gas: "estimateGas of a verifyProof transaction on Hardhat's in-process EVM (incl. 21k base)",
      witness: "full witness (circom's witness code; a direct body's linked gadgets too), median of 3 after a warm-up, written as a .wtns",
      provers: `native and snarkjs Groth16 on the same zkey and .wtns, each proof in its own process (peak RSS by GNU time): a warm-up proof then a timed one; ${ROUNDS} rounds (${SMALL_ROUNDS} below ${SMALL} constraints), alternating which prover goes first; ms = median; every proof verified (snarkjs verifier) and both provers' public signals equal`,
      prove: "witness + native Groth16 (the default prover)",
      inference: "median of 25 onnxruntime runs",
    },
    totalSeconds: Math.round((Date.now() - t0) / 1000),
    summary: { proven: proven.length, unsupported: results.filter((r) => r.status === "unsupported").length, skipped: results.filter((r) => r.status === "skipped").length, failed: results.filter((r) => r.status === "failed").length },
    speed: { ...large, allModels: all.length ? { min: Math.min(...all), max: Math.max(...all) } : undefined },
    models: results,
  };
  fs.mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench", "results.json"), JSON.stringify(out, null, 2) + "\n");
  console.log(`\n${proven.length} proven, ${out.summary.unsupported} unsupported, ${out.summary.skipped} skipped, ${out.summary.failed} failed in ${out.totalSeconds} s; wrote bench/results.json`);
  if (out.summary.failed > 0) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
