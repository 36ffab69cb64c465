import fs from "fs";
import path from "path";
import { Groth16Calldata, Groth16Proof, Groth16VerificationKey } from "../backend/groth16";
import { ProverChoice, provingSystem } from "../backend/provers";
import { circuitWitness } from "./witness";
import { lowerModel } from "../lower";
import { QuantizedModel } from "../quantize";
import { fail, invariant } from "../errors";
import { importOnnx } from "../onnx/import";
import { evaluateQuantized, quantizeModel } from "../quantize";
import { packWords } from "../privacy/packing";
import { outputChallenge, outputFingerprint, promptSeed, seededInputs } from "../privacy/seeded";
import { dequantize } from "../numeric/fixed-point";
import { FIELD_MODULUS } from "../numeric/field";
import { writeDirAtomically, writeJson } from "./files";
import { quantizeInputs, readModelInput } from "./input";
import { artifact, loadManifest, Manifest } from "./manifest";
import { firstLine, runOnnxRuntime } from "./reference";
import { Graph, inputScale } from "../ir/graph";
import { circuitInput, Commitments, commitmentsIn, commitmentsOf, decodeOutputs, splitOutputs } from "./statement";

// The statement helpers live in ./statement.ts (no files, no prover: the browser app bundles them); re-exported here.
export { bindingInputs, circuitInput, commitmentsIn, commitmentsOf, decodeInputs, decodeOutputs, encodeSignals, quantizedInputs } from "./statement";
export type { CircuitExtras, Commitments } from "./statement";

export interface ProvedOutput {
  name: string;
  shape: number[];
  /** Dequantized values the proof attests to. */
  values: number[];
}

export interface ProveResult {
  model: string;
  modelHash: string;
  proof: Groth16Proof;
  publicSignals: string[];
  /** The outputs the proof attests to (public, or behind `commitments.output`). */
  outputs: ProvedOutput[];
  /** The public commitments of this proof, as decimal field elements (see src/privacy/commitment.ts). */
  commitments: Commitments;
  /**
   * Float outputs on the same input and the largest absolute difference: onnxruntime's, or, when it
   * cannot run the model, the `output_data` the input file recorded (EZKL's input.json carries it).
   */
  reference?: { outputs: number[][]; maxAbsError: number; source: "onnxruntime" | "output_data" };
  /** Asked for, but onnxruntime cannot run the model: the first line of its error. The proof is made anyway. */
  referenceUnavailable?: string;
  calldata: Groth16Calldata;
  /** The proving system that made the proof ("native", or "snarkjs" also when the native addon is not built). */
  prover: string;
  /** Time of the Groth16 proof alone (the witness excluded), in milliseconds. */
  proveMs: number;
  /** The outputs' packed words (what a contract stores and fingerprints), as decimal strings. */
  packedOutputs: string[];
  /** Seeded inputs: the seed the inputs were expanded from. Fingerprinted outputs: the challenge r. */
  seed?: string;
  challenge?: string;
}

export interface ProveOptions {
  /** Compare with onnxruntime (default true). */
  reference?: boolean;
  /** Values of the model's bound public inputs (e.g. { recipient: "0xabc…" }), as field elements. */
  bindings?: Record<string, bigint | string | number>;
  /** The salt of a salted input commitment (`visibility.inputSalt`), a field element. */
  salt?: bigint | string | number;
  /**
   * Fingerprinted outputs: the 32-byte context the verifier hashes with the output words to get the
   * challenge (ProvenImageCollection uses the recipient: recipientContext(address)). Default 0.
   */
  context?: bigint | string;
  /** The proving system (default "native"; src/backend/provers.ts). */
  prover?: ProverChoice;
  log?: (msg: string) => void;
}

