import { expect } from "chai";
import path from "path";
import { constraintsByWire, readR1cs } from "../../src/backend/r1cs";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { compileModel, CompiledModel } from "../../src/pipeline/compile";
import { proveModel, verifyModelProof } from "../../src/pipeline/prove";
import { sharedModel, tmpDir } from "../circuit/helpers";

/** Bound public inputs (a recipient, an epoch): a proof is valid for the values it was made with only. */
describe("bound public inputs", () => {
  let compiled: CompiledModel;
  const recipient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  after(releaseSnarkjs);

  before(async () => {
    compiled = await compileModel({
      name: "relu_bound", onnx: sharedModel("1l_relu"), buildDir: tmpDir("bind"), quant: { scaleBits: 12, inputBits: 24 },
      bindings: ["recipient", "epoch"], log: () => undefined,
    });
  });

  it("puts the bindings after the packed outputs and inputs, each in a constraint", () => {
    const m = compiled.manifest;
    expect(m.publicSignals.bindings).to.deep.equal([{ name: "recipient", offset: 2 }, { name: "epoch", offset: 3 }]);
    expect(m.publicSignals.count).to.equal(4);
    const r1cs = readR1cs(path.join(compiled.dir, m.files.r1cs), true);
    const byWire = constraintsByWire(r1cs);
    // wires: 0 = one, 1 packed outputs, 2 packed inputs, 3 recipient, 4 epoch
    expect(byWire[2].length, "packed inputs constrained").to.be.greaterThan(0);
    expect(byWire[3].length, "recipient constrained").to.be.greaterThan(0);
    expect(byWire[4].length, "epoch constrained").to.be.greaterThan(0);
  });

  it("proves with the bound values and rejects the proof for any other value", async () => {
    const r = await proveModel(compiled.dir, { input: [1, -2, 3] }, { reference: false, bindings: { recipient, epoch: 7 } });
    expect(BigInt(r.publicSignals[2])).to.equal(BigInt(recipient));
    expect(r.publicSignals[3]).to.equal("7");
    expect((await verifyModelProof(compiled.dir, r.proof, r.publicSignals)).valid).to.equal(true);
    const other = [...r.publicSignals];
    other[2] = BigInt("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC").toString();
    expect((await verifyModelProof(compiled.dir, r.proof, other)).valid).to.equal(false);
    const replay = [...r.publicSignals];
    replay[3] = "8";
    expect((await verifyModelProof(compiled.dir, r.proof, replay)).valid).to.equal(false);
  });

  it("requires every binding, and only declared ones, as field elements", async () => {
    const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message);
    expect(await caught(proveModel(compiled.dir, { input: [1, 2, 3] }, { bindings: { recipient } }))).to.match(/bound to "epoch"/);
    expect(await caught(proveModel(compiled.dir, { input: [1, 2, 3] }, { bindings: { recipient, epoch: 1, salt: 2 } }))).to.match(/no binding "salt"/);
    expect(await caught(proveModel(compiled.dir, { input: [1, 2, 3] }, { bindings: { recipient, epoch: -1 } }))).to.match(/not an element of the BN254/);
    expect(await caught(proveModel(compiled.dir, { input: [1, 2, 3] }, { bindings: { recipient: "alice", epoch: 1 } }))).to.match(/not an integer/);
  });
});
