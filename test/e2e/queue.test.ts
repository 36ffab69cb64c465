import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { Queue } from "bullmq";
import { deepMlpOnnx } from "../../src/examples/models/deep_mlp";
import { chainActivations, chainInputs, compileChain, CompiledChain, verifyChain } from "../../src/pipeline/chain";
import { proveDistributed } from "../../src/queue/coordinator";
import { QUEUE_NAME, redisConnection } from "../../src/queue/jobs";
import { LocalRedis, startLocalRedis } from "../../src/queue/redis-server";
import { publishDir, readSet } from "../../src/queue/store";
import { RunningWorker, startWorker } from "../../src/queue/worker";

/**
 * Issue 20: a chain's segments proven by workers pulling jobs from BullMQ on a real redis-server (started here,
 * on a free loopback port, append-only), artifacts through a shared directory checked by hash, and the faults
 * the queue must survive.
 */
describe("distributed proving (BullMQ on Redis)", function () {
  const ROOT = path.resolve(__dirname, "..", "..");
  let tmp: string;
  let redis: LocalRedis;
  let compiled: CompiledChain;
  const workers: RunningWorker[] = [];
  const children: ChildProcess[] = [];
  const input = (k: number) => ({ input_data: [[0.5, -0.25, 0.75, -1, 0.125, k / 8]] });
  const expected = (k: number) => {
    const acts = chainActivations(compiled.dir, compiled.manifest, chainInputs(compiled.dir, compiled.manifest, input(k)));
    return acts[acts.length - 1].map(String);
  };
  const worker = async (name: string, extra: Partial<Parameters<typeof startWorker>[0]> = {}) => {
    const w = await startWorker({ redis: redis.url, store: path.join(tmp, "store"), cacheDir: path.join(tmp, `cache-${name}`), name, lockDurationMs: 1000, stalledIntervalMs: 500, ...extra });
    workers.push(w);
    return w;
  };
  const closeWorkers = async () => {
    for (const w of workers.splice(0)) await w.close();
  };
  const queueCounts = async () => {
    const q = new Queue(QUEUE_NAME, { connection: redisConnection(redis.url) });
    try {
      return await q.getJobCounts("waiting", "active", "delayed", "failed", "completed");
    } finally {
      await q.close();
    }
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-queue-"));
    const onnx = path.join(tmp, "deep.onnx");
    fs.writeFileSync(onnx, deepMlpOnnx({ widths: [6, 12, 12, 12, 3], seed: 21 }));
    compiled = await compileChain({ name: "queue_demo", onnx, buildDir: path.join(tmp, "build"), quant: { scaleBits: 8, inputBits: 12 }, segments: { cuts: ["a1", "a2"] }, log: () => undefined });
    redis = await startLocalRedis(path.join(tmp, "redis"));
  });
  afterEach(async () => {
    await closeWorkers();
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
  after(async () => {
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("proves a chain with two workers; the chain verifies and its output is the evaluator's", async () => {
    const [a, b] = [await worker("A"), await worker("B")];
    const stages: string[] = [];
    const r = await proveDistributed(input(1), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: redis.url, onProgress: (e) => stages.push(`${e.segment}:${e.stage}`) });
    expect(r.outputs).to.deep.equal(expected(1));
    expect(await verifyChain(compiled.dir, r.segments)).to.deep.equal({ valid: true });
    expect(r.jobs.map((j) => j.cached)).to.deep.equal([false, false, false]);
    // Every segment proven exactly once, by one of the two workers, and its progress reported.
    const proofs = [...a.proved.values(), ...b.proved.values()];
    expect(proofs).to.deep.equal([1, 1, 1]);
    for (const s of [0, 1, 2]) expect(stages).to.include(`${s}:prove`);
    console.log(`      jobs: ${r.jobs.map((j) => `segment ${j.segment} by ${j.worker} (attempts ${j.attempts}, stalls ${j.stalls})`).join("; ")}`);
  });

  it("serves a duplicate submission from the result cache, proving nothing again", async () => {
    const a = await worker("A2");
    const r = await proveDistributed(input(1), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: redis.url });
    expect(r.jobs.map((j) => j.cached)).to.deep.equal([true, true, true]);
    expect(r.outputs).to.deep.equal(expected(1));
    expect(a.proved.size).to.equal(0);
    expect(await verifyChain(compiled.dir, r.segments)).to.deep.equal({ valid: true });
  });

  it("refuses a corrupted artifact (hash mismatch) without retrying it", async () => {
    const store = path.join(tmp, "store-corrupt");
    // The same chain in a store of its own, then the second segment's proving key damaged there.
    const id = publishDir(store, compiled.dir);
    const set = readSet(store, id);
    const blob = path.join(store, "blobs", set.files["seg1/model.zkey"]);
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(blob, bytes);
    await startWorker({ redis: redis.url, store, cacheDir: path.join(tmp, "cache-C"), name: "C" }).then((w) => workers.push(w));
    let err: Error | undefined;
    try {
      await proveDistributed(input(2), { chainDir: compiled.dir, store, redis: redis.url });
    } catch (e) {
      err = e as Error;
    }
    expect(id).to.equal(publishDir(store, compiled.dir)); // publishing again does not repair or replace a blob
    expect(err?.message).to.match(/artifact seg1\/model\.zkey is corrupted in the store: expected sha256 [0-9a-f]{64}, its content hashes to [0-9a-f]{64}; refusing to use it/);
    expect(workers[0].proved.size).to.be.at.most(2); // the other segments may have been proven; segment 1 never
    const q = new Queue(QUEUE_NAME, { connection: redisConnection(redis.url) });
    try {
      const failed = await q.getFailed();
      const job = failed.find((j) => j.data.segment === 1 && j.data.artifacts === id);
      expect(job?.attemptsMade).to.equal(1); // unrecoverable: not retried
    } finally {
      await q.close();
    }
  });

  it("retries a job whose worker is killed mid-proof on another worker; the chain still verifies", async () => {
    // Worker "doomed" runs in its own process, takes one job and stops just before proving, holding its lock.
    const doomed = spawn(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "scripts", "queue-worker.ts"), "--redis", redis.url, "--store", path.join(tmp, "store"), "--cache", path.join(tmp, "cache-doomed"), "--name", "doomed", "--lock-ms", "1000", "--hold-before-prove"],
      { cwd: ROOT, stdio: "ignore" },
    );
    children.push(doomed);
    let killedAt: number | undefined;
    let rescuer: Promise<RunningWorker> | undefined;
    const r = await proveDistributed(input(3), {
      chainDir: compiled.dir,
      store: path.join(tmp, "store"),
      redis: redis.url,
      onProgress: (e) => {
        if (e.worker === "doomed" && e.stage === "prove" && killedAt === undefined) {
          killedAt = e.segment;
          doomed.kill("SIGKILL");
          // Only now is there a worker that can prove: the doomed one's job must come back to the queue for it.
          rescuer = worker("rescuer");
        }
      },
    });
    await rescuer;
    expect(killedAt).to.be.a("number");
    expect(await verifyChain(compiled.dir, r.segments)).to.deep.equal({ valid: true });
    expect(r.outputs).to.deep.equal(expected(3));
    const retried = r.jobs[killedAt!];
    expect(retried.worker).to.equal("rescuer");
    expect(retried.stalls).to.be.at.least(1);
    expect([...workers[0].proved.values()]).to.deep.equal([1, 1, 1]);
    console.log(`      jobs: ${r.jobs.map((j) => `segment ${j.segment} by ${j.worker} (attempts ${j.attempts}, stalls ${j.stalls})`).join("; ")}`);
  });

  it("survives a Redis restart mid-run (append-only): no job lost, none done twice", async () => {
    let restarted = false;
    const w = await worker("steady", {
      lockDurationMs: 30_000,
      beforeProve: async () => {
        if (restarted) return;
        restarted = true;
        await redis.restart(); // one job active, the others waiting, all in Redis only
      },
    });
    const r = await proveDistributed(input(4), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: redis.url });
    expect(restarted).to.equal(true);
    expect(await verifyChain(compiled.dir, r.segments)).to.deep.equal({ valid: true });
    expect(r.outputs).to.deep.equal(expected(4));
    expect([...w.proved.values()]).to.deep.equal([1, 1, 1]);
    const counts = await queueCounts();
    expect([counts.waiting, counts.active, counts.delayed]).to.deep.equal([0, 0, 0]);
    console.log(`      jobs: ${r.jobs.map((j) => `segment ${j.segment} by ${j.worker} (attempts ${j.attempts}, stalls ${j.stalls})`).join("; ")}; queue ${JSON.stringify(counts)}`);
  });
});
