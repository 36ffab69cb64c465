import crypto from "crypto";
import { sha256 } from "../util/sha256";
import { AbiCoder, keccak256 } from "ethers";
import fs from "fs";
import path from "path";
import { Groth16Calldata, Groth16Proof, Groth16VerificationKey } from "../backend/groth16";
import { ProverChoice, provingSystem } from "../backend/provers";
import { Witness } from "../backend/proving-system";
import { circomCommand } from "../backend/circom";
import { readR1cs } from "../backend/r1cs";
import { fail, invariant } from "../errors";
import { CutPoint, cutPoints, sliceGraph } from "../ir/cut";
import { Graph, size, ValueInfo } from "../ir/graph";
import { importOnnx } from "../onnx/import";
import { QuantParams } from "../ops/domain";
import { COMMITMENT_TAG, commitValues } from "../privacy/commitment";
import { modelWitnessInput, SignalLayout } from "../privacy/layout";
import { describeVisibility, PUBLIC_VISIBILITY, Visibility } from "../privacy/visibility";
import { evaluateQuantized, quantizeModel, QuantizedModel } from "../quantize";
import { defaultMaxConstraints, estimateGraph } from "../quantize/estimate";
import { IntervalDomain } from "../quantize/interval";
import { runGraph } from "../quantize/run";
import { inputRange, signedRange, signedWidth } from "../numeric/fixed-point";
import { FIELD_MODULUS } from "../numeric/field";
import { buildGraphCircuit, CalibrationSettings, checkBindings, CircuitBody, compilerFingerprint, StepRunner, withWidths } from "./compile";
import { calibrationSamples } from "../quantize/calibrate";
import { mulberry32 } from "../util/prng";
import { writeDirAtomically, writeJson } from "./files";
import { quantizeInputs, readModelInput } from "./input";
import { Manifest, MANIFEST_FILE, MANIFEST_FORMAT, loadManifest, verifierContractName } from "./manifest";
import { bindingInputs, modelWitness } from "./prove";
import { setupKeys } from "./setup";

/**
 * One inference proven as a chain of segments (issue 20). The model's graph is cut at layer boundaries
 * (src/ir/cut.ts); segment i proves out_i = f_i(in_i) with its own circuit and keys. Between two segments
 * the boundary activations are committed with the link tag (src/privacy/commitment.ts), packed at one
 * width on both sides: segment i's outputs are kept inside that width by their proven bounds (or a digit
 * range check), segment i+1's inputs by its input range check, so the packing is injective and equal link
 * commitments mean equal activations. The first segment's inputs and the last one's outputs follow the
 * model's visibility; the bindings go to the last segment.
 *
 * A segment after a cut is quantized with its input at the model scale and as wide as the previous
 * segment's output packing; a cut is only made where the whole model's value is exactly at the model
 * scale (not left finer for a linear layer), so the chain computes what the whole model computes.
 */
export const CHAIN_FORMAT = "hardhat-zkml/chain@2";
export const CHAIN_PLAN_FORMAT = "hardhat-zkml/chain-plan@1";
export const CHAIN_PLAN_FILE = "plan.json";
export const CHAIN_FILE = "chain.json";

export interface ChainSegment {
  index: number;
  /** The segment's directory, relative to the chain's: a model manifest of its own (manifest.json). */
  dir: string;
  contractName: string;
  /** The cut before its first node (absent for the first segment) and after its last (absent for the last). */
  from?: CutPoint;
  to?: CutPoint;
  quant: QuantParams;
  constraints: number;
  publicSignals: SignalLayout;
  /** sha256 of the segment's proving key and verification key files (what workers check artifacts against). */
  zkeySha256: string;
  vkeySha256: string;
  /** The segment manifest's `modelHash` (what its ZkmlModel adapter is deployed with). */
  modelHash: string;
}