/** Proves one inference of a compiled model, after checking the evaluator and the circuit agree. */
export async function proveModel(dir: string, rawInput: unknown, opts: ProveOptions = {}): Promise<ProveResult> {
  const log = opts.log ?? (() => undefined);
  const system = provingSystem(opts.prover);
  const m = loadManifest(dir);
  const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")), m.name);
  const layout = m.publicSignals;
  const seed = layout.inputs.encoding === "seed" ? readSeed(rawInput, m.name) : undefined;
  if (seed === undefined && typeof rawInput === "object" && rawInput !== null && "prompt" in rawInput && !graph.inputs.some((vi) => vi.name === "prompt"))
    fail(`model "${m.name}" does not take a prompt: its inputs are ${m.visibility.input}; a prompt needs visibility.input "seeded"`);
  const q = seed !== undefined ? seededInputs(seed, graph.inputs, m.quant.inputBits) : quantizeInputs(readModelInput(rawInput, graph.inputs), graph.inputs, m.quant);
  const values = q.map((list, i) => list.map((v) => dequantize(v, inputScale(graph.inputs[i], m.quant.scaleBits))));
  const qmodel = quantizeModel(graph, m.quant, { privateParams: m.visibility.params === "private" });
  const expected = evaluateQuantized(qmodel, q).flatMap((v) => v.data);
  const words = packWords(expected, layout.outputs.packing);
  const challenge = layout.outputs.encoding === "fingerprint" ? outputChallenge(words, BigInt(opts.context ?? 0)) : undefined;
  const salt = saltInput(m, opts.salt);
  const expectedCommitments = commitmentsOf(m, q.flat(), expected, qmodel.params?.values, salt);

  log(`${m.name}: proving...`);
  const input = circuitInput(m, q.flat(), { bindings: opts.bindings, params: qmodel.params?.values, salt, seed, challenge });
  // One path for both bodies: the full witness, then a proof from it, checked against the model's key.
  const witness = await modelWitness(dir, m, qmodel, input, q.flat(), expected);
  const proveStart = performance.now();
  const { proof, publicSignals } = await system.prove(artifact(dir, m, "zkey"), witness);
  const proveMs = performance.now() - proveStart;
  invariant(await system.verify(readVkey(dir, m), publicSignals, proof), `the ${system.name} proof of model "${m.name}" does not verify against its verification key`);
  const commitments = commitmentsIn(m, publicSignals);
  for (const k of Object.keys(expectedCommitments) as (keyof Commitments)[])
    invariant(commitments[k] === expectedCommitments[k], `the circuit's ${k} commitment differs from the one computed off-chain`);
  invariant(challenge === undefined || BigInt(publicSignals[layout.outputs.offset]) === outputFingerprint(words, challenge), "the circuit's output fingerprint differs from the one computed off-chain");
  if (layout.outputs.encoding === "packed") {
    const proved = decodeOutputs(m, publicSignals);
    const mismatch = proved.findIndex((v, i) => v !== expected[i]);
    invariant(mismatch < 0, `circuit output ${mismatch} is ${proved[mismatch]}, the reference evaluator says ${expected[mismatch]}`);
  }

  const outputs = splitOutputs(m, expected.map((v) => dequantize(v, layout.outputs.scaleBits)));
  const { reference, referenceUnavailable } = opts.reference === false ? {} : await floatReference(artifact(dir, m, "onnx"), graph, values, outputs, rawInput);
  if (referenceUnavailable) log(`${m.name}: ${describeNoReference(referenceUnavailable, reference !== undefined)}`);
  return {
    model: m.name,
    modelHash: m.modelHash,
    proof,
    publicSignals,
    outputs,
    commitments,
    reference,
    referenceUnavailable,
    calldata: await system.calldata(proof, publicSignals),
    prover: system.name,
    proveMs,
    packedOutputs: words.map(String),
    seed: seed?.toString(),
    challenge: challenge?.toString(),
  };
}

/**
 * onnxruntime's outputs on the proven input and the largest difference from the proven ones. Proving
 * never depends on it: when onnxruntime cannot load or run the model, the reason is returned instead.
 */
async function floatReference(onnxFile: string, graph: Graph, values: number[][], outputs: ProvedOutput[], rawInput: unknown): Promise<Pick<ProveResult, "reference" | "referenceUnavailable">> {
  let ref: number[][];
  try {
    ref = await runOnnxRuntime(onnxFile, graph.inputs, values);
  } catch (e) {
    const recorded = recordedOutputs(rawInput, outputs);
    return { referenceUnavailable: firstLine(e), reference: recorded && compared(outputs, recorded, "output_data") };
  }
  return { reference: compared(outputs, ref, "onnxruntime") };
}

