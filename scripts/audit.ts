// npm run audit: the soundness audit of every model hardhat-zkml supports (the project's examples and
// the reference models that compile). For each: mutation testing with re-solving (coherent per-gadget
// forgeries and single-wire mutations of every prover-chosen signal) and a static pass over the R1CS.
// Prints a table, writes bench/audit.json, exits non-zero if any forgery is found.
//   AUDIT_MODELS=a,b   only these models      ZKML_MODELS_DIR=...   the reference models
//   AUDIT_BODY=direct  audit the gadgets as direct R1CS linked to a circom interface (src/emit/r1cs.ts), as
//                      models above 150k constraints are built; writes bench/audit-direct.json
//   AUDIT_MAX_CONSTRAINTS=300000  skip larger models (the audit holds the whole R1CS as JS maps: mnist_gan's
//                      1.7M constraints exhaust the heap)
//   AUDIT_PRIVATE_MODELS=a,b  models also built with private weights for the other-committed-weights
//                      forgeries (issue 14, F2); default: every example and reference model with layer weights
//                      below 20k constraints
import fs from "fs";
import path from "path";
import { auditCircuit, AuditReport, AuditTarget } from "../src/audit";
import { constraintsByWire, readR1cs } from "../src/backend/r1cs";
import { readSym } from "../src/backend/sym";
import { size } from "../src/ir/graph";
import { buildCircuit } from "../src/pipeline/compile";
import { WrapSummary } from "../src/pipeline/manifest";
import { quantizeInputs } from "../src/pipeline/input";
import { evaluateQuantized, evaluateTraced, quantizeModel } from "../src/quantize";
import { estimateConstraints } from "../src/gadgets";
import { importOnnx } from "../src/onnx/import";
import { circuitWitness } from "../src/pipeline/witness";
import { PUBLIC_VISIBILITY } from "../src/privacy/visibility";
import { EXAMPLE_MODELS, exampleModelOnnx } from "../src/examples";
import { mulberry32 } from "../src/util/prng";
import { modelWitnessInput } from "../src/privacy/layout";
import { weightForgeries, WeightForgeryReport } from "../src/audit/weight-forgeries";
import { buildBody } from "../src/emit/r1cs";

const ROOT = path.resolve(__dirname, "..");
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const QUANT = { scaleBits: 12, inputBits: 24 };
const BODY = process.env.AUDIT_BODY === "direct" ? "direct" : "circom";
const WORK = path.join(ROOT, "zkml-build", BODY === "direct" ? "audit-direct" : "audit");
const REPORT = path.join("bench", BODY === "direct" ? "audit-direct.json" : "audit.json");
const MAX_CONSTRAINTS = Number(process.env.AUDIT_MAX_CONSTRAINTS ?? 300_000);

/** Estimated constraints of a model at the audit's settings, without building it. */
function estimate(onnx: string): number {
  const graph = importOnnx(fs.readFileSync(onnx), path.basename(onnx));
  return estimateConstraints(quantizeModel(graph, QUANT).sites, graph.inputs.reduce((n, vi) => n + size(vi.shape), 0), QUANT.inputBits);
}

function models(): { name: string; onnx: string }[] {
  const examples = EXAMPLE_MODELS.map((name) => ({ name, onnx: exampleModelOnnx(ROOT, name) }));
  if (!fs.existsSync(MODELS_DIR)) throw new Error(`reference models not found at ${MODELS_DIR}; set ZKML_MODELS_DIR`);
  const refs = fs.readdirSync(MODELS_DIR).sort().map((name) => ({ name, onnx: path.join(MODELS_DIR, name, "network.onnx") }));
  const only = process.env.AUDIT_MODELS?.split(",");
  return [...examples, ...refs].filter((m) => !only || only.includes(m.name));
}

async function auditModel(name: string, onnx: string): Promise<AuditReport & { constraints: number; wrap: WrapSummary }> {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const built = await buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), QUANT, dir, undefined, { bindings: [], visibility: PUBLIC_VISIBILITY, body: BODY });
  const r1cs = readR1cs(built.artifacts.r1cs, true);
  const names = new Map([...readSym(built.artifacts.linkedSym ?? built.artifacts.sym)].map(([n, w]) => [w, n]));
  const random = mulberry32(name.length);
  const half = 2 ** (QUANT.inputBits - 1) / 2 ** QUANT.scaleBits;
  // Random inputs, and the extremes of the input range (where widths are tightest).
  const draws: (() => number)[] = [() => random() * 4 - 2, () => random() * 4 - 2, () => -half, () => half - 1];
  const witnesses: AuditTarget["witnesses"] = [];
  for (const draw of draws) {
    const q = quantizeInputs(built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, draw)), built.graph.inputs, QUANT);
    const outputs = evaluateQuantized(built.qmodel, q).flatMap((o) => o.data);
    const witness = await circuitWitness(built.artifacts, built.program, built.body === "direct", modelWitnessInput(built.layout, q.flat()), { inputs: q.flat(), params: [], outputs });
    witnesses.push({ witness, ...evaluateTraced(built.qmodel, q) });
  }
  const report = auditCircuit({ r1cs, byWire: constraintsByWire(r1cs), names, gadgets: built.program.gadgets, witnesses });
  return { ...report, constraints: r1cs.nConstraints, wrap: built.wrap };
}