export interface ChainManifest {
  format: typeof CHAIN_FORMAT;
  name: string;
  buildKey: string;
  quant: QuantParams;
  visibility: Visibility;
  bindings: string[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /**
   * The chain's identity, as contracts/ChainVerifier.sol computes it: keccak256(abi.encode(bytes32[] modelHashes))
   * over the segments' manifest `modelHash`es, in order.
   */
  chainHash: string;
  /** Every link commitment carries a salt (SegmentSettings.saltedLinks). */
  saltedLinks?: boolean;
  segments: ChainSegment[];
  files: { onnx: string };
}

export interface SegmentSettings {
  /** Cut before these tensors' consumers: each must be a layer boundary (see cutPoints). */
  cuts?: string[];
  /** Or: cut greedily so that each segment's estimated constraints stay at most this (a lower estimate). */
  maxConstraints?: number;
  /** Salt every link commitment (ChainLinks.salted): the public links then reveal nothing about the activations. */
  saltedLinks?: boolean;
  /**
   * Or: so that each segment's estimated memory to set up and prove stays at most this many MiB (a prover
   * machine's budget): maxConstraints = maxMemoryMiB / BYTES_PER_CONSTRAINT (3.5 KiB, measured on mnist_gan).
   */
  maxMemoryMiB?: number;
}

/** The per-segment constraint limit a setting asks for (undefined for explicit cuts). */
export function segmentConstraintLimit(settings: SegmentSettings): number | undefined {
  if (settings.maxMemoryMiB !== undefined) return defaultMaxConstraints(settings.maxMemoryMiB * 2 ** 20);
  return settings.maxConstraints;
}

export interface ChainCompileOptions {
  name: string;
  onnx: string;
  buildDir: string;
  verifiersDir?: string;
  /**
   * The scale must be fixed: every segment is quantized at it. inputUnsigned: the model's inputs (the first
   * segment's); widthMargin: calibrated widths (as for compileModel) measured once on the whole model, each
   * segment enforcing its own nodes' widths, so a deep model's bounds do not grow from cut to cut.
   */
  quant: { scaleBits: number; inputBits: number; inputUnsigned?: boolean; widthMargin?: number };
  /** The inputs the calibrated widths are measured on (default: 100 random ones in [-1, 1]). */
  calibration?: CalibrationSettings;
  bindings?: string[];
  visibility?: Visibility;
  segments: SegmentSettings;
  /** Every segment's circuit body (default: chosen per segment, as for a single model). */
  body?: CircuitBody;
  ptau?: string;
  prover?: ProverChoice;
  force?: boolean;
  log: (msg: string) => void;
  progress?: StepRunner;
}

export interface CompiledChain {
  dir: string;
  manifest: ChainManifest;
  cached: boolean;
}

/** The layer boundaries of `graph` where a chain may be cut: one tensor crosses, at exactly the model scale. */
export function chainCutPoints(graph: Graph, quant: QuantParams): CutPoint[] {
  const scales = new Map<string, { scale: number; fine: boolean }>();
  const inputs = graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => signedRange(quant.inputBits)));
  runGraph(graph, new IntervalDomain(), quant, inputs, undefined, (name, v) => scales.set(name, { scale: v.scale, fine: v.fine === true }));
  return cutPoints(graph).filter((c) => {
    const s = scales.get(c.tensor);
    return s !== undefined && s.scale === quant.scaleBits && !s.fine;
  });
}

/** The cuts a setting asks for, in graph order. */
export function chooseCuts(name: string, graph: Graph, quant: QuantParams, settings: SegmentSettings): CutPoint[] {
  const valid = chainCutPoints(graph, quant);
  if (settings.cuts) {
    const chosen = settings.cuts.map((t) => {
      const c = valid.find((v) => v.tensor === t);
      if (!c) fail(`model "${name}": "${t}" is not a layer boundary a chain can be cut at (one tensor crossing, at the model scale); the boundaries are: ${valid.map((v) => v.tensor).join(", ") || "none"}`);
      return c;
    });
    const sorted = [...chosen].sort((a, b) => a.index - b.index);
    if (new Set(sorted.map((c) => c.index)).size !== sorted.length) fail(`model "${name}": the same cut is given twice`);
    return sorted;
  }
  const limit = segmentConstraintLimit(settings);
  if (limit === undefined || !(limit > 0)) fail(`model "${name}": a chain needs segments.cuts, a positive segments.maxConstraints or segments.maxMemoryMiB`);
  const cost = (from: CutPoint | undefined, to: CutPoint | undefined) => estimateGraph(sliceGraph(graph, from, to), quant).constraints;
  const cuts: CutPoint[] = [];
  let start: CutPoint | undefined;
  let next = 0;
  // Each segment ends at the furthest boundary that keeps it within the limit (at the next one when even that is above).
  while (next < valid.length && cost(start, undefined) > limit) {
    let j = next;
    while (j + 1 < valid.length && cost(start, valid[j + 1]) <= limit) j++;
    cuts.push(valid[j]);
    start = valid[j];
    next = j + 1;
  }
  return cuts;
}

