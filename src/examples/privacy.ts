// The privacy examples' models and data (face_match for contracts/examples/HumanityPass.sol, kaggle_scorer for
// contracts/examples/ModelCompetition.sol), used by scripts/examples/{humanity-pass,kaggle}.ts and their tests.
import fs from "fs";
import os from "os";
import path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Groth16Calldata } from "../backend/groth16";
import { ProveOptions, proveModel, ProveResult } from "../pipeline/prove";
import { quantizeReal } from "../numeric/fixed-point";
import { asProof, Statement } from "../statements/zkml-model";
import { ensureExampleModel, exampleModelDir } from ".";

export type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const FACE_MODEL = "face_match";
export const SCORER_MODEL = "kaggle_scorer";

/** A proven value as the signed fixed-point integer a statement carries (exact: it is a multiple of 2^-scaleBits). */
export const fixedPoint = (value: number, scaleBits: number): bigint => quantizeReal(value, scaleBits, "a proven value");

/** Builds examples/models/{face_match,kaggle_scorer} when missing (src/examples/models/*.ts). */
export function ensurePrivacyExamples(root: string, log?: (msg: string) => void): void {
  ensureExampleModel(root, log, FACE_MODEL);
  ensureExampleModel(root, log, SCORER_MODEL);
}

/** face_match's sample embeddings (examples/models/face_match/captures.json): live people, then attacks. */
export function readCaptures(root: string): { live: number[][]; spoof: number[][] } {
  return JSON.parse(fs.readFileSync(path.join(exampleModelDir(root, FACE_MODEL), "captures.json"), "utf8"));
}

/** One embedding as a model input. */
export const embedding = (row: number[]) => ({ input_data: [row] });

/** kaggle_scorer's public test set: { input_data: [x (16 rows of 6), labels (16)] }. */
export function readTestSet(root: string): { input_data: [number[][], number[]] } {
  return JSON.parse(fs.readFileSync(path.join(exampleModelDir(root, SCORER_MODEL), "input.json"), "utf8"));
}

/** The second competitor's weights (same architecture as kaggle_scorer's network.onnx). */
export const rivalOnnx = (root: string) => path.join(exampleModelDir(root, SCORER_MODEL), "rival.onnx");

/**
 * Proves with the compiled circuit of model `name` but the weights of `onnxFile`: what a competitor does with
 * the host's shared scoring circuit (private parameters are witness values, so the circuit, its proving key
 * and its verifier do not depend on them). The compiled model's directory is copied with `onnxFile` in place
 * of its ONNX; the weights must have the compiled model's architecture and fit the widths the circuit was
 * sized for (the pipeline sizes it from the compiled model's own weights).
 */
export async function proveWithWeights(hre: HardhatRuntimeEnvironment, name: string, onnxFile: string, input: unknown, opts: ProveOptions = {}): Promise<ProveResult> {
  const compiled = hre.zkml.modelDir(name);
  const manifest = hre.zkml.manifest(name);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `zkml-${name}-`));
  try {
    const skip = new Set([manifest.files.r1cs, manifest.files.sym, manifest.files.onnx, path.basename(manifest.ptau.file)]);
    for (const entry of fs.readdirSync(compiled)) if (!skip.has(entry)) fs.cpSync(path.join(compiled, entry), path.join(workspace, entry), { recursive: true });
    fs.copyFileSync(onnxFile, path.join(workspace, manifest.files.onnx));
    return await proveModel(workspace, input, opts);
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** Gas of the adapter's `verifyStatement` as a transaction of its own (21000 base and calldata included). */
export async function verifyStatementGas(model: Contract, cd: Groth16Calldata, s: Statement): Promise<bigint> {
  return model.verifyStatement.estimateGas(asProof(cd), s);
}

/** Awaits `call`, which must revert; returns the custom error it reverted with, e.g. "InvalidProof()". */
export async function revertReason(contract: Contract, call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (e) {
    const err = e as { revert?: { signature?: string }; data?: string; message?: string };
    if (err.revert?.signature) return err.revert.signature;
    const parsed = err.data ? contract.interface.parseError(err.data) : null;
    return parsed ? parsed.signature : String(err.message ?? e);
  }
  throw new Error("expected the call to revert, but it succeeded");
}
