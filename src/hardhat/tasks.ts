import path from "path";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatPluginError } from "hardhat/plugins";
import { releaseProvingSystems } from "../backend/provers";
import { ZkmlError } from "../errors";
import { listrSteps } from "./progress";

/** One error line for bad input (no stack trace), the proving systems' worker threads always released. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ZkmlError) throw new HardhatPluginError("hardhat-zkml", e.message);
    throw e;
  } finally {
    await releaseProvingSystems();
  }
}

function progress(): (msg: string) => void {
  const t0 = Date.now();
  return (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
}

task("zkml:compile", "Compiles ONNX models to circuits, Groth16 keys and Solidity verifiers")
  .addOptionalParam("model", "An ONNX file to compile (default: every model in zkml.models)")
  .addOptionalParam("name", "Model name (from zkml.models, or the name for --model)")
  .addOptionalParam("ptau", "A ceremony powers-of-tau file (default: a development-only key from fresh, discarded secrets)")
  .addOptionalParam("scaleBits", "Fixed-point fraction bits (default: calibrated per model)", undefined, types.int)
  .addOptionalParam("calibration", "Calibration inputs: a JSON file with one input or an array of inputs")
  .addOptionalParam("inputBits", "Bits of the quantized input range", undefined, types.int)
  .addFlag("force", "Rebuild even when nothing changed")
  .addFlag("noSolidity", "Do not run Hardhat's Solidity compile afterwards")
  .addFlag("snarkjsLog", "Show snarkjs progress lines")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const log = progress();
      // Paths given on the command line are relative to the shell's directory; config paths to the project root.
      const abs = (p?: string) => (p ? path.resolve(p) : undefined);
      const built = await hre.zkml.compile({ onnx: abs(args.model), name: args.name, ptau: abs(args.ptau), scaleBits: args.scaleBits, inputBits: args.inputBits, calibration: abs(args.calibration), force: args.force, verbose: args.snarkjsLog, log, progress: listrSteps() });
      if (!args.noSolidity) await hre.run("compile", { quiet: true });
      console.log("");
      console.table(
        built.map(({ manifest: m, dir, cached }) => ({
          model: m.name,
          constraints: m.circuit.constraints,
          "public signals": m.publicSignals.count,
          ptau: `2^${m.ptau.power}${m.ptau.development ? " (dev)" : ""}`,
          "circom s": cached ? "cached" : (m.timingsMs.circom / 1000).toFixed(1),
          "setup s": cached ? "cached" : (m.timingsMs.setup / 1000).toFixed(1),
          verifier: m.contractName,
          dir: path.relative(hre.config.paths.root, dir),
        })),
      );
      return built;
    }),
  );

task("zkml:prove", "Proves one inference of a compiled model")
  .addParam("model", "Model name")
  .addOptionalParam("input", "Input JSON: EZKL's {\"input_data\": [[...]]} or {\"<inputName>\": [...]}")
  .addOptionalParam("prompt", "A seeded model's prompt (visibility.input \"seeded\"), instead of --input")
  .addOptionalParam("context", "A fingerprinted model's challenge context, e.g. the NFT recipient's address (default 0)")
  .addOptionalParam("out", "Output directory (default: <buildDir>/proofs/<model>)")
  .addOptionalParam("bind", "Values of the model's bound inputs: name=value[,name=value] (e.g. recipient=0xabc...)")
  .addOptionalParam("salt", "Salt of a salted input commitment (visibility.inputSalt), a field element")
  .addOptionalParam("prover", "Proving system (default: zkml.prover, else \"snarkjs\")")
  .addFlag("noReference", "Skip the onnxruntime comparison")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const out = args.out ? path.resolve(args.out) : path.join(hre.config.zkml.buildDir, "proofs", args.model);
      const bindings = Object.fromEntries(
        (args.bind ?? "").split(",").filter(Boolean).map((kv: string) => {
          const [k, v] = kv.split("=");
          if (!k || v === undefined) throw new ZkmlError(`--bind takes name=value pairs, got "${kv}"`);
          return [k.trim(), v.trim()];
        }),
      );
      if ((args.input === undefined) === (args.prompt === undefined)) throw new ZkmlError("give either --input (a JSON file) or --prompt (a seeded model's prompt)");
      const input = args.prompt !== undefined ? { prompt: args.prompt } : path.resolve(args.input);
      const r = await listrSteps()(`${args.model}: prove`, () =>
        hre.zkml.prove(args.model, input, { out, reference: !args.noReference, bindings, salt: args.salt, context: args.context, prover: args.prover }),
      );
      if (r.seed) console.log(`seed: ${r.seed}`);
      if (r.challenge) console.log(`challenge r: ${r.challenge} (fingerprint ${r.publicSignals[0]})`);
      for (const [k, v] of Object.entries(r.commitments)) console.log(`${k} commitment: ${v}`);
      // Large outputs (an image) are shown by their first values; output.json has them all.
      const show = (vs: number[]) => vs.slice(0, 16).map((v) => +v.toFixed(6)).join(", ") + (vs.length > 16 ? `, ... (${vs.length} values)` : "");
      r.outputs.forEach((o, i) => {
        console.log(`output "${o.name}" [${o.shape}]: ${show(o.values)}`);
        if (r.reference) console.log(`  onnxruntime:       ${show(r.reference.outputs[i])}`);
      });
      if (r.reference) console.log(`max |proved - onnxruntime| = ${r.reference.maxAbsError.toExponential(3)}`);
      console.log(`wrote proof.json, public.json, output.json, calldata.json to ${path.relative(process.cwd(), out) || "."}`);
      return r;
    }),
  );

task("zkml:verify", "Verifies a proof off-chain; fails unless it is valid for the model")
  .addParam("model", "Model name")
  .addParam("proof", "Directory with proof.json and public.json (as written by zkml:prove)")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const { verifyProofDir } = await import("../pipeline/prove");
      const r = await verifyProofDir(hre.zkml.modelDir(args.model), path.resolve(args.proof), { prover: hre.config.zkml.prover });
      if (!r.valid) throw new ZkmlError(`INVALID proof: ${r.reason}`);
      console.log(`valid proof for model "${args.model}"`);
      r.outputs?.forEach((o) => console.log(`output "${o.name}": ${o.values.join(", ")}`));
      for (const [k, v] of Object.entries(r.commitments ?? {})) console.log(`${k} commitment: ${v}`);
      return r;
    }),
  );

/** Phase-2 steps replace the key: the verifier in contracts/ must follow, and old proofs stop verifying. */
async function afterKeyChange(hre: HardhatRuntimeEnvironment, model: string): Promise<void> {
  const { writeVerifier } = await import("../pipeline/compile");
  writeVerifier(hre.zkml.modelDir(model), hre.zkml.manifest(model), hre.config.zkml.verifiersDir);
  await hre.run("compile", { quiet: true });
  console.log("the verification key changed: redeploy the verifier; proofs made before this step no longer verify");
}