/** One segment of a planned chain: its nodes (between two cuts) and the range its inputs are checked to. */
export interface SegmentPlan {
  index: number;
  from?: CutPoint;
  to?: CutPoint;
  quant: QuantParams;
}

/**
 * What every segment's build needs, fixed before any is built, so that segments can be built and keyed in
 * any order, by any worker (src/queue): the cuts and each segment's input range. Written as plan.json next to
 * the chain's model.onnx.
 */
export interface ChainPlan {
  format: typeof CHAIN_PLAN_FORMAT;
  name: string;
  buildKey: string;
  /** compilerFingerprint() of the planner: a worker running other circuit code refuses to build for it. */
  compiler: string;
  quant: QuantParams;
  visibility: Visibility;
  bindings: string[];
  body?: CircuitBody;
  saltedLinks?: boolean;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  segments: SegmentPlan[];
}

/**
 * The range segment i+1's inputs are checked to, from segment i's proven output bounds. Both sides pack the
 * link at the signed width of those bounds (signalLayout's output packing); when no output can be negative
 * (a ReLU's), the next inputs are checked unsigned at one bit less, which packs at the same width. Checking
 * them signed instead would let every later bound start from a range twice as wide, one bit more per cut.
 */
export function boundaryQuant(bounds: { lo: bigint; hi: bigint }[], scaleBits: number): QuantParams {
  const bits = Math.max(1, ...bounds.map((b) => signedWidth(b.lo, b.hi)));
  return bits >= 2 && bounds.every((b) => b.lo >= 0n) ? { scaleBits, inputBits: bits - 1, inputUnsigned: true } : { scaleBits, inputBits: bits };
}

/** The signed width a segment's link packs its inputs at (an unsigned n-bit input is an (n + 1)-bit digit). */
function inputPackingBits(q: QuantParams): number {
  return q.inputBits + (q.inputUnsigned ? 1 : 0);
}

/** Cuts the model and fixes each segment's input range: quantizing segment i gives the bounds segment i+1 starts from. */
export function planChain(opts: ChainCompileOptions, graph: Graph, buildKey: string): ChainPlan {
  const cuts = chooseCuts(opts.name, graph, opts.quant, opts.segments);
  if (cuts.length === 0) fail(`model "${opts.name}": the segment settings make one segment; compile it as a single model instead`);
  const widths = chainWidths(opts, graph);
  const segments: SegmentPlan[] = [];
  let quant: QuantParams = { scaleBits: opts.quant.scaleBits, inputBits: opts.quant.inputBits, ...(opts.quant.inputUnsigned ? { inputUnsigned: true } : {}) };
  for (let i = 0; i <= cuts.length; i++) {
    const from = i === 0 ? undefined : cuts[i - 1];
    const to = i === cuts.length ? undefined : cuts[i];
    const segGraph = sliceGraph(graph, from, to);
    const own = widths && Object.fromEntries(Object.entries(widths).filter(([key]) => segGraph.nodes.some((n) => key.startsWith(`${n.name}|`))));
    const segQuant: QuantParams = own && Object.keys(own).length > 0 ? { ...quant, widths: own } : quant;
    segments.push({ index: i, ...(from ? { from } : {}), ...(to ? { to } : {}), quant: segQuant });
    if (to) quant = boundaryQuant(quantizeModel(segGraph, segQuant).outputBounds, opts.quant.scaleBits);
  }
  return {
    format: CHAIN_PLAN_FORMAT, name: opts.name, buildKey, compiler: compilerFingerprint(), quant: opts.quant, visibility: opts.visibility ?? PUBLIC_VISIBILITY,
    bindings: opts.bindings ?? [], ...(opts.body ? { body: opts.body } : {}), ...(opts.segments.saltedLinks ? { saltedLinks: true } : {}), inputs: graph.inputs, outputs: graph.outputs, segments,
  };
}

/** Calibrated widths over the whole model (QuantParams.widths), when a margin is asked for. */
function chainWidths(opts: ChainCompileOptions, graph: Graph): QuantParams["widths"] {
  const margin = opts.quant.widthMargin;
  if (margin === undefined) return undefined;
  if (!(margin >= 1)) fail(`widthMargin must be at least 1, got ${margin}`);
  const given = (opts.calibration?.inputs ?? []).map((raw) => readModelInput(raw, graph.inputs));
  const samples = calibrationSamples(graph, given, Math.max(opts.calibration?.samples ?? 100, given.length), mulberry32(0x5ca1e));
  const base = { scaleBits: opts.quant.scaleBits, inputBits: opts.quant.inputBits, inputUnsigned: opts.quant.inputUnsigned };
  return withWidths(graph, base, samples, margin).widths;
}

