// Issue 20's measurement: deep_cnn (src/examples/benchmarks/deep_cnn.ts, built by the project's own builder) is
// refused as one proof by this machine's default limit (defaultMaxConstraints: what its memory can set up and
// prove), compiled as a chain of segments sized to a per-prover memory budget, each segment built and keyed by a
// setup job on 2 worker processes (scripts/queue-worker.ts, every job in a child process of its own), then proven
// through the queue (a witness and a prove job per segment) by 1 and then 2 workers, on a redis-server of its
// own, and verified on-chain by ChainVerifier. Writes bench/chain.json.
//
//   npx hardhat run scripts/chain-bench.ts
//   env: ZKML_CHAIN_MEMORY_MIB (per-prover budget, default 4096), ZKML_CHAIN_DIR (work directory, default a
//        temporary one; kept), ZKML_CHAIN_OUT (default bench/chain.json)
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import readline from "readline";
import hre from "hardhat";
import { benchmarkModelOnnx } from "../src/examples/benchmarks";
import { strokeImages } from "../src/examples/benchmarks/mnist_cnn";
import { compileModel } from "../src/pipeline/compile";
import { chainInputs, segmentConstraintLimit } from "../src/pipeline/chain";
import { solidityLayout } from "../src/privacy/layout";
import { proveDistributed } from "../src/queue/coordinator";
import { startLocalRedis } from "../src/queue/redis-server";
import { compileChainDistributed } from "../src/queue/setup";
import { defaultMaxConstraints } from "../src/quantize/estimate";
import { asProof, statement } from "../src/statements/zkml-model";

const ROOT = path.resolve(__dirname, "..");
const MEMORY_MIB = Number(process.env.ZKML_CHAIN_MEMORY_MIB ?? 4096);
const DIR = process.env.ZKML_CHAIN_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-bench-"));
const OUT = process.env.ZKML_CHAIN_OUT ?? path.join(ROOT, "bench", "chain.json");
const QUANT = { scaleBits: 8, inputBits: 12, widthMargin: Number(process.env.ZKML_CHAIN_WIDTH_MARGIN ?? 2) };

interface WorkerProcess {
  name: string;
  proc: ChildProcess;
  lines: string[];
}

