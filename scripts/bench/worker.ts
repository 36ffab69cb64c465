// One benchmark step in its own process, so the parent can measure that step's peak memory.
//   ts-node scripts/bench/worker.ts circuit <name> <onnx> <dir> <scaleBits> <inputBits>
//   ts-node scripts/bench/worker.ts setup   <dir>
//   ts-node scripts/bench/worker.ts witness <dir> <onnx> <input.json> <scaleBits> <inputBits>
//   ts-node scripts/bench/worker.ts prove   <prover> <zkey> <wtns> <proofOut> [warmup|no-warmup]
//   ts-node scripts/bench/worker.ts model-witness <modelDir> <input json> <context> <wtnsOut>
// Prints one line `BENCH_RESULT <json>` on success.
import fs from "fs";
import path from "path";
import { provingSystem } from "../../src/backend/provers";
import { readR1cs } from "../../src/backend/r1cs";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { constraintsByOp } from "./attribution";
import { encodeWtns } from "../../src/backend/wtns";
import { FIELD_MODULUS } from "../../src/numeric/field";
import { importOnnx } from "../../src/onnx/import";
import { ValueInfo } from "../../src/ir/graph";
import { buildCircuit } from "../../src/pipeline/compile";
import { setupKeys } from "../../src/pipeline/setup";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { circuitWitness } from "../../src/pipeline/witness";
import { lowerModel } from "../../src/lower";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { modelWitnessInput, SignalLayout } from "../../src/privacy/layout";
import { mulberry32 } from "../../src/util/prng";
import { artifact, loadManifest } from "../../src/pipeline/manifest";
import { modelWitness, readSeed } from "../../src/pipeline/prove";
import { outputChallenge, seededInputs } from "../../src/privacy/seeded";
import { packWords } from "../../src/privacy/packing";
import { MAX_ONCHAIN_SIGNALS } from "./limits";
import { compileVerifier } from "../lib/solc-verifier";

const emit = (result: object) => console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What the circuit step leaves for the later steps: which R1CS/sym the key is made from, and the witness code. */
interface CircuitMeta {
  body: "circom" | "direct";
  r1cs: string;
  sym: string;
  wasm: string;
  witnessCalculator: string;
  layout: SignalLayout;
}
const metaFile = (dir: string) => path.join(dir, "bench-circuit.json");
const readMeta = (dir: string): CircuitMeta => JSON.parse(fs.readFileSync(metaFile(dir), "utf8"));


