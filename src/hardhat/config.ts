import path from "path";
import { DEFAULT_PROVER, isProverName, proverNames } from "../backend/provers";
import { resolveVisibility, Visibility } from "../privacy/visibility";
import type { SegmentSettings } from "../pipeline/chain";

/** Per-model settings in `hardhat.config.ts` under `zkml.models.<name>`. */
export interface ZkmlModelUserConfig {
  /** Path to the ONNX file, relative to the project root. */
  onnx: string;
  /** Fixed-point fraction bits; omitted, the scale is calibrated per model. */
  scaleBits?: number;
  inputBits?: number;
  /** A JSON file of calibration inputs (one input object, or an array of them), relative to the root. */
  calibration?: string;
  /** Extra public inputs each proof is bound to, e.g. ["recipient"] for an NFT mint, ["epoch"] for a vault. */
  bind?: string[];
  /**
   * What proofs make public (default all public, weights fixed): `input` "public" | "private" |
   * "hashed", `params` "fixed" | "private" (committed), `output` "public" | "hashed", and `inputSalt`.
   */
  visibility?: Partial<Visibility>;
  /** Inputs the fidelity report runs (default 100); a large model may want fewer to compile faster. */
  calibrationSamples?: number;
  /** "circom" or "direct" (gadgets written as R1CS, for large models); default: by size. */
  body?: "circom" | "direct";
  /** Overrides zkml.maxConstraints for this model. */
  maxConstraints?: number;
  /**
   * Prove each inference as a chain of segments cut at layer boundaries (src/pipeline/chain.ts): at the tensors
   * `cuts`, or wherever keeps each segment's estimated constraints within `maxConstraints`, or its estimated
   * memory to set up and prove within `maxMemoryMiB` (one prover's machine). Needs a fixed scaleBits.
   */
  segments?: SegmentSettings;
  /** Inputs are never negative (pixels): range-checked to [0, 2^inputBits), bounds start one-sided (issue 21). */
  inputUnsigned?: boolean;
  /**
   * Calibrated widths (issue 21): each layer's range checks sized to what the calibration inputs reach times
   * this margin (at least 1; 2 is one bit of headroom), not the worst case. Fewer constraints; an input
   * beyond them fails to prove with a clear error (never a wrong proof).
   */
  widthMargin?: number;
}

export interface ZkmlUserConfig {
  models?: Record<string, ZkmlModelUserConfig>;
  /** Fixed-point fraction bits for every model (default: calibrated per model). */
  scaleBits?: number;
  /** Range of quantized inputs, in bits including the sign (default 24). */
  inputBits?: number;
  /** Circuit and key artifacts (default "zkml-build"). */
  buildDir?: string;
  /** Generated verifier contracts, relative to the root (default "zkml" under the project's Solidity sources). */
  verifiersDir?: string;
  /** A ceremony powers-of-tau file; without it each model gets a development-only key (secrets discarded). */
  ptau?: string;
  /**
   * The proving system that sets up, proves and verifies: "native" (default: the C++ Groth16 prover
   * built at install, falling back to snarkjs with a one-line notice when it is not built) or "snarkjs"
   * (see src/backend/provers.ts).
   */
  prover?: string;
  /**
   * Compile refuses, before calibrating, a model whose constraints estimated from its graph exceed this
   * (default: what this machine's memory can set up, about 7M on 24 GiB; src/quantize/estimate.ts).
   */
  maxConstraints?: number;
}

export interface ZkmlModelConfig {
  onnx: string;
  /** undefined: calibrated. */
  scaleBits?: number;
  inputBits: number;
  calibration?: string;
  bind: string[];
  visibility: Visibility;
  calibrationSamples?: number;
  body?: "circom" | "direct";
  maxConstraints?: number;
  segments?: SegmentSettings;
  inputUnsigned?: boolean;
  widthMargin?: number;
}

export interface ZkmlConfig {
  models: Record<string, ZkmlModelConfig>;
  /** Defaults for models compiled without an entry in `models` (e.g. `zkml:compile --model x.onnx`). */
  scaleBits?: number;
  inputBits: number;
  buildDir: string;
  verifiersDir: string;
  ptau?: string;
  /** A name in PROVING_SYSTEMS (src/backend/provers.ts). */
  prover: string;
  /** undefined: the machine's default (src/quantize/estimate.ts). */
  maxConstraints?: number;
}

export const DEFAULT_INPUT_BITS = 24;

/** The largest maxConstraints: 2^28, the largest powers of tau there are. */
const MAX_CONSTRAINTS_LIMIT = 2 ** 28;

/**
 * Validates the user's `zkml` section; returns a list of problems instead of throwing. Paths resolve
 * against the project's `root`; generated verifiers default to a folder under its Solidity `sources`.
 */
