import fs from "fs";
import path from "path";
import { expect } from "chai";
import { unsatisfiedConstraints } from "../../src/backend/r1cs";
import { BuiltCircuit, buildCircuit } from "../../src/pipeline/compile";
import { quantizeInputs } from "../../src/pipeline/input";
import { COMMITMENT_TAG, commitValues } from "../../src/privacy/commitment";
import { modelWitnessInput } from "../../src/privacy/layout";
import { unpackWords } from "../../src/privacy/packing";
import { PUBLIC_VISIBILITY, Visibility } from "../../src/privacy/visibility";
import { evaluateQuantized } from "../../src/quantize";
import { exampleModelOnnx } from "../../src/examples";
import { loadBuilt, rng, TestCircuit, tmpDir, violatedAfter } from "./helpers";

/**
 * The privacy modes on the example credit model: the circuit's commitments equal the ones computed
 * off-chain with poseidon-lite, other weights or another input give another commitment, and any
 * single change to a valid witness (weights included) breaks a constraint.
 */
const QUANT = { scaleBits: 12, inputBits: 24 };
const MODES: [string, Visibility][] = [
  ["hashed salted input", { input: "hashed", params: "fixed", output: "public", inputSalt: true }],
  ["private input, private weights, hashed output", { input: "private", params: "private", output: "hashed", inputSalt: false }],
  ["public data, private weights", { ...PUBLIC_VISIBILITY, params: "private" }],
];

describe("privacy modes in the circuit (credit_mlp)", () => {
  const onnx = exampleModelOnnx(path.resolve(__dirname, "..", ".."));
  for (const [label, visibility] of MODES) {
    describe(label, () => {
      let c: TestCircuit & { built: BuiltCircuit };
      let q: bigint[];
      let input: Record<string, unknown>;
      before(async () => {
        const dir = tmpDir("privacy");
        const built = await buildCircuit("credit", fs.readFileSync(onnx), "credit_mlp", QUANT, dir, undefined, { bindings: [], visibility });
        c = { ...(await loadBuilt(built)), built };
        const random = rng(11);
        q = quantizeInputs([built.graph.inputs.flatMap(() => Array.from({ length: 6 }, () => random() * 4 - 2))], built.graph.inputs, QUANT)[0];
        input = { ...modelWitnessInput(built.layout, q) };
        if (built.qmodel.params) input.params = built.qmodel.params.values.map(String);
        if (visibility.inputSalt) input.inSalt = "987654321";
      });

      it("computes the evaluator's outputs and the off-chain commitments", async () => {
        const w = await c.witness(input);
        expect(unsatisfiedConstraints(c.r1cs, w)).to.deep.equal([]);
        const { layout, qmodel } = c.built;
        const pub = w.slice(1, 1 + layout.count);
        const expected = evaluateQuantized(qmodel, [q]).flatMap((v) => v.data);
        if (layout.outputs.encoding === "packed") expect(unpackWords(pub.slice(layout.outputs.offset, layout.outputs.offset + layout.outputs.count), layout.outputs.packing)).to.deep.equal(expected);
        else expect(pub[layout.outputs.offset]).to.equal(commitValues(COMMITMENT_TAG.output, expected, layout.outputs.packing));
        if (layout.modelCommitment) expect(pub[layout.modelCommitment.offset]).to.equal(commitValues(COMMITMENT_TAG.params, qmodel.params!.values, layout.modelCommitment.packing));
        if (layout.inputs.encoding === "commitment") expect(pub[layout.inputs.offset]).to.equal(commitValues(COMMITMENT_TAG.input, q, layout.inputs.packing, 987654321n));
      });

      if (visibility.params === "private") {
        it("other weights give another model commitment (a swapped model cannot reuse the published one)", async () => {
          const { layout, qmodel } = c.built;
          const honest = await c.witness(input);
          const swapped = qmodel.params!.values.map((v, i) => (i === 3 ? v + 1n : v));
          const w = await c.witness({ ...input, params: swapped.map(String) });
          expect(unsatisfiedConstraints(c.r1cs, w)).to.deep.equal([]);
          expect(w[1 + layout.modelCommitment!.offset]).to.not.equal(honest[1 + layout.modelCommitment!.offset]);
        });

        it("refuses a weight outside its packing width (the commitment would not be injective)", async () => {
          const bits = c.built.layout.modelCommitment!.packing.bits;
          const bad = c.built.qmodel.params!.values.map((v, i) => (i === 0 ? 1n << BigInt(bits) : v));
          let threw = false;
          await c.witness({ ...input, params: bad.map(String) }).catch(() => (threw = true));
          expect(threw, "witness generation must fail the weight's range check").to.equal(true);
        });
      }

      it("every single-wire change to a valid witness breaks a constraint (weights, salt and hashes included)", async () => {
        const honest = await c.witness(input);
        const first = 1 + c.r1cs.nPubOut + c.r1cs.nPubIn;
        const wires = [...Array(c.r1cs.nPubOut).keys()].map((i) => i + 1);
        for (let wire = first; wire < c.r1cs.nWires; wire++) wires.push(wire);
        expect(violatedAfter(c, honest, new Map(wires.map((w) => [w, honest[w]])))).to.deep.equal([]);
        const names = new Map([...c.sym].map(([n, w]) => [w, n]));
        const survivors = wires.filter((w) => violatedAfter(c, honest, new Map([[w, honest[w] + 1n]])).length === 0).map((w) => names.get(w) ?? `wire ${w}`);
        expect(survivors).to.deep.equal([]);
      });
    });
  }
});
