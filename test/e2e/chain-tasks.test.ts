import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import hre from "hardhat";
import { deepMlpOnnx } from "../../src/examples/models/deep_mlp";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import { verifyChain } from "../../src/pipeline/chain";
import { LocalRedis, startLocalRedis } from "../../src/queue/redis-server";
import { RunningWorker, startWorker } from "../../src/queue/worker";
import { rejectsWith } from "./helpers";

/**
 * Issue 20 through the tasks: a model configured with `segments` (salted links here) compiles as a chain
 * (`zkml:compile`, or `--distributed`: its setup jobs on a queue worker), and `zkml:prove` proves it in this
 * process or, with `--distributed`, through the queue, and writes the checked chain.
 */
describe("chained models through the tasks (zkml:compile, zkml:prove, --distributed)", function () {
  const NAME = "chain_tasks";
  let tmp: string;
  let redis: LocalRedis;
  let worker: RunningWorker;
  let saved: typeof hre.config.zkml.models;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-tasks-"));
    const onnx = path.join(tmp, "deep.onnx");
    fs.writeFileSync(onnx, deepMlpOnnx({ widths: [4, 8, 8, 2], seed: 22 }));
    fs.writeFileSync(path.join(tmp, "input.json"), JSON.stringify({ input_data: [[0.25, -0.5, 0.75, 1]] }));
    saved = hre.config.zkml.models;
    hre.config.zkml.models = { ...saved, [NAME]: { onnx, scaleBits: 8, inputBits: 12, bind: [], visibility: PUBLIC_VISIBILITY, segments: { cuts: ["a1"], saltedLinks: true } } };
    redis = await startLocalRedis(path.join(tmp, "redis"));
    worker = await startWorker({ redis: redis.url, store: path.join(tmp, "store"), cacheDir: path.join(tmp, "cache"), name: "task-worker" });
  });
  after(async () => {
    await worker?.close();
    await redis?.stop();
    hre.config.zkml.models = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("compiles the configured model as a chain with its setup jobs on the queue, and proves it through the queue", async () => {
    await hre.run("zkml:compile", { name: NAME, noSolidity: true, distributed: true, redis: redis.url, store: path.join(tmp, "store"), force: true });
    expect(worker.done.setup).to.equal(2);
    const dir = hre.zkml.modelDir(NAME);
    const chain = JSON.parse(fs.readFileSync(path.join(dir, "chain.json"), "utf8"));
    expect(chain.segments.map((s: { to?: { tensor: string } }) => s.to?.tensor)).to.deep.equal(["a1", undefined]);
    expect(chain.saltedLinks).to.equal(true);
    const out = path.join(tmp, "proof");
    await hre.run("zkml:prove", { model: NAME, input: path.join(tmp, "input.json"), distributed: true, redis: redis.url, store: path.join(tmp, "store"), out });
    const written = JSON.parse(fs.readFileSync(path.join(out, "chain-proof.json"), "utf8"));
    expect(await verifyChain(dir, written.segments)).to.deep.equal({ valid: true });
    expect(written.jobs.map((j: { worker: string }) => j.worker)).to.deep.equal(["task-worker", "task-worker"]);
  });

  it("proves a chained model in this process without --distributed; a fresh link salt each time", async () => {
    const outs = [path.join(tmp, "local1"), path.join(tmp, "local2")];
    for (const out of outs) await hre.run("zkml:prove", { model: NAME, input: path.join(tmp, "input.json"), out });
    const [a, b] = outs.map((out) => JSON.parse(fs.readFileSync(path.join(out, "chain-proof.json"), "utf8")));
    const dir = hre.zkml.modelDir(NAME);
    expect(await verifyChain(dir, a.segments)).to.deep.equal({ valid: true });
    expect(a.outputs).to.deep.equal(b.outputs);
    // The same activations, two salts: the public links differ, so a link says nothing of the activations.
    const offset = JSON.parse(fs.readFileSync(path.join(dir, "chain.json"), "utf8")).segments[0].publicSignals.outputs.offset;
    expect(a.segments[0].publicSignals[offset]).to.not.equal(b.segments[0].publicSignals[offset]);
  });

  it("says in one line what --distributed needs", async () => {
    await rejectsWith(hre.run("zkml:prove", { model: NAME, input: path.join(tmp, "input.json"), distributed: true }), /--distributed needs --redis <url> and --store <shared directory>/);
  });
});
