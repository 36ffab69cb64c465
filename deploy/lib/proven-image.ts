// The flagship collection's Ignition module builder (deploy/modules/proven-image.ts deploys it from the CLI). Kept
// apart from the module file, which reads a compiled model's manifest when imported.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Manifest } from "../../src/pipeline/manifest";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The collection's constructor arguments after the verifier, from a compiled generator's manifest. */
export function imageCollectionArgs(manifest: Manifest): { width: number; height: number; bits: number; scaleBits: number } {
  const ps = manifest.publicSignals;
  if (ps.inputs.encoding !== "seed" || ps.outputs.encoding !== "fingerprint")
    throw new Error(`model "${manifest.name}" must be compiled with visibility { input: "seeded", output: "fingerprint" } for ProvenImageCollection`);
  if (manifest.outputs.length !== 1) throw new Error(`model "${manifest.name}" must have one output (the image), not ${manifest.outputs.length}`);
  const shape = manifest.outputs[0].shape;
  return { height: shape[shape.length - 2], width: shape[shape.length - 1], bits: ps.outputs.packing.bits, scaleBits: ps.outputs.scaleBits };
}

export function provenImageModule(manifest: Manifest) {
  const { width, height, bits, scaleBits } = imageCollectionArgs(manifest);
  return buildModule(`ProvenImageCollection_${manifest.name}`, (m) => {
    const verifier = m.contract(manifest.contractName);
    const name = m.getParameter("name", `${manifest.name} proven images`);
    const symbol = m.getParameter("symbol", "PROVEN");
    const minRevealDelay = m.getParameter("minRevealDelay", 1);
    const collection = m.contract("ProvenImageCollection", [verifier, manifest.modelHash, width, height, bits, scaleBits, name, symbol, minRevealDelay]);
    return { verifier, collection };
  });
}


/** Deploys the model's verifier and a ProvenImageCollection over it (Ignition, the module above). */
export async function deployImageCollection(hre: HardhatRuntimeEnvironment, m: Manifest): Promise<{ verifier: Contract; collection: Contract }> {
  const { ignition } = hre as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  return ignition.deploy(provenImageModule(m));
}
