import { expect } from "chai";
import hre from "hardhat";
import { ensureExampleModel } from "../../scripts/lib/example-models";
import { FIELD_MODULUS, toField } from "../../src/quantize/fixed-point";
import { sharedModel } from "../circuit/helpers";

/** ZkmlModel: one adapter shape for every model, configured from the manifest. */
describe("ZkmlModel adapter", () => {
  // credit_mlp (2 outputs + 6 inputs) and sklearn_mlp (5 outputs + 3 inputs) both have 8 public signals,
  // so a proof of one has the right shape for the other: only the verification key tells them apart.
  let credit: Awaited<ReturnType<typeof hre.zkml.deployModel>>;
  let sklearn: Awaited<ReturnType<typeof hre.zkml.deployModel>>;
  let proof: Awaited<ReturnType<typeof hre.zkml.prove>>;
  const asProof = (cd: typeof proof.calldata) => ({ a: cd.a, b: cd.b, c: cd.c });

  before(async () => {
    ensureExampleModel(hre.config.paths.root);
    await hre.zkml.compile({ name: "credit_mlp" });
    await hre.zkml.compile({ onnx: sharedModel("sklearn_mlp") });
    await hre.run("compile", { quiet: true });
    credit = await hre.zkml.deployModel("credit_mlp");
    sklearn = await hre.zkml.deployModel("sklearn_mlp");
    proof = await hre.zkml.prove("credit_mlp", `${hre.config.paths.root}/examples/models/credit_mlp/input.json`, { reference: false });
  });

  it("has the manifest's layout and identity", async () => {
    const m = credit.manifest;
    expect(await credit.model.outputCount()).to.equal(BigInt(m.publicSignals.outputs.count));
    expect(await credit.model.inputCount()).to.equal(BigInt(m.publicSignals.inputs.count));
    expect(await credit.model.bindingCount()).to.equal(0n);
    expect(await credit.model.publicSignalCount()).to.equal(BigInt(m.publicSignals.count));
    expect(await credit.model.scaleBits()).to.equal(BigInt(m.quant.scaleBits));
    expect(await credit.model.modelHash()).to.equal(m.modelHash);
    expect(m.modelHash).to.not.equal(sklearn.manifest.modelHash);
  });

  it("accepts a real proof and agrees with TypeScript on the signal encoding", async () => {
    const signals = proof.calldata.publicSignals;
    expect(await credit.model.verify(asProof(proof.calldata), signals)).to.equal(true);
    await credit.model.requireValid(asProof(proof.calldata), signals);
    for (const s of signals) {
      const v = await credit.model.fromField(s);
      expect(await credit.model.toField(v)).to.equal(BigInt(s));
      expect(toField(v)).to.equal(BigInt(s));
    }
    const outputs = await Promise.all(signals.slice(0, 2).map((s) => credit.model.fromField(s)));
    expect(outputs.map((o) => Number(o) / 2 ** 12)).to.deep.equal(proof.outputs[0].values);
  });

  it("rejects a proof of another model, a changed output and malformed signal lists", async () => {
    const signals = proof.calldata.publicSignals;
    expect(await sklearn.model.verify(asProof(proof.calldata), signals)).to.equal(false);
    await expect(sklearn.model.requireValid(asProof(proof.calldata), signals)).to.be.revertedWithCustomError(sklearn.model, "InvalidProof");
    const changed = [...signals];
    changed[1] = (BigInt(changed[1]) + 1n).toString();
    expect(await credit.model.verify(asProof(proof.calldata), changed)).to.equal(false);
    await expect(credit.model.verify(asProof(proof.calldata), signals.slice(1))).to.be.revertedWithCustomError(credit.model, "WrongSignalCount").withArgs(8, 7);
    const aliased = [...signals];
    aliased[3] = (BigInt(aliased[3]) + FIELD_MODULUS).toString();
    await expect(credit.model.verify(asProof(proof.calldata), aliased)).to.be.revertedWithCustomError(credit.model, "SignalNotInField").withArgs(3);
  });
});
