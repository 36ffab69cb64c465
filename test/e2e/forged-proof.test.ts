import { expect } from "chai";
import fs from "fs";
import path from "path";
import { gadgetMutations } from "../../src/gadgets";
import { computeWitness } from "../../src/backend/circom";
import { readR1cs, unsatisfiedConstraints } from "../../src/backend/r1cs";
import { releaseSnarkjs, snarkjs } from "../../src/backend/snarkjs";
import { readSym } from "../../src/backend/sym";
import { writeWtns } from "../../src/backend/wtns";
import { importOnnx } from "../../src/onnx/import";
import { compileModel, CompiledModel } from "../../src/pipeline/compile";
import { quantizeInputs } from "../../src/pipeline/input";
import { artifact } from "../../src/pipeline/manifest";
import { verifyModelProof } from "../../src/pipeline/prove";
import { evaluateTraced, quantizeModel } from "../../src/quantize";
import { exampleModelOnnx } from "../../src/examples";
import { tmpDir } from "../circuit/helpers";
import { modelWitnessInput } from "../../src/privacy/layout";

/**
 * Targeted attacks end to end: a hand-made witness claiming a plausible wrong output (the output
 * rescale's quotient moved by one, the remainder adjusted to balance, every wire set coherently) fails
 * the R1CS, and the "proof" snarkjs's prover makes from it (it does not check witnesses) does not verify.
 */
describe("forged witnesses cannot become valid proofs", () => {
  let compiled: CompiledModel;
  after(releaseSnarkjs);

  before(async () => {
    compiled = await compileModel({ name: "credit_mlp", onnx: exampleModelOnnx(path.resolve(__dirname, "..", "..")), buildDir: tmpDir("forge"), quant: { scaleBits: 12, inputBits: 24 }, log: () => undefined });
  });

  for (const [label, pick] of [["output rescale: quotient ±1, remainder ∓2^s", "rescale"], ["hidden ReLU: sign flipped", "rescaleRelu"]] as const) {
    it(label, async () => {
      const m = compiled.manifest;
      const dir = compiled.dir;
      const graph = importOnnx(fs.readFileSync(artifact(dir, m, "onnx")));
      const qmodel = quantizeModel(graph, m.quant);
      const q = quantizeInputs([[0.4, -0.2, 1.4, 0.7, -1.3, 0.1]], graph.inputs, m.quant);
      const honest = await computeWitness(artifact(dir, m, "wasm"), artifact(dir, m, "witnessCalculator"), modelWitnessInput(m.publicSignals, q.flat()));
      const r1cs = readR1cs(artifact(dir, m, "r1cs"), true);
      expect(unsatisfiedConstraints(r1cs, honest)).to.deep.equal([]);
      const wireOf = readSym(artifact(dir, m, "sym"));
      const { trace } = evaluateTraced(qmodel, q);
      const k = qmodel.sites.findIndex((s) => s.kind === pick);
      const mutations = gadgetMutations({ k, site: qmodel.sites[k], t: trace[k], wire: (n) => wireOf.get(n) });
      expect(mutations.length).to.be.greaterThan(0);
      for (const mutation of mutations.filter((x) => pick === "rescale" || /sign/.test(x.label))) {
        const forged = [...honest];
        for (const [w, v] of mutation.changes) forged[w] = v;
        if (pick === "rescale") forged[1] = (honest[1] + 1n) % r1cs.prime; // the claimed public output moves with it
        expect(unsatisfiedConstraints(r1cs, forged), mutation.label).to.not.deep.equal([]);

        const wtns = path.join(dir, "forged.wtns");
        writeWtns(wtns, forged, r1cs.prime);
        const { proof, publicSignals } = await snarkjs().groth16.prove(artifact(dir, m, "zkey"), wtns);
        expect((await verifyModelProof(dir, proof, publicSignals)).valid, mutation.label).to.equal(false);
      }
      // The same path with the honest witness does verify: the attack fails because of the forgery.
      const wtns = path.join(dir, "honest.wtns");
      writeWtns(wtns, honest, r1cs.prime);
      const ok = await snarkjs().groth16.prove(artifact(dir, m, "zkey"), wtns);
      expect((await verifyModelProof(dir, ok.proof, ok.publicSignals)).valid).to.equal(true);
    });
  }
});
