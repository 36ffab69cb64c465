import fs from "fs";
import path from "path";
import { Groth16Proof } from "../backend/groth16";
import { ProverChoice } from "../backend/provers";
import { fail } from "../errors";
import { CalibrationSettings, CompiledModel, compileModel, StepRunner } from "../pipeline/compile";
import { loadManifest, Manifest } from "../pipeline/manifest";
import { Commitments, computeCommitments, ProveOptions, proveModel, ProveResult, verifyModelProof, VerifyResult, writeProof } from "../pipeline/prove";
import { solidityLayout } from "../privacy/layout";
import { ChainCompileOptions, ChainManifest, ChainProof, compileChain, CompiledChain, loadChain, proveChain, SegmentProveOptions } from "../pipeline/chain";
import type { DistributedProof, DistributedProveOptions } from "../queue/coordinator";
import type { DistributedCompileOptions } from "../queue/setup";

/** Where a chain's setup jobs go (zkml:compile --distributed): the queue's Redis and the shared store. */
export type ChainQueue = Pick<DistributedCompileOptions, "redis" | "store" | "attempts" | "timeoutMs" | "onProgress">;
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
  /** Overrides zkml.maxConstraints (and the model's) for this compile. */
  maxConstraints?: number;
  /** Bound public inputs for an ad-hoc (`onnx`) model; configured models use their `bind`. */
  bind?: string[];
  log?: (msg: string) => void;
  progress?: StepRunner;
  verbose?: boolean;
}

/** The slice of ethers the deploy helpers use: Hardhat 2's `hre.ethers`, or a Hardhat 3 connection's `ethers`. */
export interface ContractFactorySource {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getContractFactory(name: string): Promise<any>;
}

/**
 * What the runtime needs from the Hardhat version it runs in, read when used (tests may change the
 * config): the resolved `zkml` config, the project root, and the default ethers for the deploy helpers.
 */
export interface ZkmlHost {
  readonly config: ZkmlConfig;
  readonly root: string;
  /** Hardhat 2: `hre.ethers`; Hardhat 3 has none (each network connection has its own ethers). */
  readonly ethers?: ContractFactorySource;
}

/** `hre.zkml`: the typed API the tasks, scripts and tests share, the same under Hardhat 2 and Hardhat 3. */
export class ZkmlRuntime {
  constructor(private readonly host: ZkmlHost) {}

