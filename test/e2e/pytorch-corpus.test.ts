import { expect } from "chai";
import fs from "fs";
import path from "path";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { fidelityTarget, opsOf } from "../../src/conformance";
import { importOnnx } from "../../src/onnx/import";
import { compileModel, CompiledModel } from "../../src/pipeline/compile";
import { readModelInput } from "../../src/pipeline/input";
import { proveModel, ProveResult, verifyModelProof } from "../../src/pipeline/prove";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { tmpDir } from "../circuit/helpers";
import { BN254_P } from "./helpers";

/**
 * The PyTorch corpus (examples/pytorch, made by scripts/pytorch/export_corpus.py with torch.onnx.export and
 * committed, so no Python is needed here): each model compiles at a calibrated scale, proves, verifies, and
 * its proven outputs match onnxruntime within the conformance fidelity target (src/conformance: 1% of the
 * output range, at least 2^-9). For the GPT-style decoder, next-token argmax must agree wherever the float
 * logits are not a near-tie.
 *
 * A model the project cannot compile yet is listed in NOT_YET with the exact first line of its error: the
 * test checks that compiling fails with that line, so it fails (and the entry must be removed) when the
 * missing op lands, rather than skipping the model silently.
 */

const DIR = path.resolve(__dirname, "..", "..", "examples", "pytorch");
const MODELS = ["cnn", "resnet_block", "mobilenet_block", "upsampler", "tabular_layernorm", "seq1d", "gpt"];

/**
 * Models that cannot compile yet, with compileModel's error as `failureLine` gives it. The test fails, and the
 * entry must go, once the model compiles or fails differently.
 */
const NOT_YET: Record<string, string> = {};

/**
 * Models compiled at a fixed scale rather than calibrated, to keep the test's time down. gpt: 2^9 is what
 * calibration picks (max |error| about 1e-2 over 100 inputs, argmax agreeing on 99%), about 230k
 * constraints; its causal mask is a masked Softmax (ir/masked-softmax.ts) and its GELU one Gelu node
 * (ir/fuse-gelu.ts).
 */
const FIXED_SCALE: Record<string, number> = { gpt: 9 };

/**
 * The first line of an error, without what changes as unrelated support lands: the list of supported ops
 * after an unsupported one, and calibration's per-scale list when every scale failed for the same reason.
 */
function failureLine(message: string): string {
  const line = message.split("\n")[0].replace(/\. Supported ops: .*$/, "");
  const m = /^(calibration found no usable scale): (.*)$/.exec(line);
  if (!m) return line;
  const reasons = new Set(m[2].split(/(?:^|; )2\^\d+: /).filter((r) => r !== "").map((r) => r.replace(/;\s*$/, "")));
  return reasons.size === 1 ? `${m[1]}: ${[...reasons][0]} (at every scale)` : line;
}

/** The ops each file was exported with (torch 1.13, opset 13): regenerating the corpus must not change them silently. */
const OPS: Record<string, string> = {
  cnn: "Conv Flatten Gemm MaxPool Relu",
  resnet_block: "Add Conv Relu",
  mobilenet_block: "Add Clip Constant Conv",
  upsampler: "Constant Conv ConvTranspose Relu Resize Sigmoid",
  tabular_layernorm: "Add Constant Div Gemm Mul Pow ReduceMean Relu Sqrt Sub",
  seq1d: "Conv Flatten Gemm GlobalAveragePool MaxPool Relu",
  gpt: "Add Constant Div Erf Gather MatMul Mul Pow ReduceMean Reshape Softmax Split Sqrt Sub Transpose Where",
};

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

interface ModelInput {
  input_data: number[][];
  output_data: number[][];
}

