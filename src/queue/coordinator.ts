import type { Redis } from "ioredis";
import { fail, invariant } from "../errors";
import { chainActivations, ChainProof, chainInputs, loadChain, SegmentProof, verifyChain } from "../pipeline/chain";
import { jobKey, ProveJobData, ProveJobResult, QUEUE_NAME, RESULT_PREFIX, redisConnection } from "./jobs";
import { publishDir } from "./store";

export interface DistributedProveOptions {
  /** A compiled chain's directory (src/pipeline/chain.ts). */
  chainDir: string;
  /** The shared artifact store the workers read (src/queue/store.ts). */
  store: string;
  /** redis://host:port */
  redis: string;
  /** The last segment's bound values (as for proveModel). */
  bindings?: Record<string, bigint | string | number>;
  /** The first segment's input salt. */
  salt?: bigint | string | number;
  /** Attempts per job before it fails (default 3). */
  attempts?: number;
  /** Give up waiting for the chain after this long (default: wait). */
  timeoutMs?: number;
  /** Progress events of the jobs: which worker is at which stage of which segment. */
  onProgress?: (e: { segment: number; stage: string; worker: string }) => void;
  log?: (msg: string) => void;
}

export interface DistributedProof extends ChainProof {
  /** Per segment: served from the result cache (no job), and the attempts and stalls of its job. */
  jobs: { segment: number; key: string; cached: boolean; attempts: number; stalls: number; worker: string }[];
}

/**
 * The coordinator: publishes the chain's artifacts to the store, computes every boundary's activations with the
 * bit-exact evaluator, enqueues one job per segment (all at once: the segments are proven in parallel by
 * whichever workers are free), waits for them, and assembles and checks the chain.
 */
export async function proveDistributed(rawInput: unknown, opts: DistributedProveOptions): Promise<DistributedProof> {
  const { Queue, QueueEvents, Job } = await import("bullmq");
  const { Redis } = await import("ioredis");
  const log = opts.log ?? (() => undefined);
  const chain = loadChain(opts.chainDir);
  const artifacts = publishDir(opts.store, opts.chainDir);
  const acts = chainActivations(opts.chainDir, chain, chainInputs(opts.chainDir, chain, rawInput));
  const n = chain.segments.length;
  const bindings = Object.fromEntries(Object.entries(opts.bindings ?? {}).map(([k, v]) => [k, BigInt(v).toString()]));
  const jobs: ProveJobData[] = chain.segments.map((s, i) => ({
    artifacts,
    segment: i,
    inputs: acts[i].map(String),
    ...(i === n - 1 && Object.keys(bindings).length > 0 ? { bindings } : {}),
    ...(i === 0 && opts.salt !== undefined ? { salt: BigInt(opts.salt).toString() } : {}),
    zkeySha256: s.zkeySha256,
  }));
  const keys = jobs.map(jobKey);

  const connection = redisConnection(opts.redis);
  const queue = new Queue<ProveJobData, ProveJobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const results: Redis = new Redis({ ...(connection as object), maxRetriesPerRequest: null });
  try {
    await events.waitUntilReady();
    const segmentOf = new Map(keys.map((k, i) => [k, i]));
    events.on("progress", ({ jobId, data }) => {
      const seg = segmentOf.get(jobId);
      const d = data as { stage?: string; worker?: string };
      if (seg !== undefined && opts.onProgress && d && typeof d === "object") opts.onProgress({ segment: seg, stage: String(d.stage), worker: String(d.worker) });
    });
    const cached = await Promise.all(keys.map((k) => results.get(RESULT_PREFIX + k)));
    const pending: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      if (cached[i]) {
        log(`${chain.name}: segment ${i} served from the result cache`);
        continue;
      }
      const job = await queue.add("prove", jobs[i], { jobId: keys[i], attempts: opts.attempts ?? 3, backoff: { type: "fixed", delay: 200 } });
      log(`${chain.name}: segment ${i} queued as ${keys[i].slice(0, 12)}`);
      pending.push(job.waitUntilFinished(events, opts.timeoutMs).then(() => undefined));
    }
    await Promise.all(pending);
    const out: ProveJobResult[] = [];
    const stats: DistributedProof["jobs"] = [];
    for (let i = 0; i < n; i++) {
      const stored = await results.get(RESULT_PREFIX + keys[i]);
      if (!stored) fail(`segment ${i}: its job finished but no result is stored under ${keys[i]}`);
      const r = JSON.parse(stored) as ProveJobResult;
      invariant(r.key === keys[i] && r.segment === i, `the result stored under ${keys[i]} is for another job`);
      out.push(r);
      const job = cached[i] ? undefined : await Job.fromId(queue, keys[i]);
      stats.push({ segment: i, key: keys[i], cached: cached[i] !== null, attempts: job?.attemptsMade ?? 0, stalls: job?.stalledCounter ?? 0, worker: r.worker });
    }
    const segments = out.map((r): SegmentProof => ({ index: r.segment, proof: r.proof as SegmentProof["proof"], publicSignals: r.publicSignals, calldata: r.calldata as SegmentProof["calldata"], outputs: r.outputs, prover: r.prover, proveMs: r.proveMs }));
    const check = await verifyChain(opts.chainDir, segments);
    if (!check.valid) fail(`the chain of "${chain.name}" assembled from the workers' proofs does not verify: ${check.reason}`);
    const outputs = segments[n - 1].outputs;
    invariant(outputs.length === acts[n].length && outputs.every((v, j) => BigInt(v) === acts[n][j]), "the last segment's outputs differ from the evaluator's");
    return { segments, outputs, jobs: stats };
  } finally {
    await events.close();
    await queue.close();
    results.disconnect();
  }
}
