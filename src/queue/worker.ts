import { fork } from "child_process";
import os from "os";
import path from "path";
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { ZkmlError } from "../errors";
import { executeJob, JobContext } from "./execute";
import type { JobReply, JobRequest } from "./job-process";
import { checkRedis, JobData, JobRefused, jobKey, JobResult, QUEUE_NAME, RESULT_PREFIX, redisConnection } from "./jobs";

export interface WorkerOptions {
  /** redis://host:port */
  redis: string;
  /** The shared artifact store (src/queue/store.ts). */
  store: string;
  /** This worker's own copy of the artifacts it works with. */
  cacheDir: string;
  /** Shown in progress events and results (default: host and pid). */
  name?: string;
  /** Jobs at once (default 1: a setup or a proof already uses every core). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 30 s): a worker that dies mid-job stops renewing it,
   * and its job goes back to the queue for another worker after this.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (default: lockDurationMs). */
  stalledIntervalMs?: number;
  /**
   * Run each job in a child process of its own (default true). The worker's event loop then stays free to
   * renew the job's lock however long the job computes (a segment's lowering or setup holds the loop for
   * tens of seconds, past a 30 s lock), a timeout can kill the job, and each job's peak memory is its own.
   * In-process (false) suits small jobs and tests: no process start-up.
   */
  isolate?: boolean;
  /** A job that runs longer is aborted (its process killed; needs isolate) and its attempt fails, to be retried. */
  jobTimeoutMs?: number;
  prover?: string;
  log?: (msg: string) => void;
  /**
   * Called after a prove job is taken, just before it runs: fault tests pause or stop a worker here
   * (e.g. to kill it, or restart Redis, mid-proof).
   */
  beforeProve?: (data: JobData) => Promise<void> | void;
}

export interface RunningWorker {
  name: string;
  worker: Worker;
  /** Proofs this worker made, by job key (a job done twice would count 2). */
  proved: Map<string, number>;
  /** Jobs of each kind this worker did (not from the cache). */
  done: Record<JobData["kind"], number>;
  /** Jobs this worker answered from the result cache. */
  cached: number;
  /** Jobs aborted by the timeout, and the highest peak memory (MiB) of a job it ran. */
  aborted: number;
  peakMiB: number;
  close(): Promise<void>;
}

/** Starts a worker that runs setup, witness and prove jobs from the queue until closed. */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { Worker, UnrecoverableError } = await import("bullmq");
  const { Redis } = await import("ioredis");
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const log = opts.log ?? (() => undefined);
  const isolate = opts.isolate ?? true;
  if (opts.jobTimeoutMs !== undefined && !isolate) throw new ZkmlError("a job timeout needs isolated jobs (isolate: true): an in-process job cannot be aborted");
  await checkRedis(opts.redis);
  const connection = redisConnection(opts.redis);
  const results: Redis = new Redis({ ...(connection as object), maxRetriesPerRequest: null });
  const proved = new Map<string, number>();
  const state = { cached: 0, aborted: 0, peakMiB: 0, done: { setup: 0, witness: 0, prove: 0 } };
  const ctx: JobContext = { store: opts.store, cacheDir: opts.cacheDir, worker: name, prover: opts.prover, log };

  const processor = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const data = job.data;
    const key = jobKey(data);
    if (job.id !== key) throw new UnrecoverableError(`job ${job.id} is not keyed by its content (${key})`);
    const stored = await results.get(RESULT_PREFIX + key);
    if (stored) {
      state.cached++;
      log(`${name}: ${data.kind} of segment ${data.segment} (${key.slice(0, 12)}) already done: served from the result cache`);
      return JSON.parse(stored) as JobResult;
    }
    await job.updateProgress({ stage: data.kind, worker: name });
    if (data.kind === "prove") await opts.beforeProve?.(data);
    log(`${name}: ${data.kind} of segment ${data.segment} (${key.slice(0, 12)}), attempt ${job.attemptsMade + 1}`);
    let result: JobResult;
    try {
      result = isolate ? await runInChild(data, ctx, opts.jobTimeoutMs, state) : await executeJob(data, ctx);
    } catch (e) {
      if (e instanceof JobRefused) throw new UnrecoverableError(e.message);
      throw e;
    }
    state.done[data.kind]++;
    state.peakMiB = Math.max(state.peakMiB, result.peakMiB);
    if (data.kind === "prove") proved.set(key, (proved.get(key) ?? 0) + 1);
    // Written once: when another worker stored this job's result first, that one stands.
    await results.set(RESULT_PREFIX + key, JSON.stringify(result), "NX");
    await job.updateProgress({ stage: "done", worker: name });
    return JSON.parse((await results.get(RESULT_PREFIX + key))!) as JobResult;
  };

  const worker = new Worker<JobData, JobResult>(QUEUE_NAME, processor, {
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
    get done() {
      return { ...state.done };
    },
    get cached() {
      return state.cached;
    },
    get aborted() {
      return state.aborted;
    },
    get peakMiB() {
      return state.peakMiB;
    },
    async close() {
      await worker.close();
      results.disconnect();
    },
  };
}

/** The child process entry (compiled .js in the package; the .ts through ts-node in this repository). */
const JOB_PROCESS = path.join(__dirname, `job-process${path.extname(__filename)}`);

/** Runs one job in a child process; kills it (SIGKILL) if it outlives `timeoutMs`. */
function runInChild(data: JobData, ctx: JobContext, timeoutMs: number | undefined, state: { aborted: number }): Promise<JobResult> {
  const execArgv = __filename.endsWith(".ts") ? ["-r", require.resolve("ts-node/register/transpile-only")] : [];
  const child = fork(JOB_PROCESS, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    let timedOut = false;
    // On timeout the process is killed, and the attempt fails once it has exited: attempts never overlap.
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("message", (m: JobReply) => {
      if ("log" in m) return ctx.log(m.log);
      if ("result" in m) return settle(() => resolve(m.result as JobResult));
      settle(() => reject(m.refused ? new JobRefused(m.error) : m.user ? new ZkmlError(m.error) : new Error(m.error)));
    });
    child.once("error", (e) => settle(() => reject(e)));
    child.once("exit", (code, signal) => {
      if (!timedOut) return settle(() => reject(new Error(`${data.kind} of segment ${data.segment}: the job's process exited (${signal ?? code}) without a result`)));
      state.aborted++;
      ctx.log(`${ctx.worker}: ${data.kind} of segment ${data.segment} aborted after ${timeoutMs} ms (process ${child.pid} killed)`);
      settle(() => reject(new ZkmlError(`${data.kind} of segment ${data.segment}: aborted after ${timeoutMs} ms (the job's timeout)`)));
    });
    const req: JobRequest = { data, ctx: { store: ctx.store, cacheDir: ctx.cacheDir, worker: ctx.worker, prover: ctx.prover } };
    child.send(req);
  });
}
