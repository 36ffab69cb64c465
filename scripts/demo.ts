// The end-to-end demo: ONNX model -> circuit -> Groth16 proof -> on-chain verification, then the two
// applications built on it:
//   1. credit_mlp: compile, prove, verify off-chain and on-chain (and reject a tampered output);
//   2. the ERC-7007 collection over pixel_gen: prove a prompt bound to the signer, commitPrompt, then mintWithProof
//      in a later block;
//   3. the AI vault over price_forecaster: deposit, push the "buy" window into the feed, prove the forecast
//      on the feed's rounds bound to the vault's epoch, and rebalance.
//
//   npx hardhat run scripts/demo.ts      (npm run demo)
//
// Runs on Hardhat's in-process network; exits non-zero if any step or check fails.
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { formatUnits } from "ethers";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { ZkmlError } from "../src/errors";
import { deployAigcCollection } from "../deploy/lib/aigc";
import { ensureExampleModel, EXAMPLE_MODEL, exampleModelDir } from "../src/examples";
import { creditDecision } from "../src/examples/models/credit_mlp";
import { proveAndMint } from "../src/mint/aigc";
import { decodeInputs, decodeOutputs } from "../src/pipeline/prove";
import { dequantize } from "../src/numeric/fixed-point";
import { toField } from "../src/numeric/field";
import { readFeedInputs, thousandsToAnswer, WINDOW } from "../src/statements/vault-inputs";
import { callVerifyProof, verifyProofArgs } from "../src/statements/verifier";
import { AIGC_EXAMPLE_MODEL, choosePrompt, compileAigcModel } from "./lib/aigc-mint";

const MODEL = EXAMPLE_MODEL;

function progress(): (msg: string) => void {
  const t0 = Date.now();
  return (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`demo check failed: ${what}`);
}

