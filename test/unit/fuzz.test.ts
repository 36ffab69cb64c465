import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { mulberry32 } from "../../src/util/prng";
import { ZkmlError } from "../../src/errors";
import { importOnnx } from "../../src/onnx/import";
import { lowerModel } from "../../src/lower";
import { compileModel } from "../../src/pipeline/compile";
import { quantizeInputs, readModelInput } from "../../src/pipeline/input";
import { quantizeModel } from "../../src/quantize";
import { MODELS_DIR, sharedModel } from "../circuit/helpers";

/**
 * Malformed-input fuzzing: every case must end in success or a ZkmlError (a clear message), never in
 * another exception, a hang or a silent wrong result; compiles that fail leave nothing behind.
 */

const QUANT = { scaleBits: 12, inputBits: 24 };
const MODELS = ["1l_mlp", "sklearn_mlp", "1l_reshape", "linear_regression", "accuracy"];
let cases = 0;

/** Runs the front of the pipeline; returns "ok" or the ZkmlError's message, rethrows anything else. */
function front(bytes: Uint8Array): string {
  cases++;
  try {
    const g = importOnnx(bytes, "fuzzed.onnx");
    lowerModel(quantizeModel(g, QUANT));
    return "ok";
  } catch (e) {
    if (e instanceof ZkmlError) return e.message;
    throw new Error(`not a ZkmlError: ${(e as Error).stack}`);
  }
}

describe(`fuzzing the importer and the input reader (models from ${MODELS_DIR})`, () => {
  after(() => console.log(`      ${cases} fuzz cases, each a clean success or a ZkmlError`));

  for (const name of MODELS) {
    it(`${name}: truncations, bit flips, byte overwrites and splices`, () => {
      const original = fs.readFileSync(sharedModel(name));
      const rand = mulberry32(name.length * 31);
      const at = () => Math.floor(rand() * original.length);
      for (let i = 0; i < 60; i++) front(original.subarray(0, at()));
      for (let i = 0; i < 150; i++) {
        const b = Buffer.from(original);
        b[at()] ^= 1 << Math.floor(rand() * 8);
        front(b);
      }
      for (let i = 0; i < 100; i++) {
        const b = Buffer.from(original);
        for (let k = 0; k < 4; k++) b[at()] = Math.floor(rand() * 256);
        front(b);
      }
      for (let i = 0; i < 20; i++) {
        const a = at();
        front(Buffer.concat([original.subarray(0, a), original.subarray(at())]));
      }
    });
  }

  it("random byte strings", () => {
    const rand = mulberry32(99);
    for (let i = 0; i < 300; i++) {
      const msg = front(Buffer.from(Array.from({ length: Math.floor(rand() * 400) }, () => Math.floor(rand() * 256))));
      expect(msg).to.not.equal("ok");
    }
  });

  it("model inputs: shapes, types, non-finite and out-of-range values", () => {
    const inputs = [{ name: "x", shape: [1, 2, 3] }];
    const rand = mulberry32(7);
    const values = [NaN, Infinity, -Infinity, 1e300, -1e300, 2048, -2049, "1", null, true, {}, [], 0.5];
    const pick = () => values[Math.floor(rand() * values.length)];
    const shapes: unknown[] = [[], [1], [6], [2, 3], [3, 2], [1, 2, 3], [1, 1, 6], [7]];
    const fill = (shape: number[]): unknown => (shape.length === 0 ? pick() : Array.from({ length: shape[0] }, () => fill(shape.slice(1))));
    for (let i = 0; i < 400; i++) {
      cases++;
      const shape = shapes[Math.floor(rand() * shapes.length)] as number[];
      const raw = rand() < 0.5 ? { x: fill(shape) } : { input_data: [fill(shape)] };
      try {
        const v = readModelInput(raw, inputs);
        quantizeInputs(v, inputs, QUANT);
      } catch (e) {
        if (!(e instanceof ZkmlError)) throw new Error(`not a ZkmlError for ${JSON.stringify(raw)}: ${(e as Error).stack}`);
      }
    }
  });

  it("failed compiles of fuzzed models leave no partial artifacts", async () => {
    const build = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-fuzz-build-"));
    const original = fs.readFileSync(sharedModel("1l_mlp"));
    const rand = mulberry32(5);
    let failed = 0;
    for (let i = 0; i < 12; i++) {
      const b = Buffer.from(original);
      b[Math.floor(rand() * b.length)] ^= 0xff;
      const file = path.join(build, `m${i}.onnx`);
      fs.writeFileSync(file, b);
      cases++;
      try {
        await compileModel({ name: `m${i}`, onnx: file, buildDir: path.join(build, "out"), quant: QUANT, log: () => undefined });
        fs.rmSync(path.join(build, "out", `m${i}`), { recursive: true }); // compiled fine: not what we look at
      } catch (e) {
        if (!(e instanceof ZkmlError)) throw e;
        failed++;
      }
    }
    expect(failed).to.be.greaterThan(0);
    const left = fs.existsSync(path.join(build, "out")) ? fs.readdirSync(path.join(build, "out")) : [];
    expect(left).to.deep.equal([]);
  });
});
