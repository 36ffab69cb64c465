// The end-to-end demo: ONNX model -> circuit -> Groth16 proof -> on-chain verification.
//
//   npx hardhat run scripts/demo.ts      (npm run demo)
//
// Runs on Hardhat's in-process network; exits non-zero if any step or check fails.
import path from "path";
import hre from "hardhat";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { ZkmlError } from "../src/errors";
import { addMod, BN254_P, callVerify, cloneCalldata, decision, decodePublicSignals, ensureExampleModel, EXAMPLE_MODEL, exampleModelDir, verifyArgs } from "../test/e2e/helpers";

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
  const onchain = await callVerify(verifier, r.calldata);
  check(onchain === true, `verifyProof on-chain returned ${onchain} for the real proof`);
  const gas: bigint = await verifier.verifyProof.estimateGas(...verifyArgs(r.calldata));
  log(`on-chain verifyProof: true (estimateGas ${gas})`);

  // 6. A tampered public output must be rejected on-chain.
  const tampered = cloneCalldata(r.calldata);
  const o = m.publicSignals.outputs.offset;
  tampered.publicSignals[o] = addMod(tampered.publicSignals[o], 1n, BN254_P);
  const tamperedResult = await callVerify(verifier, tampered);
  check(tamperedResult === false, `verifyProof on a tampered output returned ${tamperedResult}, expected false`);
  log("on-chain verifyProof with output[0] + 1: false (rejected)");

  // 7. The on-chain-accepted signals decode to the proved outputs.
  const decoded = decodePublicSignals(m, r.calldata.publicSignals);
  const proved = r.outputs.flatMap((x) => x.values);
  check(decoded.outputs.length === proved.length && decoded.outputs.every((v, i) => v === proved[i]), "calldata public signals decode to the proved outputs");
  const reference = r.reference!.outputs.flat();
  const verdict = decision(proved);
  check(verdict === decision(reference), `proved decision "${verdict}" equals onnxruntime's "${decision(reference)}"`);

  const t = m.timingsMs;
  const setupMs = (t.ptau ?? 0) + (t.setup ?? 0);
  const compileMs = Object.values(t).reduce((a, b) => a + b, 0);
  const lines: [string, string][] = [
    ["model", `${m.name} (${path.relative(root, hre.config.zkml.models[MODEL].onnx)}), modelHash ${m.modelHash.slice(0, 18)}...`],
    ["circuit", `${m.circuit.constraints} constraints, ${m.circuit.wires} wires, ptau 2^${m.ptau.power}${m.ptau.development ? " (development only)" : ""}`],
    ["public signals", `${m.publicSignals.count} (${m.publicSignals.outputs.count} outputs + ${m.publicSignals.inputs.count} inputs, scale 2^${m.publicSignals.outputs.scaleBits})`],
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
