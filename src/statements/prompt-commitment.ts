// The commit step both ERC-7007 collections require before a mint (contracts/utils/PromptCommitments.sol): the
// commitment to a prompt, its recipient, a secret salt and the committing account, and the commitPrompt
// transaction. The mint then reveals it: mintWithProof(..., salt) from the same account, in a later block.
import { AbiCoder, BytesLike, hexlify, keccak256, randomBytes, toQuantity } from "ethers";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const abi = AbiCoder.defaultAbiCoder();
/** Hardhat's (and anvil's) dev chain id: there the helper mines the blocks a longer reveal delay needs. */
const DEV_CHAIN_ID = 31337n;

/** `keccak256(abi.encode(keccak256(prompt), to, salt, committer))`, as PromptCommitments.promptCommitment computes it. */
export function promptCommitment(prompt: BytesLike, to: string, salt: string, committer: string): string {
  return keccak256(abi.encode(["bytes32", "address", "bytes32", "address"], [keccak256(prompt), to, salt, committer]));
}

/** A fresh secret salt: 32 random bytes. It must stay secret until the reveal, or the commitment hides nothing. */
export const newSalt = (): string => hexlify(randomBytes(32));

export interface PromptCommit {
  /** The salt to pass to mintWithProof. */
  salt: string;
  commitment: string;
  committer: string;
  /** The block the commitment was mined in. */
  blockNumber: number;
  /** commitPrompt's receipt gasUsed (incl. the 21000 base). */
  gasUsed: bigint;
}

/**
 * Sends `collection.commitPrompt` from `from` (default: the collection's signer) for minting `prompt` to `to`
 * with a fresh salt, and returns once a mint sent next may reveal it: when the next block is at least
 * `minRevealDelay` blocks after the commitment's (immediately for a delay of 1; a dev chain mines the missing
 * blocks, another chain is polled).
 */
export async function commitPrompt(collection: Contract, prompt: BytesLike, to: string, from?: Contract): Promise<PromptCommit> {
  const c = from ? collection.connect(from) : collection;
  const committer: string = await c.runner.getAddress();
  const salt = newSalt();
  const commitment = promptCommitment(prompt, to, salt, committer);
  const receipt = await (await c.commitPrompt(commitment)).wait();
  if (receipt?.status !== 1) throw new Error(`commitPrompt(${commitment}) failed`);
  const provider = c.runner.provider;
  const ready = BigInt(receipt.blockNumber) + BigInt(await c.minRevealDelay()) - 1n;
  for (let current = BigInt(await provider.getBlockNumber()); current < ready; current = BigInt(await provider.getBlockNumber())) {
    if ((await provider.getNetwork()).chainId === DEV_CHAIN_ID) await provider.send("hardhat_mine", [toQuantity(ready - current)]);
    else await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return { salt, commitment, committer, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}
