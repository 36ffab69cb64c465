// The flagship (issue 8): EZKL's MNIST GAN generator (../shared/models/ezkl/mnist_gan, 532k parameters)
// draws an image from a prompt, the image is proven, and ProvenImageCollection mints it as an ERC-7007
// token whose tokenURI renders the proven pixels as on-chain SVG.
//
//   npm run gan          compile (cached when unchanged), prove, deploy, mint, render
//   npm run bench:gan    the same from a fresh compile
// Both then prove the same prompt's witness with both provers side by side (scripts/bench/provers.ts:
// the same zkey and .wtns, each proof in its own process for its peak RSS, GAN_ROUNDS rounds alternating
// which prover goes first, no warm-up: a proof as `zkml:prove` makes it) and write bench/gan-<model>.json.
//
// Env: PROMPT (default below), GAN_MODEL (default mnist_gan; gan_mini is the reduced copy), GAN_ROUNDS (3).
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
import { artifact } from "../src/pipeline/manifest";
import { recipientContext } from "../src/privacy/seeded";
import { compareProvers } from "./bench/provers";
import { worker } from "./bench/run";

const MODEL = process.env.GAN_MODEL ?? "mnist_gan";
const PROMPT = process.env.PROMPT ?? "a handwritten digit, drawn by a GAN and proven";
const FRESH = process.env.ZKML_FRESH === "1";
const ROUNDS = Number(process.env.GAN_ROUNDS ?? 3);

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

  // The two provers side by side on this prompt's witness (the same one the mint's proof was made from).
  const loadStart = require("os").loadavg().map((x: number) => x.toFixed(2)).join(" ");
  const work = path.join(hre.config.zkml.buildDir, "bench", `gan-${MODEL}`);
  fs.mkdirSync(work, { recursive: true });
  const wtns = path.join(work, "witness.wtns");
  log(`witness for the side-by-side (its own process) ...`);
  const witness = await worker(["model-witness", built.dir, JSON.stringify({ prompt: PROMPT }), recipientContext(recipient.address).toString(), wtns]);
  log(`witness ${sec(witness.ms)} (${witness.wires} wires, peak ${witness.peakMB} MB); Groth16 with native and snarkjs, ${ROUNDS} rounds ...`);
  const cmp = await compareProvers({ zkey: artifact(built.dir, m, "zkey"), vkey: artifact(built.dir, m, "vkey"), wtns, outDir: work, rounds: ROUNDS, warmup: false, witnessMs: witness.ms, progress: log });
  const sideBySide = JSON.parse(fs.readFileSync(path.join(work, "proof.json"), "utf8")).publicSignals;
  if (JSON.stringify(sideBySide) !== JSON.stringify(minted.proved.publicSignals)) throw new Error("the side-by-side proofs' public signals differ from the minted proof's");
  const loadEnd = require("os").loadavg().map((x: number) => x.toFixed(2)).join(" ");
  const e2e = { native: witness.ms + cmp.native.ms, snarkjs: witness.ms + cmp.snarkjs.ms };

  const t = m.timingsMs;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const rows: [string, string][] = [
    ["model", `${m.name}: ${m.circuit.constraints} constraints, ${m.circuit.wires} wires, domain 2^${m.ptau.power}, ${m.publicSignals.count} public signals (${m.circuit.body} body)`],
    ["prompt", `${JSON.stringify(PROMPT)} -> seed ${minted.proved.seed}`],
    ["compile", `${(compileMs / 1000).toFixed(1)} s${built.cached ? " (cached build)" : ""}: calibrate ${sec(t.calibrate)}, lower ${sec(t.lower)}, circom ${sec(t.circom)}, r1cs ${sec(t.r1cs)}, setup ${sec(t.setup)}`],
    ["prove", `${(minted.proveMs / 1000).toFixed(1)} s (zkml:prove's path with the default prover: witness + Groth16 proof + checks + onnxruntime reference)`],
    ["witness", `${sec(witness.ms)} (median of ${(witness.runs as number[]).length}), peak ${witness.peakMB} MB`],
    ["Groth16", `native ${sec(cmp.native.ms)} (peak ${cmp.native.peakMB} MB) vs snarkjs ${sec(cmp.snarkjs.ms)} (peak ${cmp.snarkjs.peakMB} MB): ${cmp.ratio}x (median of ${ROUNDS}, same zkey and witness, each in its own process)`],
    ["end to end", `witness + Groth16: native ${sec(e2e.native)} vs snarkjs ${sec(e2e.snarkjs)}: ${cmp.endToEndRatio}x; load average ${loadStart} -> ${loadEnd}`],
    ["total", `${((Date.now() - t0) / 1000).toFixed(1)} s; peak memory ${peakMiB} MiB (this process and its worker threads)`],
    ["verify gas", `${minted.verifyGas} (verifyProof as a transaction, incl. 21000 base and calldata)`],
    ["commit gas", `${minted.commitGas} (commitPrompt, a block before the mint)`],
    ["mint gas", `${minted.mintGas} (mintWithProof: the commitment, verification, the 3 signals from keccak, the image stored as a data contract's code)`],
    ["fidelity", `max pixel error ${rendering.maxPixelError.toExponential(2)} vs onnxruntime (${rendering.maxGrayLevelError} of 255 gray levels)`],
    ["image", `${path.relative(process.cwd(), rendering.file)} (proven left, onnxruntime right); tokenURI's SVG matches the proven pixels`],
  ];
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(11)} ${v}`);
  const json = {
    date: new Date().toISOString(),
    model: m.name, prompt: PROMPT, constraints: m.circuit.constraints, wires: m.circuit.wires, domainPower: m.ptau.power,
    publicSignals: m.publicSignals.count, scaleBits: m.quant.scaleBits, inputBits: m.quant.inputBits,
    cachedBuild: built.cached,
    seconds: { compile: compileMs / 1000, ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v / 1000])), prove: minted.proveMs / 1000, total: (Date.now() - t0) / 1000 },
    compileNote: built.cached ? "compile: this run reused the cached build (its own figures are the manifest's timings, from when it was compiled)" : "compile: fresh in this run",
    proveNote: "prove: zkml:prove's path with the default (native) prover, incl. the evaluator checks and the onnxruntime reference",
    provers: {
      how: `the mint's prompt and recipient; the witness built as zkml:prove builds it, in its own process (median of its runs), written as a .wtns; then native and snarkjs Groth16 on the same zkey and .wtns, each proof in its own process (peak RSS by GNU time), no warm-up, ${ROUNDS} rounds alternating which goes first, median; every proof verified and its public signals equal to the minted proof's`,
      witness: { ms: Math.round(witness.ms), runs: (witness.runs as number[]).map(Math.round), peakMB: witness.peakMB },
      native: cmp.native, snarkjs: cmp.snarkjs,
      groth16Ratio: cmp.ratio,
      endToEndMs: { native: Math.round(e2e.native), snarkjs: Math.round(e2e.snarkjs) },
      endToEndRatio: cmp.endToEndRatio,
      peakRatio: cmp.peakRatio,
      loadAverage: { start: loadStart, end: loadEnd, note: "os.loadavg() 1/5/15 min; other work may share the machine" },
    },
    peakMemoryMiB: peakMiB, verifyGas: Number(minted.verifyGas), commitGas: Number(minted.commitGas), mintGas: Number(minted.mintGas),
    maxPixelError: rendering.maxPixelError, maxGrayLevelError: rendering.maxGrayLevelError,
    fidelity: m.fidelity, machine: { cpus: require("os").cpus().length, memGiB: Math.round(require("os").totalmem() / 2 ** 30), node: process.version },
  };
  fs.mkdirSync("bench", { recursive: true });
  fs.writeFileSync(path.join("bench", `gan-${MODEL}.json`), JSON.stringify(json, null, 2) + "\n");
  log(`wrote bench/gan-${MODEL}.json`);
}

const sec = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

main()
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => releaseSnarkjs());
