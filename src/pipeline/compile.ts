import { sha256 } from "../util/sha256";
import fs from "fs";
import os from "os";
import path from "path";
import { CircomArtifacts, compileCircuit, circomCommand } from "../backend/circom";
import { ProverChoice, provingSystem } from "../backend/provers";
import { calibrate, calibrateWidths, calibrationSamples, FidelityReport } from "../quantize/calibrate";
import { mulberry32 } from "../util/prng";
import { readModelInput } from "./input";
import { onnxRuntimeError, runOnnxRuntimeBatch } from "./reference";
import { requiredPower } from "../backend/ptau";
import { readR1cs } from "../backend/r1cs";
import { linkR1cs } from "../backend/link";
import { promptSeed, seededInputs } from "../privacy/seeded";
import { estimateConstraints } from "../gadgets";
import { inputScale, isIntegerInput, size } from "../ir/graph";
import { emitCircom, MAX_WASM_FUNCTION_BYTES, witnessFunctionBytes } from "../emit/circom";
import { defaultMaxConstraints, refuseEnormousGraph } from "../quantize/estimate";
import { checkFieldWrap, outputsOutsideDigit, requireNoFieldWrap, WrapFacts } from "../audit/field-wrap";
import { inputRange, paramBits, quantizeReal, signedRange } from "../numeric/fixed-point";
import { WrapSummary } from "./manifest";
import { fail, invariant } from "../errors";
import { Graph } from "../ir/graph";
import { CircuitProgram, lowerModel } from "../lower";
import { importOnnx } from "../onnx/import";
import { QuantParams } from "../ops/domain";
import { QuantizedModel, quantizeModel } from "../quantize";
import { ChainLinks, signalLayout, SignalLayout } from "../privacy/layout";
import { describeVisibility, PUBLIC_VISIBILITY, Visibility } from "../privacy/visibility";
import { writeDirAtomically, writeFileAtomically, writeJson } from "./files";
import { loadManifest, Manifest, MANIFEST_FILE, MANIFEST_FORMAT, verifierContractName } from "./manifest";
import { setupKeys } from "./setup";

const DEV_PTAU_FILE = "dev.ptau";

export const CIRCUIT_LIB_DIR = path.resolve(__dirname, "..", "..", "circuits", "lib");
/** circomlib's circuits (Poseidon), wherever npm installed the package. */
export const CIRCOMLIB_DIR = path.join(path.dirname(require.resolve("circomlib/package.json")), "circuits");
const PACKAGE_VERSION: string = require("../../package.json").version;

/** Everything that can change a circuit: the circuit library and the compiler stages that write it. */
const CIRCUIT_SOURCES = [CIRCUIT_LIB_DIR, ...["onnx", "ir", "ops", "quantize", "lower", "gadgets", "emit", "privacy", "audit", "backend"].map((d) => path.resolve(__dirname, "..", d))];
let fingerprint: string | undefined;

/**
 * sha256 over every file of CIRCUIT_SOURCES (relative path and bytes): a build made by other code is
 * rebuilt, whichever file changed (a gadget, an op, circuits/lib/seeded.circom, ...).
 */
export function compilerFingerprint(): string {
  if (fingerprint) return fingerprint;
  const root = path.resolve(__dirname, "..", "..");
  fingerprint = sha256(...circuitSourceFiles().flatMap((f) => [path.relative(root, f), fs.readFileSync(f)]));
  return fingerprint;
}

