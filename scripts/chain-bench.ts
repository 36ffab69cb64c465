// Issue 20's measurement: a deep MLP (src/examples/models/deep_mlp.ts) refused as one proof at a per-prover
// limit, compiled as a chain of segments each within it, proven through the queue by 1 and then 2 worker
// processes (scripts/queue-worker.ts) on a redis-server of its own, then verified on-chain by ChainVerifier.
//
//   npx hardhat run scripts/chain-bench.ts
//   ZKML_CHAIN_WIDTHS=64,1024,1024,1024,1024,10 ZKML_CHAIN_MAX=20000 ZKML_CHAIN_DIR=/tmp/zkml-chain-bench
//
// ZKML_CHAIN_MAX is the per-prover limit in estimated constraints (zkml's maxConstraints: what the graph
// estimate, a lower estimate, may reach). Everything is written under ZKML_CHAIN_DIR (default: a temporary
// directory), the segment verifiers to the project's verifiers directory.
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import readline from "readline";
import hre from "hardhat";
import { deepMlpOnnx } from "../src/examples/models/deep_mlp";
import { compileModel } from "../src/pipeline/compile";
import { compileChain } from "../src/pipeline/chain";
import { solidityLayout } from "../src/privacy/layout";
import { proveDistributed } from "../src/queue/coordinator";
import { startLocalRedis } from "../src/queue/redis-server";
import { asProof, statement } from "../src/statements/zkml-model";
import { chainInputs } from "../src/pipeline/chain";

const WIDTHS = (process.env.ZKML_CHAIN_WIDTHS ?? "64,1024,1024,1024,1024,10").split(",").map(Number);
const LIMIT = Number(process.env.ZKML_CHAIN_MAX ?? 20_000);
const DIR = process.env.ZKML_CHAIN_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-bench-"));
const QUANT = { scaleBits: 8, inputBits: 12 };

function startWorkerProcess(name: string, redis: string, store: string): Promise<{ proc: ChildProcess; lines: string[] }> {
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
      if (l.endsWith(": ready")) resolve({ proc, lines });
    });
    proc.once("exit", (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
}

async function stopWorker(w: { proc: ChildProcess; lines: string[] }): Promise<string> {
  const exited = new Promise((r) => w.proc.once("exit", r));
  w.proc.kill("SIGTERM");
  await exited;
  return w.lines.find((l) => l.includes(": stopped;")) ?? "(no report)";
}

async function main() {
  const log = (m: string) => console.log(m);
  const onnx = path.join(DIR, "deep_mlp.onnx");
  fs.writeFileSync(onnx, deepMlpOnnx({ widths: WIDTHS, seed: 2020 }));
  log(`deep_mlp [${WIDTHS.join(", ")}], scale 2^${QUANT.scaleBits}, per-prover limit ${LIMIT.toLocaleString("en-US")} estimated constraints; work in ${DIR}`);

  // One proof: refused before anything is built.
  try {
    await compileModel({ name: "chain_bench_whole", onnx, buildDir: path.join(DIR, "whole"), quant: QUANT, maxConstraints: LIMIT, log: () => undefined });
    log("single proof: NOT refused (raise the widths or lower ZKML_CHAIN_MAX)");
  } catch (e) {
    log(`single proof: ${(e as Error).message}`);
  }

  let t0 = Date.now();
  const { dir, manifest } = await compileChain({
    name: "chain_bench", onnx, buildDir: path.join(DIR, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT,
    segments: { maxConstraints: LIMIT }, body: "direct", log: () => undefined, force: true,
  });
  log(`chain: ${manifest.segments.length} segments, compiled and keyed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const s of manifest.segments) log(`  segment ${s.index}: nodes from ${s.from?.tensor ?? "the input"} to ${s.to?.tensor ?? "the output"}, ${s.constraints.toLocaleString("en-US")} constraints, inputs ${s.quant.inputBits} bits`);

  const redis = await startLocalRedis(path.join(DIR, "redis"));
  const store = path.join(DIR, "store");
  let last: Awaited<ReturnType<typeof proveDistributed>> | undefined;
  let input: unknown;
  try {
    for (const n of [1, 2]) {
      const workers = [];
      for (let k = 0; k < n; k++) workers.push(await startWorkerProcess(`w${n}-${k}`, redis.url, store));
      input = { input_data: [Array.from({ length: WIDTHS[0] }, (_, i) => Math.sin(i + n))] }; // a fresh input: nothing cached
      t0 = Date.now();
      last = await proveDistributed(input, { chainDir: dir, store, redis: redis.url });
      const wall = (Date.now() - t0) / 1000;
      const reports = [];
      for (const w of workers) reports.push(await stopWorker(w));
      log(`${n} worker${n > 1 ? "s" : ""}: chain proven and verified in ${wall.toFixed(1)} s wall time`);
      for (const j of last.jobs) log(`  segment ${j.segment}: by ${j.worker}, attempts ${j.attempts}, stalls ${j.stalls}, Groth16 ${(last.segments[j.segment].proveMs / 1000).toFixed(2)} s`);
      for (const r of reports) log(`  ${r}`);
    }
  } finally {
    await redis.stop();
  }

  // On-chain: one ZkmlModel adapter per segment verifier, and the ChainVerifier over them.
  await hre.run("compile", { quiet: true });
  const adapters = [];
  for (const s of manifest.segments) {
    const verifier = await hre.ethers.deployContract(s.contractName);
    adapters.push(await hre.ethers.deployContract("ZkmlModel", [await verifier.getAddress(), s.modelHash, solidityLayout(s.publicSignals, QUANT.scaleBits), 0n]));
  }
  const chain = await hre.ethers.deployContract("ChainVerifier", [await Promise.all(adapters.map((a) => a.getAddress()))]);
  const proofs = last!.segments.map((p) => asProof(p.calldata));
  const links = last!.segments.slice(0, -1).map((p, i) => BigInt(p.publicSignals[manifest.segments[i].publicSignals.outputs.offset]));
  const s = statement({ inputs: chainInputs(dir, manifest, input), outputs: last!.outputs.map(BigInt) });
  if (!(await chain.verifyStatement(proofs, links, s))) throw new Error("the chain does not verify on-chain");
  const gas = await chain.verifyStatement.estimateGas(proofs, links, s);
  log(`on-chain: ChainVerifier.verifyStatement ${gas.toLocaleString("en-US")} gas for ${proofs.length} segments (${(Number(gas) / proofs.length).toFixed(0)} per segment)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
