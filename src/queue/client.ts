import type { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { fail, invariant } from "../errors";
import { checkRedis, JobData, jobKey, JobResult, QUEUE_NAME, RESULT_PREFIX, redisConnection, ResultOf } from "./jobs";

/** How one job went: served from the result cache (never queued), or its attempts and stalls (a worker lost mid-job). */
export interface JobStats {
  kind: JobData["kind"];
  segment: number;
  key: string;
  cached: boolean;
  attempts: number;
  stalls: number;
  worker: string;
  ms: number;
  peakMiB: number;
}

export interface JobClientOptions {
  /** Attempts per job before it fails (default 3). */
  attempts?: number;
  /** Give up waiting for a job after this long (default: wait). */
  timeoutMs?: number;
  /** Progress events of the jobs this client submitted. */
  onProgress?: (e: { kind: JobData["kind"]; segment: number; stage: string; worker: string }) => void;
}

/**
 * The coordinator's side of the queue: submits a job under its content key, or serves it from the result
 * cache, waits for it, and reads its result (written once by whichever worker did it).
 */
export class JobClient {
  private readonly submitted = new Map<string, JobData>();
  private failed = false;

  private constructor(
    private readonly queue: Queue<JobData, JobResult>,
    private readonly events: QueueEvents,
    private readonly results: Redis,
    private readonly opts: JobClientOptions,
  ) {
    events.on("progress", ({ jobId, data }) => {
      const job = this.submitted.get(jobId);
      const d = data as { stage?: string; worker?: string };
      if (job && opts.onProgress && d && typeof d === "object") opts.onProgress({ kind: job.kind, segment: job.segment, stage: String(d.stage), worker: String(d.worker) });
    });
  }

  static async open(redis: string, opts: JobClientOptions = {}): Promise<JobClient> {
    const { Queue, QueueEvents } = await import("bullmq");
    const { Redis } = await import("ioredis");
    await checkRedis(redis);
    const connection = redisConnection(redis);
    const events = new QueueEvents(QUEUE_NAME, { connection });
    await events.waitUntilReady();
    return new JobClient(new Queue(QUEUE_NAME, { connection }), events, new Redis({ ...(connection as object), maxRetriesPerRequest: null }), opts);
  }

  /** The job's result: from the cache, or from a worker once the job is done (rejects when it fails for good). */
  async run<D extends JobData>(data: D): Promise<{ result: ResultOf<D>; stats: JobStats }> {
    if (this.failed) fail(`${data.kind} of segment ${data.segment}: not submitted, another step of the same run failed`);
    const key = jobKey(data);
    const cached = await this.results.get(RESULT_PREFIX + key);
    let job: Job<JobData, JobResult> | undefined;
    if (!cached) {
      this.submitted.set(key, data);
      const add = () => this.queue.add(data.kind, data, { jobId: key, attempts: this.opts.attempts ?? 3, backoff: { type: "fixed", delay: 200 } });
      job = await add();
      // The same job failed for good before (e.g. its artifacts were missing then): submitted again, it runs again.
      if ((await job.getState()) === "failed") {
        await job.remove();
        job = await add();
      }
      await job.waitUntilFinished(this.events, this.opts.timeoutMs);
    }
    const stored = cached ?? (await this.results.get(RESULT_PREFIX + key));
    if (!stored) fail(`${data.kind} of segment ${data.segment}: its job finished but no result is stored under ${key}`);
    const result = JSON.parse(stored) as ResultOf<D>;
    invariant(result.key === key && result.kind === data.kind && result.segment === data.segment, `the result stored under ${key} is for another job`);
    const { Job } = await import("bullmq");
    const record = job && (await Job.fromId(this.queue, key));
    const stats: JobStats = {
      kind: data.kind, segment: data.segment, key, cached: cached !== null, attempts: record?.attemptsMade ?? 0, stalls: record?.stalledCounter ?? 0,
      worker: result.worker, ms: result.ms, peakMiB: result.peakMiB,
    };
    return { result, stats };
  }

  /**
   * Runs `work` for each item at once and waits for all of them, also when one fails: a failed step leaves no
   * job of this submission still queued or running behind the caller's back. Once one fails, the others submit
   * nothing more (their next run() is refused); the first failure is what rejects.
   */
  async all<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
    let first: { error: unknown } | undefined;
    const settled = await Promise.allSettled(
      items.map((item) =>
        work(item).catch((error) => {
          first ??= { error };
          this.failed = true;
          throw error;
        }),
      ),
    );
    if (first) throw first.error;
    return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
    this.results.disconnect();
  }
}