/** The files the build key covers. */
export function circuitSourceFiles(): string[] {
  return CIRCUIT_SOURCES.flatMap((dir) => (fs.existsSync(dir) ? listFiles(dir) : [])).sort();
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export interface CompileOptions {
  name: string;
  onnx: string;
  /** The model's artifacts go to <buildDir>/<name>. */
  buildDir: string;
  /** Where <Name>Verifier.sol is written for Hardhat to compile (omit to skip). */
  verifiersDir?: string;
  /**
   * Fixed-point settings; without scaleBits the scale is calibrated (see quantize/calibrate.ts).
   * inputUnsigned: QuantParams.inputUnsigned; widthMargin: calibrated widths (QuantParams.widths) with
   * this margin, from the calibration inputs.
   */
  quant: { scaleBits?: number; inputBits: number; inputUnsigned?: boolean; widthMargin?: number };
  calibration?: CalibrationSettings;
  /** Extra public inputs the proof is bound to (e.g. "recipient", "epoch"), after the model inputs. */
  bindings?: string[];
  /** What is public: inputs, parameters and outputs (default: all public, parameters fixed). */
  visibility?: Visibility;
  /**
   * How the model's gadgets become constraints: "circom" compiles them with the rest, "direct" writes
   * them as R1CS and links them to a circom interface (src/backend/link.ts). Default: see chooseBody.
   */
  body?: CircuitBody;
  /**
   * Refuse, before calibrating, a model whose constraints estimated from its graph exceed this
   * (default: what this machine's memory can set up, src/quantize/estimate.ts).
   */
  maxConstraints?: number;
  /** A ceremony .ptau; without it a development-only key is made from fresh, discarded secrets. */
  ptau?: string;
  /** The proving system that makes the keys and the verifier (default "native"; src/backend/provers.ts). */
  prover?: ProverChoice;
  force?: boolean;
  log: (msg: string) => void;
  /** Runs each long step with progress display (default: a line per step through `log`). */
  progress?: StepRunner;
  verbose?: boolean;
}

export type CircuitBody = "circom" | "direct";

/** Estimated constraints above which the gadgets are written as R1CS directly (circom2 fails near 100k). */
export const DIRECT_BODY_THRESHOLD = 150_000;

/**
 * The automatic choice keeps circom's witness function below 2/3 of the limit: the size model
 * (emit/circom.ts) was fitted on Gemm/Relu bodies, and other gadgets' assignments may cost more.
 */
export const WITNESS_FUNCTION_MARGIN = 2 / 3;

/** The smallest scale calibration tries (quantize/calibrate.ts): the cheapest the model can be. */
const MIN_CALIBRATED_SCALE_BITS = 6;

/** The scale when there is no float reference to calibrate against. */
export const FALLBACK_SCALE_BITS = 12;

export interface CalibrationSettings {
  /** Model inputs (each in the prove input format) to calibrate on and to draw random ones around. */
  inputs?: unknown[];
  /** Samples for the fidelity report (default 100; random ones fill up to this count). */
  samples?: number;
  /** Accepted max |error| as a fraction of the output range (default 0.005, at least 2^-10). */
  target?: number;
}

/** How a caller shows progress: it runs `fn` as the step called `label` and returns its result. */
export type StepRunner = <T>(label: string, fn: () => T | Promise<T>) => Promise<T>;

export interface CompiledModel {
  dir: string;
  manifest: Manifest;
  cached: boolean;
}

export async function compileModel(opts: CompileOptions): Promise<CompiledModel> {
  if (!/^[A-Za-z0-9_-]+$/.test(opts.name)) fail(`model name "${opts.name}" may contain only letters, digits, "_" and "-"`);
  if (!fs.existsSync(opts.onnx)) fail(`ONNX file not found: ${opts.onnx}`);
  const system = provingSystem(opts.prover);
  if (opts.quant.scaleBits !== undefined) checkQuant({ scaleBits: opts.quant.scaleBits, inputBits: opts.quant.inputBits });
  else checkQuant({ scaleBits: 12, inputBits: opts.quant.inputBits });
  if (opts.quant.widthMargin !== undefined && !(opts.quant.widthMargin >= 1)) fail(`widthMargin must be at least 1, got ${opts.quant.widthMargin}`);
  const bindings = opts.bindings ?? [];
  checkBindings(bindings);
  const visibility = opts.visibility ?? PUBLIC_VISIBILITY;
  const dir = path.join(opts.buildDir, opts.name);
  const onnxBytes = fs.readFileSync(opts.onnx);
  const buildKey = sha256(onnxBytes, JSON.stringify(opts.quant), JSON.stringify(opts.calibration ?? {}), JSON.stringify(bindings), JSON.stringify(visibility), opts.body ?? "auto", opts.ptau ?? "dev", PACKAGE_VERSION, circomCommand().label, compilerFingerprint());

  // A build from an older manifest format is stale: rebuilt, not an error.
  if (!opts.force && isCurrentBuild(dir)) {
    const manifest = loadManifest(dir);
    if (manifest.buildKey === buildKey) {
      opts.log(`${opts.name}: up to date (${manifest.circuit.constraints} constraints)`);
      writeVerifier(dir, manifest, opts.verifiersDir);
      return { dir, manifest, cached: true };
    }
  }

  const timings: Record<string, number> = {};
  const run: StepRunner = opts.progress ?? (async (label, fn) => (opts.log(`${label}...`), fn()));
  const step = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> =>
    run(`${opts.name}: ${label}`, async () => {
      const t0 = Date.now();
      const r = await fn();
      timings[label] = Date.now() - t0;
      return r;
    });

  const imported = importOnnx(onnxBytes, path.basename(opts.onnx));
  checkGraphSize(opts, imported);
  const manifest = await writeDirAtomically(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, "model.onnx"), onnxBytes);
    const { quant, report: fidelity } = await step("calibrate", () => calibrateModel(opts, path.join(tmp, "model.onnx"), imported));
    if (fidelity) opts.log(`${opts.name}: ${describeFidelity(fidelity)}`);
    const built = await buildCircuit(opts.name, onnxBytes, path.basename(opts.onnx), quant, tmp, step, { bindings, visibility, body: opts.body });
    const { graph, program, circuitSrc, layout, artifacts: art } = built;
    const r1cs = readR1cs(art.r1cs);
    const nPublic = r1cs.nPubOut + r1cs.nPubIn;
    opts.log(`${opts.name}: ${describeVisibility(visibility)}; ${r1cs.nConstraints} constraints, ${r1cs.nWires} wires, ${nPublic} public signals (needs 2^${requiredPower(r1cs.nConstraints, nPublic)})`);
    const { ptau, vkey } = await step("setup", () =>
      setupKeys(art.r1cs, path.join(tmp, "model.zkey"), { ptau: opts.ptau, devPtauOut: path.join(tmp, DEV_PTAU_FILE), log: opts.log, verbose: opts.verbose, prover: system }),
    );
    writeJson(path.join(tmp, "vkey.json"), vkey);
    const contractName = verifierContractName(opts.name);
    const verifierSrc = await step("verifier", () => system.solidityVerifier(path.join(tmp, "model.zkey"), contractName));
    fs.writeFileSync(path.join(tmp, `${contractName}.sol`), verifierSrc);

    const rel = (f: string) => path.relative(tmp, f);
    const m: Manifest = {
      format: MANIFEST_FORMAT,
      name: opts.name,
      contractName,
      modelHash: "0x" + sha256(onnxBytes, JSON.stringify(quant), JSON.stringify(bindings), JSON.stringify(visibility), circuitSrc),
      buildKey,
      quant,
      fidelity,
      inputs: graph.inputs,
      outputs: graph.outputs,
      visibility,
      publicSignals: layout,
      params: built.qmodel.params && {
        count: built.qmodel.params.values.length,
        tensors: built.qmodel.params.tensors.map(({ node, role, count }) => ({ node, role, count })),
      },
      circuit: { constraints: r1cs.nConstraints, wires: r1cs.nWires, gadgets: program.gadgets.length, compiler: circomCommand().label, body: built.body, wrap: built.wrap },
      // A development key's matching ptau lives in the model directory (relative); a ceremony file stays where it is.
      ptau: { power: ptau.power, development: ptau.development, file: ptau.development ? (ptau.file ? DEV_PTAU_FILE : "") : ptau.file, ceremony: ptau.ceremony },
      files: {
        onnx: "model.onnx", circuit: "model.circom", r1cs: rel(art.r1cs), sym: rel(art.sym), wasm: rel(art.wasm),
        witnessCalculator: rel(art.witnessCalculator), zkey: "model.zkey", vkey: "vkey.json", verifier: `${contractName}.sol`,
      },
      timingsMs: timings,
    };
    invariant(layout.count === nPublic, `circuit has ${nPublic} public signals, the layout expects ${layout.count}`);
    writeJson(path.join(tmp, MANIFEST_FILE), m);
    return m;
  });
  writeVerifier(dir, manifest, opts.verifiersDir);
  if (manifest.ptau.development)
    opts.log(`${opts.name}: NOTE development-only trusted setup (single party, secrets discarded): not for production; pass --ptau with a ceremony file`);
  return { dir, manifest, cached: false };
}