function compared(outputs: ProvedOutput[], ref: number[][], source: "onnxruntime" | "output_data"): NonNullable<ProveResult["reference"]> {
  return { outputs: ref, maxAbsError: Math.max(0, ...outputs.flatMap((o, i) => o.values.map((v, j) => Math.abs(v - ref[i][j])))), source };
}

/** The input file's `output_data` (EZKL's input.json: one flat array per output), checked against the outputs' sizes. */
function recordedOutputs(rawInput: unknown, outputs: ProvedOutput[]): number[][] | undefined {
  const recorded = typeof rawInput === "object" && rawInput !== null ? (rawInput as { output_data?: unknown }).output_data : undefined;
  if (recorded === undefined) return undefined;
  const fits = Array.isArray(recorded) && recorded.length === outputs.length && recorded.every((r, i) => Array.isArray(r) && r.length === outputs[i].values.length && r.every((v) => typeof v === "number"));
  if (!fits) fail(`the input's output_data does not match the model's outputs (${outputs.map((o) => o.values.length).join(", ")} values)`);
  return recorded as number[][];
}

/** The one line that says a proof has no onnxruntime reference, and why. */
export function describeNoReference(reason: string, recorded = false): string {
  const instead = recorded ? "compared with the input's output_data instead" : "checked against the bit-exact evaluator";
  return `no float reference: onnxruntime cannot run the model (${reason}); the proof was made and ${instead}`;
}

/**
 * The full witness of a compiled model's circuit, for either body (see src/pipeline/witness.ts): circom's
 * witness code for a circom body; with a direct body, the interface's and then the linked gadgets'.
 */
export async function modelWitness(
  dir: string,
  m: Manifest,
  qmodel: QuantizedModel,
  circuitInput: Record<string, unknown>,
  inputs: bigint[],
  outputs: bigint[],
): Promise<bigint[]> {
  const artifacts = { wasm: artifact(dir, m, "wasm"), witnessCalculator: artifact(dir, m, "witnessCalculator"), sym: artifact(dir, m, "sym") };
  return circuitWitness(artifacts, () => lowerModel(qmodel), m.circuit.body === "direct", circuitInput, { inputs, params: qmodel.params?.values ?? [], outputs });
}

/** The witness of a direct-body model (its gadgets linked R1CS): `modelWitness`, kept for its callers. */
export const linkedModelWitness = modelWitness;

function readVkey(dir: string, m: Manifest): Groth16VerificationKey {
  return JSON.parse(fs.readFileSync(artifact(dir, m, "vkey"), "utf8"));
}

/** A seeded model's input: { "prompt": text } (hashed to the seed as promptSeed does) or { "seed": field element }. */
export function readSeed(raw: unknown, model: string): bigint {
  const o = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.prompt === "string") return promptSeed(o.prompt);
  if (keys.length === 1 && (typeof o.seed === "string" || typeof o.seed === "number")) {
    let x: bigint;
    try {
      x = BigInt(o.seed);
    } catch {
      fail(`seed ${JSON.stringify(o.seed)} is not an integer (decimal or 0x-hex)`);
    }
    if (x < 0n || x >= FIELD_MODULUS) fail(`seed ${o.seed} is not an element of the BN254 scalar field`);
    return x;
  }
  fail(`model "${model}" takes a seeded input: give { "prompt": "some text" } or { "seed": "<field element>" }`);
}

/**
 * The commitments a proof of `rawInput` will carry (input, output, model), computed off-chain without
 * proving: what a provider publishes (the model commitment) or a registrar enrols (an input commitment).
 */
export function computeCommitments(dir: string, rawInput: unknown, salt?: ProveOptions["salt"]): Commitments {
  const m = loadManifest(dir);
  const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")), m.name);
  const q = quantizeInputs(readModelInput(rawInput, graph.inputs), graph.inputs, m.quant);
  const qmodel = quantizeModel(graph, m.quant, { privateParams: m.visibility.params === "private" });
  const outputs = evaluateQuantized(qmodel, q).flatMap((v) => v.data);
  return commitmentsOf(m, q.flat(), outputs, qmodel.params?.values, saltInput(m, salt));
}

