/* eslint-disable @typescript-eslint/no-explicit-any */
import { ffjavascript } from "./deps";
import { fr } from "./field";
import { loadNativeAddon, nativeAddonPath } from "../native";
import { streamOrdered, WorkerPool } from "./pool";

export type GroupName = "G1" | "G2";

/** How a job's scalars are produced inside the worker (see makeScalars in worker.ts). */
export type ScalarSpec =
  | { kind: "geom"; first: bigint; ratio: bigint }
  | { kind: "lagrange"; mc: bigint; tau: bigint; x0: bigint; step: bigint }
  | { kind: "bytes"; data: Uint8Array }
  | { kind: "lincomb"; parts: { data: Uint8Array; coef: bigint }[] };

export interface Encodings {
  lem?: boolean; // affine, Montgomery, little-endian: how .ptau/.zkey store points
  c?: boolean; // compressed (big-endian x + flags): hashed into a ptau response
  u?: boolean; // uncompressed (big-endian x‖y + flags): hashed into challenges and circuit hashes
}
export type Encoded = { lem?: Uint8Array; c?: Uint8Array; u?: Uint8Array };

/** Points per worker job: large enough to amortize each round's field inversion, small enough to pipeline. */
const CHUNK = { G1: 1 << 12, G2: 1 << 11 };

/** One unit of work for `DevSession.run`: n points s_i·G for the scalars `spec()` describes. */
export interface PointJob {
  group: GroupName;
  n: number;
  spec: () => ScalarSpec;
  enc: Encodings;
  done: (r: Encoded) => void;
}

/**
 * Jobs computing `total` points of a group in chunks; `specAt(first, n)` describes the scalars of
 * points first..first+n−1 and `done` receives each chunk's encodings, in order.
 */
export function chunkJobs(
  group: GroupName,
  total: number,
  specAt: (first: number, n: number) => ScalarSpec,
  enc: Encodings,
  done: (r: Encoded, first: number) => void,
): PointJob[] {
  const jobs: PointJob[] = [];
  for (let first = 0; first < total; first += CHUNK[group]) {
    const n = Math.min(CHUNK[group], total - first);
    jobs.push({ group, n, enc, spec: () => specAt(first, n), done: (r) => done(r, first) });
  }
  return jobs;
}

/** A job that computes nothing and calls `f` when the jobs before it are done. */
export function marker(f: () => void): PointJob {
  return { group: "G1", n: 0, enc: {}, spec: () => ({ kind: "bytes", data: new Uint8Array(0) }), done: f };
}

/** Windows of ⌊254/w⌋+1 signed w-bit digits cover any scalar below r < 2^254. */
const windowsFor = (w: number) => Math.floor(254 / w) + 1;

/**
 * One single-party development setup run: the secrets (τ, α, β) it knows while it runs, the worker
 * threads that turn scalars into points, and the fixed-base tables for G1/G2.
 *
 * Everything is computed from scalars: with τ known, the i-th power of tau is just (τ^i)·G and the
 * i-th Lagrange point is L_i(τ)·G, so no FFT over curve points is ever needed. `close()` drops the
 * secrets (JS cannot zero a BigInt, so dropping the only references is what we can do) and
 * terminates the threads, whose memory held them transiently.
 */
export class DevSession {
  private secrets?: { tau: bigint; alpha: bigint; beta: bigint };
  private readonly tables = new Map<GroupName, number>();

  private constructor(
    readonly pool: WorkerPool,
    /** ffjavascript's bn128, single-threaded: used for a few individual points and the roots of unity. */
    readonly curve: any,
    readonly log: (m: string) => void,
  ) {
    let tau: bigint;
    // τ must not be a 2^k-th root of unity, or some Lagrange denominator τ − ω^i would vanish.
    do tau = fr.random();
    while (fr.pow(tau, 2n ** 28n) === 1n);
    this.secrets = { tau, alpha: fr.random(), beta: fr.random() };
  }

  /**
   * `opts.native` (default true): compute points with the native addon's fixed-base multiplication
   * when it loads, else with WASM. Measured (`npm run bench:setup -- 16` and `-- 16 --wasm`, side by
   * side, machine loaded): the 2^16 ptau in 28.8 s native against 43.9 s WASM, 1.5x.
   */
  static async open(log: (m: string) => void = () => undefined, threads?: number, opts: { native?: boolean } = {}): Promise<DevSession> {
    const curve = await ffjavascript().buildBn128(true);
    const addon = opts.native === false ? undefined : loadNativeAddon();
    const nativePath = addon && !("error" in addon) ? nativeAddonPath() : undefined;
    return new DevSession(new WorkerPool(threads, nativePath), curve, log);
  }

