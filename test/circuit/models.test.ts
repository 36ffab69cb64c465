import path from "path";
import { expect } from "chai";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { size } from "../../src/ir/graph";
import { QuantParams } from "../../src/ops/domain";
import { evaluateQuantized } from "../../src/quantize";
import { modelWitnessInput } from "../../src/privacy/layout";
import { unpackWords } from "../../src/privacy/packing";
import { quantizeInputs } from "../../src/pipeline/input";
import { exampleModelOnnx } from "../../src/examples";
import { modelCircuit, rng, sharedModel, TestCircuit, violatedAfter } from "./helpers";
import { treeOpsModel } from "./tree-ops-model";
import { activationChainModel } from "./activation-chain-model";
import { BuiltCircuit } from "../../src/pipeline/compile";

/**
 * Every model of the slice, as a circuit: its outputs equal the bit-exact evaluator's on random and
 * extreme inputs, and any single change to a valid witness (a hint bit, a quotient, a ReLU output, a
 * public output) violates a constraint.
 */

const QUANT: QuantParams = { scaleBits: 12, inputBits: 24 };
const SHARED = ["1l_mlp", "1l_linear", "1l_relu", "2l_relu_fc", "linear_regression", "sklearn_mlp", "accuracy", "1l_flatten", "1l_reshape", "1l_identity", "1l_conv", "1l_mean", "decision_tree",
  "1l_average", "1l_batch_norm", "1l_max_pool", "large_op_graph", "1l_gelu_noappx", "xgboost_reg", "ltsf"];

// Activations: piecewise tables, Softmax's max, exp and floor division; activation_chain leaves
// tables unrounded for the linear layer after them.
const ACTIVATIONS = ["1l_sigmoid", "1l_tanh", "1l_softmax", "1l_leakyrelu", "2l_relu_sigmoid_conv", "activation_chain"];

/**
 * Where random inputs are drawn (default [-3, 3)): tree models split on thresholds in their features'
 * natural range (iris measurements up to ~7 cm), so random inputs there reach every leaf.
 */
const RANDOM_RANGE: Record<string, [number, number]> = { decision_tree: [0, 8], tree_ops: [0, 4] };

function inputsFor(built: BuiltCircuit, random: () => number, kind: "random" | "min" | "max", name = ""): bigint[][] {
  const half = 2 ** (QUANT.inputBits - 1) / 2 ** QUANT.scaleBits;
  const [lo, hi] = RANDOM_RANGE[name] ?? [-3, 3];
  const value = () => (kind === "min" ? -half : kind === "max" ? half - 2 ** -QUANT.scaleBits : lo + (hi - lo) * random());
  const floats = built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, value));
  return quantizeInputs(floats, built.graph.inputs, QUANT);
}

function modelFile(name: string): string {
  if (name === "credit_mlp") return exampleModelOnnx(path.resolve(__dirname, "..", ".."));
  if (name === "tree_ops") return treeOpsModel();
  if (name === "activation_chain") return activationChainModel();
  return sharedModel(name);
}

describe("model circuits match the evaluator and reject tampered witnesses", () => {
  for (const name of ["credit_mlp", "tree_ops", ...SHARED, ...ACTIVATIONS]) {
    describe(name, () => {
      let c: TestCircuit & { built: BuiltCircuit };
      before(async () => {
        c = await modelCircuit(name, modelFile(name), QUANT);
      });

      it("outputs equal the bit-exact evaluator on random and extreme inputs", async () => {
        const random = rng(name.length * 7919);
        const kinds = ["min", "max", ...Array(8).fill("random")] as const;
        for (const kind of kinds) {
          const q = inputsFor(c.built, random, kind, name);
          const expected = evaluateQuantized(c.built.qmodel, q).flatMap((v) => v.data);
          const w = await c.witness(modelWitnessInput(c.built.layout, q.flat()));
          expect(unsatisfiedConstraints(c.r1cs, w), kind).to.deep.equal([]);
          const { outputs } = c.built.layout;
          expect(unpackWords(w.slice(1 + outputs.offset, 1 + outputs.offset + outputs.count), outputs.packing), kind).to.deep.equal(expected);
        }
      });

      it("every single-wire change to a valid witness breaks a constraint", async () => {
        const q = inputsFor(c.built, rng(1), "random", name);
        const honest = await c.witness(modelWitnessInput(c.built.layout, q.flat()));
        const firstPrivate = 1 + c.r1cs.nPubOut + c.r1cs.nPubIn;
        const mutated = [...Array(c.r1cs.nPubOut).keys()].map((i) => i + 1); // public outputs
        for (let wire = firstPrivate; wire < c.r1cs.nWires; wire++) mutated.push(wire);
        // The check itself must be able to pass: rewriting wires with their own values breaks nothing.
        expect(violatedAfter(c, honest, new Map(mutated.map((w) => [w, honest[w]])))).to.deep.equal([]);
        const survivors: string[] = [];
        const names = new Map([...c.sym].map(([n, w]) => [w, n]));
        for (const wire of mutated) {
          for (const delta of [1n, -1n]) {
            if (violatedAfter(c, honest, new Map([[wire, honest[wire] + delta]])).length === 0)
              survivors.push(`${names.get(wire) ?? `wire ${wire}`} ${delta > 0 ? "+" : "-"}1`);
          }
        }
        expect(survivors, "witness changes that still satisfy every constraint").to.deep.equal([]);
        expect(mutated.length).to.be.greaterThan(0);
      });

      it("flipping any hint bit (remainder, quotient, sign) breaks a constraint", async () => {
        const q = inputsFor(c.built, rng(2), "random", name);
        const honest = await c.witness(modelWitnessInput(c.built.layout, q.flat()));
        const bits = [...c.sym].filter(([n]) => /(bits\[\d+\]|nonneg)$/.test(n));
        if (c.built.program.gadgets.length > 0) expect(bits.some(([n]) => /^main\.g\d+\./.test(n))).to.equal(true);
        for (const [n, wire] of bits) {
          expect(violatedAfter(c, honest, new Map([[wire, 1n - honest[wire]]])), n).to.not.deep.equal([]);
        }
      });
    });
  }
});