task("zkml:contribute", "Adds a phase-2 contribution to a compiled model's Groth16 key")
  .addParam("model", "Model name")
  .addOptionalParam("participant", "Contributor name recorded in the key", "anonymous")
  .addOptionalParam("entropy", "Extra entropy (default: 32 random bytes)")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const { contributeModel } = await import("../pipeline/phase2");
      const { step, warning } = await listrSteps()(`${args.model}: contribute`, () => contributeModel(hre.zkml.modelDir(args.model), args.participant, args.entropy, { prover: hre.config.zkml.prover }));
      console.log(`contribution "${step.name}" hash: ${step.hash}`);
      if (warning) console.warn(warning);
      await afterKeyChange(hre, args.model);
    }),
  );

task("zkml:beacon", "Finishes a model's phase-2 ceremony with a public random beacon")
  .addParam("model", "Model name")
  .addParam("beacon", "Beacon as hex (e.g. a future block hash, announced in advance)")
  .addOptionalParam("iterations", "log2 of the beacon's hash iterations", 10, types.int)
  .setAction(async (args, hre) =>
    guarded(async () => {
      const { beaconModel } = await import("../pipeline/phase2");
      const { step } = await listrSteps()(`${args.model}: beacon`, () => beaconModel(hre.zkml.modelDir(args.model), "final beacon", args.beacon, args.iterations, { prover: hre.config.zkml.prover }));
      console.log(`beacon applied, hash: ${step.hash}`);
      await afterKeyChange(hre, args.model);
    }),
  );

task("zkml:verify-setup", "Checks a model's Groth16 key against its circuit and powers of tau (snarkjs zkey verify)")
  .addParam("model", "Model name")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const { verifySetup } = await import("../pipeline/phase2");
      const ok = await listrSteps()(`${args.model}: verify setup`, () => verifySetup(hre.zkml.modelDir(args.model), { prover: hre.config.zkml.prover }));
      if (!ok) throw new ZkmlError(`the Groth16 key of "${args.model}" does NOT match its circuit and powers of tau`);
      const m = hre.zkml.manifest(args.model);
      console.log(`key verified: ${1 + (m.phase2?.length ?? 0)} phase-2 contribution(s); ptau ${m.ptau.ceremony ?? (m.ptau.development ? "development-only (local)" : "user-supplied")}`);
      return ok;
    }),
  );