/** The model's content key for a chain build: what the plan and every segment depend on. */
export function chainBuildKey(opts: ChainCompileOptions, onnxBytes: Buffer): string {
  const visibility = opts.visibility ?? PUBLIC_VISIBILITY;
  return sha256(onnxBytes, JSON.stringify(opts.quant), JSON.stringify(opts.calibration ?? null), JSON.stringify(opts.bindings ?? []), JSON.stringify(visibility), JSON.stringify(opts.segments), opts.body ?? "auto", opts.ptau ?? "dev", circomCommand().label, compilerFingerprint(), CHAIN_FORMAT);
}

export interface SegmentBuildOptions {
  /** A ceremony's powers of tau (default: a development key). */
  ptau?: string;
  prover?: ProverChoice;
  log: (msg: string) => void;
  progress?: StepRunner;
}

/**
 * Builds and keys segment `index` of `plan` into `segDir` with the pipeline's own stages (buildGraphCircuit,
 * setupKeys, the proving system's verifier): a model manifest of its own, its keys and its verifier. The same
 * on a coordinator and on a queue worker.
 */
export async function buildSegment(plan: ChainPlan, graph: Graph, onnxBytes: Buffer, index: number, segDir: string, opts: SegmentBuildOptions): Promise<ChainSegment> {
  const seg = plan.segments[index];
  if (!seg) fail(`chain "${plan.name}" has no segment ${index} (it has ${plan.segments.length})`);
  const { from, to, quant } = seg;
  const segName = `${plan.name}_seg${index}`;
  const system = provingSystem(opts.prover);
  const run: StepRunner = opts.progress ?? (async (label, fn) => (opts.log(`${label}...`), fn()));
  const step: StepRunner = (label, fn) => run(`${segName}: ${label}`, fn);
  const segVisibility: Visibility = {
    input: from ? "hashed" : plan.visibility.input,
    inputSalt: from ? plan.saltedLinks === true : plan.visibility.inputSalt,
    params: "fixed",
    output: to ? "hashed" : plan.visibility.output,
  };
  const segGraph = sliceGraph(graph, from, to);
  const built = await buildGraphCircuit(segName, segGraph, `${plan.name}'s ONNX nodes ${from?.index ?? 0}..${(to?.index ?? graph.nodes.length) - 1}`, quant, segDir, step, {
    bindings: to ? [] : plan.bindings,
    visibility: segVisibility,
    links: { input: from !== undefined, output: to !== undefined, salted: plan.saltedLinks },
    body: plan.body,
  });
  const next = plan.segments[index + 1];
  invariant(!next || built.layout.outputs.packing.bits === inputPackingBits(next.quant), `segment ${index}: its outputs pack at ${built.layout.outputs.packing.bits} bits, the plan checks segment ${index + 1}'s inputs at ${inputPackingBits(next?.quant ?? quant)}`);
  const r1cs = readR1cs(built.artifacts.r1cs);
  const { ptau, vkey } = await step("setup", () => setupKeys(built.artifacts.r1cs, path.join(segDir, "model.zkey"), { ptau: opts.ptau, log: opts.log, prover: system }));
  writeJson(path.join(segDir, "vkey.json"), vkey);
  const contractName = verifierContractName(segName);
  const verifierSrc = await step("verifier", () => system.solidityVerifier(path.join(segDir, "model.zkey"), contractName));
  fs.writeFileSync(path.join(segDir, `${contractName}.sol`), verifierSrc);
  const r = (f: string) => path.relative(segDir, f);
  const m: Manifest = {
    format: MANIFEST_FORMAT,
    name: segName,
    contractName,
    modelHash: "0x" + sha256(onnxBytes, JSON.stringify(quant), JSON.stringify(segVisibility), built.circuitSrc),
    buildKey: plan.buildKey,
    quant,
    inputs: segGraph.inputs,
    outputs: segGraph.outputs,
    visibility: segVisibility,
    publicSignals: built.layout,
    circuit: { constraints: r1cs.nConstraints, wires: r1cs.nWires, gadgets: built.program.gadgets.length, compiler: circomCommand().label, body: built.body, wrap: built.wrap },
    ptau: { power: ptau.power, development: ptau.development, file: ptau.development ? "" : ptau.file, ceremony: ptau.ceremony },
    files: {
      onnx: "../model.onnx", circuit: "model.circom", r1cs: r(built.artifacts.r1cs), sym: r(built.artifacts.sym), wasm: r(built.artifacts.wasm),
      witnessCalculator: r(built.artifacts.witnessCalculator), zkey: "model.zkey", vkey: "vkey.json", verifier: `${contractName}.sol`,
    },
    timingsMs: {},
  };
  invariant(built.layout.count === r1cs.nPubOut + r1cs.nPubIn, `segment ${index}: the circuit has ${r1cs.nPubOut + r1cs.nPubIn} public signals, the layout expects ${built.layout.count}`);
  writeJson(path.join(segDir, MANIFEST_FILE), m);
  opts.log(`${segName}: ${r1cs.nConstraints} constraints, inputs ${quant.inputBits} bits${quant.inputUnsigned ? " unsigned" : ""}, ${built.layout.count} public signals`);
  return {
    index, dir: `seg${index}`, contractName, ...(from ? { from } : {}), ...(to ? { to } : {}), quant, constraints: r1cs.nConstraints, publicSignals: built.layout, modelHash: m.modelHash,
    zkeySha256: fileSha256(path.join(segDir, "model.zkey")), vkeySha256: fileSha256(path.join(segDir, "vkey.json")),
  };
}

