// The flagship flow (issue 8), shared by scripts/gan.ts (the full mnist_gan) and test/e2e/gan.test.ts (a
// reduced copy): prompt -> seed -> proof of the generator's image, bound to the recipient ->
// commitPrompt, then ProvenImageCollection.mintWithProof in a later block -> tokenURI with the proven image as
// on-chain SVG.
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Manifest } from "../../src/pipeline/manifest";
import type { ProveResult } from "../../src/pipeline/prove";
import { recipientContext } from "../../src/privacy/seeded";
import { provenImageModule } from "../../deploy/lib/proven-image";
import { commitPrompt } from "./prompt-commitment";
import { encodeMintProof, promptBytes } from "./proven-image";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface MintedImage {
  manifest: Manifest;
  proved: ProveResult;
  proveMs: number;
  collection: Contract;
  verifier: Contract;
  tokenId: bigint;
  /** commitPrompt's gas, and mintWithProof's (both transactions, incl. the 21k base). */
  commitGas: bigint;
  mintGas: bigint;
  /** Gas of the verifier's verifyProof as a transaction (incl. the 21k base and calldata) and without the base. */
  verifyGas: bigint;
}

/** The image's size from the model's single output ([..., height, width]). */
export function imageShape(m: Manifest): { width: number; height: number } {
  if (m.outputs.length !== 1) throw new Error(`${m.name}: an image generator has one output, this one has ${m.outputs.length}`);
  const shape = m.outputs[0].shape;
  return { height: shape[shape.length - 2], width: shape[shape.length - 1] };
}

/** Deploys the model's verifier and a ProvenImageCollection over it with deploy/modules/proven-image.ts. */
export async function deployImageCollection(hre: HardhatRuntimeEnvironment, m: Manifest): Promise<{ verifier: Contract; collection: Contract }> {
  const { ignition } = hre as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  return ignition.deploy(provenImageModule(m));
}

/** Proves `prompt` for `recipient`, then commits to its mint and mints it through `collection` (from the collection's signer). */
export async function proveAndMintImage(
  hre: HardhatRuntimeEnvironment,
  m: Manifest,
  deployed: { verifier: Contract; collection: Contract },
  prompt: string,
  recipient: string,
  log: (msg: string) => void = () => undefined,
): Promise<MintedImage> {
  const t0 = Date.now();
  const proved = await hre.zkml.prove(m.name, { prompt }, { context: recipientContext(recipient), log });
  const proveMs = Date.now() - t0;
  const words = proved.packedOutputs.map(BigInt);
  const { a, b, c } = proved.calldata;
  const signals = proved.publicSignals.map(BigInt);
  const verifyGas: bigint = await deployed.verifier.verifyProof.estimateGas(a, b, c, signals);
  const commit = await commitPrompt(deployed.collection, promptBytes(prompt), recipient);
  const tx = await deployed.collection.mintWithProof(recipient, promptBytes(prompt), words, encodeMintProof(proved.calldata), commit.salt);
  const receipt = await tx.wait();
  const tokenId: bigint = await deployed.collection.tokenId(promptBytes(prompt));
  return { manifest: m, proved, proveMs, ...deployed, tokenId, commitGas: commit.gasUsed, mintGas: receipt.gasUsed, verifyGas };
}
