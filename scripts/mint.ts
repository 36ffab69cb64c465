// Mints one ERC-7007 token of the pixel_gen collection: proves the model's image for a prompt, bound to the
// signer, and submits it to AigcCollection.mintWithProof.
//
//   npx hardhat run scripts/mint.ts                       (Hardhat's in-process network)
//   npx hardhat node &  npx hardhat run scripts/mint.ts --network localhost
//
// Builds the example model if missing, compiles it (cached) and the contracts, deploys verifier + ZkmlModel
// adapter + collection with the Ignition module deploy/modules/aigc.ts (on localhost Ignition keeps the deployment in
// deploy/deployments/, so later runs reuse it; after a node restart it deploys afresh), then mints.
// AIGC_PROMPT="0.1,-0.2,0.3,0.4" chooses the prompt; by default it is examples/models/pixel_gen/input.json's,
// or, once that one is minted, the first unminted prompt of a fixed pseudo-random sequence (one prompt mints
// once). Exits non-zero on any failure.
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { fail, ZkmlError } from "../src/errors";
import type { Manifest } from "../src/pipeline/manifest";
import { quantizeReal } from "../src/quantize/fixed-point";
import { asciiGrays, decodeSvgUri, decodeTokenUri, encodeValues, mintArgs, svgPixels, tokenIdOf } from "./lib/aigc";
import { ensureExampleModel, exampleModelDir } from "./lib/example-models";
import { mulberry32 } from "./lib/prng";

const MODEL = "pixel_gen";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`mint check failed: ${what}`);
}

async function isMinted(collection: Contract, prompt: number[], m: Manifest): Promise<boolean> {
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

async function choosePrompt(collection: Contract, m: Manifest): Promise<number[]> {
  const n = m.publicSignals.inputs.count;
  if (process.env.AIGC_PROMPT) {
    const prompt = process.env.AIGC_PROMPT.split(",").map(Number);
    if (prompt.length !== n || prompt.some((x) => !Number.isFinite(x))) fail(`AIGC_PROMPT must be ${n} comma-separated numbers, got "${process.env.AIGC_PROMPT}"`);
    if (await isMinted(collection, prompt, m)) fail(`the prompt [${prompt}] is already minted (one prompt mints once)`);
    return prompt;
  }
  const sample = JSON.parse(fs.readFileSync(path.join(exampleModelDir(hre.config.paths.root, MODEL), "input.json"), "utf8")).input_data[0] as number[];
  if (!(await isMinted(collection, sample, m))) return sample;
  const rand = mulberry32(7007);
  for (let i = 0; i < 1000; i++) {
    const prompt = Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4);
    if (!(await isMinted(collection, prompt, m))) return prompt;
  }
  fail("no unminted prompt among the first 1000 of the sequence; pass AIGC_PROMPT");
}

/** The token URI's JSON with its (long) data URIs shortened, for printing. */
function printable(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = typeof v === "string" && v.startsWith("data:") ? `${v.slice(0, v.indexOf(",") + 1)}... (${v.length} chars)` : v;
  return out;
}

async function main(): Promise<void> {
  const root = hre.config.paths.root;
  const log = (msg: string) => console.log(msg);
  console.log(`network: ${hre.network.name}`);

  ensureExampleModel(root, log, MODEL);
  const [compiled] = await hre.zkml.compile({ name: MODEL, log });
  const m = compiled.manifest;
  await hre.run("compile", { quiet: true });

  // Imported only now: reading deploy/modules/aigc.ts reads the compiled model's manifest.
  const { aigcDeploymentId, aigcModule } = await import("../deploy/modules/aigc");
  const deploymentId = aigcDeploymentId(m, compiled.dir);
  const deploymentDir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  const deploy = async (): Promise<Record<string, Contract>> => hre.ignition.deploy(aigcModule(m), { deploymentId });
  let { collection, model, verifier } = await deploy();
  let address = await collection.getAddress();
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    // Ignition's journal describes another chain: on a local dev chain (31337) that only means a restarted node.
    const chainId = (await hre.ethers.provider.getNetwork()).chainId;
    if (chainId !== 31337n)
      fail(`Ignition's deployment "${deploymentId}" records AigcCollection at ${address}, but chain ${chainId} has no code there; check or remove ${deploymentDir}`);
    console.log(`the recorded deployment ${deploymentId} is not on this chain (restarted node): deploying afresh`);
    fs.rmSync(deploymentDir, { recursive: true, force: true });
    ({ collection, model, verifier } = await deploy());
    address = await collection.getAddress();
  }
  console.log(`verifier ${await verifier.getAddress()}, ZkmlModel ${await model.getAddress()}, AigcCollection ${address} (Ignition deployment ${deploymentId})`);
  check((await model.modelHash()) === m.modelHash, "the deployed adapter commits to the compiled model");

  const [signer] = await hre.ethers.getSigners();
  const prompt = await choosePrompt(collection, m);
  console.log(`proving pixel_gen(${JSON.stringify(prompt)}) bound to recipient ${signer.address} ...`);
  const r = await hre.zkml.prove(MODEL, { input_data: [prompt] }, { bindings: { recipient: signer.address } });
  const args = mintArgs(m, r.calldata, signer.address);
  check(await collection.verify(args.prompt, args.aigcData, args.proof), "verify(prompt, aigcData, proof) is true before minting");
  const verifyGas = await collection.verify.estimateGas(args.prompt, args.aigcData, args.proof);

  const tx = await collection.connect(signer).mintWithProof(signer.address, args.prompt, args.aigcData, args.proof);
  const receipt = await tx.wait();
  check(receipt?.status === 1, "mintWithProof succeeded");
  check((await collection.ownerOf(args.tokenId)) === signer.address, "the signer owns the token");

  const uri = await collection.tokenURI(args.tokenId);
  const json = decodeTokenUri(uri);
  const { width, grays } = svgPixels(decodeSvgUri(json.image as string));

  console.log(`\ntokenId   ${"0x" + args.tokenId.toString(16)}`);
  console.log(`prompt    ${JSON.stringify(prompt)} (quantized at 2^-${m.quant.scaleBits}: [${args.inputs.join(", ")}])`);
  console.log(`outputs   [${r.outputs[0].values.map((v) => v.toFixed(4)).join(", ")}]`);
  if (r.reference) console.log(`          max |proved - onnxruntime| = ${r.reference.maxAbsError.toExponential(2)}`);
  console.log("image");
  for (const line of asciiGrays(grays, width)) console.log(`          |${line}|`);
  console.log("tokenURI  data:application/json;base64, decoded:");
  for (const [k, v] of Object.entries(printable(json))) console.log(`            ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  console.log(`gas       mintWithProof: ${receipt!.gasUsed} (transaction, incl. 21000 base); verify() alone: ${verifyGas} (estimateGas)`);
}

main()
  .catch((e) => {
    console.error(`\nMINT FAILED: ${e instanceof ZkmlError ? e.message : e instanceof Error ? (e.stack ?? e.message) : e}`);
    process.exitCode = 1;
  })
  .finally(() => releaseSnarkjs());