  /** Whether points come from the native addon (true) or the WASM tables (false). */
  get native(): boolean {
    return this.pool.nativeAddon !== undefined;
  }

  private get s(): { tau: bigint; alpha: bigint; beta: bigint } {
    if (!this.secrets) throw new Error("dev setup session is closed: its secrets were discarded");
    return this.secrets;
  }
  get tau(): bigint {
    return this.s.tau;
  }
  get alpha(): bigint {
    return this.s.alpha;
  }
  get beta(): bigint {
    return this.s.beta;
  }

  /** The primitive 2^p-th root of unity snarkjs's FFT uses (ffjavascript's Fr.w[p]). */
  omega(p: number): bigint {
    const Fr = this.curve.Fr;
    if (p > Fr.s) throw new Error(`no 2^${p}-th root of unity in Fr`);
    return BigInt(Fr.toObject(Fr.w[p]));
  }

  /**
   * Builds and loads the fixed-base table for a group, sized for about `expected` multiplications:
   * window w minimizes (multiplications × windows) + (table entries), capped at 15 bits: a table stays
   * 17 MiB (G1) / 34 MiB (G2), and the native addon's signed digits (int16) reach 2^(w-1) = 2^14 at
   * most (a 16-bit window's 2^15 would overflow). Kept for the rest of the session.
   */
  async ensureTable(group: GroupName, expected: number): Promise<void> {
    if (this.tables.has(group)) return;
    let w = 4;
    const cost = (v: number) => expected * windowsFor(v) + windowsFor(v) * 2 ** (v - 1);
    for (let v = 5; v <= 15; v++) if (cost(v) < cost(w)) w = v;
    const nw = windowsFor(w);
    const t0 = Date.now();
    if (this.native) {
      // One table per process (the addon's), built by the first worker, found by the others.
      await this.pool.broadcast({ cmd: "nativeTable", group, w });
      this.tables.set(group, w);
      this.log(`  ${group} native fixed-base table: ${nw} windows of 2^${w - 1} points in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    const per = Math.ceil(nw / this.pool.size);
    const parts: { table: Uint8Array }[] = await Promise.all(
      Array.from({ length: Math.ceil(nw / per) }, (_, k) =>
        this.pool.run({ cmd: "buildTable", group, w, j0: k * per, j1: Math.min(nw, (k + 1) * per) }),
      ),
    );
    const bytes = new Uint8Array(parts.reduce((a, p) => a + p.table.byteLength, 0));
    let off = 0;
    for (const p of parts) {
      bytes.set(p.table, off);
      off += p.table.byteLength;
    }
    await this.pool.broadcast({ cmd: "loadTable", group, w, nw, bytes });
    this.tables.set(group, w);
    this.log(`  ${group} fixed-base table: ${nw} windows of 2^${w - 1} points (${(bytes.byteLength / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** n points s_i·G for the scalars described by `spec`, in the requested encodings. */
  points(group: GroupName, spec: ScalarSpec, n: number, enc: Encodings): Promise<Encoded> {
    if (!this.tables.has(group)) throw new Error(`no ${group} table loaded`);
    return this.pool.run({ cmd: "points", group, scalars: spec, n, enc });
  }

  /**
   * Runs a list of jobs through the workers with a bounded number in flight, handing each result to
   * its job's `done` strictly in list order (so sections can be written as results arrive). Keeping
   * all sections of a phase in one list keeps both threads busy across section boundaries. Jobs with
   * n = 0 are markers: they run nothing, but their `done` is called in order.
   */
  async run(jobs: PointJob[]): Promise<void> {
    await streamOrdered(
      jobs.length,
      2 * this.pool.size,
      (i) => {
        const j = jobs[i];
        return j.n === 0 ? Promise.resolve({}) : this.points(j.group, j.spec(), j.n, j.enc);
      },
      (r, i) => jobs[i].done(r),
    );
  }

  /** Worker-side encoding conversion of LEM points (e.g. to hash a section read back from disk). */
  encode(group: GroupName, lem: Uint8Array, enc: Encodings): Promise<Encoded> {
    return this.pool.run({ cmd: "encode", group, lem, enc });
  }

  async close(): Promise<void> {
    this.secrets = undefined;
    await this.pool.terminate();
  }
}