/** The chain manifest over built segments (in order). */
export function chainManifest(plan: ChainPlan, segments: ChainSegment[]): ChainManifest {
  invariant(segments.length === plan.segments.length && segments.every((s, i) => s.index === i), "the chain's segments are not the plan's, in order");
  return {
    format: CHAIN_FORMAT, name: plan.name, buildKey: plan.buildKey, quant: plan.quant, visibility: plan.visibility, bindings: plan.bindings, ...(plan.saltedLinks ? { saltedLinks: true } : {}),
    inputs: plan.inputs, outputs: plan.outputs, chainHash: chainHash(segments.map((s) => s.modelHash)), segments, files: { onnx: "model.onnx" },
  };
}

/** Checks a compile request and returns its ONNX bytes and graph (both the local and the distributed compile start here). */
export function readChainSource(opts: ChainCompileOptions): { onnxBytes: Buffer; graph: Graph } {
  if (!/^[A-Za-z0-9_-]+$/.test(opts.name)) fail(`model name "${opts.name}" may contain only letters, digits, "_" and "-"`);
  if (!fs.existsSync(opts.onnx)) fail(`ONNX file not found: ${opts.onnx}`);
  const visibility = opts.visibility ?? PUBLIC_VISIBILITY;
  if (visibility.input === "seeded" || visibility.output === "fingerprint" || visibility.params === "private")
    fail(`model "${opts.name}": a chain does not take seeded inputs, fingerprinted outputs or private parameters yet (${describeVisibility(visibility)})`);
  checkBindings(opts.bindings ?? []);
  const onnxBytes = fs.readFileSync(opts.onnx);
  return { onnxBytes, graph: importOnnx(onnxBytes, path.basename(opts.onnx)) };
}

/** The chain already built for this request, if its build key matches (its verifiers are written again). */
export function upToDateChain(opts: ChainCompileOptions, buildKey: string): CompiledChain | undefined {
  const dir = path.join(opts.buildDir, opts.name);
  const old = opts.force ? undefined : tryLoadChain(dir);
  if (!old || old.buildKey !== buildKey) return undefined;
  opts.log(`${opts.name}: chain up to date (${old.segments.map((s) => s.constraints).join(" + ")} constraints)`);
  writeVerifiers(dir, old, opts.verifiersDir);
  return { dir, manifest: old, cached: true };
}

/**
 * Compiles a model as a chain in this process: plans it, then builds and keys each segment in turn
 * (src/queue/setup.ts does the same through the queue's workers). Artifacts go to <buildDir>/<name>/seg<i>.
 */
