/* eslint-disable @typescript-eslint/no-explicit-any */
import os from "os";
import { Worker } from "worker_threads";
import { bn128Wasm } from "./deps";
import { workerSource } from "./worker";

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  worker: number;
}

/**
 * A small pool of our own WASM worker threads (see worker.ts). Jobs go to the worker with the fewest
 * jobs in flight; each worker handles its messages in order.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly inflight: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed?: Error;
  /** Milliseconds each worker spent computing (for utilization reports). */
  readonly busyMs: number[];

  /**
   * `nativeAddon`: the path of the native addon (src/backend/native.ts) when the workers should use
   * its fixed-base multiplication; undefined for the WASM one.
   */
  constructor(size = Math.max(1, os.cpus().length), readonly nativeAddon?: string) {
    const { module, pointers } = bn128Wasm();
    const src = workerSource();
    this.workers = Array.from({ length: size }, (_, i) => {
      const w = new Worker(src, { eval: true, workerData: { module, pointers, nativeAddon } });
      w.on("message", (m: any) => this.settle(m));
      w.on("error", (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
      w.on("exit", (code) => code !== 0 && this.fail(new Error(`dev-setup worker ${i} exited with code ${code}`)));
      return w;
    });
    this.inflight = this.workers.map(() => 0);
    this.busyMs = this.workers.map(() => 0);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one job on the least-loaded worker. */
  run(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<any> {
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.inflight[i] < this.inflight[best]) best = i;
    return this.post(best, msg, transfer);
  }

  /** Sends the same job to every worker (e.g. to load a table). */
  broadcast(msg: Record<string, unknown>): Promise<any[]> {
    return Promise.all(this.workers.map((_, i) => this.post(i, msg, [])));
  }

  async terminate(): Promise<void> {
    this.failed ??= new Error("worker pool terminated");
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private post(worker: number, msg: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<any> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    this.inflight[worker]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.workers[worker].postMessage({ ...msg, id }, transfer);
    });
  }

  private settle(m: { id: number; result?: any; error?: string; busyMs?: number }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.inflight[p.worker]--;
    this.busyMs[p.worker] += m.busyMs ?? 0;
    if (m.error !== undefined) p.reject(new Error(`dev-setup worker: ${m.error}`));
    else p.resolve(m.result);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/**
 * Runs `count` jobs with a bounded number in flight and hands their results to `consume` strictly in
 * order, so a section can be streamed to disk while later chunks are still being computed.
 */
export async function streamOrdered<R>(
  count: number,
  window: number,
  start: (i: number) => Promise<R>,
  consume: (r: R, i: number) => void | Promise<void>,
): Promise<void> {
  const running: Promise<R>[] = [];
  let next = 0;
  let done = 0;
  const launch = () => {
    for (; next < count && next - done < window; next++) {
      const p = start(next);
      p.catch(() => undefined); // surfaced when awaited below; avoids an unhandled rejection meanwhile
      running[next] = p;
    }
  };
  launch();
  for (; done < count; ) {
    const r = await running[done];
    delete running[done];
    done++;
    launch();
    await consume(r, done - 1);
  }
}
