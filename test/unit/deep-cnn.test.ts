import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import * as ort from "onnxruntime-node";
import { BLOCKS, build, reluOutput } from "../../src/examples/benchmarks/deep_cnn";
import { CutPoint, sliceGraph } from "../../src/ir/cut";
import { Graph } from "../../src/ir/graph";
import { importOnnx } from "../../src/onnx/import";
import { chainCutPoints } from "../../src/pipeline/chain";
import { defaultMaxConstraints, estimateGraph } from "../../src/quantize/estimate";

/** The chain's quantization (scaleBits 8, signed 12-bit inputs). */
const QUANT = { scaleBits: 8, inputBits: 12 };
const FILES = ["network.onnx", "input.json", "calibration.json"];

describe("the deep_cnn benchmark model (issue 20: too large for one proof, proven as a chain)", () => {
  let dirs: string[];
  let graph: Graph;
  before(async () => {
    dirs = [];
    for (let i = 0; i < 2; i++) dirs.push(await build(fs.mkdtempSync(path.join(os.tmpdir(), "zkml-deep-cnn-"))));
    graph = importOnnx(fs.readFileSync(path.join(dirs[0], "network.onnx")));
  });
  after(() => dirs.forEach((d) => fs.rmSync(path.dirname(d), { recursive: true, force: true })));

  it("is byte-identical on two builds", () => {
    for (const f of FILES) expect(fs.readFileSync(path.join(dirs[0], f)).equals(fs.readFileSync(path.join(dirs[1], f))), f).to.equal(true);
  });

  it("runs in onnxruntime on input.json, giving 10 finite outputs", async () => {
    const image: number[] = JSON.parse(fs.readFileSync(path.join(dirs[0], "input.json"), "utf8")).input_data[0];
    expect(image).to.have.length(784);
    const session = await ort.InferenceSession.create(path.join(dirs[0], "network.onnx"));
    try {
      const out = await session.run({ input: new ort.Tensor("float32", Float32Array.from(image), [1, 1, 28, 28]) });
      const logits = Array.from(out.output.data as Float32Array);
      expect(logits).to.have.length(10);
      expect(logits.every(Number.isFinite), `[${logits}]`).to.equal(true);
    } finally {
      await session.release();
    }
  });

  it("is estimated above the 24 GiB default limit (by at most 15%), with a chain cut after every Relu and every block below the limit", () => {
    const limit = defaultMaxConstraints(24 * 2 ** 30);
    const whole = estimateGraph(graph, QUANT).constraints;
    expect(whole).to.be.above(limit);
    expect(whole).to.be.below(limit * 1.15);

    const cuts = chainCutPoints(graph, QUANT);
    const relus = Array.from({ length: BLOCKS }, (_, i) => reluOutput(i + 1));
    expect(relus.filter((r) => !cuts.some((c) => c.tensor === r)), "Relu outputs that are not cut points").to.deep.equal([]);
    expect(graph.nodes.filter((n) => n.op === "Relu").map((n) => n.outputs[0])).to.deep.equal(relus);

    // Cut at every Relu: each segment (a block, the first with the image's range checks, the last the head) fits.
    const at = relus.map((r) => cuts.find((c) => c.tensor === r) as CutPoint);
    const bounds = [undefined, ...at, undefined];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const est = estimateGraph(sliceGraph(graph, bounds[i], bounds[i + 1]), QUANT).constraints;
      expect(est, `segment ${i}`).to.be.above(0).and.below(limit);
    }
  });
});