describe("PyTorch corpus (examples/pytorch, torch.onnx.export)", function () {
  this.timeout(300_000);
  const buildDir = tmpDir("pytorch");
  const report: Record<string, unknown>[] = [];
  after(async () => {
    await releaseSnarkjs();
    console.table(report);
  });

  it("has every model committed: small, with the ops it was exported with, an EZKL input.json, and onnxruntime = PyTorch on it", async () => {
    expect(fs.readdirSync(DIR).filter((m) => fs.existsSync(path.join(DIR, m, "network.onnx"))).sort()).to.deep.equal([...MODELS].sort());
    for (const name of MODELS) {
      const file = path.join(DIR, name, "network.onnx");
      expect(fs.statSync(file).size, name).to.be.below(200_000);
      expect(opsOf(file), name).to.equal(OPS[name]);
      const input = JSON.parse(fs.readFileSync(path.join(DIR, name, "input.json"), "utf8")) as ModelInput;
      expect(input.input_data, name).to.have.length(1);
      expect(input.output_data, name).to.have.length(1);
      if (name === "gpt") expect(input.input_data[0].every((t) => Number.isInteger(t) && t >= 0 && t < 32), "token ids").to.equal(true);
      // The export is faithful: onnxruntime on the file reproduces the outputs PyTorch recorded in output_data.
      const graph = importOnnx(fs.readFileSync(file), name);
      const ort = (await runOnnxRuntime(file, graph.inputs, readModelInput(input, graph.inputs))).flat();
      const torchOut = input.output_data[0];
      expect(ort.length, name).to.equal(torchOut.length);
      expect(Math.max(...ort.map((v, i) => Math.abs(v - torchOut[i]))), name).to.be.below(1e-5);
    }
    for (const name of Object.keys(NOT_YET)) expect(MODELS, name).to.include(name);
  });

  for (const name of MODELS) {
    const onnxFile = path.join(DIR, name, "network.onnx");
    const input = () => JSON.parse(fs.readFileSync(path.join(DIR, name, "input.json"), "utf8")) as ModelInput;
    const compile = () =>
      compileModel({ name: `pt_${name}`, onnx: onnxFile, buildDir, quant: { inputBits: 24, scaleBits: FIXED_SCALE[name] }, calibration: { inputs: [input()] }, log: () => undefined, force: true });

    if (name in NOT_YET) {
      it(`${name}: not supported yet; compiling fails with "${NOT_YET[name]}"`, async () => {
        let error: Error | undefined;
        try {
          await compile();
        } catch (e) {
          error = e as Error;
        }
        expect(error, `${name} compiled: remove it from NOT_YET`).to.not.equal(undefined);
        expect(failureLine(error!.message)).to.equal(NOT_YET[name]);
        report.push({ model: name, constraints: `not yet: ${NOT_YET[name]}` });
      });
      continue;
    }

    describe(name, () => {
      let compiled: CompiledModel;
      let proved: ProveResult;

      it("compiles, proves and matches onnxruntime within the fidelity target", async () => {
        const t0 = Date.now();
        compiled = await compile();
        const t1 = Date.now();
        proved = await proveModel(compiled.dir, input());
        const t2 = Date.now();
        expect(proved.reference, "onnxruntime reference").to.not.equal(undefined);
        expect(proved.reference!.source).to.equal("onnxruntime");
        const ref = proved.reference!.outputs.flat();
        const target = fidelityTarget(ref);
        expect(proved.reference!.maxAbsError).to.be.at.most(target);
        const row: Record<string, unknown> = {
          model: name,
          constraints: compiled.manifest.circuit.constraints,
          scale: compiled.manifest.quant.scaleBits,
          "compile s": ((t1 - t0) / 1000).toFixed(1),
          "prove s": ((t2 - t1) / 1000).toFixed(1),
          "max |err|": proved.reference!.maxAbsError.toExponential(2),
          target: target.toExponential(2),
        };
        if (name === "gpt") {
          // logits [1, T, vocab]: the next-token prediction at each position.
          const [, T, vocab] = proved.outputs[0].shape;
          const got = proved.outputs[0].values;
          let agree = 0;
          for (let t = 0; t < T; t++) {
            const f = ref.slice(t * vocab, (t + 1) * vocab);
            const p = got.slice(t * vocab, (t + 1) * vocab);
            const best = argmax(f);
            const margin = f[best] - Math.max(...f.filter((_, i) => i !== best));
            if (argmax(p) === best) agree++;
            // A disagreement is only allowed on a near-tie the proven error can flip.
            else expect(margin, `position ${t}: argmax ${argmax(p)} vs ${best}`).to.be.at.most(2 * proved.reference!.maxAbsError);
          }
          row["argmax agrees"] = `${agree}/${T}`;
        }
        report.push(row);
      });

      it("verifies, and rejects a changed output and a changed proof", async () => {
        expect((await verifyModelProof(compiled.dir, proved.proof, proved.publicSignals)).valid).to.equal(true);
        const changed = [...proved.publicSignals];
        changed[0] = ((BigInt(changed[0]) + 1n) % BN254_P).toString();
        expect((await verifyModelProof(compiled.dir, proved.proof, changed)).valid).to.equal(false);
        const changedProof = { ...proved.proof, pi_a: [proved.proof.pi_c[0], proved.proof.pi_c[1], "1"] };
        expect((await verifyModelProof(compiled.dir, changedProof, proved.publicSignals)).valid).to.equal(false);
      });
    });
  }
});
