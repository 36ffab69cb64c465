// Mints one ERC-7007 token of the pixel_gen collection: proves the model's image for a prompt, bound to the
// signer, commits to the mint (commitPrompt) and reveals it with AigcCollection.mintWithProof in a later block.
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
import hre from "hardhat";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { ZkmlError } from "../src/errors";
import { deployAigcCollection } from "../deploy/lib/aigc";
import { proveAndMint } from "../src/mint/aigc";
import { svgPixels } from "../src/statements/aigc";
import { decodeSvgUri, decodeTokenUri } from "../src/statements/token-uri";
import { asciiGrays } from "../src/util/render";
import { AIGC_EXAMPLE_MODEL, choosePrompt, compileAigcModel } from "./lib/aigc-mint";

/** The token URI's JSON with its (long) data URIs shortened, for printing. */
function printable(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = typeof v === "string" && v.startsWith("data:") ? `${v.slice(0, v.indexOf(",") + 1)}... (${v.length} chars)` : v;
  return out;
}

async function main(): Promise<void> {
  const log = (msg: string) => console.log(msg);
  console.log(`network: ${hre.network.name}`);

  const { manifest: m, dir } = await compileAigcModel(log, AIGC_EXAMPLE_MODEL);
  const { collection, model, verifier, deploymentId } = await deployAigcCollection(hre, m, dir, log);
  console.log(`verifier ${await verifier.getAddress()}, ZkmlModel ${await model.getAddress()}, AigcCollection ${await collection.getAddress()} (Ignition deployment ${deploymentId})`);

  const [signer] = await hre.ethers.getSigners();
  const prompt = await choosePrompt(collection, m, process.env.AIGC_PROMPT);
  console.log(`proving ${m.name}(${JSON.stringify(prompt)}) bound to recipient ${signer.address} ...`);
  const { proved: r, args, commit, receipt, verifyGas } = await proveAndMint(hre, collection, m, prompt, signer);

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
  console.log(`gas       commitPrompt: ${commit.gasUsed} (block ${commit.blockNumber}); mintWithProof: ${receipt.gasUsed} (block ${receipt.blockNumber}); both transactions, incl. 21000 base`);
  console.log(`          verify() alone: ${verifyGas} (estimateGas)`);
}

main()
  .catch((e) => {
    console.error(`\nMINT FAILED: ${e instanceof ZkmlError ? e.message : e instanceof Error ? (e.stack ?? e.message) : e}`);
    process.exitCode = 1;
  })
  .finally(() => releaseSnarkjs());
