import { expect } from "chai";
import fs from "fs";
import path from "path";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { compileModel, CompiledModel } from "../../src/pipeline/compile";
import { proveModel, ProveResult, verifyModelProof } from "../../src/pipeline/prove";
import { FIELD_MODULUS } from "../../src/numeric/field";
import { MODELS_DIR, sharedModel, tmpDir } from "../circuit/helpers";

/**
 * The slice's reference models, written outside this project: each compiles, proves and verifies,
 * and its proven outputs match onnxruntime's float outputs within the fixed-point error.
 */

const MODELS = ["1l_mlp", "1l_linear", "1l_relu", "2l_relu_fc", "linear_regression", "sklearn_mlp", "accuracy", "1l_flatten", "1l_reshape", "1l_identity"];
const SCALE_BITS = 12;
// At 2^-12 per rounding step, a few layers of rescales, weight and input rounding stay far below this.
const TOLERANCE = 64 * 2 ** -SCALE_BITS;

describe(`reference models from ${path.relative(process.cwd(), MODELS_DIR)}`, () => {
  const buildDir = tmpDir("shared");
  const report: Record<string, unknown>[] = [];
  after(async () => {
    await releaseSnarkjs();
    console.table(report);
  });

  for (const name of MODELS) {
    describe(name, () => {
      let compiled: CompiledModel;
      let proved: ProveResult;

      it("compiles, proves and matches onnxruntime", async () => {
        compiled = await compileModel({
          name,
          onnx: sharedModel(name),
          buildDir,
          quant: { scaleBits: SCALE_BITS, inputBits: 24 },
          log: () => undefined,
        });
        const input = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, name, "input.json"), "utf8"));
        proved = await proveModel(compiled.dir, input);
        expect(proved.reference, "onnxruntime reference").to.not.equal(undefined);
        expect(proved.reference!.maxAbsError).to.be.at.most(TOLERANCE);
        const m = compiled.manifest;
        report.push({ model: name, constraints: m.circuit.constraints, "public signals": m.publicSignals.count, "max |err|": proved.reference!.maxAbsError.toExponential(2) });
      });

      it("verifies off-chain, and rejects a changed output, a changed proof and out-of-field signals", async () => {
        expect((await verifyModelProof(compiled.dir, proved.proof, proved.publicSignals)).valid).to.equal(true);
        const changedOutput = [...proved.publicSignals];
        changedOutput[0] = ((BigInt(changedOutput[0]) + 1n) % FIELD_MODULUS).toString();
        expect((await verifyModelProof(compiled.dir, proved.proof, changedOutput)).valid).to.equal(false);
        const aliased = [...proved.publicSignals];
        aliased[0] = (BigInt(aliased[0]) + FIELD_MODULUS).toString();
        expect((await verifyModelProof(compiled.dir, proved.proof, aliased)).valid).to.equal(false);
        const changedProof = { ...proved.proof, pi_a: [proved.proof.pi_c[0], proved.proof.pi_c[1], "1"] };
        expect((await verifyModelProof(compiled.dir, changedProof, proved.publicSignals)).valid).to.equal(false);
      });
    });
  }
});
