import { expect } from "chai";
import hre from "hardhat";
import { ensureExampleModel } from "../../src/examples";
import { FIELD_MODULUS, toField } from "../../src/numeric/field";
import { sharedModel } from "../circuit/helpers";
import { packWords } from "../../src/privacy/packing";
import { unpackGroup } from "./helpers";

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
    expect(await credit.model.outputCount()).to.equal(BigInt(m.publicSignals.outputs.packing.values));
    expect(await credit.model.inputCount()).to.equal(BigInt(m.publicSignals.inputs.packing.values));
    expect(await credit.model.valuesArePublic()).to.equal(true);
    expect(await credit.model.bindingCount()).to.equal(0n);
    expect(await credit.model.publicSignalCount()).to.equal(BigInt(m.publicSignals.count));
    expect(await credit.model.scaleBits()).to.equal(BigInt(m.quant.scaleBits));
    expect(await credit.model.modelHash()).to.equal(m.modelHash);
    expect(m.modelHash).to.not.equal(sklearn.manifest.modelHash);
  });

  it("accepts a real proof, and packs a statement's values exactly as the circuit does", async () => {
    const signals = proof.calldata.publicSignals;
    expect(await credit.model.verify(asProof(proof.calldata), signals)).to.equal(true);
    await credit.model.requireValid(asProof(proof.calldata), signals);
    const m = credit.manifest;
    const statement = { outputs: unpackGroup(m, "outputs", signals), outputCommitment: 0n, modelCommitment: 0n, inputs: unpackGroup(m, "inputs", signals), inputCommitment: 0n, bindings: [] };
    expect(statement.outputs.map((o) => Number(o) / 2 ** 12)).to.deep.equal(proof.outputs[0].values);
    expect([...(await credit.model.publicSignals(statement))]).to.deep.equal(signals.map(BigInt));
    expect(await credit.model.verifyStatement(asProof(proof.calldata), statement)).to.equal(true);
    expect([...(await credit.model.pack(statement.inputs, m.publicSignals.inputs.packing.bits))]).to.deep.equal(packWords(statement.inputs, m.publicSignals.inputs.packing));
    const other = { ...statement, outputs: [statement.outputs[0] + 1n, statement.outputs[1]] };
    expect(await credit.model.verifyStatement(asProof(proof.calldata), other)).to.equal(false);
    const half = 1n << BigInt(m.publicSignals.outputs.packing.bits - 1);
    await expect(credit.model.verifyStatement(asProof(proof.calldata), { ...statement, outputs: [half, 0n] })).to.be.revertedWithCustomError(credit.model, "ValueOutOfRange").withArgs(half);
    await expect(credit.model.verifyStatement(asProof(proof.calldata), { ...statement, inputs: [] })).to.be.revertedWithCustomError(credit.model, "WrongValueCount").withArgs("inputs", 6, 0);
    await expect(credit.model.verifyStatement(asProof(proof.calldata), { ...statement, inputCommitment: 5n })).to.be.revertedWithCustomError(credit.model, "UnexpectedCommitment").withArgs("inputs");
    await expect(credit.model.verifyStatement(asProof(proof.calldata), { ...statement, modelCommitment: 5n })).to.be.revertedWithCustomError(credit.model, "UnexpectedCommitment").withArgs("model");
    for (const v of [-5n, 0n, 12345n]) expect(toField(await credit.model.fromField(await credit.model.toField(v)))).to.equal(toField(v));
  });

  it("rejects a proof of another model, a changed output and malformed signal lists", async () => {
    const signals = proof.calldata.publicSignals;
    expect(await sklearn.model.verify(asProof(proof.calldata), signals)).to.equal(false);
    await expect(sklearn.model.requireValid(asProof(proof.calldata), signals)).to.be.revertedWithCustomError(sklearn.model, "InvalidProof");
    const changed = [...signals];
    changed[0] = (BigInt(changed[0]) + 1n).toString();
    expect(await credit.model.verify(asProof(proof.calldata), changed)).to.equal(false);
    await expect(credit.model.verify(asProof(proof.calldata), signals.slice(1))).to.be.revertedWithCustomError(credit.model, "WrongSignalCount").withArgs(2, 1);
    const aliased = [...signals];
    aliased[1] = (BigInt(aliased[1]) + FIELD_MODULUS).toString();
    await expect(credit.model.verify(asProof(proof.calldata), aliased)).to.be.revertedWithCustomError(credit.model, "SignalNotInField").withArgs(1);
  });
});