/**
 * Refuses, before calibration, a model whose graph estimate exceeds maxConstraints (default: what this
 * machine's memory can set up). The estimate is taken at the smallest scale calibration may choose
 * (2^6) unless the scale is fixed, so it never exceeds what any chosen scale costs.
 */
function checkGraphSize(opts: CompileOptions, graph: Graph): void {
  const limit = opts.maxConstraints ?? defaultMaxConstraints(os.totalmem());
  const quant = { scaleBits: opts.quant.scaleBits ?? MIN_CALIBRATED_SCALE_BITS, inputBits: opts.quant.inputBits };
  const est = refuseEnormousGraph(opts.name, graph, quant, limit);
  opts.log(`${opts.name}: about ${est.constraints.toLocaleString("en-US")} constraints estimated from the graph (limit ${limit.toLocaleString("en-US")})`);
}

export interface BuiltCircuit {
  graph: Graph;
  qmodel: QuantizedModel;
  program: CircuitProgram;
  circuitSrc: string;
  layout: SignalLayout;
  /** With a direct body, `r1cs` is the linked circuit and the rest are the interface's (see link.ts). */
  artifacts: CircomArtifacts;
  body: CircuitBody;
  wrap: WrapSummary;
}

/** What a circuit makes public, beyond the model itself. */
export interface CircuitInterface {
  bindings: string[];
  visibility: Visibility;
  body?: CircuitBody;
  /** Inside a chain: which side(s) are link commitments (see signalLayout). */
  links?: ChainLinks;
}