export function resolveZkmlConfig(user: ZkmlUserConfig | undefined, root: string, sources = path.join(root, "contracts")): { config: ZkmlConfig; errors: string[] } {
  const errors: string[] = [];
  const u = user ?? {};
  const int = <D extends number | undefined>(v: unknown, what: string, lo: number, hi: number, dflt: D): number | D => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) errors.push(`${what} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const str = (v: unknown, what: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === "string" && v.length > 0) return v;
    errors.push(`${what} must be a non-empty string`);
    return undefined;
  };
  const bindList = (v: unknown, what: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || !/^[a-z][A-Za-z0-9]{0,30}$/.test(x)) || new Set(v).size !== v.length) {
      errors.push(`${what} must be a list of distinct lowerCamelCase names, e.g. ["recipient"]`);
      return [];
    }
    return v as string[];
  };
  const segmentsOf = (v: unknown, where: string): ZkmlModelConfig["segments"] => {
    if (v === undefined) return undefined;
    const o = v as Record<string, unknown>;
    const positive = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x > 0;
    const keys = typeof v === "object" && v !== null && !Array.isArray(v) ? Object.keys(v).filter((k) => k !== "saltedLinks") : [];
    const [key] = keys;
    const ok =
      keys.length === 1 &&
      (o.saltedLinks === undefined || typeof o.saltedLinks === "boolean") &&
      ((key === "cuts" && Array.isArray(o.cuts) && o.cuts.length > 0 && o.cuts.every((c) => typeof c === "string" && c.length > 0)) ||
        ((key === "maxConstraints" || key === "maxMemoryMiB") && positive(o[key])));
    if (!ok) {
      errors.push(`${where} must be { cuts: ["<tensor>", ...] }, { maxConstraints: <positive integer> } or { maxMemoryMiB: <positive integer> }, with saltedLinks: true or false if given`);
      return undefined;
    }
    return { [key]: o[key], ...(o.saltedLinks === true ? { saltedLinks: true } : {}) } as SegmentSettings;
  };
  const visibilityOf = (v: unknown, where: string): Visibility => {
    const r = resolveVisibility(v, where);
    errors.push(...r.errors);
    return r.visibility;
  };
  const scaleBits = int(u.scaleBits, "zkml.scaleBits", 1, 32, undefined);
  const inputBits = int(u.inputBits, "zkml.inputBits", 2, 128, DEFAULT_INPUT_BITS);
  const maxConstraints = int(u.maxConstraints, "zkml.maxConstraints", 1, MAX_CONSTRAINTS_LIMIT, undefined);
  const abs = (p: string | undefined) => (typeof p === "string" ? path.resolve(root, p) : undefined);
  const knownTop = new Set(["models", "scaleBits", "inputBits", "buildDir", "verifiersDir", "ptau", "prover", "maxConstraints"]);
  for (const k of Object.keys(u)) if (!knownTop.has(k)) errors.push(`zkml: unknown setting "${k}" (known: ${[...knownTop].join(", ")})`);
  const models: Record<string, ZkmlModelConfig> = {};
  const modelsOk = u.models === undefined || (typeof u.models === "object" && u.models !== null && !Array.isArray(u.models));
  if (!modelsOk) errors.push("zkml.models must be an object mapping model names to { onnx: ... }");
  for (const [name, m] of Object.entries(modelsOk ? u.models ?? {} : {})) {
    const where = `zkml.models.${name}`;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) errors.push(`${where}: model names may contain only letters, digits, "_" and "-"`);
    if (typeof m !== "object" || m === null) {
      errors.push(`${where} must be an object with an "onnx" path`);
      continue;
    }
    const known = new Set(["onnx", "scaleBits", "inputBits", "calibration", "bind", "visibility", "calibrationSamples", "body", "maxConstraints", "segments", "inputUnsigned", "widthMargin"]);
    for (const k of Object.keys(m)) if (!known.has(k)) errors.push(`${where}: unknown setting "${k}"`);
    const onnx = str(m.onnx, `${where}.onnx`);
    if (m.onnx === undefined) errors.push(`${where}.onnx is required`);
    models[name] = {
      onnx: abs(onnx) ?? "",
      scaleBits: int(m.scaleBits, `${where}.scaleBits`, 1, 32, scaleBits),
      inputBits: int(m.inputBits, `${where}.inputBits`, 2, 128, inputBits),
      calibration: abs(str(m.calibration, `${where}.calibration`)),
      bind: bindList(m.bind, `${where}.bind`),
      visibility: visibilityOf(m.visibility, `${where}.visibility`),
      calibrationSamples: int(m.calibrationSamples, `${where}.calibrationSamples`, 1, 10_000, undefined),
      body: m.body,
      maxConstraints: int(m.maxConstraints, `${where}.maxConstraints`, 1, MAX_CONSTRAINTS_LIMIT, maxConstraints),
      ...(m.inputUnsigned === undefined ? {} : { inputUnsigned: m.inputUnsigned }),
      ...(m.widthMargin === undefined ? {} : { widthMargin: m.widthMargin }),
    };
    const segments = segmentsOf(m.segments, `${where}.segments`);
    if (segments) models[name].segments = segments;
    if (models[name].segments && models[name].scaleBits === undefined) errors.push(`${where}.segments needs a fixed scaleBits (every segment is quantized at it)`);
    if (m.inputUnsigned !== undefined && typeof m.inputUnsigned !== "boolean") errors.push(`${where}.inputUnsigned must be true or false, got ${JSON.stringify(m.inputUnsigned)}`);
    if (m.widthMargin !== undefined && !(typeof m.widthMargin === "number" && m.widthMargin >= 1 && m.widthMargin <= 1024))
      errors.push(`${where}.widthMargin must be a number from 1 to 1024 (a factor on the largest value calibration sees), got ${JSON.stringify(m.widthMargin)}`);
    if (m.body !== undefined && m.body !== "circom" && m.body !== "direct") errors.push(`${where}.body must be "circom" or "direct", got ${JSON.stringify(m.body)}`);
  }
  if (u.prover !== undefined && !isProverName(u.prover)) errors.push(`zkml.prover must be one of ${proverNames()}, got ${JSON.stringify(u.prover)}`);
  const config: ZkmlConfig = {
    models,
    scaleBits,
    inputBits,
    buildDir: abs(str(u.buildDir, "zkml.buildDir") ?? "zkml-build")!,
    verifiersDir: abs(str(u.verifiersDir, "zkml.verifiersDir")) ?? path.join(sources, "zkml"),
    ptau: abs(str(u.ptau, "zkml.ptau")),
    prover: isProverName(u.prover) ? u.prover : DEFAULT_PROVER,
    maxConstraints,
  };
  return { config, errors };
}
