// deep_mlp: a stack of Gemm -> Relu layers of seeded random weights, for proving one inference as a chain of
// segments (issue 20, src/pipeline/chain.ts). Each Relu's output is a layer boundary the chain can be cut at;
// the widths set the size, from a test's few hundred constraints to more than one prover can set up.
import { encodeModel, InitializerSpec, NodeSpec } from "../../onnx/writer";
import { mulberry32 } from "../../util/prng";

export interface DeepMlp {
  /** [inputs, hidden..., outputs]: one Gemm per step, a Relu after every Gemm but the last. */
  widths: number[];
  seed: number;
}

/** The ONNX bytes of a deep MLP; the Relu outputs are named "a1", "a2", ... (the boundaries a chain may cut at). */
export function deepMlpOnnx({ widths, seed }: DeepMlp): Buffer {
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`deep_mlp widths must be at least two positive integers, got [${widths}]`);
  const rand = mulberry32(seed);
  const initializers: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  let x = "x";
  for (let l = 1; l < widths.length; l++) {
    const [nIn, nOut] = [widths[l - 1], widths[l]];
    // Glorot-uniform weights keep the activations of every layer of the same order as the inputs.
    const limit = Math.sqrt(6 / (nIn + nOut));
    initializers.push(
      { name: `w${l}`, dims: [nOut, nIn], data: Array.from({ length: nOut * nIn }, () => (rand() * 2 - 1) * limit) },
      { name: `b${l}`, dims: [nOut], data: Array.from({ length: nOut }, () => (rand() * 2 - 1) * 0.1) },
    );
    const last = l === widths.length - 1;
    const h = last ? "y" : `h${l}`;
    nodes.push({ name: `fc${l}`, opType: "Gemm", inputs: [x, `w${l}`, `b${l}`], outputs: [h], attributes: { transB: { i: 1 } } });
    if (!last) {
      nodes.push({ name: `relu${l}`, opType: "Relu", inputs: [h], outputs: [`a${l}`] });
      x = `a${l}`;
    }
  }
  return encodeModel({
    name: "deep_mlp",
    inputs: [{ name: "x", dims: [1, widths[0]] }],
    outputs: [{ name: "y", dims: [1, widths[widths.length - 1]] }],
    initializers,
    nodes,
  });
}
