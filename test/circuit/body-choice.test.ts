import { expect } from "chai";
import fs from "fs";
import { MAX_WASM_FUNCTION_BYTES, witnessFunctionBytes } from "../../src/emit/circom";
import { estimateConstraints } from "../../src/gadgets";
import { size } from "../../src/ir/graph";
import { lowerModel } from "../../src/lower";
import { importOnnx } from "../../src/onnx/import";
import { encodeModel } from "../../src/onnx/writer";
import { buildCircuit, chooseBody, DIRECT_BODY_THRESHOLD } from "../../src/pipeline/compile";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import { quantizeModel } from "../../src/quantize";
import { rng, tmpDir } from "./helpers";

const QUANT = { scaleBits: 12, inputBits: 24 };

/** Gemm (inputs × outputs, dense weights) then Relu: every weight is one term in circom's main template. */
function gemmRelu(inputs: number, outputs: number): Buffer {
  const r = rng(7);
  return encodeModel({
    inputs: [{ name: "x", dims: [1, inputs] }],
    outputs: [{ name: "y", dims: [1, outputs] }],
    initializers: [
      { name: "W", dims: [inputs, outputs], data: Array.from({ length: inputs * outputs }, () => r() - 0.5) },
      { name: "B", dims: [outputs], data: Array(outputs).fill(0.01) },
    ],
    nodes: [
      { name: "fc", opType: "Gemm", inputs: ["x", "W", "B"], outputs: ["h"] },
      { name: "relu", opType: "Relu", inputs: ["h"], outputs: ["y"] },
    ],
  });
}

function lowered(bytes: Buffer) {
  const graph = importOnnx(bytes);
  const qmodel = quantizeModel(graph, QUANT);
  const inputCount = graph.inputs.reduce((n, vi) => n + size(vi.shape), 0);
  return { program: lowerModel(qmodel), constraints: estimateConstraints(qmodel.sites, inputCount, QUANT.inputBits) };
}

/** The largest function body in a wasm file (its code section's entries are size-prefixed). */
function largestFunction(file: string): number {
  const buf = fs.readFileSync(file);
  const leb = (at: number): [number, number] => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[at++];
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return [v, at];
    }
  };
  for (let at = 8; at < buf.length; ) {
    const id = buf[at++];
    const [len, body] = leb(at);
    if (id === 10) {
      let [n, p] = leb(body);
      let largest = 0;
      for (; n > 0; n--) {
        const [s, next] = leb(p);
        largest = Math.max(largest, s);
        p = next + s;
      }
      return largest;
    }
    at = body + len;
  }
  throw new Error(`${file} has no code section`);
}

describe("circuit body choice at circom's WebAssembly function-size wall", () => {
  it("estimates the size of circom's main witness function from above, within 5% of the compiled one", async () => {
    const built = await buildCircuit("wall_small", gemmRelu(64, 300), "wall_small.onnx", QUANT, tmpDir("wall-small"), undefined, { bindings: [], visibility: PUBLIC_VISIBILITY, body: "circom" });
    const actual = largestFunction(built.artifacts.wasm);
    expect(witnessFunctionBytes(built.program) / actual).to.be.within(1, 1.05);
  });

  // Measured: 128 × 1,300 (58,346 constraints, 167,664 terms) made a 7,224,114-byte function and its witness
  // computed; 128 × 1,400 (62,611 constraints, 180,558 terms) made 7,779,285 bytes and witness generation
  // failed with "WebAssembly.compile(): size 7779285 > maximum function size 7654321".
  it("picks the direct body for a 63k-constraint model whose circom witness function would exceed the limit", () => {
    const { program, constraints } = lowered(gemmRelu(128, 1400));
    expect(constraints, "far below the constraint threshold: constraints alone would pick circom").to.be.below(DIRECT_BODY_THRESHOLD / 2);
    expect(witnessFunctionBytes(program)).to.be.above(MAX_WASM_FUNCTION_BYTES);
    expect(chooseBody("m", undefined, constraints, witnessFunctionBytes(program))).to.equal("direct");
  });

  it("keeps a third of the limit as margin: 128 × 900 stays circom, 128 × 1,000 goes direct", () => {
    const at = (outputs: number) => {
      const { program, constraints } = lowered(gemmRelu(128, outputs));
      return chooseBody("m", undefined, constraints, witnessFunctionBytes(program));
    };
    expect([at(900), at(1000)]).to.deep.equal(["circom", "direct"]);
  });

  it("refuses a forced circom body past the limit before running circom, suggesting the direct body", async () => {
    const dir = tmpDir("wall-forced");
    const err = await buildCircuit("wall", gemmRelu(128, 1400), "wall.onnx", QUANT, dir, undefined, { bindings: [], visibility: PUBLIC_VISIBILITY, body: "circom" }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/^model "wall": a circom body would make circom's witness function about 7\.8 MB, above WebAssembly's limit of 7,654,321 bytes on one function \(witness generation would fail\); use body: "direct"$/);
    expect(fs.existsSync(`${dir}/model.r1cs`), "circom never ran").to.equal(false);
  });
});