const untimed: StepRunner = async (_label, fn) => fn();

/** ONNX bytes -> circom circuit compiled in `dir` (no trusted setup): what tests and the audit need. */
export async function buildCircuit(
  name: string,
  onnxBytes: Uint8Array,
  source: string,
  quant: QuantParams,
  dir: string,
  step: StepRunner = untimed,
  io: CircuitInterface = { bindings: [], visibility: PUBLIC_VISIBILITY },
): Promise<BuiltCircuit> {
  const graph = await step("import", () => importOnnx(onnxBytes, source));
  return buildGraphCircuit(name, graph, source, quant, dir, step, io);
}

/** An imported graph (a whole model, or one segment of a chain) -> circom circuit compiled in `dir`. */
export async function buildGraphCircuit(
  name: string,
  graph: Graph,
  source: string,
  quant: QuantParams,
  dir: string,
  step: StepRunner = untimed,
  io: CircuitInterface = { bindings: [], visibility: PUBLIC_VISIBILITY },
): Promise<BuiltCircuit> {
  if (quant.inputUnsigned && io.visibility.input === "seeded") fail(`model "${name}": seeded inputs are signed digits of the seed; inputUnsigned does not apply`);
  const qmodel = await step("quantize", () => quantizeModel(graph, quant, { privateParams: io.visibility.params === "private" }));
  const program = await step("lower", () => lowerModel(qmodel));
  const layout = signalLayout(
    // An unsigned n-bit input is a signed (n + 1)-bit packing digit.
    { inputCount: program.inputCount, inputBits: quant.inputBits + (quant.inputUnsigned ? 1 : 0), outputBounds: qmodel.outputBounds, params: qmodel.params?.values, scaleBits: quant.scaleBits, integerInputs: integerInputs(graph) },
    io.visibility,
    io.bindings,
    io.links,
  );
  const header = `model "${name}" from ${source}, scale 2^${quant.scaleBits}, inputs ${quant.inputBits} bits${quant.inputUnsigned ? " unsigned" : ""}; ${describeVisibility(io.visibility)}`;
  const inputCount = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
  const body = chooseBody(name, io.body, estimateConstraints(qmodel.sites, inputCount, quant.inputBits), witnessFunctionBytes(program));
  const wrap = await step("wrap check", () => checkFieldWrap(program, wrapFacts(quant, qmodel)));
  requireNoFieldWrap(wrap, name);
  // Outputs the constraints alone do not keep inside their packing digit get a range check of it.
  const digitChecks = outputsOutsideDigit(wrap, layout.outputs.packing.bits);
  const circuitSrc = emitCircom(program, header, layout, { externalBody: body === "direct", digitChecks });
  fs.writeFileSync(path.join(dir, "model.circom"), circuitSrc);
  const artifacts = await step("circom", () => compileCircuit(path.join(dir, "model.circom"), dir, [CIRCUIT_LIB_DIR, CIRCOMLIB_DIR], body === "circom"));
  if (body === "direct") {
    const linked = path.join(dir, "model.linked.r1cs");
    const linkedSym = path.join(dir, "model.linked.sym");
    await step("r1cs", () => linkR1cs(artifacts.r1cs, artifacts.sym, program, linked, linkedSym));
    artifacts.r1cs = linked;
    artifacts.linkedSym = linkedSym;
  }
  return { graph, qmodel, program, circuitSrc, layout, artifacts, body, wrap: { widestBits: wrap.widestBits, marginBits: wrap.marginBits, widestAt: wrap.widestAt, fieldNative: wrap.fieldNative, digitChecks: digitChecks.length } };
}

