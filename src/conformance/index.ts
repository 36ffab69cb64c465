// The conformance run over a reference corpus of ONNX models (EZKL's examples): compile, prove, verify and compare
// each proven output with onnxruntime (scripts/conformance.ts writes the table, test/e2e/conformance.test.ts checks it).
import fs from "fs";
import { onnx } from "onnx-proto";
import path from "path";
import { importOnnx } from "../onnx/import";
import { size } from "../ir/graph";
import { compileModel } from "../pipeline/compile";
import { proveModel, verifyModelProof } from "../pipeline/prove";
import { runOnnxRuntime } from "../pipeline/reference";
import { quantizeInputs, readModelInput } from "../pipeline/input";
import { evaluateQuantized, quantizeModel } from "../quantize";
import { estimateConstraints } from "../gadgets";
import { dequantize } from "../numeric/fixed-point";
import { QuantParams } from "../ops/domain";
import { acceptedError, FidelityReport } from "../quantize/calibrate";
import { mulberry32 } from "../util/prng";

/** The reference corpus: ../shared/models/ezkl beside the clone, or $ZKML_MODELS_DIR. */
export const CORPUS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(__dirname, "..", "..", "..", "shared", "models", "ezkl");

/**
 * Fidelity target for a proven output: twice what calibration accepts (acceptedError at 0.5%), so
 * 1% of the output range (max |float output|) and at least 2^-9 absolute.
 */
export function fidelityTarget(reference: number[]): number {
  const range = Math.max(0, ...reference.map(Math.abs));
  return 2 * acceptedError(range);
}

export interface ConformanceRow {
  model: string;
  ops: string;
  constraints?: number;
  scale?: number;
  maxAbsError?: number;
  /** What the proven output was compared with: onnxruntime, or input.json's output_data when onnxruntime rejects the model. */
  reference?: "onnxruntime" | "output_data";
  target?: number;
  proven: boolean;
  fidelity?: FidelityReport;
  passed: boolean;
  seconds: number;
  reason?: string;
}

export function corpusModels(dir = CORPUS_DIR): string[] {
  if (!fs.existsSync(dir)) throw new Error(`reference corpus not found: ${dir} (clone beside ../shared or set ZKML_MODELS_DIR)`);
  return fs.readdirSync(dir).filter((m) => fs.existsSync(path.join(dir, m, "network.onnx"))).sort();
}

/** The op types of a model as written in the file (before folding), for the table. */
export function opsOf(file: string): string {
  const model = onnx.ModelProto.decode(fs.readFileSync(file));
  const ops = new Set((model.graph?.node ?? []).map((n) => n.opType ?? "?"));
  return [...ops].sort().join(" ");
}

/** input.json when the model has one, else seeded random inputs in [-1, 1). */
export function corpusInput(dir: string, onnxFile: string): unknown {
  const file = path.join(dir, "input.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const graph = importOnnx(fs.readFileSync(onnxFile), onnxFile);
  const rand = mulberry32(7);
  return { input_data: graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => Math.round((rand() * 2 - 1) * 4096) / 4096)) };
}

/** compile -> prove -> verify -> compare with onnxruntime, for one model of the corpus. */
export async function runConformance(name: string, opts: { dir?: string; buildDir: string; quant?: Partial<QuantParams> }): Promise<ConformanceRow> {
  const dir = path.join(opts.dir ?? CORPUS_DIR, name);
  const onnxFile = path.join(dir, "network.onnx");
  const started = Date.now();
  const row: ConformanceRow = { model: name, ops: "", proven: false, passed: false, seconds: 0 };
  try {
    row.ops = opsOf(onnxFile);
    const input = corpusInput(dir, onnxFile);
    const heavy = await tooLargeToProve(name, onnxFile, input, row);
    if (heavy) throw new Error(heavy);
    const compiled = await compileModel({
      name,
      onnx: onnxFile,
      buildDir: opts.buildDir,
      quant: { inputBits: 24, ...opts.quant },
      calibration: { inputs: [input] },
      log: () => undefined,
      force: true,
    });
    const m = compiled.manifest;
    row.constraints = m.circuit.constraints;
    row.scale = m.quant.scaleBits;
    row.fidelity = m.fidelity;
    // onnxruntime refuses some valid exports (decision_tree's int8 MatMul has no CPU kernel); the
    // corpus then still records the original framework's output in input.json, which proving compares with.
    const proved = await proveModel(compiled.dir, input);
    const verified = await verifyModelProof(compiled.dir, proved.proof, proved.publicSignals);
    row.proven = verified.valid;
    if (!verified.valid) throw new Error(`the proof did not verify: ${verified.reason}`);
    const ref = proved.reference;
    if (!ref) throw new Error(`onnxruntime cannot run the model and input.json has no output_data: ${proved.referenceUnavailable}`);
    row.reference = ref.source;
    row.maxAbsError = ref.maxAbsError;
    row.target = fidelityTarget(ref.outputs.flat());
    if (ref.maxAbsError > row.target) throw new Error(`max |error| ${ref.maxAbsError.toExponential(2)} exceeds the fidelity target ${row.target.toExponential(2)}`);
    row.passed = true;
  } catch (e) {
    row.reason = ((e as Error).message ?? String(e)).split("\n")[0];
  }
  row.seconds = (Date.now() - started) / 1000;
  return row;
}

/**
 * Above this many constraints (estimated before circom runs) a model is evaluated, not proven, here.
 * Every reference model is below it: the largest, mnist_gan (~1.7M at these 24-bit-input settings),
 * is proven with the direct R1CS body and a 2^21 setup in about 7 minutes.
 */
export const PROVE_LIMIT = 2_000_000;

/**
 * For a model too large to prove in a conformance run: its estimated size, and its bit-exact
 * evaluation compared with onnxruntime (recorded in the row). undefined when it is small enough.
 */
async function tooLargeToProve(name: string, onnxFile: string, input: unknown, row: ConformanceRow): Promise<string | undefined> {
  const graph = importOnnx(fs.readFileSync(onnxFile), name);
  const quant = { scaleBits: 12, inputBits: 24 };
  const model = quantizeModel(graph, quant);
  const inputCount = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
  const estimate = estimateConstraints(model.sites, inputCount, quant.inputBits);
  if (estimate <= PROVE_LIMIT) return undefined;
  const values = readModelInput(input, graph.inputs);
  const outs = evaluateQuantized(model, quantizeInputs(values, graph.inputs, quant)).map((o) => o.data.map((v) => dequantize(v, o.scale)));
  const ref = await runOnnxRuntime(onnxFile, graph.inputs, values);
  row.scale = quant.scaleBits;
  row.constraints = estimate;
  row.maxAbsError = Math.max(0, ...outs.flatMap((o, i) => o.map((v, j) => Math.abs(v - ref[i][j]))));
  row.target = fidelityTarget(ref.flat());
  return `not proven here: about ${(estimate / 1e6).toFixed(1)}M constraints (estimated; limit ${PROVE_LIMIT / 1e6}M); evaluated bit-exactly, max |error| ${row.maxAbsError.toExponential(2)}`;
}