export async function compileChain(opts: ChainCompileOptions): Promise<CompiledChain> {
  const { onnxBytes, graph } = readChainSource(opts);
  const buildKey = chainBuildKey(opts, onnxBytes);
  const cached = upToDateChain(opts, buildKey);
  if (cached) return cached;
  const plan = planChain(opts, graph, buildKey);
  opts.log(`${opts.name}: ${plan.segments.length} segments, cut at ${plan.segments.slice(1).map((s) => s.from!.tensor).join(", ")}`);
  const dir = path.join(opts.buildDir, opts.name);
  const manifest = await writeDirAtomically(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, "model.onnx"), onnxBytes);
    writeJson(path.join(tmp, CHAIN_PLAN_FILE), plan);
    const segments: ChainSegment[] = [];
    for (const s of plan.segments) {
      const segDir = path.join(tmp, `seg${s.index}`);
      fs.mkdirSync(segDir);
      segments.push(await buildSegment(plan, graph, onnxBytes, s.index, segDir, { ptau: opts.ptau, prover: opts.prover, log: opts.log, progress: opts.progress }));
    }
    const chain = chainManifest(plan, segments);
    writeJson(path.join(tmp, CHAIN_FILE), chain);
    return chain;
  });
  writeVerifiers(dir, manifest, opts.verifiersDir);
  return { dir, manifest, cached: false };
}

export function writeVerifiers(dir: string, chain: ChainManifest, verifiersDir: string | undefined): void {
  if (!verifiersDir) return;
  fs.mkdirSync(verifiersDir, { recursive: true });
  for (const s of chain.segments) {
    const src = fs.readFileSync(path.join(dir, s.dir, `${s.contractName}.sol`));
    const dest = path.join(verifiersDir, `${s.contractName}.sol`);
    if (!fs.existsSync(dest) || !fs.readFileSync(dest).equals(src)) fs.writeFileSync(dest, src);
  }
}

function tryLoadChain(dir: string): ChainManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, CHAIN_FILE), "utf8")) as ChainManifest;
    return m.format === CHAIN_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

