import fs from "fs";
import path from "path";
import { expect } from "chai";
import { constraintsByWire, readR1cs, unsatisfiedConstraints } from "../../src/backend/r1cs";
import { size } from "../../src/ir/graph";
import { QuantParams } from "../../src/ops/domain";
import { BuiltCircuit, buildCircuit, CircuitBody } from "../../src/pipeline/compile";
import { quantizeInputs } from "../../src/pipeline/input";
import { circuitWitness } from "../../src/pipeline/witness";
import { modelWitnessInput } from "../../src/privacy/layout";
import { PUBLIC_VISIBILITY, Visibility } from "../../src/privacy/visibility";
import { evaluateQuantized } from "../../src/quantize";
import { exampleModelOnnx } from "../../src/examples";
import { activationChainModel } from "./activation-chain-model";
import { rng, sharedModel, TestCircuit, tmpDir, violatedAfter } from "./helpers";
import { treeOpsModel } from "./tree-ops-model";

/**
 * The direct R1CS body (src/emit/r1cs.ts, linked by src/backend/link.ts) against circom's compilation of
 * the same gadgets: on every model here both give the same public signals for the same inputs, the
 * linked witness satisfies every constraint, and any single-wire change to it breaks one. Between
 * them the models use every gadget kind an op emits: rescale, split, relu, rescaleRelu, mul, nonneg,
 * isZero, div (Softmax) and dot (private weights). (`bits` is kept in the library but no op uses it.)
 */

const QUANT: QuantParams = { scaleBits: 10, inputBits: 16 };
const PRIVATE_WEIGHTS: Visibility = { input: "hashed", params: "private", output: "public", inputSalt: false };

const MODELS: { name: string; file: () => string; visibility?: Visibility }[] = [
  { name: "credit_mlp", file: () => exampleModelOnnx(path.resolve(__dirname, "..", "..")) },
  { name: "credit_mlp_private", file: () => exampleModelOnnx(path.resolve(__dirname, "..", "..")), visibility: PRIVATE_WEIGHTS },
  { name: "tree_ops", file: treeOpsModel },
  { name: "activation_chain", file: activationChainModel },
  { name: "1l_sigmoid", file: () => sharedModel("1l_sigmoid") },
  { name: "1l_softmax", file: () => sharedModel("1l_softmax") },
  { name: "1l_max_pool", file: () => sharedModel("1l_max_pool") },
  { name: "1l_leakyrelu", file: () => sharedModel("1l_leakyrelu") },
];

function randomInputs(built: BuiltCircuit, random: () => number, range: number): bigint[][] {
  const floats = built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => (random() * 2 - 1) * range));
  return quantizeInputs(floats, built.graph.inputs, QUANT);
}

async function build(name: string, onnx: string, visibility: Visibility, body: CircuitBody): Promise<BuiltCircuit> {
  return buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), QUANT, tmpDir(`${name}-${body}`), undefined, { bindings: [], visibility, body });
}

async function witnessOf(built: BuiltCircuit, q: bigint[][]): Promise<bigint[]> {
  const input: Record<string, unknown> = modelWitnessInput(built.layout, q.flat());
  const params = built.qmodel.params?.values ?? [];
  if (params.length > 0) input.params = params.map(String);
  const outputs = evaluateQuantized(built.qmodel, q).flatMap((o) => o.data);
  return circuitWitness(built.artifacts, built.program, built.body === "direct", input, { inputs: q.flat(), params, outputs });
}

describe("direct R1CS body: same circuit as circom's, every wire constrained", () => {
  for (const m of MODELS) {
    describe(m.name, () => {
      let circom: BuiltCircuit;
      let direct: BuiltCircuit;
      let c: TestCircuit;
      before(async () => {
        const onnx = m.file();
        circom = await build(m.name, onnx, m.visibility ?? PUBLIC_VISIBILITY, "circom");
        direct = await build(m.name, onnx, m.visibility ?? PUBLIC_VISIBILITY, "direct");
        const r1cs = readR1cs(direct.artifacts.r1cs, true);
        c = { r1cs, byWire: constraintsByWire(r1cs), sym: new Map(), witness: async () => [] };
      });

      it("has the circom build's public signals for the same inputs, with every constraint satisfied", async () => {
        const random = rng(m.name.length * 31);
        const circomR1cs = readR1cs(circom.artifacts.r1cs, true);
        const nPublic = circomR1cs.nPubOut + circomR1cs.nPubIn;
        expect(c.r1cs.nPubOut + c.r1cs.nPubIn).to.equal(nPublic);
        for (const range of [0.5, 2, 3, 3]) {
          const q = randomInputs(direct, random, range);
          const [wc, wd] = [await witnessOf(circom, q), await witnessOf(direct, q)];
          expect(unsatisfiedConstraints(circomR1cs, wc)).to.deep.equal([]);
          expect(unsatisfiedConstraints(c.r1cs, wd)).to.deep.equal([]);
          expect(wd.slice(1, 1 + nPublic)).to.deep.equal(wc.slice(1, 1 + nPublic));
        }
      });

      it("every single-wire change to the linked witness breaks a constraint", async () => {
        const honest = await witnessOf(direct, randomInputs(direct, rng(5), 2));
        const firstPrivate = 1 + c.r1cs.nPubOut + c.r1cs.nPubIn;
        const mutated = [...Array(c.r1cs.nPubOut).keys()].map((i) => i + 1);
        for (let wire = firstPrivate; wire < c.r1cs.nWires; wire++) mutated.push(wire);
        expect(violatedAfter(c, honest, new Map(mutated.map((w) => [w, honest[w]])))).to.deep.equal([]);
        const survivors: string[] = [];
        for (const wire of mutated)
          for (const delta of [1n, -1n])
            if (violatedAfter(c, honest, new Map([[wire, honest[wire] + delta]])).length === 0) survivors.push(`wire ${wire} ${delta > 0 ? "+" : "-"}1`);
        expect(survivors, "witness changes that still satisfy every constraint").to.deep.equal([]);
        expect(mutated.length).to.be.greaterThan(direct.program.gadgets.length);
      });
    });
  }
});
