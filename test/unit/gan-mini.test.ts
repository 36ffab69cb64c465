// gan_mini (src/examples/models/gan_mini.ts), the reduced mnist_gan: its graph mirrors mnist_gan's node for
// node, and the project's importer and quantizer evaluate it close to onnxruntime on seeded latents.
import { expect } from "chai";
import fs from "fs";
import hre from "hardhat";
import { onnx } from "onnx-proto";
import path from "path";
import { CORPUS_DIR } from "../../src/conformance";
import { exampleModelOnnx } from "../../src/examples";
import { importOnnx } from "../../src/onnx/import";
import { runOnnxRuntime } from "../../src/pipeline/reference";
import { latentFromSeed, promptSeed } from "../../src/privacy/seeded";
import { evaluateQuantized, quantizeModel } from "../../src/quantize";
import { dequantize } from "../../src/numeric/fixed-point";

const QUANT = { scaleBits: 8, inputBits: 10 };

const opTypes = (file: string) => (onnx.ModelProto.decode(fs.readFileSync(file)).graph?.node ?? []).map((n) => n.opType);

describe("gan_mini: reduced mnist_gan example", function () {
  let file: string;

  before(function () {
    file = exampleModelOnnx(hre.config.paths.root, "gan_mini");
  });

  it("has mnist_gan's op sequence, 8 latent numbers in, a 1x12x12 image out", function () {
    const ops = ["Gemm", "Mul", "Add", "Elu", "Reshape", "Transpose", "ConvTranspose", "BatchNormalization", "Elu", "ConvTranspose", "Sigmoid", "Reshape"];
    expect(opTypes(file)).to.deep.equal(ops);
    const gan = path.join(CORPUS_DIR, "mnist_gan", "network.onnx");
    if (fs.existsSync(gan)) expect(opTypes(file)).to.deep.equal(opTypes(gan));
    const graph = importOnnx(fs.readFileSync(file), "gan_mini");
    expect(graph.inputs.map((i) => i.shape)).to.deep.equal([[1, 8]]);
    expect(graph.outputs.map((o) => o.shape)).to.deep.equal([[1, 12, 12]]);
  });

  it("evaluates in fixed point (scale 2^8, inputBits 10) within 2^-6 of onnxruntime on seeded latents", async function () {
    const graph = importOnnx(fs.readFileSync(file), "gan_mini");
    const model = quantizeModel(graph, QUANT);
    let worst = 0;
    for (const prompt of ["a handwritten seven", "gan_mini", "zero knowledge", "hello", "0", "1"]) {
      const latent = latentFromSeed(promptSeed(prompt), 8, QUANT.inputBits);
      const [out] = evaluateQuantized(model, [latent]);
      const got = out.data.map((q) => dequantize(q, out.scale));
      const [want] = await runOnnxRuntime(file, graph.inputs, [latent.map((q) => dequantize(q, QUANT.scaleBits))]);
      expect(got).to.have.length(144);
      worst = Math.max(worst, ...want.map((w, k) => Math.abs(w - got[k])));
      // Not a flat image: the seeded latent must reach the pixels.
      expect(Math.max(...want) - Math.min(...want)).to.be.greaterThan(0.5);
    }
    console.log(`      max |fixed point - onnxruntime| = ${worst.toExponential(2)} (one step at 2^8 is 3.9e-3)`);
    expect(worst).to.be.lessThan(2 ** -6);
  });
});
