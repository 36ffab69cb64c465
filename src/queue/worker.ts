import os from "os";
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { ZkmlError } from "../errors";
import { loadChain, proveSegment } from "../pipeline/chain";
import { jobKey, ProveJobData, ProveJobResult, QUEUE_NAME, RESULT_PREFIX, redisConnection } from "./jobs";
import { materialize } from "./store";

export interface WorkerOptions {
  /** redis://host:port */
  redis: string;
  /** The shared artifact store (src/queue/store.ts). */
  store: string;
  /** This worker's own copy of the artifacts it proves with. */
  cacheDir: string;
  /** Shown in progress events and results (default: host and pid). */
  name?: string;
  /** Jobs at once (default 1: a proof already uses every core). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 30 s): a worker that dies mid-proof stops renewing it,
   * and its job goes back to the queue for another worker after this.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (default: lockDurationMs). */
  stalledIntervalMs?: number;
  /** A proof that takes longer fails its attempt (the job is retried; default: none). */
  proveTimeoutMs?: number;
  prover?: string;
  log?: (msg: string) => void;
  /**
   * Called after the artifacts are checked, just before the proof: fault tests pause or stop a worker here
   * (e.g. to kill it, or restart Redis, mid-proof).
   */
  beforeProve?: (data: ProveJobData) => Promise<void> | void;
}

export interface RunningWorker {
  name: string;
  worker: Worker;
  /** Proofs this worker made, by job key (a job done twice would count 2). */
  proved: Map<string, number>;
  /** Jobs this worker answered from the result cache. */
  cached: number;
  close(): Promise<void>;
}

/** Starts a worker that proves segment jobs from the queue until closed. */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { Worker, UnrecoverableError } = await import("bullmq");
  const { Redis } = await import("ioredis");
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const log = opts.log ?? (() => undefined);
  const connection = redisConnection(opts.redis);
  const results: Redis = new Redis({ ...(connection as object), maxRetriesPerRequest: null });
  const proved = new Map<string, number>();
  const state = { cached: 0 };

  const processor = async (job: Job<ProveJobData, ProveJobResult>): Promise<ProveJobResult> => {
    const data = job.data;
    const key = jobKey(data);
    if (job.id !== key) throw new UnrecoverableError(`job ${job.id} is not keyed by its content (${key})`);
    const done = await results.get(RESULT_PREFIX + key);
    if (done) {
      state.cached++;
      log(`${name}: segment ${data.segment} (${key.slice(0, 12)}) already proven: served from the result cache`);
      return JSON.parse(done) as ProveJobResult;
    }
    await job.updateProgress({ stage: "artifacts", worker: name });
    let dir: string;
    try {
      const seg = `seg${data.segment}/`;
      dir = materialize(opts.store, data.artifacts, opts.cacheDir, (rel) => rel === "chain.json" || rel === "model.onnx" || rel.startsWith(seg));
      const chain = loadChain(dir);
      const s = chain.segments[data.segment];
      if (!s) throw new ZkmlError(`the chain has no segment ${data.segment}`);
      if (s.zkeySha256 !== data.zkeySha256) throw new ZkmlError(`segment ${data.segment}'s proving key is ${s.zkeySha256}, the job expects ${data.zkeySha256}`);
    } catch (e) {
      // A corrupted or missing artifact does not heal by retrying here: the job fails at once, with the reason.
      throw new UnrecoverableError((e as Error).message);
    }
    await job.updateProgress({ stage: "prove", worker: name });
    await opts.beforeProve?.(data);
    log(`${name}: proving segment ${data.segment} (${key.slice(0, 12)}), attempt ${job.attemptsMade + 1}`);
    const proving = proveSegment(dir, data.segment, data.inputs.map(BigInt), { bindings: data.bindings, salt: data.salt, prover: opts.prover });
    const p = opts.proveTimeoutMs ? await withTimeout(proving, opts.proveTimeoutMs, `segment ${data.segment}: the proof took longer than ${opts.proveTimeoutMs} ms`) : await proving;
    proved.set(key, (proved.get(key) ?? 0) + 1);
    const result: ProveJobResult = { key, segment: data.segment, proof: p.proof, publicSignals: p.publicSignals, calldata: p.calldata, outputs: p.outputs, prover: p.prover, proveMs: p.proveMs, worker: name };
    // Written once: when another worker stored this job's result first, that one stands.
    await results.set(RESULT_PREFIX + key, JSON.stringify(result), "NX");
    await job.updateProgress({ stage: "done", worker: name });
    return JSON.parse((await results.get(RESULT_PREFIX + key))!) as ProveJobResult;
  };

  const worker = new Worker<ProveJobData, ProveJobResult>(QUEUE_NAME, processor, {
    connection,
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? opts.lockDurationMs ?? 30_000,
    maxStalledCount: 2,
    // BullMQ's default keeps every finished job's record; these keep the last ones for inspection.
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  });
  worker.on("failed", (job, err) => log(`${name}: job ${job?.id?.slice(0, 12)} failed: ${err.message}`));
  worker.on("error", (err) => log(`${name}: ${err.message}`));
  await worker.waitUntilReady();
  return {
    name,
    worker,
    proved,
    get cached() {
      return state.cached;
    },
    async close() {
      await worker.close();
      results.disconnect();
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new ZkmlError(message)), ms)))]).finally(() => clearTimeout(timer));
}