const seconds = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(2)} s`);
const fmt = (vs: readonly number[]) => `[${vs.map((v) => v.toFixed(6)).join(", ")}]`;

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Line = [string, string];

/** Values as rows of a square grid (pixel_gen's 4x4 image), or one row if they are not a square. */
function grid(vs: readonly number[]): string[] {
  const side = Math.round(Math.sqrt(vs.length));
  const width = side * side === vs.length ? side : vs.length;
  const rows: string[] = [];
  for (let i = 0; i < vs.length; i += width) rows.push(vs.slice(i, i + width).map((v) => v.toFixed(4).padStart(7)).join(" "));
  return rows;
}

/** The ERC-7007 collection: deploy with deploy/modules/aigc.ts, prove a prompt bound to the signer, commit to it, mint it. */
async function aigcDemo(log: (msg: string) => void): Promise<Line[]> {
  const { manifest: m, dir } = await compileAigcModel(log, AIGC_EXAMPLE_MODEL);
  const { collection, deploymentId } = await deployAigcCollection(hre, m, dir, log);
  log(`deployed ${m.contractName} + ZkmlModel + AigcCollection at ${await collection.getAddress()} (Ignition module ${deploymentId})`);

  const [signer] = await hre.ethers.getSigners();
  const prompt = await choosePrompt(collection, m);
  log(`${m.name}: proving prompt ${JSON.stringify(prompt)} bound to recipient ${signer.address} ...`);
  const { proved, args, commit, receipt } = await proveAndMint(hre, collection, m, prompt, signer);
  const tokenId = "0x" + args.tokenId.toString(16);
  const pixels = grid(proved.outputs[0].values);
  log(`commitPrompt: ${commit.commitment} in block ${commit.blockNumber} (gasUsed ${commit.gasUsed})`);
  log(`mintWithProof: token ${tokenId} minted to ${signer.address} in block ${receipt.blockNumber} (gasUsed ${receipt.gasUsed}); proven outputs:`);
  for (const row of pixels) log(`  ${row}`);

  return [
    ["erc-7007 model", `${m.name} (${m.circuit.constraints} constraints), proofs bound to the recipient`],
    ["erc-7007 prompt", JSON.stringify(prompt)],
    ["erc-7007 token", `${tokenId} (keccak256 of the prompt), owned by ${signer.address}`],
    ...pixels.map((row, i): Line => [i === 0 ? "proven 4x4 image" : "", row]),
    ["image abs error", `${proved.reference ? proved.reference.maxAbsError.toExponential(3) : "n/a"} (max vs onnxruntime)`],
    ["commit gas", `${commit.gasUsed} (commitPrompt receipt gasUsed, incl. 21000 base; a block before the mint)`],
    ["mint gas", `${receipt.gasUsed} (mintWithProof receipt gasUsed: commitment + proof check + mint, incl. 21000 base)`],
  ];
}

const VAULT_MODEL = "price_forecaster";
const Direction = ["hold", "buy", "sell"];

/**
 * The AI vault: deploy with deploy/modules/vault.ts (dev network: mock tokens, feed and swap), deposit, push the
 * scenario's "buy" window into the feed, prove the forecast on the feed's rounds with the current epoch, rebalance.
 */
async function vaultDemo(root: string, log: (msg: string) => void): Promise<Line[]> {
  ensureExampleModel(root, log, VAULT_MODEL);
  const [built] = await hre.zkml.compile({ name: VAULT_MODEL, log });
  const m = built.manifest;
  await hre.run("compile", { quiet: true });

  // Imported only now: reading deploy/modules/vault.ts reads the compiled model's manifest.
  const { buildVaultModule, DEV_NETWORKS } = await import("../deploy/modules/vault");
  check(DEV_NETWORKS.includes(hre.network.name), `the vault demo deploys mocks, so it runs on a dev network (${DEV_NETWORKS.join(", ")}), not "${hre.network.name}"`);
  const { vault, asset, riskAsset, feed }: Record<string, Contract> = await hre.ignition.deploy(buildVaultModule(m, true));
  log(`deployed ${m.contractName} + ZkmlModel + mocks (mUSD, mWETH, feed, swap) + AiVault at ${await vault.getAddress()} (Ignition module AiVault)`);

  const [, depositor] = await hre.ethers.getSigners();
  const [usd, weth, feedDecimals] = [Number(await asset.decimals()), Number(await riskAsset.decimals()), Number(await feed.decimals())];
  const deposit = 100_000n * 10n ** BigInt(usd);
  await (await asset.mint(depositor.address, deposit)).wait();
  await (await asset.connect(depositor).approve(await vault.getAddress(), deposit)).wait();
  await (await vault.connect(depositor).deposit(deposit, depositor.address)).wait();
  log(`${depositor.address} deposited ${formatUnits(deposit, usd)} mUSD`);

  const scenarios = JSON.parse(fs.readFileSync(path.join(exampleModelDir(root, VAULT_MODEL), "scenarios.json"), "utf8")) as { buy: number[] };
  check(scenarios.buy.length === WINDOW, `scenarios.json's "buy" window has ${WINDOW} prices`);
  for (const p of scenarios.buy) await (await feed.pushPrice(thousandsToAnswer(p, feedDecimals))).wait();
  log(`pushed the "buy" window into the feed: ${scenarios.buy.map((p) => (p * 1000).toFixed(2)).join(", ")} USD`);

  // The model's inputs, read and converted exactly as the vault does; the proof binds the current epoch.
  const epoch: bigint = await vault.epoch();
  const inputs = await readFeedInputs(feed, m.publicSignals.inputs.scaleBits);
  const onChain: bigint[] = [...(await vault.currentModelInputs())].map(BigInt);
  check(onChain.join() === inputs.q.join(), "the vault's model inputs equal the ones computed off-chain from the feed");
  log(`${m.name}: proving the forecast on feed rounds ${inputs.roundIds[0]}..${inputs.roundIds[WINDOW - 1]}, bound to epoch ${epoch} ...`);
  const proved = await hre.zkml.prove(VAULT_MODEL, { prices: inputs.floats }, { bindings: { epoch } });
  const prediction = decodeOutputs(m, proved.calldata.publicSignals)[0];
  const expected: bigint[] = [...(await vault.publicSignals(prediction))].map(BigInt);
  check(expected.join() === proved.calldata.publicSignals.map(BigInt).join(), "the proof's public signals are the ones the vault will check");

  const tx = await vault.rebalance({ a: proved.calldata.a, b: proved.calldata.b, c: proved.calldata.c }, prediction);
  const receipt = await tx.wait();
  check(receipt?.status === 1, "rebalance succeeded");
  const event = receipt.logs.map((l: Contract) => vault.interface.parseLog(l)).find((e: Contract) => e?.name === "Rebalanced");
  check(event !== undefined, "rebalance emitted Rebalanced");
  const { predictedPrice, currentPrice, direction, amountIn, amountOut } = event.args as Record<string, bigint>;
  check((await vault.epoch()) === epoch + 1n, "the epoch moved on (the proof is spent)");
  const dir = Direction[Number(direction)];
  check(dir === "buy", `the "buy" window's proven forecast made the vault buy, not ${dir}`);
  const vaultAt = await vault.getAddress();
  const [idle, risk]: bigint[] = [await asset.balanceOf(vaultAt), await riskAsset.balanceOf(vaultAt)];
  check(idle === deposit - amountIn && risk === amountOut, "the vault's balances moved by the swapped amounts");

  const price = (v: bigint) => `${formatUnits(v, feedDecimals)} USD`;
  const move = Number(((predictedPrice - currentPrice) * 1_000_000n) / currentPrice) / 10_000;
  const swapped = `${formatUnits(amountIn, usd)} mUSD -> ${formatUnits(amountOut, weth)} mWETH`;
  log(`rebalance: predicted ${price(predictedPrice)} vs current ${price(currentPrice)} (${move >= 0 ? "+" : ""}${move.toFixed(2)}%): ${dir}, swapped ${swapped} (gasUsed ${receipt.gasUsed})`);

  const { thresholdBps } = await vault.strategy();
  return [
    ["vault model", `${m.name} (${m.circuit.constraints} constraints), proofs bound to the vault's epoch (${epoch})`],
    ["vault forecast", `${price(predictedPrice)} predicted vs ${price(currentPrice)} current (${move >= 0 ? "+" : ""}${move.toFixed(2)}%, threshold ${Number(thresholdBps) / 100}%)`],
    ["vault step", `${dir}: swapped ${swapped}; vault holds ${formatUnits(idle, usd)} mUSD + ${formatUnits(risk, weth)} mWETH`],
    ["rebalance gas", `${receipt.gasUsed} (rebalance receipt gasUsed: ${WINDOW} feed rounds + proof check + swap, incl. 21000 base)`],
  ];
}

