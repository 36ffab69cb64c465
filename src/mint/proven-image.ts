// Minting a proven image with ProvenImageCollection (contracts/ProvenImageCollection.sol), the flagship flow
// (scripts/gan.ts, test/e2e/gan.test.ts): prompt -> seed -> proof of the generator's image, bound to the
// recipient -> commitPrompt, then mintWithProof in a later block -> tokenURI with the proven image as on-chain SVG.
// Deploying the collection: deploy/lib/proven-image.ts.
import type { ZkmlProverHost } from "./prover";
import type { Manifest } from "../pipeline/manifest";
import type { ProveResult } from "../pipeline/prove";
import { recipientContext } from "../privacy/seeded";
import { commitPrompt } from "../statements/prompt-commitment";
import { encodeMintProof, promptBytes } from "../statements/proven-image";

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

/** Proves `prompt` for `recipient`, then commits to its mint and mints it through `collection` (from the collection's signer). */
export async function proveAndMintImage(
  hre: ZkmlProverHost,
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