  private get config(): ZkmlConfig {
    return this.host.config;
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
      const onnx = path.resolve(this.host.root, req.onnx);
      const name = req.name ?? defaultModelName(onnx);
      const base = this.config.models[name];
      targets.push([name, { onnx, scaleBits: base?.scaleBits ?? this.config.scaleBits, inputBits: base?.inputBits ?? this.config.inputBits, calibration: base?.calibration, bind: req.bind ?? base?.bind ?? [], visibility: base?.visibility ?? PUBLIC_VISIBILITY, maxConstraints: base?.maxConstraints }]);
    } else if (req.name) {
      targets.push([req.name, this.modelConfig(req.name)]);
    } else {
      if (this.modelNames().length === 0) fail("no models configured: add zkml.models to hardhat.config.ts or pass --model <file.onnx>");
      for (const name of this.modelNames()) targets.push([name, this.config.models[name]]);
    }
    const results: CompiledModel[] = [];
    for (const [name, m] of targets) {
      if (m.segments) {
        // A chained model's segments are compiled as a chain (compileChain); they are not single models.
        if (!req.onnx) await this.compileChain(name, req);
        continue;
      }
      results.push(
        await compileModel({
          name,
          onnx: m.onnx,
          buildDir: this.config.buildDir,
          verifiersDir: this.config.verifiersDir,
          quant: { scaleBits: req.scaleBits ?? m.scaleBits, inputBits: req.inputBits ?? m.inputBits, inputUnsigned: m.inputUnsigned, widthMargin: m.widthMargin },
          calibration: { ...calibrationSettings(req.calibration ? path.resolve(this.host.root, req.calibration) : m.calibration), samples: m.calibrationSamples },
          body: m.body,
          maxConstraints: req.maxConstraints ?? m.maxConstraints ?? this.config.maxConstraints,
          bindings: m.bind,
          visibility: m.visibility,
          ptau: req.ptau ? path.resolve(this.host.root, req.ptau) : this.config.ptau,
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

  /** Compiles a model configured with `segments` as a chain of segment circuits and keys (src/pipeline/chain.ts). */
  async compileChain(name: string, req: Pick<CompileRequest, "force" | "ptau" | "log" | "progress"> & { distributed?: ChainQueue } = {}): Promise<CompiledChain> {
    const m = this.modelConfig(name);
    if (!m.segments) fail(`model "${name}" has no segments setting (zkml.models.${name}.segments)`);
    if (m.scaleBits === undefined) fail(`model "${name}": segments need a fixed scaleBits`);
    const { compileChainDistributed } = req.distributed ? await import("../queue/setup") : { compileChainDistributed: undefined };
    const compile = compileChainDistributed ? (o: ChainCompileOptions) => compileChainDistributed({ ...o, ...req.distributed! }) : compileChain;
    return compile({
      name,
      onnx: m.onnx,
      buildDir: this.config.buildDir,
      verifiersDir: this.config.verifiersDir,
      quant: { scaleBits: m.scaleBits, inputBits: m.inputBits, inputUnsigned: m.inputUnsigned, widthMargin: m.widthMargin },
      calibration: m.widthMargin === undefined ? undefined : { ...calibrationSettings(m.calibration), samples: m.calibrationSamples },
      bindings: m.bind,
      visibility: m.visibility,
      segments: m.segments,
      body: m.body,
      ptau: req.ptau ? path.resolve(this.host.root, req.ptau) : this.config.ptau,
      prover: this.config.prover,
      force: req.force,
      log: req.log ?? (() => undefined),
      progress: req.progress,
    });
  }

  /** A compiled chain's manifest (chain.json): its segments, their keys' hashes and layouts (for Ignition's chainModel). */
  chain(name: string): ChainManifest {
    return loadChain(this.modelDir(name));
  }

  /** Proves an inference of a chained model in this process, one segment after another (proveChain). */
  async proveChain(name: string, input: unknown, opts: SegmentProveOptions & { linkSecret?: string; log?: (m: string) => void } = {}): Promise<ChainProof> {
    const dir = this.modelDir(name);
    loadChain(dir); // an uncompiled chain is a one-line error
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    return proveChain(dir, raw, { ...opts, prover: opts.prover ?? this.config.prover });
  }

  /**
   * Proves an inference of a chained model through the queue: `redis` is the queue's Redis URL, `store` the
   * artifact directory the workers (`npx hardhat zkml:worker`) read.
   */
  async proveDistributed(name: string, input: unknown, opts: Omit<DistributedProveOptions, "chainDir">): Promise<DistributedProof> {
    const dir = this.modelDir(name);
    loadChain(dir); // an uncompiled chain is a one-line error
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    const { proveDistributed } = await import("../queue/coordinator");
    return proveDistributed(raw, { ...opts, chainDir: dir });
  }

  /**
   * Proves an inference; `input` is a parsed JSON object or a path to a JSON file. `opts.prover`
   * overrides `zkml.prover`.
   */
  async prove(name: string, input: unknown, opts: ProveOptions & { out?: string } = {}): Promise<ProveResult> {
    const dir = this.compiledDir(name);
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    const result = await proveModel(dir, raw, { ...opts, prover: opts.prover ?? this.config.prover });
    if (opts.out) await writeProof(opts.out, result);
    return result;
  }

  /** The commitments a proof of `input` would carry (e.g. the model commitment a provider publishes). */
  commitments(name: string, input: unknown, opts: { salt?: bigint | string | number } = {}): Commitments {
    const raw = typeof input === "string" ? readJsonFile(input) : input;
    return computeCommitments(this.compiledDir(name), raw, opts.salt);
  }

  async verify(name: string, proof: Groth16Proof, publicSignals: string[], opts: { prover?: ProverChoice } = {}): Promise<VerifyResult> {
    const dir = this.compiledDir(name);
    return verifyModelProof(dir, proof, publicSignals, { prover: opts.prover ?? this.config.prover });
  }

  /**
   * Deploys the model's generated verifier (Solidity compiled by Hardhat) with ethers: Hardhat 2's
   * `hre.ethers` by default; under Hardhat 3 pass `{ ethers }` from `await network.connect()`.
   */
  async deployVerifier(name: string, opts: { ethers?: ContractFactorySource } = {}) {
    const m = this.manifest(name);
    const factory = await this.contractFactory(m.contractName, opts.ethers);
    const verifier = await factory.deploy();
    await verifier.waitForDeployment();
    return verifier;
  }

  /**
   * Deploys the model's verifier and a {ZkmlModel} adapter configured from the manifest (the one place
   * the public-signal layout is defined). With private parameters, `modelCommitment` fixes the
   * commitment every proof must carry (e.g. the one the provider published); 0 leaves it to consumers.
   */
  async deployModel(name: string, opts: { modelCommitment?: bigint | string; ethers?: ContractFactorySource } = {}) {
    const m = this.manifest(name);
    const verifier = await this.deployVerifier(name, opts);
    const factory = await this.contractFactory("ZkmlModel", opts.ethers);
    const layout = solidityLayout(m.publicSignals, m.quant.scaleBits);
    const model = await factory.deploy(await verifier.getAddress(), m.modelHash, layout, BigInt(opts.modelCommitment ?? 0));
    await model.waitForDeployment();
    return { verifier, model, manifest: m };
  }

  /**
   * Deploys a chained model (compiled with `segments`): each segment's verifier and {ZkmlModel} adapter, the
   * {ChainVerifier} over them, and the {ChainModel} the vault and the collections take as their `model` like a
   * single model's adapter (a statement is proven by `ChainModel.attest(proofs, links, statement)`, then the
   * consumer's own call finds it).
   */
  async deployChain(name: string, opts: { ethers?: ContractFactorySource } = {}) {
    const manifest = loadChain(this.modelDir(name));
    const adapterFactory = await this.contractFactory("ZkmlModel", opts.ethers);
    const segments = [];
    for (const s of manifest.segments) {
      const verifier = await (await this.contractFactory(s.contractName, opts.ethers)).deploy();
      await verifier.waitForDeployment();
      const model = await adapterFactory.deploy(await verifier.getAddress(), s.modelHash, solidityLayout(s.publicSignals, manifest.quant.scaleBits), 0n);
      await model.waitForDeployment();
      segments.push({ verifier, model });
    }
    const chain = await (await this.contractFactory("ChainVerifier", opts.ethers)).deploy(await Promise.all(segments.map((s) => s.model.getAddress())));
    await chain.waitForDeployment();
    const model = await (await this.contractFactory("ChainModel", opts.ethers)).deploy(await chain.getAddress());
    await model.waitForDeployment();
    return { segments, chain, model, manifest };
  }

  /** A contract factory by name; a contract missing from the project's artifacts is a one-line error. */
  private async contractFactory(contract: string, ethers = this.host.ethers) {
    if (!ethers) fail(`no ethers to deploy ${contract} with: pass { ethers } (Hardhat 3: from \`await network.connect()\`)`);
    try {
      return await ethers.getContractFactory(contract);
    } catch (e) {
      if (!/artifact|not found|HH700/i.test(String((e as Error)?.message))) throw e;
      fail(`contract ${contract} is not compiled in this project: run \`npx hardhat zkml:compile\` (it compiles the generated verifiers and hardhat-zkml's contracts)`);
    }
  }

  private modelConfig(name: string): ZkmlModelConfig {
    const m = this.config.models[name];
    if (!m) fail(`unknown model "${name}"; configured models: ${this.modelNames().join(", ") || "none"}`);
    return m;
  }

  /** The build folder of a compiled model; an unknown or uncompiled model is a one-line error. */
  compiledDir(name: string): string {
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
