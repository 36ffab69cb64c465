// The ERC-7007 mint steps shared by scripts/mint.ts and scripts/demo.ts: compile the recipient-bound model,
// deploy (or reuse) the collection with the Ignition module deploy/modules/aigc.ts, choose an unminted prompt,
// prove it bound to the recipient, commit to it (commitPrompt) and reveal it with AigcCollection.mintWithProof.
//
// Runs inside Hardhat (`hardhat run`): it uses the script's Hardhat runtime environment.
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { fail } from "../../src/errors";
import type { CompiledModel } from "../../src/pipeline/compile";
import type { Manifest } from "../../src/pipeline/manifest";
import type { ProveResult } from "../../src/pipeline/prove";
import { quantizeReal } from "../../src/quantize/fixed-point";
import { encodeValues, MintArgs, mintArgs, tokenIdOf } from "./aigc";
import { ensureExampleModel, exampleModelDir } from "./example-models";
import { mulberry32 } from "./prng";
import { commitPrompt, PromptCommit } from "./prompt-commitment";

/** The project's example ERC-7007 generator (hardhat.config.ts: `bind: ["recipient"]`). */
export const AIGC_EXAMPLE_MODEL = "pixel_gen";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`mint check failed: ${what}`);
}

/** Builds the example model if missing, compiles it (cached) and then the contracts (its verifier included). */
export async function compileAigcModel(log: (msg: string) => void, name = AIGC_EXAMPLE_MODEL): Promise<CompiledModel> {
  ensureExampleModel(hre.config.paths.root, log, name);
  const [compiled] = await hre.zkml.compile({ name, log });
  await hre.run("compile", { quiet: true });
  return compiled;
}

export interface AigcDeployment {
  verifier: Contract;
  model: Contract;
  collection: Contract;
  deploymentId: string;
}

/**
 * Deploys verifier + ZkmlModel adapter + AigcCollection with deploy/modules/aigc.ts. On the in-process network the
 * deployment is ephemeral; elsewhere Ignition keeps it under deploy/deployments/ and later runs reuse it (a journal
 * that a restarted local node no longer has is discarded and deployed afresh).
 */
export async function deployAigcCollection(m: Manifest, dir: string, log: (msg: string) => void): Promise<AigcDeployment> {
  // Imported only now: reading deploy/modules/aigc.ts reads the compiled model's manifest.
  const { aigcDeploymentId, aigcModule } = await import("../../deploy/modules/aigc");
  const deploymentId = aigcDeploymentId(m, dir);
  const deploymentDir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  const deploy = async (): Promise<Record<string, Contract>> => hre.ignition.deploy(aigcModule(m), { deploymentId });
  let { collection, model, verifier } = await deploy();
  if ((await hre.ethers.provider.getCode(await collection.getAddress())) === "0x") {
    // Ignition's journal describes another chain: on a local dev chain (31337) that only means a restarted node.
    const chainId = (await hre.ethers.provider.getNetwork()).chainId;
    if (chainId !== 31337n)
      fail(`Ignition's deployment "${deploymentId}" records AigcCollection at ${await collection.getAddress()}, but chain ${chainId} has no code there; check or remove ${deploymentDir}`);
    log(`the recorded deployment ${deploymentId} is not on this chain (restarted node): deploying afresh`);
    fs.rmSync(deploymentDir, { recursive: true, force: true });
    ({ collection, model, verifier } = await deploy());
  }
  check((await model.modelHash()) === m.modelHash, "the deployed adapter commits to the compiled model");
  return { verifier, model, collection, deploymentId };
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

/**
 * The prompt to mint: `requested` ("0.1,-0.2,0.3,0.4") if given (it must not be minted yet); otherwise the example
 * model's input.json prompt or, once that one is minted, the first unminted prompt of a fixed pseudo-random sequence.
 */
export async function choosePrompt(collection: Contract, m: Manifest, requested?: string): Promise<number[]> {
  const n = m.publicSignals.inputs.packing.values;
  if (requested) {
    const prompt = requested.split(",").map(Number);
    if (prompt.length !== n || prompt.some((x) => !Number.isFinite(x))) fail(`AIGC_PROMPT must be ${n} comma-separated numbers, got "${requested}"`);
    if (await isMinted(collection, prompt, m)) fail(`the prompt [${prompt}] is already minted (one prompt mints once)`);
    return prompt;
  }
  const sample = JSON.parse(fs.readFileSync(path.join(exampleModelDir(hre.config.paths.root, m.name), "input.json"), "utf8")).input_data[0] as number[];
  if (!(await isMinted(collection, sample, m))) return sample;
  const rand = mulberry32(7007);
  for (let i = 0; i < 1000; i++) {
    const prompt = Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4);
    if (!(await isMinted(collection, prompt, m))) return prompt;
  }
  fail("no unminted prompt among the first 1000 of the sequence; pass AIGC_PROMPT");
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
 * Proves `prompt` bound to the signer and checks it with verify(); then commits to the mint (commitPrompt, its own
 * block), reveals it with mintWithProof in a later block and checks the owner.
 */
export async function proveAndMint(collection: Contract, m: Manifest, prompt: number[], signer: Contract): Promise<Minted> {
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
