import fs from "fs";
import path from "path";
import { fail } from "../errors";
import { ValueInfo } from "../ir/graph";
import { QuantParams } from "../ops/domain";
import { SignalLayout } from "../privacy/layout";
import { Visibility } from "../privacy/visibility";
import { FidelityReport } from "../quantize/calibrate";

export const MANIFEST_FORMAT = "hardhat-zkml/manifest@2";

/**
 * Everything a prover, a verifier or a contract deployer needs to know about a compiled model. The
 * public signals follow `publicSignals` (src/privacy/layout.ts): the outputs (packed, or their
 * commitment), the model commitment (private parameters), the inputs (packed, their commitment, or
 * nothing), then the bindings (e.g. a recipient address), one field element each.
 * With private parameters nothing here reveals the weights: only their count, tensors and packing.
 */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  contractName: string;
  /** sha256 over the ONNX bytes, the fixed-point settings and the circuit source: the model's identity. */
  modelHash: string;
  /** Cache key: an unchanged model and settings are not rebuilt. */
  buildKey: string;
  quant: QuantParams;
  /** How far the quantized model is from onnxruntime's float model (and how the scale was chosen). */
  fidelity?: FidelityReport;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  visibility: Visibility;
  publicSignals: SignalLayout;
  /** With private parameters: the tensors the model commitment covers (weights and biases of each layer). */
  params?: { count: number; tensors: { node: string; role: string; count: number }[] };
  /** `body`: "direct" when the gadgets are R1CS linked to a circom interface (src/backend/link.ts). */
  circuit: { constraints: number; wires: number; gadgets: number; compiler: string; body?: "circom" | "direct"; wrap?: WrapSummary };
  ptau: { power: number; development: boolean; file: string; ceremony?: string };
  files: { onnx: string; circuit: string; r1cs: string; sym: string; wasm: string; witnessCalculator: string; zkey: string; vkey: string; verifier: string };
  timingsMs: Record<string, number>;
  /** Phase-2 steps after compile's own random contribution (zkml:contribute, zkml:beacon). */
  phase2?: Phase2Step[];
}

/** One phase-2 step on a compiled model's key (src/pipeline/phase2.ts). */
export interface Phase2Step {
  kind: "contribution" | "beacon";
  name: string;
  /** Contribution hash printed by snarkjs, for participants to check their contribution is included. */
  hash: string;
  date: string;
}

/** The field-wrap check of the circuit (src/audit/field-wrap.ts). */
export interface WrapSummary {
  /** The largest |A·B| or |C| over all constraints is below 2^widestBits. */
  widestBits: number;
  /** Bits between that and p/2. */
  marginBits: number;
  widestAt: string;
  /** IsZero inverse constraints, sound by a field argument. */
  fieldNative: number;
  /** Outputs range-checked to their packing digit because the constraints alone do not bound them to it. */
  digitChecks: number;
}

export const MANIFEST_FILE = "manifest.json";

export function loadManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) fail(`no compiled model in ${dir}; run \`npx hardhat zkml:compile\` first`);
  const m = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  if (m.format !== MANIFEST_FORMAT) fail(`${file} has format "${m.format}", not "${MANIFEST_FORMAT}"; recompile the model with \`npx hardhat zkml:compile --force\``);
  return m;
}

/** Resolves a manifest file entry against the model's build directory. */
export function artifact(dir: string, m: Manifest, key: keyof Manifest["files"]): string {
  return path.join(dir, m.files[key]);
}

/** Contract identifier for a model name: "1l_mlp" -> "M1lMlpVerifier". */
export function verifierContractName(name: string): string {
  const pascal = name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return `${/^[0-9]/.test(pascal) ? "M" : ""}${pascal}Verifier`;
}
