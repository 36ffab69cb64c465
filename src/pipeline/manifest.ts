import fs from "fs";
import path from "path";
import { fail } from "../errors";
import { ValueInfo } from "../ir/graph";
import { QuantParams } from "../ops/domain";
import { FidelityReport } from "../quantize/calibrate";

/**
 * Everything a prover, a verifier or a contract deployer needs to know about a compiled model.
 * The public signals are, in order: every output element, then every input element (snarkjs puts
 * circuit outputs before public inputs), each a field element encoding a signed fixed-point integer,
 * then the bindings (e.g. a recipient address), each one field element.
 */
export interface Manifest {
  format: "hardhat-zkml/manifest@1";
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
  publicSignals: {
    count: number;
    outputs: { offset: number; count: number; scaleBits: number };
    inputs: { offset: number; count: number; scaleBits: number };
    /** Public inputs the proof is bound to (not model inputs), one field element each. */
    bindings: { name: string; offset: number }[];
  };
  circuit: { constraints: number; wires: number; gadgets: number; compiler: string };
  ptau: { power: number; development: boolean; file: string; ceremony?: string };
  files: { onnx: string; circuit: string; r1cs: string; sym: string; wasm: string; witnessCalculator: string; zkey: string; vkey: string; verifier: string };
  timingsMs: Record<string, number>;
  /** Phase-2 steps after compile's own random contribution (zkml:contribute, zkml:beacon). */
  phase2?: import("./phase2").Phase2Step[];
}

export const MANIFEST_FILE = "manifest.json";

export function loadManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) fail(`no compiled model in ${dir}; run \`npx hardhat zkml:compile\` first`);
  const m = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  if (m.format !== "hardhat-zkml/manifest@1") fail(`${file} has an unknown format "${m.format}"`);
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
