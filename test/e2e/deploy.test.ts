import { expect } from "chai";
import hre from "hardhat";
import VerifierModule, { MODEL } from "../../deploy/modules/verifier";
import { ensureExampleModel } from "../../src/examples";

describe("deploy/modules/verifier.ts (Ignition)", () => {
  it("deploys the model's verifier, which accepts a real proof", async () => {
    ensureExampleModel(hre.config.paths.root);
    await hre.zkml.compile({ name: MODEL });
    await hre.run("compile", { quiet: true });
    const { verifier } = await (hre as any).ignition.deploy(VerifierModule); // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await hre.zkml.prove(MODEL, `${hre.config.paths.root}/examples/models/${MODEL}/input.json`, { reference: false });
    const { a, b, c, publicSignals } = r.calldata;
    expect(await verifier.verifyProof(a, b, c, publicSignals)).to.equal(true);
    const forged = [...publicSignals];
    forged[0] = "0x" + (BigInt(forged[0]) ^ 1n).toString(16);
    expect(await verifier.verifyProof(a, b, c, forged)).to.equal(false);
  });
});
