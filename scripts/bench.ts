// npm run bench: compile, set up, prove and verify (off-chain and on the in-process EVM) every example
// model and every reference model that compiles; prints a table and writes bench/results.json.
//   BENCH_MODELS=a,b        only these models
//   BENCH_MAX_POWER=18      skip models whose setup needs a larger domain
//   ZKML_MODELS_DIR=...     the reference models (default ../shared/models/ezkl)
import { spawn } from "child_process";
import fs from "fs";
import hre from "hardhat";
import { Listr } from "listr2";
import os from "os";
import path from "path";
import { provingSystem } from "../src/backend/provers";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { EXAMPLE_MODELS, exampleModelOnnx } from "../src/examples";
import { MAX_ONCHAIN_SIGNALS } from "./bench/limits";

const ROOT = hre.config.paths.root;
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const MAX_POWER = Number(process.env.BENCH_MAX_POWER ?? 18);
const QUANT = { scaleBits: 12, inputBits: 24 };
const WORK = path.join(ROOT, "zkml-build", "bench");

interface StepResult {
  ms: number;
  peakMB: number;
  [k: string]: unknown;
}

interface ModelResult {
  model: string;
  source: "example" | "reference";
  status: "proven" | "unsupported" | "skipped" | "failed";
  reason?: string;
  ops?: string[];
  constraints?: number;
  constraintsByOp?: Record<string, number>;
  publicSignals?: number;
  power?: number;
  circuit?: StepResult;
  setup?: StepResult;
  prove?: StepResult;
  inferenceMs?: number;
  proveOverInference?: number;
  verifyGas?: number;
}

/** Runs one worker step under GNU time, so the step's peak RSS (incl. circom's process) is known. */
function worker(args: string[]): Promise<StepResult> {
  const script = path.join(__dirname, "bench", "worker.ts");
  const node = [process.execPath, "-r", "ts-node/register/transpile-only", script, ...args];
  const timed = fs.existsSync("/usr/bin/time");
  const [cmd, ...argv] = timed ? ["/usr/bin/time", "-f", "PEAK_KB %M", ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const result = /BENCH_RESULT (.*)/.exec(out);
      const peak = /PEAK_KB (\d+)/.exec(err);
      if (code !== 0 || !result) return reject(new Error(/BENCH_ERROR (.*)/.exec(err)?.[1] ?? (err.trim().split("\n").pop() || `exit ${code}`)));
      resolve({ ...JSON.parse(result[1]), peakMB: peak ? Math.round(Number(peak[1]) / 1024) : NaN });
    });
  });
}

/** Verification gas of a real proof on Hardhat's in-process EVM (transaction incl. 21k base). */
async function verifyGas(dir: string): Promise<number | undefined> {
  // Compiled by the setup worker: soljson (WASM) compiling many verifiers in one process runs out of memory.
  if (!fs.existsSync(path.join(dir, "Verifier.json"))) return undefined;
  const { abi, bytecode } = JSON.parse(fs.readFileSync(path.join(dir, "Verifier.json"), "utf8"));
  const [signer] = await hre.ethers.getSigners();
  const verifier = await new hre.ethers.ContractFactory(abi, bytecode, signer).deploy();
  const { proof, publicSignals } = JSON.parse(fs.readFileSync(path.join(dir, "proof.json"), "utf8"));
  const cd = await provingSystem().calldata(proof, publicSignals);
  if (!(await verifier.getFunction("verifyProof")(cd.a, cd.b, cd.c, cd.publicSignals))) throw new Error("the verifier rejected a real proof");
  return Number(await verifier.getFunction("verifyProof").estimateGas(cd.a, cd.b, cd.c, cd.publicSignals));
}

function modelList(): { model: string; onnx: string; input: string; source: ModelResult["source"] }[] {
  const examples = [...EXAMPLE_MODELS];
  const list: ReturnType<typeof modelList> = examples.map((model) => {
    const onnx = exampleModelOnnx(ROOT, model);
    return { model, onnx, input: path.join(path.dirname(onnx), "input.json"), source: "example" as const };
  });
  if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
  for (const name of fs.readdirSync(MODELS_DIR).sort())
    list.push({ model: name, onnx: path.join(MODELS_DIR, name, "network.onnx"), input: path.join(MODELS_DIR, name, "input.json"), source: "reference" });
  const only = process.env.BENCH_MODELS?.split(",");
  return only ? list.filter((m) => only.includes(m.model)) : list;
}

const s = (ms?: number) => (ms === undefined ? "" : (ms / 1000).toFixed(2));

async function main(): Promise<void> {
  const results: ModelResult[] = [];
  const t0 = Date.now();
  const tasks = new Listr(
    modelList().map((m) => ({
      title: m.model,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const r: ModelResult = { model: m.model, source: m.source, status: "failed" };
        results.push(r);
        const dir = path.join(WORK, m.model);
        fs.rmSync(dir, { recursive: true, force: true });
        try {
          task.output = "circuit";
          const circuit = await worker(["circuit", m.model, m.onnx, dir, String(QUANT.scaleBits), String(QUANT.inputBits)]).catch((e) => {
            r.status = "unsupported";
            throw e;
          });
          Object.assign(r, { circuit, constraints: circuit.constraints, publicSignals: circuit.publicSignals, ops: circuit.ops, constraintsByOp: circuit.constraintsByOp });
          r.power = Math.ceil(Math.log2(r.constraints! + r.publicSignals! + 1));
          if (r.power > MAX_POWER) {
            r.status = "skipped";
            r.reason = `setup needs 2^${r.power} > BENCH_MAX_POWER=${MAX_POWER}`;
            task.title = `${m.model}: ${r.reason}`;
            return;
          }
          task.output = `setup (2^${r.power})`;
          r.setup = await worker(["setup", dir]);
          task.output = "prove";
          r.prove = await worker(["prove", dir, m.onnx, m.input, String(QUANT.scaleBits), String(QUANT.inputBits)]);
          r.inferenceMs = r.prove.inferenceMs as number;
          r.proveOverInference = Math.round(r.prove.ms / r.inferenceMs);
          task.output = "verify gas";
          r.verifyGas = await verifyGas(dir);
          if (r.verifyGas === undefined) r.reason = `proven and verified off-chain; no on-chain verifier: ${r.publicSignals} public signals (more than ${MAX_ONCHAIN_SIGNALS}) need packing`;
          r.status = "proven";
          task.title = `${m.model}: ${r.constraints} constraints, prove ${s(r.prove.ms)} s, ${r.verifyGas === undefined ? "no on-chain verifier" : `${r.verifyGas} gas`}`;
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
    })),
  );
  for (const r of results.filter((x) => x.status !== "proven" || x.reason)) console.log(`${r.model.padEnd(22)} ${r.status}: ${r.reason}`);
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, circom: require("../src/backend/circom").circomCommand().label },
    settings: { ...QUANT, maxPower: MAX_POWER, gas: "estimateGas of a verifyProof transaction on Hardhat's in-process EVM (incl. 21k base)", prove: "witness + Groth16 proof, after a warm-up proof", inference: "median of 25 onnxruntime runs" },
    totalSeconds: Math.round((Date.now() - t0) / 1000),
    summary: { proven: proven.length, unsupported: results.filter((r) => r.status === "unsupported").length, skipped: results.filter((r) => r.status === "skipped").length, failed: results.filter((r) => r.status === "failed").length },
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
