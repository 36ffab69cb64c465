// Minting with AigcCollection (contracts/AigcCollection.sol): prove a prompt bound to the recipient, check the
// proof with the collection's verify(), commit to the mint (commitPrompt) and reveal it with mintWithProof in a
// later block. Deploying the collection: deploy/lib/aigc.ts.
import type { ZkmlProverHost } from "./prover";
import type { Manifest } from "../pipeline/manifest";
import type { ProveResult } from "../pipeline/prove";
import { quantizeReal } from "../numeric/fixed-point";
import { encodeValues, MintArgs, mintArgs, tokenIdOf } from "../statements/aigc";
import { commitPrompt, PromptCommit } from "../statements/prompt-commitment";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`mint check failed: ${what}`);
}

/** Whether the token of `prompt` (its id is keccak256 of the quantized prompt) exists. */
export async function isMinted(collection: Contract, prompt: number[], m: Manifest): Promise<boolean> {
  const q = prompt.map((x) => quantizeReal(x, m.quant.scaleBits, "prompt value"));
  try {
    await collection.ownerOf(tokenIdOf(encodeValues(q)));
    return true;
  } catch (e) {
    // In-process, Hardhat names the custom error in the message; over JSON-RPC, ethers gives the revert data.
    const data = (e as { data?: unknown }).data;
    const error = typeof data === "string" && data.length >= 10 ? collection.interface.parseError(data)?.name : undefined;
    if (error === "ERC721NonexistentToken" || /ERC721NonexistentToken/.test(String((e as Error).message))) return false;
    throw e;
  }
}

export interface Minted {
  /** The proof (bound to the recipient) and its decoded outputs. */
  proved: ProveResult;
  /** The mintWithProof arguments, with the token id and the quantized prompt and outputs. */
  args: MintArgs;
  /** The commitment the mint revealed (its gasUsed is commitPrompt's gas). */
  commit: PromptCommit;
  /** mintWithProof's receipt (its gasUsed is the mint's gas). */
  receipt: Contract;
  /** estimateGas of a transaction calling the collection's verify() alone. */
  verifyGas: bigint;
}

/**
 * Proves `prompt` with model `m` bound to the signer and checks it with verify(); then commits to the mint
 * (commitPrompt, its own block), reveals it with mintWithProof in a later block and checks the owner.
 */
export async function proveAndMint(hre: ZkmlProverHost, collection: Contract, m: Manifest, prompt: number[], signer: Contract): Promise<Minted> {
  const proved = await hre.zkml.prove(m.name, { input_data: [prompt] }, { bindings: { recipient: signer.address } });
  const args = mintArgs(m, proved.calldata, signer.address);
  // Checked before the reveal: a reveal that fails has made the prompt public.
  check(await collection.verify(args.prompt, args.aigcData, args.proof), "verify(prompt, aigcData, proof) is true before minting");
  const verifyGas: bigint = await collection.verify.estimateGas(args.prompt, args.aigcData, args.proof);

  const commit = await commitPrompt(collection, args.prompt, signer.address, signer);
  const tx = await collection.connect(signer).mintWithProof(signer.address, args.prompt, args.aigcData, args.proof, commit.salt);
  const receipt = await tx.wait();
  check(receipt?.status === 1, "mintWithProof succeeded");
  check(receipt.blockNumber > commit.blockNumber, "the mint was mined in a later block than its commitment");
  check((await collection.ownerOf(args.tokenId)) === signer.address, "the signer owns the token");
  return { proved, args, commit, receipt, verifyGas };
}