/**
 * The circuit body. circom is the default up to DIRECT_BODY_THRESHOLD estimated constraints (circom2's
 * memory) and while circom's main witness function stays below WITNESS_FUNCTION_MARGIN of WebAssembly's
 * limit on one function; a forced circom body past that limit would compile, then fail to witness.
 */
export function chooseBody(name: string, forced: CircuitBody | undefined, constraints: number, functionBytes: number): CircuitBody {
  if (forced === "circom" && functionBytes > MAX_WASM_FUNCTION_BYTES)
    fail(
      `model "${name}": a circom body would make circom's witness function about ${(functionBytes / 1e6).toFixed(1)} MB, above WebAssembly's ` +
        `limit of ${MAX_WASM_FUNCTION_BYTES.toLocaleString("en-US")} bytes on one function (witness generation would fail); use body: "direct"`,
    );
  if (forced) return forced;
  return constraints > DIRECT_BODY_THRESHOLD || functionBytes > WITNESS_FUNCTION_MARGIN * MAX_WASM_FUNCTION_BYTES ? "direct" : "circom";
}

/** Where the integer (scale 0) inputs' values sit among the flattened inputs. */
function integerInputs(graph: Graph): { name: string; start: number; count: number }[] {
  let start = 0;
  return graph.inputs.flatMap((vi) => {
    const at = start;
    start += size(vi.shape);
    return isIntegerInput(vi) ? [{ name: vi.name, start: at, count: size(vi.shape) }] : [];
  });
}

/** What the interface proves about the body's inputs and private parameters (for the wrap check). */
export function wrapFacts(quant: QuantParams, qmodel: QuantizedModel): WrapFacts {
  return { input: inputRange(quant), param: qmodel.params && signedRange(paramBits(qmodel.params.values)) };
}

/** Copies the model's verifier into the Hardhat sources when it changed. */
export function writeVerifier(dir: string, m: Manifest, verifiersDir: string | undefined): void {
  if (!verifiersDir) return;
  const dest = path.join(verifiersDir, `${m.contractName}.sol`);
  const src = fs.readFileSync(path.join(dir, m.files.verifier));
  if (!fs.existsSync(dest) || !fs.readFileSync(dest).equals(src)) writeFileAtomically(dest, src);
}

function isCurrentBuild(dir: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8")).format === MANIFEST_FORMAT;
  } catch {
    return false;
  }
}

export function checkBindings(bindings: string[]): void {
  for (const b of bindings)
    if (!/^[a-z][A-Za-z0-9]{0,30}$/.test(b) || ["in", "out", "main", "signal", "input", "output", "component", "template"].includes(b))
      fail(`binding "${b}" must be a lowerCamelCase identifier (e.g. "recipient", "epoch") other than in/out and circom keywords`);
  if (new Set(bindings).size !== bindings.length) fail(`bindings must be distinct: ${bindings.join(", ")}`);
}

/**
 * The scale: the user's, or the smallest that meets the fidelity target on the calibration inputs.
 * Either way the fidelity report (max error, relative error, argmax agreement) is computed.
 */