async function main(): Promise<void> {
  const root = hre.config.paths.root;
  const log = progress();

  // 1. Example model (generated deterministically, no Python needed).
  ensureExampleModel(root, log);
  const inputFile = path.join(exampleModelDir(root), "input.json");

  // 2. Compile: ONNX -> quantized circuit -> Groth16 keys -> Solidity verifier.
  const [built] = await hre.zkml.compile({ name: MODEL, log });
  const m = built.manifest;
  log(`compiling Solidity (${m.contractName}) ...`);
  await hre.run("compile", { quiet: true });

  // 3. Prove one inference.
  const proofDir = path.join(hre.config.zkml.buildDir, "proofs", MODEL);
  // snarkjs builds its bn128 curve (WASM + worker threads) once per process; after a cached compile that
  // one-time cost (~2 s) lands in the first prove, so the summary says so.
  const curveWarm = Boolean((globalThis as { curve_bn128?: unknown }).curve_bn128);
  const tProve = Date.now();
  const r = await hre.zkml.prove(MODEL, inputFile, { out: proofDir, log });
  const proveMs = Date.now() - tProve;
  log(`proved in ${seconds(proveMs)}; wrote ${path.relative(root, proofDir)}/{proof,public,output,calldata}.json`);
  check(r.reference !== undefined, "onnxruntime reference outputs are present");

  // 4. Verify off-chain.
  const off = await hre.zkml.verify(MODEL, r.proof, r.publicSignals);
  check(off.valid, `off-chain verification (${off.reason ?? "ok"})`);
  log("off-chain verification: valid");

  // 5. Deploy the verifier and verify on-chain.
  const verifier = await hre.zkml.deployVerifier(MODEL);
  const address = await verifier.getAddress();
  log(`deployed ${m.contractName} at ${address} (in-process Hardhat network)`);
  const onchain = await callVerifyProof(verifier, r.calldata);
  check(onchain === true, `verifyProof on-chain returned ${onchain} for the real proof`);
  const gas: bigint = await verifier.verifyProof.estimateGas(...verifyProofArgs(r.calldata));
  log(`on-chain verifyProof: true (estimateGas ${gas})`);

  // 6. A tampered public output (the packed word holding output[0]) must be rejected on-chain.
  const tampered = structuredClone(r.calldata);
  const o = m.publicSignals.outputs.offset;
  tampered.publicSignals[o] = toField(BigInt(tampered.publicSignals[o]) + 1n).toString();
  const tamperedResult = await callVerifyProof(verifier, tampered);
  check(tamperedResult === false, `verifyProof on a tampered output returned ${tamperedResult}, expected false`);
  log("on-chain verifyProof with output word 0 + 1: false (rejected)");

  // 7. The on-chain-accepted signals decode to the proved outputs.
  const ps = m.publicSignals;
  const decoded = {
    outputs: decodeOutputs(m, r.calldata.publicSignals).map((q) => dequantize(q, ps.outputs.scaleBits)),
    inputs: decodeInputs(m, r.calldata.publicSignals).map((q) => dequantize(q, ps.inputs.scaleBits)),
  };
  const proved = r.outputs.flatMap((x) => x.values);
  check(decoded.outputs.length === proved.length && decoded.outputs.every((v, i) => v === proved[i]), "calldata public signals decode to the proved outputs");
  const reference = r.reference!.outputs.flat();
  const verdict = creditDecision(proved);
  check(verdict === creditDecision(reference), `proved decision "${verdict}" equals onnxruntime's "${creditDecision(reference)}"`);

  const t = m.timingsMs;
  const setupMs = (t.ptau ?? 0) + (t.setup ?? 0);
  const compileMs = Object.values(t).reduce((a, b) => a + b, 0);
  const lines: Line[] = [
    ["model", `${m.name} (${path.relative(root, hre.config.zkml.models[MODEL].onnx)}), modelHash ${m.modelHash.slice(0, 18)}...`],
    ["circuit", `${m.circuit.constraints} constraints, ${m.circuit.wires} wires, ptau 2^${m.ptau.power}${m.ptau.development ? " (development only)" : ""}`],
    ["public signals", `${m.publicSignals.count} (${m.publicSignals.outputs.packing.values} outputs and ${m.publicSignals.inputs.packing.values} inputs packed into ${m.publicSignals.outputs.count} + ${m.publicSignals.inputs.count}, scale 2^${m.publicSignals.outputs.scaleBits})`],
    ["compile time", `${seconds(compileMs)} total: circom ${seconds(t.circom)}, setup ${seconds(setupMs)}${built.cached ? " (cached build; times from when it was built)" : ""}`],
    ["prove time", `${seconds(proveMs)} (witness + Groth16 proof + onnxruntime reference${curveWarm ? "" : "; incl. snarkjs's one-time curve init"})`],
    ["input", fmt(decoded.inputs)],
    ["proved logits", `${fmt(proved)}  [reject, approve]`],
    ["onnxruntime", fmt(reference)],
    ["max abs error", r.reference!.maxAbsError.toExponential(3)],
    ["decision", `${verdict} (argmax of the proved logits)`],
    ["off-chain verify", "valid"],
    ["on-chain verify", `true (${m.contractName} at ${address})`],
    ["verify gas", `${gas} (estimateGas of a transaction calling verifyProof, incl. 21000 base)`],
    ["tampered output", "rejected on-chain (verifyProof returned false)"],
  ];

  // 8. The applications, on the same in-process chain: an ERC-7007 mint and a proven AI-vault step.
  lines.push(...(await aigcDemo(log)));
  lines.push(...(await vaultDemo(root, log)));
  const w = Math.max(...lines.map(([k]) => k.length));
  console.log("\n=== hardhat-zkml demo summary ===");
  for (const [k, v] of lines) console.log(`${k.padEnd(w)}  ${v}`);
}

main()
  .catch((e) => {
    // A ZkmlError is a user-facing problem (bad input, missing file): its message is enough.
    console.error(`\nDEMO FAILED: ${e instanceof ZkmlError ? e.message : e instanceof Error ? (e.stack ?? e.message) : e}`);
    process.exitCode = 1;
  })
  .finally(() => releaseSnarkjs());
