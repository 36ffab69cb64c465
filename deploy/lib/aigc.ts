// Deploying the ERC-7007 collection over a recipient-bound model with its Ignition module (deploy/modules/aigc.ts),
// reusing a deployment Ignition recorded when it is still on the chain.
import fs from "fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import path from "path";
import { fail } from "../../src/errors";
import type { Manifest } from "../../src/pipeline/manifest";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AigcDeployment {
  verifier: Contract;
  model: Contract;
  collection: Contract;
  deploymentId: string;
}

/**
 * Deploys verifier + ZkmlModel adapter + AigcCollection for the compiled model `m` (in `dir`) with
 * deploy/modules/aigc.ts. On the in-process network the deployment is ephemeral; elsewhere Ignition keeps it
 * under deploy/deployments/ and later runs reuse it (a journal that a restarted local node no longer has is
 * discarded and deployed afresh).
 */
export async function deployAigcCollection(hre: HardhatRuntimeEnvironment, m: Manifest, dir: string, log: (msg: string) => void): Promise<AigcDeployment> {
  // Imported only now: reading deploy/modules/aigc.ts reads the compiled model's manifest.
  const { aigcDeploymentId, aigcModule } = await import("../modules/aigc");
  const { ethers, ignition } = hre as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const deploymentId = aigcDeploymentId(m, dir);
  const deploymentDir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  const deploy = async (): Promise<Record<string, Contract>> => ignition.deploy(aigcModule(m), { deploymentId });
  let { collection, model, verifier } = await deploy();
  if ((await ethers.provider.getCode(await collection.getAddress())) === "0x") {
    // Ignition's journal describes another chain: on a local dev chain (31337) that only means a restarted node.
    const chainId = (await ethers.provider.getNetwork()).chainId;
    if (chainId !== 31337n)
      fail(`Ignition's deployment "${deploymentId}" records AigcCollection at ${await collection.getAddress()}, but chain ${chainId} has no code there; check or remove ${deploymentDir}`);
    log(`the recorded deployment ${deploymentId} is not on this chain (restarted node): deploying afresh`);
    fs.rmSync(deploymentDir, { recursive: true, force: true });
    ({ collection, model, verifier } = await deploy());
  }
  if ((await model.modelHash()) !== m.modelHash) throw new Error("the deployed adapter does not commit to the compiled model");
  return { verifier, model, collection, deploymentId };
}
