import { expect } from "chai";
import fs from "fs";
import path from "path";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { compileModel } from "../../src/pipeline/compile";
import { loadManifest } from "../../src/pipeline/manifest";
import { beaconModel, contributeModel, developmentKeyWarning, verifySetup } from "../../src/pipeline/phase2";
import { proveModel, verifyModelProof } from "../../src/pipeline/prove";
import { sharedModel, tmpDir } from "../circuit/helpers";

describe("phase-2 ceremony: contributions and a final beacon", () => {
  const build = tmpDir("phase2");
  let dir: string;
  const input = { input: [0.25, -0.5] };
  after(releaseSnarkjs);

  before(async () => {
    ({ dir } = await compileModel({ name: "id", onnx: sharedModel("1l_identity"), buildDir: build, quant: { scaleBits: 12, inputBits: 24 }, log: () => undefined }));
  });

  it("contributions and a beacon keep the key valid and change it; old proofs stop verifying", async () => {
    const before = await proveModel(dir, input, { reference: false });
    expect(await verifySetup(dir)).to.equal(true);
    const vkey0 = fs.readFileSync(path.join(dir, "vkey.json"), "utf8");

    const a = await contributeModel(dir, "alice");
    const b = await contributeModel(dir, "bob", "bob's dice rolls");
    expect(a.step.hash).to.match(/^[0-9a-f]{128}$/);
    // A development key: the contribution says that τ, α, β may have been kept, and points to the ceremony path.
    expect(a.warning).to.match(/could have kept τ, α and β/).and.to.include("--ptau");
    const m = loadManifest(dir);
    expect(developmentKeyWarning({ ...m, ptau: { ...m.ptau, development: false } }), "a ceremony key needs no warning").to.equal(undefined);
    expect(a.step.hash).to.not.equal(b.step.hash);
    const final = await beaconModel(dir, "final beacon", "0x" + "ab".repeat(32), 10);
    expect(final.manifest.phase2!.map((s) => `${s.kind}:${s.name}`)).to.deep.equal(["contribution:alice", "contribution:bob", "beacon:final beacon"]);
    expect(loadManifest(dir).phase2).to.have.length(3);

    expect(await verifySetup(dir)).to.equal(true);
    expect(fs.readFileSync(path.join(dir, "vkey.json"), "utf8")).to.not.equal(vkey0);
    expect((await verifyModelProof(dir, before.proof, before.publicSignals)).valid).to.equal(false);
    const after = await proveModel(dir, input, { reference: false });
    expect((await verifyModelProof(dir, after.proof, after.publicSignals)).valid).to.equal(true);
    expect(after.outputs[0].values).to.deep.equal([0.25, -0.5]);
  });

  it("refuses more steps after the beacon, and a bad beacon", async () => {
    const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);
    expect((await caught(contributeModel(dir, "late")))?.message).to.match(/already has its final beacon/);
    expect((await caught(beaconModel(dir, "b", "xyz")))?.message).to.match(/even-length hex/);
  });

  it("detects a key that does not match its circuit", async () => {
    const zkey = path.join(dir, "model.zkey");
    const bytes = fs.readFileSync(zkey);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01; // among the proving key's curve points
    fs.writeFileSync(zkey, bytes);
    expect(await verifySetup(dir).catch(() => false)).to.equal(false);
  });
});
