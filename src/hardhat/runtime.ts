import fs from "fs";
import path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Groth16Proof } from "../backend/groth16";
import { ProverChoice } from "../backend/provers";
import { fail } from "../errors";
import { CalibrationSettings, CompiledModel, compileModel, StepRunner } from "../pipeline/compile";
import { loadManifest, Manifest } from "../pipeline/manifest";
import { Commitments, computeCommitments, ProveOptions, proveModel, ProveResult, verifyModelProof, VerifyResult, writeProof } from "../pipeline/prove";
import { solidityLayout } from "../privacy/layout";
import { PUBLIC_VISIBILITY } from "../privacy/visibility";
import { ZkmlConfig, ZkmlModelConfig } from "./config";

export interface CompileRequest {
  /** A model from `zkml.models`; with `onnx` too, the name to give an ad-hoc model. */
  name?: string;
  /** An ONNX file not listed in the config. */
  onnx?: string;
  force?: boolean;
  ptau?: string;
  scaleBits?: number;
  /** A JSON file of calibration inputs (one input object or an array of them). */
  calibration?: string;
  inputBits?: number;
  /** Bound public inputs for an ad-hoc (`onnx`) model; configured models use their `bind`. */
  bind?: string[];
  log?: (msg: string) => void;
  progress?: StepRunner;
  verbose?: boolean;
}

/** `hre.zkml`: the typed API the tasks, scripts and tests share. */
export class ZkmlRuntime {
  constructor(private readonly hre: HardhatRuntimeEnvironment) {}

  private get config(): ZkmlConfig {
    return this.hre.config.zkml;
  }

  modelNames(): string[] {
    return Object.keys(this.config.models);
  }

  modelDir(name: string): string {
    return path.join(this.config.buildDir, name);
  }

  manifest(name: string): Manifest {
    return loadManifest(this.modelDir(name));
  }

  /** Compiles one model (by name or ad-hoc ONNX path), or every configured model when given neither. */
  async compile(req: CompileRequest = {}): Promise<CompiledModel[]> {
    const log = req.log ?? (() => undefined);
    const targets: [string, ZkmlModelConfig][] = [];
    if (req.onnx) {
      const onnx = path.resolve(this.hre.config.paths.root, req.onnx);
      const name = req.name ?? defaultModelName(onnx);
      const base = this.config.models[name];
      targets.push([name, { onnx, scaleBits: base?.scaleBits ?? this.config.scaleBits, inputBits: base?.inputBits ?? this.config.inputBits, calibration: base?.calibration, bind: req.bind ?? base?.bind ?? [], visibility: base?.visibility ?? PUBLIC_VISIBILITY }]);
    } else if (req.name) {
      targets.push([req.name, this.modelConfig(req.name)]);
    } else {
      if (this.modelNames().length === 0) fail("no models configured: add zkml.models to hardhat.config.ts or pass --model <file.onnx>");
      for (const name of this.modelNames()) targets.push([name, this.config.models[name]]);
    }
    const results: CompiledModel[] = [];
    for (const [name, m] of targets) {
      results.push(
        await compileModel({
          name,
          onnx: m.onnx,
          buildDir: this.config.buildDir,
          verifiersDir: this.config.verifiersDir,
          quant: { scaleBits: req.scaleBits ?? m.scaleBits, inputBits: req.inputBits ?? m.inputBits },
          calibration: { ...calibrationSettings(req.calibration ? path.resolve(this.hre.config.paths.root, req.calibration) : m.calibration), samples: m.calibrationSamples },
          body: m.body,
          bindings: m.bind,
          visibility: m.visibility,
          ptau: req.ptau ? path.resolve(this.hre.config.paths.root, req.ptau) : this.config.ptau,
          prover: this.config.prover,
          force: req.force,
          log,
          progress: req.progress,
          verbose: req.verbose,
        }),
      );
    }
    return results;
  }

  /**
   * Proves an inference; `input` is a parsed JSON object or a path to a JSON file. `opts.prover`
   * overrides `zkml.prover`.
   */
  async prove(name: string, input: unknown, opts: ProveOptions & { out?: string } = {}): Promise<ProveResult> {
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    const result = await proveModel(this.compiledDir(name), raw, { ...opts, prover: opts.prover ?? this.config.prover });
    if (opts.out) await writeProof(opts.out, result);
    return result;
  }

  /** The commitments a proof of `input` would carry (e.g. the model commitment a provider publishes). */
  commitments(name: string, input: unknown, opts: { salt?: bigint | string | number } = {}): Commitments {
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    return computeCommitments(this.compiledDir(name), raw, opts.salt);
  }

  async verify(name: string, proof: Groth16Proof, publicSignals: string[], opts: { prover?: ProverChoice } = {}): Promise<VerifyResult> {
    return verifyModelProof(this.compiledDir(name), proof, publicSignals, { prover: opts.prover ?? this.config.prover });
  }

  /** Deploys the model's generated verifier (Solidity compiled by Hardhat) with ethers. */
  async deployVerifier(name: string) {
    const m = this.manifest(name);
    const factory = await (this.hre as any).ethers.getContractFactory(m.contractName); // eslint-disable-line @typescript-eslint/no-explicit-any
    const verifier = await factory.deploy();
    await verifier.waitForDeployment();
    return verifier;
  }

  /**
   * Deploys the model's verifier and a {ZkmlModel} adapter configured from the manifest (the one place
   * the public-signal layout is defined). With private parameters, `modelCommitment` fixes the
   * commitment every proof must carry (e.g. the one the provider published); 0 leaves it to consumers.
   */
  async deployModel(name: string, opts: { modelCommitment?: bigint | string } = {}) {
    const m = this.manifest(name);
    const verifier = await this.deployVerifier(name);
    const factory = await (this.hre as any).ethers.getContractFactory("ZkmlModel"); // eslint-disable-line @typescript-eslint/no-explicit-any
    const layout = solidityLayout(m.publicSignals, m.quant.scaleBits);
    const model = await factory.deploy(await verifier.getAddress(), m.modelHash, layout, BigInt(opts.modelCommitment ?? 0));
    await model.waitForDeployment();
    return { verifier, model, manifest: m };
  }

  private modelConfig(name: string): ZkmlModelConfig {
    const m = this.config.models[name];
    if (!m) fail(`unknown model "${name}"; configured models: ${this.modelNames().join(", ") || "none"}`);
    return m;
  }

  private compiledDir(name: string): string {
    const dir = this.modelDir(name);
    if (!fs.existsSync(path.join(dir, "manifest.json"))) {
      if (!this.config.models[name] && !fs.existsSync(dir)) fail(`unknown model "${name}"; configured models: ${this.modelNames().join(", ") || "none"}`);
      fail(`model "${name}" is not compiled yet; run \`npx hardhat zkml:compile --name ${name}\``);
    }
    return dir;
  }
}

export function readJsonFile(file: string): unknown {
  if (!fs.existsSync(file)) fail(`file not found: ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(`${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** "models/mnist/network.onnx" -> "mnist" (EZKL's layout); "path/lenet.onnx" -> "lenet". */
export function defaultModelName(onnxFile: string): string {
  const base = path.basename(onnxFile).replace(/\.onnx$/i, "");
  const name = ["network", "model"].includes(base) ? path.basename(path.dirname(onnxFile)) : base;
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** Reads a calibration file: one model input, or an array of them. */
function calibrationSettings(file: string | undefined): CalibrationSettings | undefined {
  if (!file) return undefined;
  if (!fs.existsSync(file)) fail(`calibration file not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(`calibration file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return { inputs: Array.isArray(raw) ? raw : [raw] };
}
