import { expect } from "chai";
import fs from "fs";
import path from "path";
import { auditCircuit, AuditTarget } from "../../src/audit";
import { size } from "../../src/ir/graph";
import { evaluateQuantized, evaluateTraced } from "../../src/quantize";
import { constraintsByWire, readR1cs } from "../../src/backend/r1cs";
import { readSym } from "../../src/backend/sym";
import { buildCircuit } from "../../src/pipeline/compile";
import { circuitWitness } from "../../src/pipeline/witness";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import { quantizeInputs } from "../../src/pipeline/input";
import { CIRCUIT_LIB_DIR } from "../../src/pipeline/compile";
import { ASSERT_ONLY_RESCALE, modelCircuit, rng, sharedModel, sourceCircuit, TestCircuit, tmpDir } from "./helpers";
import { compileCircuit } from "../../src/backend/circom";
import { modelWitnessInput } from "../../src/privacy/layout";

const QUANT = { scaleBits: 12, inputBits: 24 };

function target(c: TestCircuit, witnesses: AuditTarget["witnesses"], gadgets: AuditTarget["gadgets"] = []): AuditTarget {
  return { r1cs: c.r1cs, byWire: c.byWire, names: new Map([...c.sym].map(([n, w]) => [w, n])), gadgets, witnesses };
}

describe("soundness audit (mutation testing with re-solving)", () => {
  it("finds the forgery in a rescale whose remainder is only computed, not range-checked", async () => {
    const c = await sourceCircuit("assert_only", ASSERT_ONLY_RESCALE);
    const report = auditCircuit(target(c, [{ witness: await c.witness({ in: 5 }), trace: [] }]));
    expect(report.forgeries.length).to.be.greaterThan(0);
    expect(report.forgeries[0].detail).to.match(/changes main\.out/);
  });

  it("finds a forgery in a real model compiled against a gadget library with the remainder check removed", async () => {
    // The same model, but RescaleRangeCheck's remainder bits are no longer constrained to be bits.
    // Inside the project: the circom2 WASM build resolves include directories relative to it.
    const buildRoot = path.join(__dirname, "..", "..", "zkml-build");
    fs.mkdirSync(buildRoot, { recursive: true }); // a fresh clone has none yet
    const lib = fs.mkdtempSync(path.join(buildRoot, ".broken-lib-"));
    const src = fs.readFileSync(path.join(CIRCUIT_LIB_DIR, "zkml.circom"), "utf8");
    const broken = src.replace("rbits[i] * (rbits[i] - 1) === 0;", "// (remainder bit check removed)");
    expect(broken).to.not.equal(src);
    fs.writeFileSync(path.join(lib, "zkml.circom"), broken);
    after(() => fs.rmSync(lib, { recursive: true, force: true }));
    const good = await modelCircuit("mlp", sharedModel("1l_mlp"), QUANT);
    const dir = tmpDir("broken-model");
    fs.writeFileSync(path.join(dir, "model.circom"), good.built.circuitSrc);
    const art = compileCircuit(path.join(dir, "model.circom"), dir, [lib]);
    const { readR1cs, constraintsByWire } = await import("../../src/backend/r1cs");
    const { readSym } = await import("../../src/backend/sym");
    const { computeWitness } = await import("../../src/backend/circom");
    const r1cs = readR1cs(art.r1cs, true);
    const c: TestCircuit = { r1cs, byWire: constraintsByWire(r1cs), sym: readSym(art.sym), witness: (i) => computeWitness(art.wasm, art.witnessCalculator, i) };
    const q = quantizeInputs([[0.5, -0.25, 1]], good.built.graph.inputs, QUANT);
    const { trace } = evaluateTraced(good.built.qmodel, q);
    const report = auditCircuit(target(c, [{ witness: await c.witness(modelWitnessInput(good.built.layout, q.flat())), trace }], good.built.program.gadgets));
    expect(report.forgeries.length, "forgeries in the broken circuit").to.be.greaterThan(0);
    expect(report.forgeries.some((f) => /rescale/i.test(f.origin))).to.equal(true);
  });

  for (const name of ["1l_mlp", "1l_relu", "sklearn_mlp"]) {
    it(`finds no forgery in ${name}`, async () => {
      const c = await modelCircuit(name, sharedModel(name), QUANT);
      const random = rng(3);
      const witnesses: AuditTarget["witnesses"] = [];
      for (let k = 0; k < 2; k++) {
        const floats = c.built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => random() * 4 - 2));
        const q = quantizeInputs(floats, c.built.graph.inputs, QUANT);
        witnesses.push({ witness: await c.witness(modelWitnessInput(c.built.layout, q.flat())), trace: evaluateTraced(c.built.qmodel, q).trace });
      }
      const report = auditCircuit(target(c, witnesses, c.built.program.gadgets));
      expect(report.mutationsTried).to.be.greaterThan(100);
      expect(report.forgeries).to.deep.equal([]);
      expect(report.alternatives).to.deep.equal([]);
    });
  }

  describe("a direct R1CS body (linked; src/emit/r1cs.ts), read through its linked symbol file", () => {
    async function directAudit(name: string, breakRemainders: boolean) {
      const onnx = sharedModel(name);
      const built = await buildCircuit(name, fs.readFileSync(onnx), path.basename(onnx), QUANT, tmpDir(`${name}-direct`), undefined, { bindings: [], visibility: PUBLIC_VISIBILITY, body: "direct" });
      const r1cs = readR1cs(built.artifacts.r1cs, true);
      const names = new Map([...readSym(built.artifacts.linkedSym!)].map(([n, w]) => [w, n]));
      if (breakRemainders) {
        // Drop b·(b - 1) = 0 for every remainder bit of the body: the assert-only flaw.
        const remainder = new Set([...names].filter(([, n]) => /\.rbits\[\d+\]$/.test(n)).map(([w]) => w));
        r1cs.constraints = r1cs.constraints!.filter(({ a, b, c }) => !(a.size === 1 && b.size === 2 && c.size === 0 && remainder.has([...a.keys()][0])));
        r1cs.nConstraints = r1cs.constraints.length;
      }
      const q = quantizeInputs(built.graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, (_, i) => (i % 3) - 0.75)), built.graph.inputs, QUANT);
      const outputs = evaluateQuantized(built.qmodel, q).flatMap((o) => o.data);
      const witness = await circuitWitness(built.artifacts, built.program, true, modelWitnessInput(built.layout, q.flat()), { inputs: q.flat(), params: [], outputs });
      return auditCircuit({ r1cs, byWire: constraintsByWire(r1cs), names, gadgets: built.program.gadgets, witnesses: [{ witness, ...evaluateTraced(built.qmodel, q) }] });
    }

    it("finds no forgery in 1l_mlp", async () => {
      const report = await directAudit("1l_mlp", false);
      expect(report.mutationsTried).to.be.greaterThan(100);
      expect(report.forgeries).to.deep.equal([]);
      expect(report.alternatives).to.deep.equal([]);
    });

    it("finds the forgery when the remainder bits are not forced boolean", async () => {
      const report = await directAudit("1l_mlp", true);
      expect(report.forgeries.length).to.be.greaterThan(0);
      expect(report.forgeries.some((f) => /rescale/i.test(f.origin))).to.equal(true);
    });
  });
});
