// Hardhat Ignition module: the ERC-7007 collection over a recipient-bound model (pixel_gen by default):
// the model's generated Groth16 verifier, a ZkmlModel adapter configured from its manifest, and the
// AigcCollection.
//
//   npx hardhat run scripts/mint.ts [--network localhost]   (compiles, deploys with this module, mints)
//
// Deployed with `hre.ignition.deploy(aigcModule(manifest), { deploymentId: aigcDeploymentId(manifest) })`: on the
// in-process network the deployment is ephemeral; on localhost (`npx hardhat node`) Ignition records it under
// deploy/deployments/<deploymentId> and later runs reuse it.
//
// Reading this file reads the model's manifest, so compile the model first; scripts and tests that compile
// in-process import it afterwards (`await import("../deploy/modules/aigc")`). Parameters: AigcCollection_<model>.name
// and .symbol (defaults "Pixel Gen", "PIXELGEN"), and .minRevealDelay (blocks between a prompt's commitment and its
// mint, default 1; see contracts/utils/PromptCommitments.sol).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import crypto from "crypto";
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { zkmlModules } from "../../src/hardhat/ignition";
import type { Manifest } from "../../src/pipeline/manifest";

export const AIGC_MODEL = process.env.ZKML_AIGC_MODEL ?? "pixel_gen";

/** The module for one compiled model; the collection requires proofs bound to exactly one value, the recipient. */
export const aigcModule = (manifest: Manifest) => zkmlModules(buildModule).aigc(manifest);

/**
 * A deployment id that changes whenever the model's keys do (a recompile with --force gives a new verifier) or the
 * collection's code does, so a persisted deployment (e.g. on localhost) is reused only while it matches both.
 */
export function aigcDeploymentId(manifest: Manifest, dir = hre.zkml.modelDir(manifest.name)): string {
  const vkey = fs.readFileSync(path.join(dir, manifest.files.vkey));
  const collection = hre.artifacts.readArtifactSync("AigcCollection").bytecode;
  return `aigc-${manifest.name}-${crypto.createHash("sha256").update(vkey).update(collection).digest("hex").slice(0, 12)}`;
}

export default aigcModule(hre.zkml.manifest(AIGC_MODEL));
