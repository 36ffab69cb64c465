// The flagship collection's Ignition module builder (deploy/modules/proven-image.ts deploys it from the CLI). Kept
// apart from the module file, which reads a compiled model's manifest when imported.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { zkmlModules } from "../../src/hardhat/ignition";
import type { Manifest } from "../../src/pipeline/manifest";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export { imageCollectionArgs } from "../../src/hardhat/ignition";

export const provenImageModule = (manifest: Manifest) => zkmlModules(buildModule).provenImage(manifest);

/** Deploys the model's verifier and a ProvenImageCollection over it (Ignition, the module above). */
export async function deployImageCollection(hre: HardhatRuntimeEnvironment, m: Manifest): Promise<{ verifier: Contract; collection: Contract }> {
  const { ignition } = hre as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  return ignition.deploy(provenImageModule(m));
}