/** The salt of a salted input commitment: required there, refused elsewhere. */
function saltInput(m: Manifest, salt: ProveOptions["salt"]): bigint | undefined {
  if (!m.publicSignals.inputs.salted) {
    if (salt !== undefined) fail(`model "${m.name}" has no salted input commitment; do not pass a salt`);
    return undefined;
  }
  if (salt === undefined) fail(`model "${m.name}" commits to its input with a salt: pass the salt (a field element) the commitment was made with`);
  let x: bigint;
  try {
    x = BigInt(salt);
  } catch {
    fail(`salt ${JSON.stringify(salt)} is not an integer (decimal or 0x-hex)`);
  }
  if (x < 0n || x >= FIELD_MODULUS) fail(`salt ${salt} is not an element of the BN254 scalar field`);
  return x;
}

/** Writes proof.json, public.json, output.json and calldata.json into `outDir` (atomically). */
export async function writeProof(outDir: string, r: ProveResult): Promise<void> {
  await writeDirAtomically(outDir, async (tmp) => {
    writeJson(path.join(tmp, "proof.json"), r.proof);
    writeJson(path.join(tmp, "public.json"), r.publicSignals);
    writeJson(path.join(tmp, "output.json"), { model: r.model, modelHash: r.modelHash, outputs: r.outputs, commitments: r.commitments, reference: r.reference, referenceUnavailable: r.referenceUnavailable, packedOutputs: r.packedOutputs, seed: r.seed, challenge: r.challenge });
    writeJson(path.join(tmp, "calldata.json"), r.calldata);
  });
}

export interface VerifyResult {
  valid: boolean;
  reason?: string;
  /** The proven outputs, when they are public. */
  outputs?: ProvedOutput[];
  commitments?: Commitments;
}

/** Off-chain verification against the model's verification key and public-signal layout. */
export async function verifyModelProof(dir: string, proof: Groth16Proof, publicSignals: string[], opts: { prover?: ProverChoice } = {}): Promise<VerifyResult> {
  const system = provingSystem(opts.prover);
  const m = loadManifest(dir);
  if (!Array.isArray(publicSignals) || publicSignals.length !== m.publicSignals.count)
    return { valid: false, reason: `expected ${m.publicSignals.count} public signals for model "${m.name}", got ${Array.isArray(publicSignals) ? publicSignals.length : "none"}` };
  // Decimal (snarkjs) or 0x-hex (calldata) strings; anything else, or a value >= p, is refused.
  const parsed = publicSignals.map((s) => (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(String(s)) ? BigInt(s) : undefined));
  const bad = parsed.findIndex((v) => v === undefined || v >= FIELD_MODULUS);
  if (bad >= 0) return { valid: false, reason: `public signal ${bad} (${publicSignals[bad]}) is not an element of the BN254 scalar field` };
  publicSignals = parsed.map((v) => v!.toString());
  if (!(await system.verify(readVkey(dir, m), publicSignals, proof))) return { valid: false, reason: `the proof does not verify for model "${m.name}"` };
  const commitments = commitmentsIn(m, publicSignals);
  if (m.publicSignals.outputs.encoding !== "packed") return { valid: true, commitments };
  const outs = decodeOutputs(m, publicSignals).map((v) => dequantize(v, m.publicSignals.outputs.scaleBits));
  return { valid: true, outputs: splitOutputs(m, outs), commitments };
}

export async function verifyProofDir(modelDir: string, proofDir: string, opts: { prover?: ProverChoice } = {}): Promise<VerifyResult> {
  const read = (f: string) => {
    const file = path.join(proofDir, f);
    if (!fs.existsSync(file)) fail(`${file} not found`);
    try {
      return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      fail(`${file} is not valid JSON`);
    }
  };
  const m = loadManifest(modelDir);
  const meta = fs.existsSync(path.join(proofDir, "output.json")) ? read("output.json") : undefined;
  if (meta?.modelHash && meta.modelHash !== m.modelHash)
    return { valid: false, reason: `the proof was made for model "${meta.model}" (${meta.modelHash}), not "${m.name}" (${m.modelHash})` };
  return verifyModelProof(modelDir, read("proof.json"), read("public.json"), opts);
}