function startWorkerProcess(name: string, redis: string, store: string): Promise<WorkerProcess> {
  const proc = spawn(
    process.execPath,
    [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(__dirname, "queue-worker.ts"), "--redis", redis, "--store", store, "--cache", path.join(DIR, `cache-${name}`), "--name", name],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout! });
    rl.on("line", (l) => {
      lines.push(l);
      if (l.endsWith(": ready")) resolve({ name, proc, lines });
    });
    proc.once("exit", (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
}

/** Stops a worker and returns its own report line (jobs, peak memory of the worker and of its jobs' processes). */
async function stopWorker(w: WorkerProcess): Promise<string> {
  const exited = new Promise((r) => w.proc.once("exit", r));
  w.proc.kill("SIGTERM");
  await exited;
  return w.lines.find((l) => l.includes(": stopped;")) ?? "(no report)";
}

async function withWorkers<T>(n: number, tag: string, redis: string, store: string, fn: () => Promise<T>): Promise<{ value: T; wallS: number; reports: string[] }> {
  const workers: WorkerProcess[] = [];
  try {
    for (let k = 0; k < n; k++) workers.push(await startWorkerProcess(`${tag}-${k}`, redis, store));
    const t0 = Date.now();
    const value = await fn();
    const wallS = (Date.now() - t0) / 1000;
    const reports = [];
    for (const w of workers.splice(0)) reports.push(await stopWorker(w));
    return { value, wallS, reports };
  } finally {
    for (const w of workers) w.proc.kill("SIGKILL");
  }
}

const s1 = (ms: number) => Math.round(ms / 100) / 10;

async function main() {
  const log = (m: string) => console.log(m);
  const onnx = benchmarkModelOnnx(ROOT, "deep_cnn");
  const machineLimit = defaultMaxConstraints(os.totalmem());
  const started = Date.now();
  const segmentLimit = segmentConstraintLimit({ maxMemoryMiB: MEMORY_MIB })!;
  log(`deep_cnn, scale 2^${QUANT.scaleBits}; machine limit ${machineLimit.toLocaleString("en-US")} estimated constraints (${(os.totalmem() / 2 ** 30).toFixed(1)} GiB); segments within ${MEMORY_MIB} MiB = ${segmentLimit.toLocaleString("en-US")}; work in ${DIR}`);

  // One proof: refused at this machine's default limit, before anything is built.
  let single = "NOT refused";
  try {
    await compileModel({ name: "deep_cnn_whole", onnx, buildDir: path.join(DIR, "whole"), quant: { scaleBits: QUANT.scaleBits, inputBits: QUANT.inputBits }, log: () => undefined });
  } catch (e) {
    single = (e as Error).message;
  }
  log(`single proof: ${single}`);

  const redis = await startLocalRedis(path.join(DIR, "redis"));
  const store = path.join(DIR, "store");
  const result: Record<string, unknown> = { date: new Date().toISOString(), model: "deep_cnn", quant: QUANT, machine: { cpus: os.cpus().length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version }, machineLimit, single, memoryBudgetMiB: MEMORY_MIB, segmentLimit };
  try {
    const setupLoad = os.loadavg()[0];
    const setup = await withWorkers(2, "setup", redis.url, store, () =>
      compileChainDistributed({
        name: "deep_cnn_chain", onnx, buildDir: path.join(DIR, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT,
        segments: { maxMemoryMiB: MEMORY_MIB }, body: "direct", store, redis: redis.url, log, force: process.env.ZKML_CHAIN_FORCE === "1",
        // Calibrated widths from the model's own calibration images: without them fifty layers' worst-case bounds
        // grow ~3 bits a layer (a 31-bit input after 7 blocks, 164 bits by the last segment).
        calibration: { inputs: JSON.parse(fs.readFileSync(path.join(path.dirname(onnx), "calibration.json"), "utf8")), samples: 9 },
      }),
    );
    const chain = setup.value;
    const m = chain.manifest;
    // The setup's figures, kept next to the chain: a run that finds the chain built reports the run that built it.
    const setupFile = path.join(DIR, "setup.json");
    const jobs = chain.cached && fs.existsSync(setupFile) ? (JSON.parse(fs.readFileSync(setupFile, "utf8")) as { jobs: typeof chain.jobs; wallS: number; loadAverage: number[]; reports: string[] }) : undefined;
    const setupJobs = jobs?.jobs ?? chain.jobs;
    const setupInfo = jobs ?? { jobs: chain.jobs, wallS: setup.wallS, loadAverage: [setupLoad, os.loadavg()[0]], reports: setup.reports };
    if (!chain.cached) fs.writeFileSync(setupFile, JSON.stringify(setupInfo, null, 2));
    const jobSumS = s1(setupJobs.reduce((t, j) => t + j.ms, 0));
    log(`chain: ${m.segments.length} segments set up by 2 workers in ${setupInfo.wallS.toFixed(1)} s wall (sum of the setup jobs ${jobSumS} s)${chain.cached ? ", in the run that built it" : ""}`);
    const total = m.segments.reduce((t, s) => t + s.constraints, 0);
    const segments = m.segments.map((s) => {
      const j = setupJobs.find((x) => x.segment === s.index);
      const seg = JSON.parse(fs.readFileSync(path.join(chain.dir, s.dir, "manifest.json"), "utf8"));
      const row = { segment: s.index, from: s.from?.tensor ?? "input", to: s.to?.tensor ?? "output", constraints: s.constraints, domainPower: seg.ptau.power, inputBits: s.quant.inputBits, inputUnsigned: s.quant.inputUnsigned === true, setupWorker: j?.worker, setupS: j ? s1(j.ms) : undefined, setupPeakMiB: j?.peakMiB };
      log(`  segment ${row.segment}: ${row.from} -> ${row.to}: ${row.constraints.toLocaleString("en-US")} constraints (2^${row.domainPower}), inputs ${row.inputBits} bits${row.inputUnsigned ? " unsigned" : ""}; set up by ${row.setupWorker} in ${row.setupS} s, peak ${row.setupPeakMiB} MiB`);
      return row;
    });
    log(`  total ${total.toLocaleString("en-US")} constraints`);
    Object.assign(result, { segments, totalConstraints: total, setup: { workers: 2, ...setupInfo, jobs: undefined, jobSumS, resumed: chain.cached } });

    const images = strokeImages(3, 0xc4a1).map(([img]) => img);
    const runs = [];
    let last: Awaited<ReturnType<typeof proveDistributed>> | undefined;
    let lastInput: unknown;
    for (const n of [1, 2]) {
      lastInput = { input_data: [images[n]] }; // a fresh image per run: nothing from the result cache
      const load = os.loadavg()[0];
      const run = await withWorkers(n, `prove${n}`, redis.url, store, () => proveDistributed(lastInput, { chainDir: chain.dir, store, redis: redis.url }));
      last = run.value;
      log(`${n} worker${n > 1 ? "s" : ""}: chain proven and verified in ${run.wallS.toFixed(1)} s wall time`);
      const jobs = last.jobs.map((j) => ({ segment: j.segment, witness: { worker: j.witness.worker, s: s1(j.witness.ms), peakMiB: j.witness.peakMiB, attempts: j.witness.attempts, stalls: j.witness.stalls }, prove: { worker: j.worker, s: s1(j.ms), groth16S: s1(last!.segments[j.segment].proveMs), peakMiB: j.peakMiB, attempts: j.attempts, stalls: j.stalls } }));
      for (const j of jobs) log(`  segment ${j.segment}: witness by ${j.witness.worker} ${j.witness.s} s (peak ${j.witness.peakMiB} MiB), proof by ${j.prove.worker} ${j.prove.s} s (Groth16 ${j.prove.groth16S} s, peak ${j.prove.peakMiB} MiB); attempts ${j.witness.attempts}+${j.prove.attempts}, stalls ${j.witness.stalls}+${j.prove.stalls}`);
      for (const r of run.reports) log(`  ${r}`);
      runs.push({ workers: n, wallS: run.wallS, loadAverage: [load, os.loadavg()[0]], jobs, reports: run.reports });
    }
    result.prove = runs;
    result.speedup = +((runs[0].wallS / runs[1].wallS).toFixed(2));

    // On-chain: one ZkmlModel adapter per segment verifier, and the ChainVerifier over them.
    await hre.run("compile", { quiet: true });
    const adapters = [];
    for (const s of m.segments) {
      const verifier = await hre.ethers.deployContract(s.contractName);
      adapters.push(await hre.ethers.deployContract("ZkmlModel", [await verifier.getAddress(), s.modelHash, solidityLayout(s.publicSignals, QUANT.scaleBits), 0n]));
    }
    const verifier = await hre.ethers.deployContract("ChainVerifier", [await Promise.all(adapters.map((a) => a.getAddress()))]);
    const proofs = last!.segments.map((p) => asProof(p.calldata));
    const links = last!.segments.slice(0, -1).map((p, i) => BigInt(p.publicSignals[m.segments[i].publicSignals.outputs.offset]));
    const st = statement({ inputs: chainInputs(chain.dir, m, lastInput), outputs: last!.outputs.map(BigInt) });
    if (!(await verifier.verifyStatement(proofs, links, st))) throw new Error("the chain does not verify on-chain");
    const gas = Number(await verifier.verifyStatement.estimateGas(proofs, links, st));
    log(`on-chain: ChainVerifier.verifyStatement ${gas.toLocaleString("en-US")} gas for ${proofs.length} segments (${(gas / proofs.length).toFixed(0)} per segment)`);
    result.verifyGas = { total: gas, perSegment: Math.round(gas / proofs.length) };
  } finally {
    await redis.stop();
  }
  result.totalS = (Date.now() - started) / 1000;
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${path.relative(process.cwd(), OUT)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
