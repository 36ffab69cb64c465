// The flagship (issue 8): EZKL's MNIST GAN generator (../shared/models/ezkl/mnist_gan, 532k parameters)
// draws an image from a prompt, the image is proven, and ProvenImageCollection mints it as an ERC-7007
// token whose tokenURI renders the proven pixels as on-chain SVG.
//
//   npm run gan          compile (cached when unchanged), prove, deploy, mint, render
//   npm run bench:gan    the same from a fresh compile; writes bench/gan.json
//
// Env: PROMPT (default below), GAN_MODEL (default mnist_gan; gan_mini is the reduced copy).
// Writes zkml-build/proofs/<model>/image.png: the proven image (left) next to onnxruntime's (right).
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { deployImageCollection } from "../deploy/lib/proven-image";
import { decodeSvgUri, decodeTokenUri } from "../src/statements/token-uri";
import { ensureExampleModel } from "../src/examples";
import { imageShape, proveAndMintImage } from "../src/mint/proven-image";
import { svgRunPixels } from "../src/statements/proven-image";
import { renderComparison } from "../src/util/render";

const MODEL = process.env.GAN_MODEL ?? "mnist_gan";
const PROMPT = process.env.PROMPT ?? "a handwritten digit, drawn by a GAN and proven";
const FRESH = process.env.ZKML_FRESH === "1";

async function main(): Promise<void> {
  const t0 = Date.now();
  const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  if (MODEL === "gan_mini") ensureExampleModel(hre.config.paths.root, log, MODEL);
  const [built] = await hre.zkml.compile({ name: MODEL, force: FRESH, log });
  const compileMs = Date.now() - t0;
  const m = built.manifest;
  await hre.run("compile", { quiet: true });
  const [signer, recipient] = await hre.ethers.getSigners();
  const deployed = await deployImageCollection(hre, m);
  log(`deployed ${m.contractName} and ProvenImageCollection; proving ${JSON.stringify(PROMPT)} for ${recipient.address} ...`);
  const minted = await proveAndMintImage(hre, m, deployed, PROMPT, recipient.address, log);
  log(`minted token 0x${minted.tokenId.toString(16)} to ${recipient.address} (sent by ${signer.address})`);

  const { width, height } = imageShape(m);
  const proven = minted.proved.outputs[0].values;
  const gray = proven.map((v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  const svg = svgRunPixels(decodeSvgUri(String(decodeTokenUri(await deployed.collection.tokenURI(minted.tokenId)).image)));
  if (JSON.stringify(svg.grays) !== JSON.stringify(gray)) throw new Error("tokenURI's SVG is not the proven image");
  const outDir = path.join(hre.config.zkml.buildDir, "proofs", MODEL);
  fs.mkdirSync(outDir, { recursive: true });
  const rendering = renderComparison(path.join(outDir, "image.png"), proven, minted.proved.reference!.outputs[0], width, height);

  const t = m.timingsMs;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const rows: [string, string][] = [
    ["model", `${m.name}: ${m.circuit.constraints} constraints, ${m.circuit.wires} wires, domain 2^${m.ptau.power}, ${m.publicSignals.count} public signals (${m.circuit.body} body)`],
    ["prompt", `${JSON.stringify(PROMPT)} -> seed ${minted.proved.seed}`],
    ["compile", `${(compileMs / 1000).toFixed(1)} s${built.cached ? " (cached build)" : ""}: calibrate ${sec(t.calibrate)}, lower ${sec(t.lower)}, circom ${sec(t.circom)}, r1cs ${sec(t.r1cs)}, setup ${sec(t.setup)}`],
    ["prove", `${(minted.proveMs / 1000).toFixed(1)} s (witness + Groth16 proof + onnxruntime reference)`],
    ["total", `${((Date.now() - t0) / 1000).toFixed(1)} s; peak memory ${peakMiB} MiB (this process and its worker threads)`],
    ["verify gas", `${minted.verifyGas} (verifyProof as a transaction, incl. 21000 base and calldata)`],
    ["commit gas", `${minted.commitGas} (commitPrompt, a block before the mint)`],
    ["mint gas", `${minted.mintGas} (mintWithProof: the commitment, verification, the 3 signals from keccak, the image stored as a data contract's code)`],
    ["fidelity", `max pixel error ${rendering.maxPixelError.toExponential(2)} vs onnxruntime (${rendering.maxGrayLevelError} of 255 gray levels)`],
    ["image", `${path.relative(process.cwd(), rendering.file)} (proven left, onnxruntime right); tokenURI's SVG matches the proven pixels`],
  ];
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(11)} ${v}`);
  if (FRESH) {
    const json = {
      model: m.name, prompt: PROMPT, constraints: m.circuit.constraints, wires: m.circuit.wires, domainPower: m.ptau.power,
      publicSignals: m.publicSignals.count, scaleBits: m.quant.scaleBits, inputBits: m.quant.inputBits,
      seconds: { compile: compileMs / 1000, ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v / 1000])), prove: minted.proveMs / 1000, total: (Date.now() - t0) / 1000 },
      peakMemoryMiB: peakMiB, verifyGas: Number(minted.verifyGas), commitGas: Number(minted.commitGas), mintGas: Number(minted.mintGas),
      maxPixelError: rendering.maxPixelError, maxGrayLevelError: rendering.maxGrayLevelError,
      fidelity: m.fidelity, machine: { cpus: require("os").cpus().length, node: process.version },
    };
    fs.mkdirSync("bench", { recursive: true });
    fs.writeFileSync(path.join("bench", `gan-${MODEL}.json`), JSON.stringify(json, null, 2) + "\n");
    log(`wrote bench/gan-${MODEL}.json`);
  }
}

const sec = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

main()
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => releaseSnarkjs());