async function calibrateModel(opts: CompileOptions, onnxFile: string, graph: Graph): Promise<{ quant: QuantParams; report?: FidelityReport }> {
  const seeded = (opts.visibility ?? PUBLIC_VISIBILITY).input === "seeded";
  if (seeded && opts.quant.scaleBits === undefined) fail(`${opts.name}: seeded inputs need a fixed scaleBits (the latent range is 2^(inputBits-1) / 2^scaleBits)`);
  // A seeded model's inputs are its seeds' expansions: the report runs on those, not on [-1, 1).
  const given = seeded
    ? Array.from({ length: opts.calibration?.samples ?? 100 }, (_, k) =>
        seededInputs(promptSeed(`calibration ${k}`), graph.inputs, opts.quant.inputBits).map((list) => list.map((q) => Number(q) / 2 ** opts.quant.scaleBits!)),
      )
    : (opts.calibration?.inputs ?? []).map((raw) => readModelInput(raw, graph.inputs));
  const samples = calibrationSamples(graph, given, Math.max(opts.calibration?.samples ?? 100, given.length), mulberry32(0x5ca1e));
  const ortError = await onnxRuntimeError(onnxFile, graph.inputs, samples[0]);
  if (ortError) {
    // Without a float reference there is nothing to calibrate against: the default scale is used.
    const quant = withWidths(graph, { scaleBits: opts.quant.scaleBits ?? FALLBACK_SCALE_BITS, inputBits: opts.quant.inputBits, inputUnsigned: opts.quant.inputUnsigned }, samples, opts.quant.widthMargin);
    opts.log(`${opts.name}: no float reference: onnxruntime cannot run the model (${ortError}); no calibration or fidelity report, scale 2^${quant.scaleBits}`);
    return { quant };
  }
  const reference = (batch: number[][][]) => runOnnxRuntimeBatch(onnxFile, graph.inputs, batch);
  const settings = { inputBits: opts.quant.inputBits, inputUnsigned: opts.quant.inputUnsigned, target: opts.calibration?.target, reference };
  // The search runs on a subset, at the worst-case widths; the report on every sample at the chosen scale,
  // with the calibrated widths when asked (a table after a narrowed node may then compute differently).
  const search = opts.quant.scaleBits === undefined ? await calibrate(graph, { ...settings, samples: samples.slice(0, Math.max(16, given.length)) }) : undefined;
  const scaleBits = opts.quant.scaleBits ?? search!.report.scaleBits;
  const quant = withWidths(graph, { scaleBits, inputBits: opts.quant.inputBits, inputUnsigned: opts.quant.inputUnsigned }, samples, opts.quant.widthMargin);
  const { report } = await calibrate(graph, { ...settings, widths: quant.widths, samples, scales: [scaleBits] });
  return { quant, report: search ? { ...report, tried: search.report.tried } : report };
}

/** The settings with calibrated widths from the calibration inputs (those inside the input range), when a margin is given. */
export function withWidths(graph: Graph, quant: QuantParams, samples: number[][][], margin: number | undefined): QuantParams {
  if (margin === undefined) return quant;
  const { lo, hi } = inputRange(quant);
  // Calibration inputs the input range refuses are calibrate()'s to report; the widths use the rest.
  const inside = samples.filter((s) => s.every((list, i) => list.every((x) => {
    const q = quantizeReal(x, inputScale(graph.inputs[i], quant.scaleBits), "calibration input");
    return q >= lo && q <= hi;
  })));
  return { ...quant, widths: calibrateWidths(graph, quant, inside, margin) };
}

export function describeFidelity(r: FidelityReport): string {
  const agree = r.argmaxAgreement === undefined ? "" : `, argmax agrees on ${(r.argmaxAgreement * 100).toFixed(0)}%`;
  return `scale 2^${r.scaleBits}: max |error| ${r.maxAbsError.toExponential(2)} vs onnxruntime over ${r.samples} inputs (${(r.relativeError * 100).toFixed(3)}% of the output range${agree})${r.withinTarget ? "" : ` ABOVE the target of ${(r.target * 100).toFixed(2)}%`}`;
}

function checkQuant(q: QuantParams): void {
  if (!Number.isInteger(q.scaleBits) || q.scaleBits < 1 || q.scaleBits > 32) fail(`scaleBits must be an integer from 1 to 32, got ${q.scaleBits}`);
  if (!Number.isInteger(q.inputBits) || q.inputBits < 2 || q.inputBits > 128) fail(`inputBits must be an integer from 2 to 128, got ${q.inputBits}`);
}
