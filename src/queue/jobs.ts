import type { ConnectionOptions } from "bullmq";
import { fail, ZkmlError } from "../errors";
import type { ChainSegment } from "../pipeline/chain";
import { sha256Hex } from "./store";

/**
 * The jobs of a chain (issue 20), as they travel through BullMQ on Redis: per segment, a setup (build the
 * segment's circuit and keys), a witness (on the activations the coordinator computed) and a proof (from that
 * witness). Artifacts travel through the store (src/queue/store.ts), jobs name them by hash.
 *
 * A job's id is its content key: everything its result depends on. The same work is therefore one job however
 * often it is submitted, and its result is kept in Redis under the same key (RESULT_PREFIX), written once: a
 * submission whose result exists is served from there, and a worker handed a job whose result exists (a retry
 * after a crash between writing it and acknowledging the job) returns it without redoing it.
 */
export const QUEUE_NAME = "zkml-jobs";
export const RESULT_PREFIX = "zkml:result:";

/** Build and key one segment of a planned chain. */
export interface SetupJobData {
  kind: "setup";
  /** The artifact set holding the chain's model.onnx and plan.json (and powers.ptau for a ceremony key). */
  artifacts: string;
  segment: number;
  /** The coordinator's compilerFingerprint(): a worker running other circuit code refuses the job. */
  compiler: string;
}

/** A segment's witness on its quantized inputs. */
export interface WitnessJobData {
  kind: "witness";
  /** The artifact set of the compiled chain. */
  artifacts: string;
  segment: number;
  /** The segment's quantized inputs, decimal. */
  inputs: string[];
  bindings?: Record<string, string>;
  salt?: string;
  /** With salted links: the salts of the segment's input and output links (decimal). */
  linkSalts?: { in?: string; out?: string };
  /** sha256 of the segment's proving key, from the chain manifest: checked by the worker. */
  zkeySha256: string;
}

/** A segment's Groth16 proof from a witness in the store. */
export interface ProveJobData {
  kind: "prove";
  artifacts: string;
  segment: number;
  /** sha256 of the .wtns blob a witness job stored. */
  witness: string;
  zkeySha256: string;
}

export type JobData = SetupJobData | WitnessJobData | ProveJobData;

interface ResultBase {
  key: string;
  segment: number;
  /** The worker that did the work. */
  worker: string;
  /** Wall time of the work, and the peak resident memory of the process that did it. */
  ms: number;
  peakMiB: number;
}

export interface SetupJobResult extends ResultBase {
  kind: "setup";
  /** The artifact set of the built segment directory (manifest, circuit, keys, verifier). */
  set: string;
  entry: ChainSegment;
}

export interface WitnessJobResult extends ResultBase {
  kind: "witness";
  /** sha256 of the .wtns blob in the store. */
  witness: string;
  /** The segment's quantized outputs (decimal), from the evaluator the witness was checked against. */
  outputs: string[];
}

export interface ProveJobResult extends ResultBase {
  kind: "prove";
  proof: unknown;
  publicSignals: string[];
  calldata: unknown;
  prover: string;
  proveMs: number;
}

export type JobResult = SetupJobResult | WitnessJobResult | ProveJobResult;
export type ResultOf<D extends JobData> = D extends SetupJobData ? SetupJobResult : D extends WitnessJobData ? WitnessJobResult : ProveJobResult;

/** A job that cannot succeed by retrying (a corrupted artifact, a worker with other circuit code): failed at once. */
export class JobRefused extends ZkmlError {}

/** A job's content key: sha256 over the canonical JSON of what its result depends on (hex, a valid BullMQ job id). */
export function jobKey(d: JobData): string {
  switch (d.kind) {
    case "setup":
      return sha256Hex(JSON.stringify(["setup", d.artifacts, d.segment, d.compiler]));
    case "witness": {
      const bindings = Object.fromEntries(Object.entries(d.bindings ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
      return sha256Hex(JSON.stringify(["witness", d.artifacts, d.segment, d.inputs, bindings, d.salt ?? null, d.linkSalts?.in ?? null, d.linkSalts?.out ?? null, d.zkeySha256]));
    }
    case "prove":
      return sha256Hex(JSON.stringify(["prove", d.artifacts, d.segment, d.witness, d.zkeySha256]));
  }
}

/** A Redis URL (`redis://host:port[/db]`) as BullMQ's connection options; workers must wait out a reconnect. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    fail(`Redis URL "${url}" is not a URL like redis://127.0.0.1:6379`);
  }
  if (u.protocol !== "redis:") fail(`Redis URL "${url}" must start with redis://`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) fail(`Redis URL "${url}": the database must be a number`);
  return { host: u.hostname || "127.0.0.1", port: Number(u.port || 6379), db, maxRetriesPerRequest: null };
}

/**
 * Fails in one line when Redis does not answer at `url` within `timeoutMs`: BullMQ's clients would otherwise
 * retry the connection for ever, and a coordinator or worker pointed at the wrong address would hang silently.
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const { Redis } = await import("ioredis");
  const probe = new Redis({ ...(redisConnection(url) as object), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The socket's own error (e.g. ECONNREFUSED) says more than the client's "Connection is closed": kept for the message.
  let cause: Error | undefined;
  probe.on("error", (e: Error) => (cause ??= e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    const why = (cause ?? (e as Error)).message.replace(/\.$/, "");
    fail(`cannot reach Redis at ${url}: ${why}; start one (redis-server) or pass --redis <url>`);
  } finally {
    probe.disconnect();
  }
}
