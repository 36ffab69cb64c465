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

/** Every file under `dir` with its size and modification time. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const st = fs.statSync(path.join(dir, f));
    return `${f} ${st.size} ${st.mtimeMs}`;
  });
}

describe("the packed package in a Hardhat 2 project (test/fixture-projects/hh2)", function () {
  let project: string;

  before(function () {
    project = installFixture("hh2");
    // The fixture's model: the pixel_gen example, built by this repository's builder.
    ensureExampleModel(REPO, undefined, "pixel_gen");
    fs.cpSync(exampleModelDir(REPO, "pixel_gen"), path.join(project, "models", "pixel_gen"), { recursive: true });
  });

  it("holds the build, the circuit library and the contracts: no sources, tests, scripts or build outputs", () => {
    const files = packTarball().files.map((f) => f.path);
    expect(files).to.include.members(["dist/index.js", "dist/index.d.ts", "dist/core.js", "dist/hardhat3/index.mjs", "circuits/lib/zkml.circom", "contracts/ZkmlModel.sol", "contracts/ZkmlLayout.sol", "contracts/AigcCollection.sol", "package.json"]);
    const stray = files.filter((f) => /^(src|test|scripts|deploy|examples|bench|zkml-build|artifacts|cache|contracts\/zkml)\//.test(f) || f.endsWith(".ts") && !f.endsWith(".d.ts"));
    expect(stray).to.deep.equal([]);
  });

  it("loads cheaply: `npx hardhat --help` loads none of the compiler, snarkjs, circom or onnxruntime", () => {
    const trace = path.join(project, "loaded.txt");
    const r = runOk(path.join(project, "node_modules", ".bin", "hardhat"), ["--help"], project, { ...process.env, NODE_OPTIONS: `--require ${moduleTrace(trace)}` });
    expect(r.stdout).to.include("zkml:compile");
    const loaded = fs.readFileSync(trace, "utf8").split("\n");
    expect(loaded.some((f) => f.includes("hardhat-zkml/dist/index.js")), "the plugin was loaded").to.equal(true);
    expect(loaded.filter((f) => HEAVY.test(f))).to.deep.equal([]);
  });

  it("compiles the model from the project, writing only into the project", () => {
    const pkg = path.join(project, "node_modules", "hardhat-zkml");
    const before = listFiles(pkg);
    const r = runOk("npx", ["hardhat", "zkml:compile"], project);
    expect(r.stdout).to.include("PixelGenVerifier");
    expect(fs.existsSync(path.join(project, "zkml-build", "pixel_gen", "manifest.json"))).to.equal(true);
    expect(fs.existsSync(path.join(project, "contracts", "zkml", "PixelGenVerifier.sol"))).to.equal(true);
    expect(fs.existsSync(path.join(project, "artifacts", "hardhat-zkml", "contracts", "AigcCollection.sol", "AigcCollection.json"))).to.equal(true);
    expect(listFiles(pkg)).to.deep.equal(before);
  });

  it("proves with the task and verifies the proof", () => {
    const input = path.join(project, "models", "pixel_gen", "input.json");
    const proved = runOk("npx", ["hardhat", "zkml:prove", "--model", "pixel_gen", "--input", input, "--bind", "recipient=0x00000000000000000000000000000000000000aa", "--out", "proof"], project);
    expect(proved.stdout).to.match(/max \|proved - onnxruntime\| = /);
    // The package's native prover was built when the tarball was installed, and proved.
    expect(proved.stdout).to.include("proved by the native prover");
    expect(proved.stderr).to.not.include("native prover unavailable");
    const verified = runOk("npx", ["hardhat", "zkml:verify", "--model", "pixel_gen", "--proof", "proof"], project);
    expect(verified.stdout).to.include('valid proof for model "pixel_gen"');
  });

  it("deploys the verifier and adapter, verifies on-chain and mints with a proof (the project's own tests)", () => {
    const r = runOk("npx", ["hardhat", "test"], project);
    expect(r.stdout).to.match(/3 passing/);
  });

  it("reports a bad config key and an unknown model in one line each", () => {
    const bad = run("npx", ["hardhat", "zkml:compile"], project, terminalEnv({ ZKML_FIXTURE_BAD_KEY: "1" }));
    expect(bad.code).to.not.equal(0);
    expect(errorLines(bad)[0]).to.equal(`Error in plugin hardhat-zkml: invalid zkml config: ${BAD_KEY_ERROR}`);
    const unknown = run("npx", ["hardhat", "zkml:prove", "--model", "nope", "--input", "x.json"], project, terminalEnv());
    expect(unknown.code).to.not.equal(0);
    const lines = errorLines(unknown).filter((l) => !/^[❯✖]/.test(l));
    expect(lines[0]).to.equal('Error in plugin hardhat-zkml: unknown model "nope"; configured models: pixel_gen');
    expect(lines.some((l) => /^\s*at /.test(l)), "no stack trace").to.equal(false);
  });
});
