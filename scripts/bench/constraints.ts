// Constraints per model, before -> after, with the per-op-kind breakdown, in one table: the example models,
// the benchmark models (src/examples/benchmarks) and the reference corpus. Compiles circuits only (no setup,
// no proof), each model in its own process (mnist_gan's 1.7M constraints need several GB).
//
//   npx ts-node --transpile-only scripts/bench/constraints.ts [--record] [--fidelity] [--calibrated[=margin]] [model...]
//
//   before      bench/constraints.json: recorded by this script at the commit it names (467defe, before issue
//               21's changes), every model at 2^12 with 24-bit signed inputs and worst-case widths (mnist_cnn at
//               2^10)
//   after       this checkout: examples and corpus at the same settings, so the saving is the code's alone;
//               the benchmark models with the input range and calibrated widths (margin 1.5) their data give
//   --calibrated[=margin]  every model also gets its input range from its own inputs and calibrated widths
//               with that margin (default 2): what a model compiled with those settings saves
//   --record    write the figures to bench/constraints.json as the "before" column (done once, at the
//               commit the comparison starts from; the file names that commit)
//   --fidelity  also check the benchmark models against onnxruntime at their settings (max |error| as a
//               fraction of the output range, argmax agreement, inputs the calibrated widths refuse)
//   ZKML_MODELS_DIR=...  the reference models (default ../shared/models/ezkl)
import { execFileSync, spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { readR1cs } from "../../src/backend/r1cs";
import { constraintsByOp } from "./attribution";
import { EXAMPLE_MODELS, exampleModelOnnx } from "../../src/examples";
import { BENCHMARK_MODELS, benchmarkModelOnnx } from "../../src/examples/benchmarks";
import { strokeImages } from "../../src/examples/benchmarks/mnist_cnn";
import { importOnnx } from "../../src/onnx/import";
import { QuantParams } from "../../src/ops/domain";
import { buildBody } from "../../src/emit/r1cs";
import { buildCircuit } from "../../src/pipeline/compile";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { runOnnxRuntimeBatch } from "../../src/pipeline/reference";
import { calibrateInputRange, calibrateWidths, calibrationSamples, fidelity } from "../../src/quantize/calibrate";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { ZkmlError } from "../../src/errors";
import { Graph } from "../../src/ir/graph";
import { mulberry32 } from "../../src/util/prng";

const ROOT = path.resolve(__dirname, "..", "..");
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const RECORD = path.join(ROOT, "bench", "constraints.json");
const WORK = path.join(ROOT, "zkml-build", "bench-constraints");
/** npm run bench's settings for the examples and the corpus. */
const QUANT: QuantParams = { scaleBits: 12, inputBits: 24 };
/**
 * mnist_cnn at the scale calibration chooses for it (2^10), as issue 21 measures it. The before column was
 * recorded at the blanket 24-bit signed inputs; after, its inputs get the range its data declares
 * (calibrateInputRange: pixels in [0, 1] are 0..1024 at 2^10, 11 unsigned bits).
 */
const BENCHMARK_SCALE: Record<string, number> = { mnist_cnn: 10 };
/**
 * Benchmark models compiled with calibrated widths (QuantParams.widths), with this margin: a factor on the
 * largest value the calibration inputs give each node (2 = one bit of headroom).
 */
const WIDTH_MARGIN: Record<string, number> = { mnist_cnn: 1.5 };

interface Figures {
  /** scale / input bits (u: unsigned) / calibrated widths' margin, as measured. */
  settings?: string;
  constraints?: number;
  byOp?: Record<string, number>;
  error?: string;
}

interface Entry {
  model: string;
  source: "example" | "benchmark" | "reference";
  onnx: string;
  quant: QuantParams;
  /** Calibrated widths with this margin (WIDTH_MARGIN, or --calibrated=margin for every model). */
  widthMargin?: number;
  /** The input range from the calibration inputs (calibrateInputRange) instead of quant's. */
  inputFromData?: boolean;
}

function models(only: string[], margin?: number): Entry[] {
  const list: Entry[] = [
    ...EXAMPLE_MODELS.map((model) => ({ model, source: "example" as const, onnx: exampleModelOnnx(ROOT, model), quant: QUANT })),
    ...BENCHMARK_MODELS.map((model) => benchmarkEntry(model)),
  ];
  if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
  for (const model of fs.readdirSync(MODELS_DIR).sort())
    list.push({ model, source: "reference", onnx: path.join(MODELS_DIR, model, "network.onnx"), quant: QUANT });
  const chosen = only.length ? list.filter((e) => only.includes(e.model)) : list;
  return margin === undefined ? chosen : chosen.map((e) => ({ ...e, inputFromData: true, widthMargin: e.widthMargin ?? margin }));
}

/** A benchmark model at its scale, with the input range and calibrated widths its calibration inputs give. */
function benchmarkEntry(model: string): Entry {
  const onnx = benchmarkModelOnnx(ROOT, model);
  const scaleBits = BENCHMARK_SCALE[model];
  const quant = scaleBits === undefined ? QUANT : { ...QUANT, scaleBits };
  return { model, source: "benchmark", onnx, quant, widthMargin: WIDTH_MARGIN[model], inputFromData: scaleBits !== undefined };
}


/**
 * Above this many constraints (always a direct body) the breakdown counts each gadget's rows as the direct
 * body writes them (buildBody with a counting sink), the rest being "input range check and outputs",
 * instead of reading every constraint back: mnist_gan's 1.7M would need ~4 GB more.
 */
const ATTRIBUTE_FROM_R1CS_UP_TO = 400_000;

/** Compiles one model's circuit in a temporary directory: its constraints and their breakdown by op kind. */
async function measure(e: Entry): Promise<Figures> {
  const dir = path.join(WORK, e.model);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    const quant = quantOf(e);
    const settings = `${quant.scaleBits}/${quant.inputBits}${quant.inputUnsigned ? "u" : ""}${quant.widths ? `/w×${e.widthMargin}` : ""}`;
    const built = await buildCircuit(e.model, fs.readFileSync(e.onnx), path.basename(e.onnx), quant, dir);
    const ops = new Map(built.graph.nodes.map((n) => [n.name, n.op]));
    const gadgetOps = built.program.gadgets.map((g) => ops.get(g.site.node) ?? "output rescale");
    const constraints = readR1cs(built.artifacts.r1cs).nConstraints;
    if (constraints <= ATTRIBUTE_FROM_R1CS_UP_TO)
      return { settings, constraints, byOp: constraintsByOp(built.artifacts.r1cs, built.artifacts.linkedSym ?? built.artifacts.sym, gadgetOps) };
    const byOp: Record<string, number> = {};
    let current = -1;
    const perGadget = new Array<number>(built.program.gadgets.length).fill(0);
    const sink = { constraint: () => current >= 0 && current < perGadget.length && perGadget[current]++, gadget: (k: number) => (current = k) };
    const { inputCount, paramCount, outputs } = built.program;
    buildBody(built.program, { input: (i) => 1 + i, param: (i) => 1 + inputCount + i, output: (i) => 1 + inputCount + paramCount + i, firstWire: 1 + inputCount + paramCount + outputs.length }, { sink });
    perGadget.forEach((n, i) => (byOp[gadgetOps[i]] = (byOp[gadgetOps[i]] ?? 0) + n));
    byOp["input range check and outputs"] = constraints - Object.values(byOp).reduce((a, b) => a + b, 0);
    return { settings, constraints, byOp };
  } catch (err) {
    return { error: (err as Error).message.split("\n")[0] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** measure() in a child process with room for the largest corpus model. */
function measureInChild(e: Entry): Figures {
  const child = spawnSync(process.execPath, ["--max-old-space-size=8192", "-r", "ts-node/register/transpile-only", __filename, "--child", JSON.stringify(e)], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = /^MEASURED (.*)$/m.exec(child.stdout ?? "");
  return line ? JSON.parse(line[1]) : { error: `the measuring process exited with ${child.status ?? child.signal}` };
}

/** The model's calibration inputs: its calibration.json, then seeded random ones up to 100 (as compile does). */
function samplesOf(e: Entry, graph: Graph): number[][][] {
  return calibrationSamples(graph, givenSamples(e, graph), 100, mulberry32(0x5ca1e));
}

/** The model's own inputs: its calibration.json (a list of inputs), else its input.json. */
function givenSamples(e: Entry, graph: Graph): number[][][] {
  const dir = path.dirname(e.onnx);
  const calFile = path.join(dir, "calibration.json");
  const file = fs.existsSync(calFile) ? calFile : path.join(dir, "input.json");
  if (!fs.existsSync(file)) return [];
  const raw = JSON.parse(fs.readFileSync(file, "utf8"));
  if (Array.isArray(raw)) return raw.map((r) => readModelInput(r, graph.inputs));
  // One object: one input, or (a single-input model's examples' calibration.json) one row per sample.
  const rows = (raw as { input_data?: unknown[] }).input_data;
  if (graph.inputs.length === 1 && Array.isArray(rows) && rows.length > 1) return rows.map((row) => readModelInput({ input_data: [row] }, graph.inputs));
  return [readModelInput(raw, graph.inputs)];
}

/** The entry's settings: its input range from its calibration inputs, and its calibrated widths, when asked. */
function quantOf(e: Entry): QuantParams {
  if (e.widthMargin === undefined && !e.inputFromData) return e.quant;
  const graph = importOnnx(fs.readFileSync(e.onnx), path.basename(e.onnx));
  const samples = samplesOf(e, graph);
  const quant = e.inputFromData ? { scaleBits: e.quant.scaleBits, ...calibrateInputRange(graph, samples, e.quant.scaleBits) } : e.quant;
  return e.widthMargin === undefined ? quant : { ...quant, widths: calibrateWidths(graph, quant, samples, e.widthMargin) };
}

/**
 * The benchmark model's fidelity at its settings: max |error| over onnxruntime on its calibration inputs
 * (argmax agreement); with calibrated widths, also how many of 100 other random inputs they refuse.
 */
async function fidelityOf(e: Entry): Promise<string> {
  const graph = importOnnx(fs.readFileSync(e.onnx), path.basename(e.onnx));
  const quant = quantOf(e);
  const model = quantizeModel(graph, quant);
  const samples = samplesOf(e, graph);
  const err = fidelity(model, samples, await runOnnxRuntimeBatch(e.onnx, graph.inputs, samples));
  const agree = err.argmaxAgreement === undefined ? "" : `, argmax agrees on ${(err.argmaxAgreement * 100).toFixed(0)}%`;
  let refused = "";
  if (quant.widths) {
    // 100 random inputs from another seed over the same range (the first given input only sets the range),
    // and for mnist_cnn 100 stroke images the calibration did not see.
    const random = calibrationSamples(graph, givenSamples(e, graph).slice(0, 1), 101, mulberry32(0xbe7c4)).slice(1);
    const refusedOf = (heldOut: number[][][]) => heldOut.filter((sample) => {
      try {
        evaluateQuantized(model, quantizeInputs(sample, graph.inputs, quant));
        return false;
      } catch (err) {
        if (err instanceof ZkmlError && /calibrated/.test(err.message)) return true;
        throw err;
      }
    }).length;
    const strokes = e.model === "mnist_cnn" ? `, ${refusedOf(strokeImages(100, 0x57e0))} of 100 other stroke images` : "";
    refused = `; calibrated widths (margin ${e.widthMargin}) refuse ${refusedOf(random)} of ${random.length} other random inputs${strokes}`;
  }
  const rel = err.outputRange > 0 ? err.maxAbsError / err.outputRange : err.maxAbsError;
  return `max |error| ${err.maxAbsError.toExponential(2)} = ${(rel * 100).toFixed(3)}% of the output range over ${samples.length} inputs${agree}${refused}`;
}

const fmt = (n: number | undefined) => (n === undefined ? "-" : n.toLocaleString("en-US"));

function breakdown(before: Figures | undefined, after: Figures): string {
  const kinds = [...new Set([...Object.keys(before?.byOp ?? {}), ...Object.keys(after.byOp ?? {})])];
  kinds.sort((a, b) => (after.byOp?.[b] ?? 0) + (before?.byOp?.[b] ?? 0) - (after.byOp?.[a] ?? 0) - (before?.byOp?.[a] ?? 0));
  return kinds
    .map((k) => {
      const [b, a] = [before?.byOp?.[k], after.byOp?.[k] ?? 0];
      return before === undefined || b === a ? `${k} ${fmt(a)}` : `${k} ${fmt(b ?? 0)}→${fmt(a)}`;
    })
    .join(", ");
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    console.log(`MEASURED ${JSON.stringify(await measure(JSON.parse(argv[1])))}`);
    return;
  }
  const record = argv.includes("--record");
  const withFidelity = argv.includes("--fidelity");
  const calibratedArg = argv.find((a) => a.startsWith("--calibrated"));
  const margin = calibratedArg === undefined ? undefined : Number(calibratedArg.split("=")[1] ?? 2);
  const only = argv.filter((a) => !a.startsWith("--"));
  const recorded = fs.existsSync(RECORD) ? JSON.parse(fs.readFileSync(RECORD, "utf8")) : undefined;
  const before: Record<string, Figures> = record ? {} : (recorded?.models ?? {});
  const after: Record<string, Figures> = {};
  const rows: string[][] = [["model", "source", "scale/input bits(u: unsigned)/width margin", "before", "after", "saving", "per op kind (before→after)"]];
  const savings: Record<string, number[]> = { example: [], benchmark: [], reference: [] };
  const totals: Record<string, [number, number]> = { example: [0, 0], benchmark: [0, 0], reference: [0, 0] };
  for (const e of models(only, margin)) {
    const f = measureInChild(e);
    after[e.model] = f;
    const b = before[e.model];
    let saving = "";
    if (b?.constraints !== undefined && f.constraints !== undefined) {
      const s = 1 - f.constraints / b.constraints;
      saving = `${(s * 100).toFixed(1)}%`;
      savings[e.source].push(s);
      totals[e.source][0] += b.constraints;
      totals[e.source][1] += f.constraints;
    }
    rows.push([e.model, e.source, f.settings ?? `${e.quant.scaleBits}/${e.quant.inputBits}`, fmt(b?.constraints), f.error ? `error: ${f.error}` : fmt(f.constraints), saving, f.error ? "" : breakdown(b, f)]);
    console.error(`${e.model}: ${f.error ?? fmt(f.constraints)}`);
    if (withFidelity && e.source === "benchmark") console.error(`${e.model}: ${await fidelityOf(e)}`);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (c === rows[0].length - 1 ? 0 : r[c].length))));
  for (const r of rows) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  "));
  for (const [source, s] of Object.entries(savings))
    if (s.length)
      console.log(`${source}: ${fmt(totals[source][0])} → ${fmt(totals[source][1])} constraints (${((1 - totals[source][1] / totals[source][0]) * 100).toFixed(1)}% fewer), median saving ${(median(s) * 100).toFixed(1)}% over ${s.length} models`);
  if (record) {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    fs.writeFileSync(RECORD, JSON.stringify({ commit, date: new Date().toISOString(), settings: { default: QUANT, ...BENCHMARK_SCALE }, models: after }, null, 1) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), RECORD)} (before = ${commit})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
