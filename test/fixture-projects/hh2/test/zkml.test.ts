import { expect } from "chai";
import hre from "hardhat";
import { mint, statements } from "hardhat-zkml/core";

// Run after `npx hardhat zkml:compile` (the package test does): proves, verifies on-chain, mints.
describe("hardhat-zkml in a Hardhat 2 project", () => {
  const prompt = [0.5, -0.25, 0.75, -0.5];

  it("proves an inference that the deployed verifier and adapter accept, and refuse when forged", async () => {
    const [alice] = await hre.ethers.getSigners();
    const { verifier, model, manifest } = await hre.zkml.deployModel("pixel_gen");
    const r = await hre.zkml.prove("pixel_gen", { input_data: [prompt] }, { bindings: { recipient: alice.address } });
    expect((await hre.zkml.verify("pixel_gen", r.proof, r.publicSignals)).valid).to.equal(true);
    const { a, b, c, publicSignals } = r.calldata;
    expect(await verifier.verifyProof(a, b, c, publicSignals)).to.equal(true);
    const forged = [...publicSignals];
    forged[forged.length - 1] = "0x" + (BigInt(forged[forged.length - 1]) ^ 1n).toString(16);
    expect(await verifier.verifyProof(a, b, c, forged)).to.equal(false);
    expect(await model.modelHash()).to.equal(manifest.modelHash);
  });

  it("mints with a proof on a collection built on the package's AigcCollection", async () => {
    const [alice] = await hre.ethers.getSigners();
    const { model, manifest } = await hre.zkml.deployModel("pixel_gen");
    const collection = await (await hre.ethers.getContractFactory("MyCollection")).deploy(await model.getAddress());
    const minted = await mint.proveAndMint(hre, collection, manifest, prompt, alice);
    expect(await collection.ownerOf(minted.args.tokenId)).to.equal(alice.address);
    expect(statements.decodeTokenUri(await collection.tokenURI(minted.args.tokenId)).name).to.be.a("string");
  });

  it("deploys the package's Ignition module and mints on its AigcCollection", async () => {
    const [, bob] = await hre.ethers.getSigners();
    const module = (await import("../ignition/modules/pixel-collection")).default;
    const { collection } = await (hre as any).ignition.deploy(module); // eslint-disable-line @typescript-eslint/no-explicit-any
    const manifest = hre.zkml.manifest("pixel_gen");
    const minted = await mint.proveAndMint(hre, collection, manifest, [0.25, 0.5, -0.75, 0.125], bob);
    expect(await collection.ownerOf(minted.args.tokenId)).to.equal(bob.address);
  });
});
