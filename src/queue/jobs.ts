import type { ConnectionOptions } from "bullmq";
import { fail } from "../errors";
import { sha256Hex } from "./store";

/**
 * The proving jobs of a chain (issue 20), as they travel through BullMQ on Redis.
 *
 * A job proves one segment on its quantized inputs. Its id is its content key: the artifact set (which fixes
 * the chain, its keys and circuits), the segment and the inputs, bindings and salt. The same work is therefore
 * one job however often it is submitted, and its result is kept in Redis under the same key (RESULT_PREFIX),
 * written once: a submission whose result exists is served from there, and a worker that is handed a job whose
 * result exists (a retry after a crash between writing it and acknowledging the job) returns it unproven.
 */
export const QUEUE_NAME = "zkml-prove";
export const RESULT_PREFIX = "zkml:result:";

export interface ProveJobData {
  /** The artifact set the chain was published as (src/queue/store.ts). */
  artifacts: string;
  segment: number;
  /** The segment's quantized inputs, decimal. */
  inputs: string[];
  bindings?: Record<string, string>;
  salt?: string;
  /** sha256 of the segment's proving key, from the chain manifest: checked again by the worker before proving. */
  zkeySha256: string;
}

/** What a worker stores and returns for a job. */
export interface ProveJobResult {
  key: string;
  segment: number;
  proof: unknown;
  publicSignals: string[];
  calldata: unknown;
  outputs: string[];
  prover: string;
  proveMs: number;
  /** The worker that made the proof. */
  worker: string;
}

/** A job's content key: sha256 over the canonical JSON of what the proof depends on (hex, a valid BullMQ job id). */
export function jobKey(d: ProveJobData): string {
  const bindings = Object.fromEntries(Object.entries(d.bindings ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  return sha256Hex(JSON.stringify(["prove", d.artifacts, d.segment, d.inputs, bindings, d.salt ?? null, d.zkeySha256]));
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