/** Issue 14, F2: the model with private weights, proven with other weights than the compiled ones. */
async function auditPrivateWeights(name: string, onnx: string): Promise<WeightForgeryReport & { constraints: number }> {
  const dir = path.join(WORK, `${name}-private`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const built = await buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), QUANT, dir, undefined, { bindings: [], visibility: { ...PUBLIC_VISIBILITY, params: "private" }, body: BODY });
  const random = mulberry32(name.length + 14);
  const half = 2 ** (QUANT.inputBits - 1) / 2 ** QUANT.scaleBits;
  const inputs = [() => random() * 4 - 2, () => -half, () => half - 1].map((draw) =>
    quantizeInputs(built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, draw)), built.graph.inputs, QUANT).flat(),
  );
  const witness = (params: bigint[], q: bigint[]) => {
    const outputs = buildBody(built.program, { input: () => 0, param: () => 0, output: () => 0, firstWire: 1 }, { values: { inputs: q, params } }).outputs!;
    return circuitWitness(built.artifacts, built.program, BODY === "direct", { ...modelWitnessInput(built.layout, q), params: params.map(String) }, { inputs: q, params, outputs });
  };
  const report = await weightForgeries({ program: built.program, layout: built.layout, params: built.qmodel.params!.values, inputs, witness }, random);
  return { ...report, constraints: readR1cs(built.artifacts.r1cs).nConstraints };
}

/** Models with layer weights small enough to prove many times over with private weights. */
function privateModels(): { name: string; onnx: string }[] {
  const only = process.env.AUDIT_PRIVATE_MODELS?.split(",");
  return models().filter((m) => (only ? only.includes(m.name) : hasLayerWeights(m.onnx) && estimate(m.onnx) < 20_000));
}

function hasLayerWeights(onnx: string): boolean {
  return importOnnx(fs.readFileSync(onnx), path.basename(onnx)).nodes.some((n) => ["Gemm", "MatMul", "Conv", "ConvTranspose"].includes(n.op));
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  let forgeries = 0;
  for (const m of models()) {
    process.stdout.write(`auditing ${m.name} ... `);
    const t0 = Date.now();
    try {
      const estimated = estimate(m.onnx);
      if (estimated > MAX_CONSTRAINTS) {
        const reason = `about ${estimated} constraints, above AUDIT_MAX_CONSTRAINTS=${MAX_CONSTRAINTS}`;
        console.log(`skipped: ${reason}`);
        results.push({ model: m.name, status: "skipped", reason });
        continue;
      }
      const r = await auditModel(m.name, m.onnx);
      console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
      forgeries += r.forgeries.length;
      rows.push({ model: m.name, constraints: r.constraints, "wrap margin (bits)": r.wrap.marginBits, "signals tried": r.signalsTried === r.signalsTotal ? r.signalsTried : `${r.signalsTried} of ${r.signalsTotal}`, mutations: r.mutationsTried, forgeries: r.forgeries.length, "second witnesses": r.alternatives.length, suspects: r.suspects.length });
      results.push({ model: m.name, status: "audited", constraints: r.constraints, wrap: r.wrap, signalsTried: r.signalsTried, signalsTotal: r.signalsTotal, mutationsTried: r.mutationsTried, forgeries: r.forgeries, alternatives: r.alternatives, suspects: r.suspects });
    } catch (e) {
      const reason = (e as Error).message.split("\n")[0];
      console.log(`not compiled: ${reason}`);
      results.push({ model: m.name, status: "not compiled", reason });
    }
  }
  console.table(rows);
  const privateRows: Record<string, unknown>[] = [];
  for (const m of privateModels()) {
    process.stdout.write(`other committed weights: ${m.name} ... `);
    try {
      const r = await auditPrivateWeights(m.name, m.onnx);
      console.log(`${r.tried} tried, ${r.forgeries.length} forgeries`);
      forgeries += r.forgeries.length;
      privateRows.push({ model: m.name, "constraints (private weights)": r.constraints, "weight sets × inputs": r.tried, "no witness": r.noWitness, forgeries: r.forgeries.length });
      results.push({ model: m.name, status: "private weights", constraints: r.constraints, tried: r.tried, noWitness: r.noWitness, forgeries: r.forgeries.map((detail) => ({ signal: "outputs", origin: "other committed weights", detail })) });
    } catch (e) {
      console.log(`not compiled: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  console.table(privateRows);
  for (const r of results) {
    const findings = [...((r.forgeries as { signal: string; origin: string; detail: string }[]) ?? []), ...((r.suspects as { signal: string; origin: string; detail: string }[]) ?? [])];
    for (const f of findings.slice(0, 10)) console.log(`${r.model}: ${f.signal} (${f.origin}): ${f.detail}`);
  }
  fs.mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, REPORT), JSON.stringify({ date: new Date().toISOString(), settings: { ...QUANT, body: BODY }, models: results }, null, 2) + "\n");
  const audited = results.filter((r) => r.status === "audited").length;
  const skipped = results.filter((r) => r.status === "skipped").length;
  const withPrivate = results.filter((r) => r.status === "private weights").length;
  const notCompiled = results.filter((r) => r.status === "not compiled").length;
  console.log(`\n${audited} models audited, ${skipped} skipped (too large), ${notCompiled} not compiled (unsupported ops), ${withPrivate} also with private weights; ${forgeries} forgeries; wrote ${REPORT}`);
  if (forgeries > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
