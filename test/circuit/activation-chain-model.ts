/**
 * A crafted model in which tables feed linear layers with fewer outputs, so their results stay
 * unrounded ("fine") and the layer after absorbs the rounding: Elu (alpha 1 and 0.5) and Tanh into
 * Gemm/MatMul, then Sigmoid rounded at the output.
 */
import * as fs from "fs";
import * as path from "path";
import { GraphSpec } from "../../src/onnx/writer";
import { mulberry32 } from "../../src/util/prng";
import { encodeWith } from "../unit/helpers";
import { tmpDir } from "./helpers";

export function activationChainSpec(): GraphSpec {
  const rand = mulberry32(2024);
  const w = (n: number) => Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 1000) / 1000);
  return {
    name: "activation_chain",
    opset: 13,
    inputs: [{ name: "x", dims: [1, 8] }],
    outputs: [{ name: "y1", dims: [1, 4] }, { name: "y2", dims: [1, 3] }, { name: "y3", dims: [1, 2] }],
    initializers: [
      { name: "W1", dims: [8, 16], data: w(128) },
      { name: "b1", dims: [16], data: w(16) },
      { name: "W2", dims: [16, 4], data: w(64) },
      { name: "b2", dims: [4], data: w(4) },
      { name: "W3", dims: [16, 3], data: w(48) },
      { name: "W4", dims: [16, 2], data: w(32) },
    ],
    nodes: [
      { name: "g1", opType: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"] },
      { name: "elu", opType: "Elu", inputs: ["h"], outputs: ["e"] },
      { name: "g2", opType: "Gemm", inputs: ["e", "W2", "b2"], outputs: ["z"] },
      { name: "sig", opType: "Sigmoid", inputs: ["z"], outputs: ["y1"] },
      { name: "tanh", opType: "Tanh", inputs: ["h"], outputs: ["t"] },
      { name: "m3", opType: "MatMul", inputs: ["t", "W3"], outputs: ["y2"] },
      { name: "elu_half", opType: "Elu", inputs: ["h"], outputs: ["e2"], attributes: { alpha: { f: 0.5 } } },
      { name: "m4", opType: "MatMul", inputs: ["e2", "W4"], outputs: ["y3"] },
    ],
  };
}

export function activationChainModel(): string {
  const file = path.join(tmpDir("activation-chain"), "activation_chain.onnx");
  fs.writeFileSync(file, encodeWith(activationChainSpec()));
  return file;
}
