// Constraints per model, before -> after, with the per-op-kind breakdown, in one table: the example models,
// the benchmark models (src/examples/benchmarks) and the reference corpus. Compiles circuits only (no setup,
// no proof), each model in its own process (mnist_gan's 1.7M constraints need several GB).
//
//   npx ts-node --transpile-only scripts/bench/constraints.ts [--record] [--fidelity] [model...]
//
//   --record    write the figures to bench/constraints.json as the "before" column (done once, at the
//               commit the comparison starts from; the file names that commit)
//   --fidelity  also calibrate the benchmark models at their scale against onnxruntime (max |error| as a
//               fraction of the output range, argmax agreement)
//   ZKML_MODELS_DIR=...  the reference models (default ../shared/models/ezkl)
import { execFileSync, spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { readR1cs } from "../../src/backend/r1cs";
import { readSym } from "../../src/backend/sym";
import { EXAMPLE_MODELS, exampleModelOnnx } from "../../src/examples";
import { BENCHMARK_MODELS, benchmarkModelOnnx } from "../../src/examples/benchmarks";
import { importOnnx } from "../../src/onnx/import";
import { QuantParams } from "../../src/ops/domain";
import { gadgetConstraints } from "../../src/gadgets";
import { buildCircuit } from "../../src/pipeline/compile";
import { readModelInput } from "../../src/pipeline/input";
import { runOnnxRuntimeBatch } from "../../src/pipeline/reference";
import { calibrate, calibrationSamples } from "../../src/quantize/calibrate";
import { mulberry32 } from "../../src/util/prng";

const ROOT = path.resolve(__dirname, "..", "..");
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const RECORD = path.join(ROOT, "bench", "constraints.json");
const WORK = path.join(ROOT, "zkml-build", "bench-constraints");
/** npm run bench's settings for the examples and the corpus. */
const QUANT: QuantParams = { scaleBits: 12, inputBits: 24 };
/** mnist_cnn at the scale calibration chooses for it (2^10: within 0.5 % of onnxruntime), as issue 21 measures it. */
const BENCHMARK_QUANT: Record<string, QuantParams> = { mnist_cnn: { scaleBits: 10, inputBits: 24 } };

interface Figures {
  constraints?: number;
  byOp?: Record<string, number>;
  error?: string;
}

interface Entry {
  model: string;
  source: "example" | "benchmark" | "reference";
  onnx: string;
  quant: QuantParams;
}

function models(only: string[]): Entry[] {
  const list: Entry[] = [
    ...EXAMPLE_MODELS.map((model) => ({ model, source: "example" as const, onnx: exampleModelOnnx(ROOT, model), quant: QUANT })),
    ...BENCHMARK_MODELS.map((model) => ({ model, source: "benchmark" as const, onnx: benchmarkModelOnnx(ROOT, model), quant: BENCHMARK_QUANT[model] ?? QUANT })),
  ];
  if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
  for (const model of fs.readdirSync(MODELS_DIR).sort())
    list.push({ model, source: "reference", onnx: path.join(MODELS_DIR, model, "network.onnx"), quant: QUANT });
  return only.length ? list.filter((e) => only.includes(e.model)) : list;
}

/** Constraints per ONNX op kind, attributed through the symbol names of the wires each constraint touches. */
function constraintsByOp(r1csFile: string, symFile: string, gadgetOps: string[]): Record<string, number> {
  const r1cs = readR1cs(r1csFile, true);
  const owner = new Map<number, string>();
  for (const [name, wire] of readSym(symFile)) {
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

/**
 * Above this many constraints the breakdown is summed from the gadgets' constraint formulas (their R1CS rows,
 * exactly: circom's -O2 only removes linear constraints, which no gadget has) with the rest as "input range
 * check and outputs", instead of reading every constraint back: mnist_gan's 1.7M would need ~4 GB more.
 */
const ATTRIBUTE_FROM_R1CS_UP_TO = 400_000;

/** Compiles one model's circuit in a temporary directory: its constraints and their breakdown by op kind. */
async function measure(e: Entry): Promise<Figures> {
  const dir = path.join(WORK, e.model);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    const built = await buildCircuit(e.model, fs.readFileSync(e.onnx), path.basename(e.onnx), e.quant, dir);
    const ops = new Map(built.graph.nodes.map((n) => [n.name, n.op]));
    const gadgetOps = built.program.gadgets.map((g) => ops.get(g.site.node) ?? "output rescale");
    const constraints = readR1cs(built.artifacts.r1cs).nConstraints;
    if (constraints <= ATTRIBUTE_FROM_R1CS_UP_TO)
      return { constraints, byOp: constraintsByOp(built.artifacts.r1cs, built.artifacts.linkedSym ?? built.artifacts.sym, gadgetOps) };
    const byOp: Record<string, number> = {};
    built.program.gadgets.forEach((g, i) => (byOp[gadgetOps[i]] = (byOp[gadgetOps[i]] ?? 0) + gadgetConstraints(g.site)));
    byOp["input range check and outputs"] = constraints - Object.values(byOp).reduce((a, b) => a + b, 0);
    return { constraints, byOp };
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

/** The benchmark model's fidelity at its scale: max |error| over onnxruntime on its calibration images and random ones. */
async function fidelity(e: Entry): Promise<string> {
  const graph = importOnnx(fs.readFileSync(e.onnx), path.basename(e.onnx));
  const calFile = path.join(path.dirname(e.onnx), "calibration.json");
  const given = fs.existsSync(calFile) ? (JSON.parse(fs.readFileSync(calFile, "utf8")) as unknown[]).map((raw) => readModelInput(raw, graph.inputs)) : [];
  const samples = calibrationSamples(graph, given, 100, mulberry32(0x5ca1e));
  const { report } = await calibrate(graph, { inputBits: e.quant.inputBits, samples, scales: [e.quant.scaleBits], reference: (b) => runOnnxRuntimeBatch(e.onnx, graph.inputs, b) });
  const agree = report.argmaxAgreement === undefined ? "" : `, argmax agrees on ${(report.argmaxAgreement * 100).toFixed(0)}%`;
  return `max |error| ${report.maxAbsError.toExponential(2)} = ${(report.relativeError * 100).toFixed(3)}% of the output range over ${report.samples} inputs${agree}`;
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
  const only = argv.filter((a) => !a.startsWith("--"));
  const recorded = fs.existsSync(RECORD) ? JSON.parse(fs.readFileSync(RECORD, "utf8")) : undefined;
  const before: Record<string, Figures> = record ? {} : (recorded?.models ?? {});
  const after: Record<string, Figures> = {};
  const rows: string[][] = [["model", "source", "scale/input bits", "before", "after", "saving", "per op kind (before→after)"]];
  const savings: Record<string, number[]> = { example: [], benchmark: [], reference: [] };
  const totals: Record<string, [number, number]> = { example: [0, 0], benchmark: [0, 0], reference: [0, 0] };
  for (const e of models(only)) {
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
    rows.push([e.model, e.source, `${e.quant.scaleBits}/${e.quant.inputBits}`, fmt(b?.constraints), f.error ? `error: ${f.error}` : fmt(f.constraints), saving, f.error ? "" : breakdown(b, f)]);
    console.error(`${e.model}: ${f.error ?? fmt(f.constraints)}`);
    if (withFidelity && e.source === "benchmark") console.error(`${e.model}: ${await fidelity(e)}`);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (c === rows[0].length - 1 ? 0 : r[c].length))));
  for (const r of rows) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  "));
  for (const [source, s] of Object.entries(savings))
    if (s.length)
      console.log(`${source}: ${fmt(totals[source][0])} → ${fmt(totals[source][1])} constraints (${((1 - totals[source][1] / totals[source][0]) * 100).toFixed(1)}% fewer), median saving ${(median(s) * 100).toFixed(1)}% over ${s.length} models`);
  if (record) {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    fs.writeFileSync(RECORD, JSON.stringify({ commit, date: new Date().toISOString(), settings: { default: QUANT, ...BENCHMARK_QUANT }, models: after }, null, 1) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), RECORD)} (before = ${commit})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
