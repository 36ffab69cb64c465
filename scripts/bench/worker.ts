// One benchmark step in its own process, so the parent can measure that step's peak memory.
//   ts-node scripts/bench/worker.ts circuit <name> <onnx> <dir> <scaleBits> <inputBits>
//   ts-node scripts/bench/worker.ts setup   <dir>
//   ts-node scripts/bench/worker.ts prove   <dir> <onnx> <input.json> <scaleBits> <inputBits>
// Prints one line `BENCH_RESULT <json>` on success.
import fs from "fs";
import path from "path";
import { computeWitness } from "../../src/backend/circom";
import { provingSystem } from "../../src/backend/provers";
import { readR1cs } from "../../src/backend/r1cs";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { readSym } from "../../src/backend/sym";
import { importOnnx } from "../../src/onnx/import";
import { buildCircuit } from "../../src/pipeline/compile";
import { setupKeys } from "../../src/pipeline/setup";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { mulberry32 } from "../../src/util/prng";
import { packing, packWords } from "../../src/privacy/packing";
import { MAX_ONCHAIN_SIGNALS } from "./limits";
import { compileVerifier } from "../lib/solc-verifier";

const emit = (result: object) => console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Constraints per ONNX op kind, attributed through the .sym names of the wires each constraint touches. */
function constraintsByOp(dir: string, gadgetOps: string[]): Record<string, number> {
  const r1cs = readR1cs(path.join(dir, "model.r1cs"), true);
  const owner = new Map<number, string>();
  for (const [name, wire] of readSym(path.join(dir, "model.sym"))) {
    const g = /^main\.g(\d+)\./.exec(name);
    if (g) owner.set(wire, gadgetOps[Number(g[1])]);
    else if (name.startsWith("main.inRange")) owner.set(wire, "input range check");
  }
  const counts: Record<string, number> = {};
  for (const c of r1cs.constraints!) {
    const wires = [...c.a.keys(), ...c.b.keys(), ...c.c.keys()];
    const kind = wires.map((w) => owner.get(w)).find((k) => k !== undefined) ?? "outputs";
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

async function main(): Promise<void> {
  const [step, ...args] = process.argv.slice(2);
  if (step === "circuit") {
    const [name, onnx, dir, scaleBits, inputBits] = args;
    fs.mkdirSync(dir, { recursive: true });
    const t0 = process.hrtime.bigint();
    const built = await buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), { scaleBits: +scaleBits, inputBits: +inputBits }, dir);
    const ms = since(t0);
    const ops = new Map(built.graph.nodes.map((n) => [n.name, n.op]));
    const gadgetOps = built.program.gadgets.map((g) => ops.get(g.site.node) ?? "output rescale");
    const r1cs = readR1cs(built.artifacts.r1cs);
    emit({ ms, constraints: r1cs.nConstraints, publicSignals: r1cs.nPubOut + r1cs.nPubIn, ops: [...new Set(built.graph.nodes.map((n) => n.op))], constraintsByOp: constraintsByOp(dir, gadgetOps) });
  } else if (step === "setup") {
    const [dir] = args;
    const t1 = process.hrtime.bigint();
    const { ptau, vkey } = await setupKeys(path.join(dir, "model.r1cs"), path.join(dir, "model.zkey"), { log: () => undefined });
    fs.writeFileSync(path.join(dir, "vkey.json"), JSON.stringify(vkey));
    const nPublic = Number((vkey as { nPublic: number }).nPublic);
    if (nPublic <= MAX_ONCHAIN_SIGNALS)
      fs.writeFileSync(path.join(dir, "Verifier.json"), JSON.stringify(compileVerifier(await provingSystem().solidityVerifier(path.join(dir, "model.zkey"), "BenchVerifier"), "BenchVerifier")));
    emit({ ms: since(t1), power: ptau.power });
  } else if (step === "prove") {
    const [dir, onnx, inputFile, scaleBits, inputBits] = args;
    const graph = importOnnx(fs.readFileSync(onnx));
    // A model shipped without an input file gets a seeded random input in [-1, 1].
    const random = mulberry32(1);
    const values = fs.existsSync(inputFile)
      ? readModelInput(JSON.parse(fs.readFileSync(inputFile, "utf8")), graph.inputs)
      : graph.inputs.map((vi) => Array.from({ length: vi.shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1));
    const q = quantizeInputs(values, graph.inputs, { scaleBits: +scaleBits, inputBits: +inputBits });
    const wasm = path.join(dir, "model_js", "model.wasm");
    // The circuit's public inputs are the packed words of its (default: public) inputs.
    const input = { in: q.flat().map(String), inPacked: packWords(q.flat(), packing(q.flat().length, +inputBits)).map(String) };
    // Timed: the witness and the proof from it, as zkml:prove computes them.
    const system = provingSystem();
    const prove = async () => system.prove(path.join(dir, "model.zkey"), await computeWitness(wasm, path.join(dir, "model_js", "witness_calculator.js"), input));
    await prove(); // warm-up: curve init
    const t0 = process.hrtime.bigint();
    const { proof, publicSignals } = await prove();
    const ms = since(t0);
    fs.writeFileSync(path.join(dir, "proof.json"), JSON.stringify({ proof, publicSignals }));
    if (!(await system.verify(JSON.parse(fs.readFileSync(path.join(dir, "vkey.json"), "utf8")), publicSignals, proof))) throw new Error("the proof does not verify off-chain");
    emit({ ms, inferenceMs: await inferenceTime(onnx, graph.inputs, values) });
  } else {
    throw new Error(`unknown step ${step}`);
  }
}

/** Median onnxruntime run time (session created once, first run discarded). */
async function inferenceTime(onnx: string, inputs: { name: string; shape: number[] }[], values: number[][]): Promise<number> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnx);
  const feeds = Object.fromEntries(inputs.map((vi, i) => [vi.name, new ort.Tensor("float32", Float32Array.from(values[i]), vi.shape)]));
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(since(t0));
  }
  await session.release();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

main()
  .catch((e) => {
    console.error(`BENCH_ERROR ${(e as Error).message.split("\n")[0]}`);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);