async function main(): Promise<void> {
  const [step, ...args] = process.argv.slice(2);
  if (step === "circuit") {
    const [name, onnx, dir, scaleBits, inputBits] = args;
    fs.mkdirSync(dir, { recursive: true });
    const t0 = process.hrtime.bigint();
    const built = await buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), { scaleBits: +scaleBits, inputBits: +inputBits }, dir);
    const ms = since(t0);
    const a = built.artifacts;
    const meta: CircuitMeta = { body: built.body, r1cs: a.r1cs, sym: a.linkedSym ?? a.sym, wasm: a.wasm, witnessCalculator: a.witnessCalculator, layout: built.layout };
    fs.writeFileSync(metaFile(dir), JSON.stringify(meta));
    const ops = new Map(built.graph.nodes.map((n) => [n.name, n.op]));
    const gadgetOps = built.program.gadgets.map((g) => ops.get(g.site.node) ?? "output rescale");
    const r1cs = readR1cs(a.r1cs);
    emit({
      ms, body: built.body, constraints: r1cs.nConstraints, publicSignals: r1cs.nPubOut + r1cs.nPubIn,
      ops: [...new Set(built.graph.nodes.map((n) => n.op))],
      constraintsByOp: built.body === "circom" ? constraintsByOp(a.r1cs, a.sym, gadgetOps) : undefined,
    });
  } else if (step === "setup") {
    const [dir] = args;
    const meta = readMeta(dir);
    const t1 = process.hrtime.bigint();
    const { ptau, vkey } = await setupKeys(meta.r1cs, path.join(dir, "model.zkey"), { log: () => undefined });
    fs.writeFileSync(path.join(dir, "vkey.json"), JSON.stringify(vkey));
    const nPublic = Number((vkey as { nPublic: number }).nPublic);
    if (nPublic <= MAX_ONCHAIN_SIGNALS)
      fs.writeFileSync(path.join(dir, "Verifier.json"), JSON.stringify(compileVerifier(await provingSystem("snarkjs").solidityVerifier(path.join(dir, "model.zkey"), "BenchVerifier"), "BenchVerifier")));
    emit({ ms: since(t1), power: ptau.power });
  } else if (step === "witness") {
    // The full witness, as zkml:prove computes it (circom's witness code; a direct body's linked gadgets too):
    // a warm-up, then the median of 3. Written as a .wtns, which every prover then proves from.
    const [dir, onnx, inputFile, scaleBits, inputBits] = args;
    const meta = readMeta(dir);
    const quant = { scaleBits: +scaleBits, inputBits: +inputBits };
    const graph = importOnnx(fs.readFileSync(onnx));
    // A model shipped without an input file gets a seeded random input in [-1, 1].
    const random = mulberry32(1);
    const values = fs.existsSync(inputFile)
      ? readModelInput(JSON.parse(fs.readFileSync(inputFile, "utf8")), graph.inputs)
      : graph.inputs.map((vi) => Array.from({ length: vi.shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1));
    const q = quantizeInputs(values, graph.inputs, quant);
    const qmodel = quantizeModel(graph, quant);
    const outputs = evaluateQuantized(qmodel, q).flatMap((v) => v.data);
    const input: Record<string, unknown> = modelWitnessInput(meta.layout, q.flat());
    const program = meta.body === "direct" ? lowerModel(qmodel) : () => lowerModel(qmodel);
    const witness = () => circuitWitness(meta, program, meta.body === "direct", input, { inputs: q.flat(), params: qmodel.params?.values ?? [], outputs });
    let w = await witness(); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      w = await witness();
      runs.push(since(t0));
    }
    fs.writeFileSync(path.join(dir, "witness.wtns"), encodeWtns(w, FIELD_MODULUS));
    emit({ ms: median(runs), runs, wires: w.length, inferenceMs: await inferenceTime(onnx, graph.inputs, values) });
  } else if (step === "prove") {
    // One prover on the key and witness file: a warm-up proof (curve set-up, key in the page cache) unless
    // "no-warmup", then one timed. The proof is written for the parent to verify: verifying here would add
    // snarkjs to this process's peak memory.
    const [prover, zkey, wtns, proofOut, warm] = args;
    const system = provingSystem(prover);
    if (system.name !== prover) throw new Error(`asked for prover ${prover}, got ${system.name} (is the native addon built?)`);
    let warmupMs: number | undefined;
    if (warm !== "no-warmup") {
      const t0 = process.hrtime.bigint();
      await system.prove(zkey, { wtnsFile: wtns });
      warmupMs = since(t0);
    }
    process.stderr.write("BENCH_TIMED\n");
    const t1 = process.hrtime.bigint();
    const { proof, publicSignals } = await system.prove(zkey, { wtnsFile: wtns });
    const ms = since(t1);
    fs.writeFileSync(proofOut, JSON.stringify({ proof, publicSignals }));
    emit({ ms, warmupMs });
  } else if (step === "model-witness") {
    // A compiled model's (zkml-build/<name>) full witness, built as proveModel builds it (src/pipeline/prove.ts),
    // timed: the first run, then (when under 20 s) two more; the median. Written as a .wtns.
    const [dir, rawJson, context, wtnsOut] = args;
    const rawInput = JSON.parse(rawJson);
    const m = loadManifest(dir);
    const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")), m.name);
    const layout = m.publicSignals;
    if (layout.inputs.salted) throw new Error("a salted model is not benchmarked here");
    const seed = layout.inputs.encoding === "seed" ? readSeed(rawInput, m.name) : undefined;
    const q = seed !== undefined ? seededInputs(seed, graph.inputs, m.quant.inputBits) : quantizeInputs(readModelInput(rawInput, graph.inputs), graph.inputs, m.quant);
    const qmodel = quantizeModel(graph, m.quant, { privateParams: m.visibility.params === "private" });
    const runs: number[] = [];
    let w: bigint[] = [];
    for (let i = 0; i < 3 && (i === 0 || runs[0] < 20_000); i++) {
      const t0 = process.hrtime.bigint();
      const expected = evaluateQuantized(qmodel, q).flatMap((v) => v.data);
      const words = packWords(expected, layout.outputs.packing);
      const challenge = layout.outputs.encoding === "fingerprint" ? outputChallenge(words, BigInt(context)) : undefined;
      const circuitInput: Record<string, unknown> = { ...modelWitnessInput(layout, q.flat()) };
      if (qmodel.params) circuitInput.params = qmodel.params.values.map(String);
      if (seed !== undefined) circuitInput.inSeed = seed.toString();
      if (challenge !== undefined) circuitInput.outChallenge = challenge.toString();
      w = await modelWitness(dir, m, qmodel, circuitInput, q.flat(), expected);
      runs.push(since(t0));
    }
    fs.writeFileSync(wtnsOut, encodeWtns(w, FIELD_MODULUS));
    emit({ ms: median(runs), runs, wires: w.length });
  } else {
    throw new Error(`unknown step ${step}`);
  }
}

/** Median onnxruntime run time (session created once, first run discarded); undefined when onnxruntime cannot run it. */
async function inferenceTime(onnx: string, inputs: ValueInfo[], values: number[][]): Promise<number | undefined> {
  try {
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(onnx);
    const tensor = (vi: ValueInfo, v: number[]) => {
      switch (vi.elemType ?? "float32") {
        case "int64": return new ort.Tensor("int64", BigInt64Array.from(v, (x) => BigInt(x)), vi.shape);
        case "int32": return new ort.Tensor("int32", Int32Array.from(v), vi.shape);
        case "float64": return new ort.Tensor("float64", Float64Array.from(v), vi.shape);
        default: return new ort.Tensor("float32", Float32Array.from(v), vi.shape);
      }
    };
    const feeds = Object.fromEntries(inputs.map((vi, i) => [vi.name, tensor(vi, values[i])]));
    await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(since(t0));
    }
    await session.release();
    return median(times);
  } catch {
    return undefined;
  }
}

main()
  .catch((e) => {
    console.error(`BENCH_ERROR ${(e as Error).message.split("\n")[0]}`);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
