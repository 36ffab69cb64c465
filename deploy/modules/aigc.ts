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
import type { Manifest } from "../../src/pipeline/manifest";
import { solidityLayout } from "../../src/privacy/layout";

export const AIGC_MODEL = process.env.ZKML_AIGC_MODEL ?? "pixel_gen";

/** "pixel_gen" -> "Pixel Gen". */
const title = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");

/** The module for one compiled model; the collection requires proofs bound to exactly one value, the recipient. */
export function aigcModule(manifest: Manifest) {
  const bindings = (manifest.publicSignals.bindings ?? []).map((b) => b.name);
  if (bindings.length !== 1 || bindings[0] !== "recipient")
    throw new Error(`model "${manifest.name}" must be bound to exactly ["recipient"] (bind: ["recipient"] in hardhat.config.ts), not [${bindings.join(", ")}]`);
  const ps = manifest.publicSignals;
  return buildModule(`AigcCollection_${manifest.name}`, (m) => {
    const verifier = m.contract(manifest.contractName);
    const model = m.contract("ZkmlModel", [verifier, manifest.modelHash, solidityLayout(ps, manifest.quant.scaleBits), 0n]);
    const name = m.getParameter("name", title(manifest.name));
    const symbol = m.getParameter("symbol", manifest.name.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 8));
    const minRevealDelay = m.getParameter("minRevealDelay", 1);
    const collection = m.contract("AigcCollection", [model, name, symbol, minRevealDelay]);
    return { verifier, model, collection };
  });
}

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
