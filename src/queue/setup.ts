import fs from "fs";
import os from "os";
import path from "path";
import { invariant } from "../errors";
import {
  CHAIN_FILE, CHAIN_PLAN_FILE, ChainCompileOptions, chainBuildKey, chainManifest, CompiledChain, fileSha256, planChain, readChainSource, upToDateChain, writeVerifiers,
} from "../pipeline/chain";
import { writeDirAtomically, writeJson } from "../pipeline/files";
import { loadManifest } from "../pipeline/manifest";
import { JobClient, JobStats } from "./client";
import { SOURCE_PTAU_FILE } from "./execute";
import { extractSet, publishDir } from "./store";

export interface DistributedCompileOptions extends ChainCompileOptions {
  /** The shared artifact store the workers read and write. */
  store: string;
  /** redis://host:port */
  redis: string;
  attempts?: number;
  timeoutMs?: number;
  onProgress?: (e: { segment: number; stage: string; worker: string }) => void;
}

export interface DistributedChain extends CompiledChain {
  /** One setup job per segment (none when the chain was up to date). */
  jobs: JobStats[];
}

/**
 * Compiles a model as a chain through the queue: the plan is made here (cuts and every segment's input range,
 * so segments do not wait for each other), each segment is built and keyed by a setup job on whichever worker
 * is free, and the results (each a set in the store, checked by hash) are assembled into the same directory
 * compileChain writes.
 */
export async function compileChainDistributed(opts: DistributedCompileOptions): Promise<DistributedChain> {
  const { onnxBytes, graph } = readChainSource(opts);
  const buildKey = chainBuildKey(opts, onnxBytes);
  const cached = upToDateChain(opts, buildKey);
  if (cached) return { ...cached, jobs: [] };
  const plan = planChain(opts, graph, buildKey);
  opts.log(`${opts.name}: ${plan.segments.length} segments, cut at ${plan.segments.slice(1).map((s) => s.from!.tensor).join(", ")}; setup jobs queued`);
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-source-"));
  let artifacts: string;
  try {
    fs.writeFileSync(path.join(src, "model.onnx"), onnxBytes);
    writeJson(path.join(src, CHAIN_PLAN_FILE), plan);
    if (opts.ptau) fs.copyFileSync(opts.ptau, path.join(src, SOURCE_PTAU_FILE));
    artifacts = publishDir(opts.store, src);
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
  const client = await JobClient.open(opts.redis, { attempts: opts.attempts, timeoutMs: opts.timeoutMs, onProgress: opts.onProgress });
  let done;
  try {
    done = await client.all(plan.segments, (s) => client.run({ kind: "setup", artifacts, segment: s.index, compiler: plan.compiler }));
  } finally {
    await client.close();
  }
  const dir = path.join(opts.buildDir, opts.name);
  const manifest = await writeDirAtomically(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, "model.onnx"), onnxBytes);
    writeJson(path.join(tmp, CHAIN_PLAN_FILE), plan);
    for (const { result } of done) {
      const segDir = extractSet(opts.store, result.set, path.join(tmp, result.entry.dir));
      invariant(fileSha256(path.join(segDir, "model.zkey")) === result.entry.zkeySha256, `segment ${result.segment}: the proving key in the store is not the one its setup job reported`);
      invariant(loadManifest(segDir).modelHash === result.entry.modelHash, `segment ${result.segment}: the manifest in the store is not the one its setup job reported`);
    }
    const chain = chainManifest(plan, done.map((d) => d.result.entry));
    writeJson(path.join(tmp, CHAIN_FILE), chain);
    return chain;
  });
  writeVerifiers(dir, manifest, opts.verifiersDir);
  for (const { stats } of done) opts.log(`${opts.name}: segment ${stats.segment} set up by ${stats.worker} in ${(stats.ms / 1000).toFixed(1)} s${stats.cached ? " (from the result cache)" : ""}`);
  return { dir, manifest, cached: false, jobs: done.map((d) => d.stats) };
}
