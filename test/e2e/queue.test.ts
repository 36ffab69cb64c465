import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import net from "net";
import path from "path";
import { Queue } from "bullmq";
import { deepMlpOnnx } from "../../src/examples/models/deep_mlp";
import { chainActivations, chainInputs, compileChain, CompiledChain, proveChain, verifyChain } from "../../src/pipeline/chain";
import { proveDistributed } from "../../src/queue/coordinator";
import { QUEUE_NAME, redisConnection } from "../../src/queue/jobs";
import { LocalRedis, startLocalRedis } from "../../src/queue/redis-server";
import { compileChainDistributed } from "../../src/queue/setup";
import { publishDir, readSet } from "../../src/queue/store";
import { RunningWorker, startWorker } from "../../src/queue/worker";
import { rejectsWith } from "./helpers";

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
    const w = await startWorker({ redis: redis.url, store: path.join(tmp, "store"), cacheDir: path.join(tmp, `cache-${name}`), name, lockDurationMs: 1000, stalledIntervalMs: 500, isolate: false, ...extra });
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

  it("proves a chain with two workers, each job in a process of its own; the chain verifies and its output is the evaluator's", async () => {
    const [a, b] = [await worker("A", { isolate: true }), await worker("B", { isolate: true })];
    const stages: string[] = [];
    const r = await proveDistributed(input(1), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: redis.url, onProgress: (e) => stages.push(`${e.segment}:${e.stage}`) });
    expect(r.outputs).to.deep.equal(expected(1));
    expect(await verifyChain(compiled.dir, r.segments)).to.deep.equal({ valid: true });
    expect(r.jobs.map((j) => j.cached)).to.deep.equal([false, false, false]);
    // Every segment proven exactly once, by one of the two workers, and its progress reported.
    const proofs = [...a.proved.values(), ...b.proved.values()];
    expect(proofs).to.deep.equal([1, 1, 1]);
    for (const s of [0, 1, 2]) expect(stages).to.include.members([`${s}:witness`, `${s}:prove`]);
    // On one filesystem the store and the workers' caches hold hard links, not copies, of the chain's files.
    const id = publishDir(path.join(tmp, "store"), compiled.dir);
    const key = path.join(compiled.dir, "seg0", "model.zkey");
    const cached = [path.join(tmp, "cache-A", id, "seg0", "model.zkey"), path.join(tmp, "cache-B", id, "seg0", "model.zkey")].filter((f) => fs.existsSync(f));
    expect(cached.length).to.be.greaterThan(0);
    for (const f of [path.join(tmp, "store", "blobs", readSet(path.join(tmp, "store"), id).files["seg0/model.zkey"]), ...cached]) expect(fs.statSync(f).ino).to.equal(fs.statSync(key).ino);
    // Witness and proof are separate jobs: three of each, each done once.
    expect(a.done.witness + b.done.witness).to.equal(3);
    expect(a.done.prove + b.done.prove).to.equal(3);
    // Isolated jobs report their own process's peak memory.
    for (const j of r.jobs) expect(j.peakMiB).to.be.greaterThan(0).and.below(a.peakMiB + b.peakMiB + 1);
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
    // A new file in the blob's place: the blob is a hard link of the chain's own key, which must stay intact.
    fs.rmSync(blob);
    fs.writeFileSync(blob, bytes);
    await startWorker({ redis: redis.url, store, cacheDir: path.join(tmp, "cache-C"), name: "C", isolate: false }).then((w) => workers.push(w));
    let err: Error | undefined;
    try {
      await proveDistributed(input(2), { chainDir: compiled.dir, store, redis: redis.url });
    } catch (e) {
      err = e as Error;
    }
    expect(id).to.equal(publishDir(store, compiled.dir)); // publishing again does not repair or replace a blob
    expect(err?.message).to.match(/artifact seg1\/model\.zkey is corrupted in the store: expected sha256 [0-9a-f]{64}, its content hashes to [0-9a-f]{64}; refusing to use it/);
    expect(workers[0].proved.size).to.be.at.most(2); // the other segments may have been proven; segment 1 never
    // Nothing of the failed run is left queued or running.
    const counts = await queueCounts();
    expect([counts.waiting, counts.active, counts.delayed]).to.deep.equal([0, 0, 0]);
    const q = new Queue(QUEUE_NAME, { connection: redisConnection(redis.url) });
    try {
      const failed = await q.getFailed();
      const job = failed.find((j) => j.data.segment === 1 && j.data.artifacts === id && j.data.kind === "witness");
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

  it("aborts a job that outlives its timeout: its process is killed, each attempt fails, the run fails in one line", async () => {
    const lines: string[] = [];
    const w = await worker("slow", { isolate: true, jobTimeoutMs: 300, log: (m) => lines.push(m) });
    let err: Error | undefined;
    try {
      await proveDistributed(input(5), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: redis.url, attempts: 2 });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/^witness of segment \d: aborted after 300 ms \(the job's timeout\)$/);
    expect(w.aborted).to.be.at.least(2); // both attempts of the failed job, at least
    expect(w.done.witness + w.done.prove).to.equal(0);
    // Every aborted job's process is gone.
    const pids = lines.flatMap((l) => [...l.matchAll(/\(process (\d+) killed\)/g)].map((m) => Number(m[1])));
    expect(pids.length).to.equal(w.aborted);
    for (const pid of pids) expect(() => process.kill(pid, 0)).to.throw(/ESRCH/);
    const counts = await queueCounts();
    expect([counts.waiting, counts.active, counts.delayed]).to.deep.equal([0, 0, 0]);
  });

  it("sets up a chain's segments as jobs on two workers: the same chain as a local compile, proven and verified", async () => {
    // Isolated: a setup holds its process's event loop for longer than these tests' 1 s job lock.
    const [a, b] = [await worker("S1", { isolate: true }), await worker("S2", { isolate: true })];
    const onnx = path.join(compiled.dir, "model.onnx");
    const opts = { name: "queue_demo", onnx, buildDir: path.join(tmp, "build-distributed"), quant: { scaleBits: 8, inputBits: 12 }, segments: { cuts: ["a1", "a2"] }, log: () => undefined };
    const stages: string[] = [];
    const built = await compileChainDistributed({ ...opts, store: path.join(tmp, "store"), redis: redis.url, onProgress: (e) => stages.push(`${e.segment}:${e.stage}:${e.worker}`) });
    expect(built.jobs.map((j) => [j.kind, j.segment, j.cached])).to.deep.equal([["setup", 0, false], ["setup", 1, false], ["setup", 2, false]]);
    expect(stages.filter((s) => s.includes(":setup:"))).to.have.length(3);
    expect(a.done.setup + b.done.setup).to.equal(3);
    // The same circuits as the local compile (each segment's model hash covers its circuit source), other keys.
    const m = built.manifest;
    expect(m.segments.map((s) => s.modelHash)).to.deep.equal(compiled.manifest.segments.map((s) => s.modelHash));
    expect(m.segments.map((s) => s.constraints)).to.deep.equal(compiled.manifest.segments.map((s) => s.constraints));
    expect(m.chainHash).to.equal(compiled.manifest.chainHash);
    const proof = await proveChain(built.dir, input(6));
    expect(proof.outputs).to.deep.equal(expected(6));
    expect(await verifyChain(built.dir, proof.segments)).to.deep.equal({ valid: true });
    // A proof under the distributed keys is not a proof under the local ones.
    expect((await verifyChain(compiled.dir, proof.segments)).valid).to.equal(false);
    // Compiled again: up to date, no job.
    const again = await compileChainDistributed({ ...opts, store: path.join(tmp, "store"), redis: redis.url });
    expect([again.cached, again.jobs.length]).to.deep.equal([true, 0]);
  });

  it("says in one line that Redis does not answer, instead of waiting for it", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r)); // a port nobody listens on
    const url = `redis://127.0.0.1:${port}`;
    const refused = new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*; start one \\(redis-server\\) or pass --redis <url>$`);
    await rejectsWith(startWorker({ redis: url, store: path.join(tmp, "store"), cacheDir: path.join(tmp, "cache-x") }), refused);
    await rejectsWith(proveDistributed(input(7), { chainDir: compiled.dir, store: path.join(tmp, "store"), redis: url }), refused);
  });
});