/** keccak256(abi.encode(bytes32[])) over the segments' model hashes: ChainVerifier's `chainHash`. */
export function chainHash(modelHashes: string[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32[]"], [modelHashes]));
}

export function loadChain(dir: string): ChainManifest {
  const m = tryLoadChain(dir);
  if (!m) fail(`no compiled chain in ${dir}; compile the model with segments first`);
  return m;
}

/** One segment's graph and quantized model, rebuilt from the chain's ONNX and cuts. */
export function segmentModel(dir: string, chain: ChainManifest, index: number): QuantizedModel {
  const s = chain.segments[index];
  if (!s) fail(`chain "${chain.name}" has no segment ${index} (it has ${chain.segments.length})`);
  const graph = importOnnx(fs.readFileSync(path.join(dir, chain.files.onnx)), chain.name);
  return quantizeModel(sliceGraph(graph, s.from, s.to), s.quant);
}

/**
 * The quantized activations at every boundary for one inference: `[inputs, after segment 0, ..., outputs]`,
 * each segment run by the bit-exact evaluator on the one before. What the coordinator hands each prover.
 */
export function chainActivations(dir: string, chain: ChainManifest, inputs: bigint[]): bigint[][] {
  const acts = [inputs];
  for (let i = 0; i < chain.segments.length; i++) {
    const qm = segmentModel(dir, chain, i);
    const segInputs = splitBy(acts[i], qm.graph.inputs);
    acts.push(evaluateQuantized(qm, segInputs).flatMap((v) => v.data));
  }
  return acts;
}

/** The model's quantized inputs from a prove input (the format `zkml:prove` reads). */
export function chainInputs(dir: string, chain: ChainManifest, rawInput: unknown): bigint[] {
  return quantizeInputs(readModelInput(rawInput, chain.inputs), chain.inputs, chain.quant).flat();
}

export interface SegmentProof {
  index: number;
  proof: Groth16Proof;
  publicSignals: string[];
  calldata: Groth16Calldata;
  /** The segment's quantized outputs (decimal): the next segment's inputs. */
  outputs: string[];
  prover: string;
  proveMs: number;
}

export interface SegmentProveOptions {
  /** The last segment's bound public inputs. */
  bindings?: Record<string, bigint | string | number>;
  /** The first segment's input salt (a salted hashed input). */
  salt?: bigint | string | number;
  /** With salted links: the salts of this segment's input link (from the previous one) and output link. */
  linkSalts?: { in?: bigint | string; out?: bigint | string };
  prover?: ProverChoice;
}

/** A secret the link salts are derived from (chainLinkSalts): random unless given, which a duplicate run needs. */
export function randomLinkSecret(): string {
  return crypto.randomBytes(32).toString("hex");
}

/**
 * The salt of each link of a chain with salted links (link k: between segments k and k+1), derived from a
 * secret: sha256(secret, chain hash, k) reduced into the field. Whoever lacks the secret sees only commitments.
 */
export function chainLinkSalts(chain: ChainManifest, secret: string): bigint[] {
  if (!chain.saltedLinks) return [];
  return chain.segments.slice(1).map((_, k) => BigInt("0x" + sha256("zkml link salt", secret, chain.chainHash, String(k))) % FIELD_MODULUS);
}

/** Segment i's link salts in a chain with salted links. */
export function segmentLinkSalts(salts: bigint[], index: number): SegmentProveOptions["linkSalts"] {
  return salts.length === 0 ? undefined : { ...(index > 0 ? { in: salts[index - 1] } : {}), ...(index < salts.length ? { out: salts[index] } : {}) };
}

export interface SegmentWitness {
  witness: bigint[];
  /** The segment's quantized outputs, from the bit-exact evaluator (the witness agrees: modelWitness checks). */
  outputs: bigint[];
}

/** Segment `index`'s witness on its quantized inputs: the segment's circuit, checked against the evaluator. */
export async function segmentWitness(dir: string, index: number, inputs: bigint[], opts: SegmentProveOptions = {}): Promise<SegmentWitness> {
  const chain = loadChain(dir);
  const s = chain.segments[index];
  if (!s) fail(`chain "${chain.name}" has no segment ${index}`);
  const segDir = path.join(dir, s.dir);
  const m = loadManifest(segDir);
  const { lo, hi } = inputRange(s.quant);
  const bad = inputs.findIndex((v) => v < lo || v > hi);
  if (bad >= 0) fail(`segment ${index} of "${chain.name}": input ${bad} is ${inputs[bad]}, outside the range its circuit checks, [${lo}, ${hi}]`);
  const qm = segmentModel(dir, chain, index);
  const outputs = evaluateQuantized(qm, splitBy(inputs, qm.graph.inputs)).flatMap((v) => v.data);
  const last = index === chain.segments.length - 1;
  const circuitInput: Record<string, unknown> = { ...modelWitnessInput(m.publicSignals, inputs), ...(last ? bindingInputs(m, opts.bindings ?? {}) : {}) };
  const layout = m.publicSignals;
  const salt = (given: bigint | string | number | undefined, what: string) => {
    if (given === undefined) fail(`segment ${index} of "${chain.name}": ${what}`);
    return BigInt(given);
  };
  const inSalt = !layout.inputs.salted ? undefined : index === 0 ? salt(opts.salt, "the model commits to its inputs with a salt: give it (--salt)") : salt(opts.linkSalts?.in, "its input link is salted: give the link's salt");
  const outSalt = layout.outputs.salted ? salt(opts.linkSalts?.out, "its output link is salted: give the link's salt") : undefined;
  if (inSalt !== undefined) circuitInput.inSalt = inSalt.toString();
  if (outSalt !== undefined) circuitInput.outSalt = outSalt.toString();
  const witness = await modelWitness(segDir, m, qm, circuitInput, inputs, outputs);
  // The links the proof will carry, checked here against the values (and salts) they commit to.
  if (layout.outputs.linked)
    invariant(witness[1 + layout.outputs.offset] === commitValues(COMMITMENT_TAG.link, outputs, layout.outputs.packing, outSalt), `segment ${index}: the circuit's output link differs from the one computed off-chain`);
  if (layout.inputs.linked)
    invariant(witness[1 + layout.inputs.offset] === commitValues(COMMITMENT_TAG.link, inputs, layout.inputs.packing, inSalt), `segment ${index}: the circuit's input link differs from the one computed off-chain`);
  return { witness, outputs };
}

/** A segment's Groth16 proof and public signals (SegmentProof without the outputs the witness carries). */
export type SegmentGroth16 = Omit<SegmentProof, "outputs">;

/** A Groth16 proof of segment `index` from its witness, under the segment's key, verified before it is returned. */
export async function proveWitness(dir: string, index: number, witness: Witness, opts: { prover?: ProverChoice } = {}): Promise<SegmentGroth16> {
  const chain = loadChain(dir);
  const s = chain.segments[index];
  if (!s) fail(`chain "${chain.name}" has no segment ${index}`);
  const segDir = path.join(dir, s.dir);
  const m = loadManifest(segDir);
  const system = provingSystem(opts.prover);
  const t0 = performance.now();
  const { proof, publicSignals } = await system.prove(path.join(segDir, m.files.zkey), witness);
  const proveMs = performance.now() - t0;
  invariant(await system.verify(readVkey(segDir, m), publicSignals, proof), `the proof of segment ${index} of "${chain.name}" does not verify against its key`);
  return { index, proof, publicSignals, calldata: await system.calldata(proof, publicSignals), prover: system.name, proveMs };
}

/** Proves segment `index` on its quantized inputs: its witness, then its proof. */
export async function proveSegment(dir: string, index: number, inputs: bigint[], opts: SegmentProveOptions = {}): Promise<SegmentProof> {
  const w = await segmentWitness(dir, index, inputs, opts);
  return { ...(await proveWitness(dir, index, w.witness, opts)), outputs: w.outputs.map(String) };
}

export interface ChainVerifyResult {
  valid: boolean;
  reason?: string;
}

/**
 * Checks a chain of segment proofs off-chain: one proof per segment, each valid under its segment's key,
 * and each segment's input link equal to the previous segment's output link.
 */
export async function verifyChain(dir: string, proofs: { proof: Groth16Proof; publicSignals: string[] }[], opts: { prover?: ProverChoice } = {}): Promise<ChainVerifyResult> {
  const chain = loadChain(dir);
  if (proofs.length !== chain.segments.length) return { valid: false, reason: `the chain has ${chain.segments.length} segments, got ${proofs.length} proofs` };
  const system = provingSystem(opts.prover);
  for (const [i, s] of chain.segments.entries()) {
    const { proof, publicSignals } = proofs[i];
    if (publicSignals.length !== s.publicSignals.count) return { valid: false, reason: `segment ${i}: ${publicSignals.length} public signals, its circuit has ${s.publicSignals.count}` };
    const segDir = path.join(dir, s.dir);
    if (!(await system.verify(readVkey(segDir, loadManifest(segDir)), publicSignals, proof))) return { valid: false, reason: `segment ${i}: the proof does not verify` };
    if (i > 0) {
      const prev = chain.segments[i - 1];
      const out = proofs[i - 1].publicSignals[prev.publicSignals.outputs.offset];
      const inp = publicSignals[s.publicSignals.inputs.offset];
      if (BigInt(out) !== BigInt(inp)) return { valid: false, reason: `link ${i - 1} -> ${i}: segment ${i} was proven on other activations than segment ${i - 1} output (input commitment ${inp}, output commitment ${out})` };
    }
  }
  return { valid: true };
}

export interface ChainProof {
  segments: SegmentProof[];
  /** The model's quantized outputs (decimal), what the last segment proved. */
  outputs: string[];
}

/** Proves a whole chain in this process, one segment after another (the queue runs the same steps on workers). */
export async function proveChain(dir: string, rawInput: unknown, opts: SegmentProveOptions & { linkSecret?: string; log?: (m: string) => void } = {}): Promise<ChainProof> {
  const chain = loadChain(dir);
  const acts = chainActivations(dir, chain, chainInputs(dir, chain, rawInput));
  const salts = chainLinkSalts(chain, opts.linkSecret ?? randomLinkSecret());
  const segments: SegmentProof[] = [];
  for (let i = 0; i < chain.segments.length; i++) {
    opts.log?.(`${chain.name}: proving segment ${i + 1}/${chain.segments.length}...`);
    segments.push(await proveSegment(dir, i, acts[i], { ...opts, linkSalts: segmentLinkSalts(salts, i) }));
  }
  const result = await verifyChain(dir, segments, opts);
  invariant(result.valid, `the chain of "${chain.name}" does not verify: ${result.reason}`);
  return { segments, outputs: segments[segments.length - 1].outputs };
}

/** Flat values split into the graph inputs' lists. */
function splitBy(flat: bigint[], inputs: ValueInfo[]): bigint[][] {
  let at = 0;
  const out = inputs.map((vi) => flat.slice(at, (at += size(vi.shape))));
  if (at !== flat.length) fail(`expected ${at} input values, got ${flat.length}`);
  return out;
}

function readVkey(dir: string, m: Manifest): Groth16VerificationKey {
  return JSON.parse(fs.readFileSync(path.join(dir, m.files.vkey), "utf8"));
}

export function fileSha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}
