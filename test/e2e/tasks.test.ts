import { expect } from "chai";
import { spawnSync } from "child_process";
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { encodeModel } from "../../src/onnx/writer";
import { sharedModel, tmpDir } from "../circuit/helpers";
import { ensureExampleModel } from "../../src/examples";
import { rejectsWith } from "./helpers";

/**
 * The CLI surface: tasks compile, prove and verify; bad input gives one clear error and leaves no
 * partial artifacts behind.
 */

const ROOT = path.resolve(__dirname, "..", "..");

/** A task failing with a plugin error (a clean message, no stack trace) matching `pattern`. */
async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  expect((await rejectsWith(p, pattern)).constructor.name).to.equal("HardhatPluginError");
}

describe("zkml tasks", () => {
  const originalBuildDir = hre.config.zkml.buildDir;
  const originalVerifiersDir = hre.config.zkml.verifiersDir;
  const work = tmpDir("tasks");
  const write = (name: string, data: string | Uint8Array) => {
    const f = path.join(work, name);
    fs.writeFileSync(f, data);
    return f;
  };
  before(() => {
    hre.config.zkml.buildDir = path.join(work, "build");
    hre.config.zkml.verifiersDir = path.join(work, "verifiers");
  });
  after(async () => {
    hre.config.zkml.buildDir = originalBuildDir;
    hre.config.zkml.verifiersDir = originalVerifiersDir;
    await releaseSnarkjs();
  });

  /** Nothing but complete model directories (no temporary ones) may be left in the build dir. */
  const leftovers = () => (fs.existsSync(hre.config.zkml.buildDir) ? fs.readdirSync(hre.config.zkml.buildDir).filter((f) => f.startsWith(".")) : []);

  it("compiles an ONNX file given with --model, proves EZKL-format input, verifies", async () => {
    await hre.run("zkml:compile", { model: sharedModel("1l_mlp"), noSolidity: true });
    const m = hre.zkml.manifest("1l_mlp");
    expect(m.circuit.constraints).to.be.greaterThan(0);
    expect(fs.existsSync(path.join(hre.config.zkml.verifiersDir, `${m.contractName}.sol`))).to.equal(true);
    const out = path.join(work, "proof-mlp");
    await hre.run("zkml:prove", { model: "1l_mlp", input: path.join(path.dirname(sharedModel("1l_mlp")), "input.json"), out });
    for (const f of ["proof.json", "public.json", "output.json", "calldata.json"]) expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
    const output = JSON.parse(fs.readFileSync(path.join(out, "output.json"), "utf8"));
    expect(output.reference.maxAbsError).to.be.lessThan(0.01);
    const r = await hre.run("zkml:verify", { model: "1l_mlp", proof: out });
    expect(r.valid).to.equal(true);
  });

  it("proves with the system --prover names (default zkml.prover) and refuses an unknown one in one line", async () => {
    const input = path.join(path.dirname(sharedModel("1l_mlp")), "input.json");
    const out = path.join(work, "proof-mlp-prover");
    expect(hre.config.zkml.prover).to.equal("native");
    await hre.run("zkml:prove", { model: "1l_mlp", input, out, prover: "snarkjs", noReference: true });
    expect((await hre.run("zkml:verify", { model: "1l_mlp", proof: out })).valid).to.equal(true);
    await rejects(hre.run("zkml:prove", { model: "1l_mlp", input, out: path.join(work, "never"), prover: "groth17" }), /^unknown prover "groth17"; available: "native", "snarkjs"$/);
    expect(fs.existsSync(path.join(work, "never"))).to.equal(false);
    // zkml:verify uses zkml.prover.
    hre.config.zkml.prover = "groth17";
    try {
      await rejects(hre.run("zkml:verify", { model: "1l_mlp", proof: out }), /unknown prover "groth17"/);
    } finally {
      hre.config.zkml.prover = "native";
    }
  });

  it("accepts named, nested input and rejects a proof of another model", async () => {
    await hre.run("zkml:compile", { model: sharedModel("1l_relu"), noSolidity: true });
    const input = write("relu-input.json", JSON.stringify({ input: [[0.5, -1.25, 2]] }));
    const out = path.join(work, "proof-relu");
    const r = await hre.run("zkml:prove", { model: "1l_relu", input, out });
    expect(r.outputs[0].values).to.deep.equal([0.5, 0, 2]);
    await rejects(hre.run("zkml:verify", { model: "1l_mlp", proof: out }), /made for model "1l_relu".*not "1l_mlp"/);
    // Without the model hash in output.json the verification key itself must refuse it.
    fs.rmSync(path.join(out, "output.json"));
    await rejects(hre.run("zkml:verify", { model: "1l_mlp", proof: out }), /INVALID proof/);
  });

  it("rejects a tampered public output", async () => {
    const out = path.join(work, "proof-mlp");
    const tampered = path.join(work, "tampered");
    fs.cpSync(out, tampered, { recursive: true });
    const pub = JSON.parse(fs.readFileSync(path.join(tampered, "public.json"), "utf8"));
    pub[1] = (BigInt(pub[1]) + 1n).toString();
    fs.writeFileSync(path.join(tampered, "public.json"), JSON.stringify(pub));
    await rejects(hre.run("zkml:verify", { model: "1l_mlp", proof: tampered }), /INVALID proof/);
  });

  it("bad input: one clear error each, nothing half-written", async () => {
    const inputs = path.join(path.dirname(sharedModel("1l_mlp")), "input.json");
    await rejects(hre.run("zkml:prove", { model: "1l_mlp", input: write("short.json", '{"input_data": [[1, 2]]}') }), /has 2 values; its shape \[1,3\] needs 3/);
    await rejects(hre.run("zkml:prove", { model: "1l_mlp", input: write("nan.json", '{"input": [1, "x", 3]}') }), /only numbers/);
    await rejects(hre.run("zkml:prove", { model: "1l_mlp", input: write("far.json", '{"input_data": [[1e9, 0, 0]]}') }), /outside the provable range/);
    await rejects(hre.run("zkml:prove", { model: "no_such_model", input: inputs }), /unknown model "no_such_model"/);
    await rejects(hre.run("zkml:prove", { model: "1l_mlp", input: path.join(work, "missing.json") }), /file not found/);
    await rejects(hre.run("zkml:compile", { model: write("junk.onnx", Buffer.from("definitely not a model")), noSolidity: true }), /junk\.onnx is not a valid ONNX/);
    await rejects(hre.run("zkml:compile", { model: path.join(work, "absent.onnx"), noSolidity: true }), /ONNX file not found/);
    await rejects(hre.run("zkml:compile", { name: "not_configured", noSolidity: true }), /unknown model "not_configured"/);
    const lstm = encodeModel({
      inputs: [{ name: "x", dims: ["batch", 4] }],
      outputs: [{ name: "y", dims: ["batch", 4] }],
      initializers: [],
      nodes: [{ name: "/head/LSTM", opType: "LSTM", inputs: ["x"], outputs: ["y"] }],
    });
    await rejects(hre.run("zkml:compile", { model: write("lstm.onnx", lstm), noSolidity: true }), /unsupported op: LSTM node "\/head\/LSTM".*Supported ops: .*Gemm/);
    await rejects(hre.run("zkml:compile", { model: sharedModel("1l_identity"), ptau: path.join(work, "none.ptau"), noSolidity: true }), /ptau file not found/);
    expect(leftovers()).to.deep.equal([]);
    expect(fs.existsSync(path.join(hre.config.zkml.buildDir, "lstm"))).to.equal(false);
    expect(fs.existsSync(path.join(hre.config.zkml.buildDir, "junk"))).to.equal(false);
  });

  it("does not rebuild an unchanged model", async () => {
    const [again] = await hre.zkml.compile({ onnx: sharedModel("1l_mlp") });
    expect(again.cached).to.equal(true);
  });

  it("the CLI exits 0 for a valid proof and 1 with a one-line error for an invalid one", async () => {
    ensureExampleModel(ROOT);
    // As on a user's terminal: Hardhat prints stack traces (and picocolors colours) when it detects CI.
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: ":0", NO_COLOR: "1" };
    delete env.CI;
    const run = (args: string[]) => spawnSync("npx", ["hardhat", ...args], { cwd: ROOT, encoding: "utf8", env });
    const compile = run(["zkml:compile", "--name", "credit_mlp", "--no-solidity"]);
    expect(compile.status, compile.stderr).to.equal(0);
    const proofDir = path.join(work, "cli-proof");
    const prove = run(["zkml:prove", "--model", "credit_mlp", "--input", "examples/models/credit_mlp/input.json", "--out", proofDir]);
    expect(prove.status, prove.stderr).to.equal(0);
    expect(prove.stdout).to.match(/max \|proved - onnxruntime\| = /);
    expect(run(["zkml:verify", "--model", "credit_mlp", "--proof", proofDir]).status).to.equal(0);
    const pub = JSON.parse(fs.readFileSync(path.join(proofDir, "public.json"), "utf8"));
    pub[0] = (BigInt(pub[0]) + 1n).toString();
    fs.writeFileSync(path.join(proofDir, "public.json"), JSON.stringify(pub));
    const bad = run(["zkml:verify", "--model", "credit_mlp", "--proof", proofDir]);
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.match(/Error in plugin hardhat-zkml: INVALID proof/);
    expect(bad.stderr).to.not.match(/\n\s+at /); // no stack trace for a user error
  });
});

