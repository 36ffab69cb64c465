import path from "path";
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { ZkmlError } from "../src/errors";

/** One error line for bad input (no stack trace), snarkjs's worker threads always released. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ZkmlError) throw new HardhatPluginError("hardhat-zkml", e.message);
    throw e;
  } finally {
    await releaseSnarkjs();
  }
}

function progress(): (msg: string) => void {
  const t0 = Date.now();
  return (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
}

task("zkml:compile", "Compiles ONNX models to circuits, Groth16 keys and Solidity verifiers")
  .addOptionalParam("model", "An ONNX file to compile (default: every model in zkml.models)")
  .addOptionalParam("name", "Model name (from zkml.models, or the name for --model)")
  .addOptionalParam("ptau", "A ceremony powers-of-tau file (default: a cached development-only one)")
  .addOptionalParam("scaleBits", "Fixed-point fraction bits", undefined, types.int)
  .addOptionalParam("inputBits", "Bits of the quantized input range", undefined, types.int)
  .addFlag("force", "Rebuild even when nothing changed")
  .addFlag("noSolidity", "Do not run Hardhat's Solidity compile afterwards")
  .addFlag("snarkjsLog", "Show snarkjs progress lines")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const log = progress();
      // Paths given on the command line are relative to the shell's directory; config paths to the project root.
      const abs = (p?: string) => (p ? path.resolve(p) : undefined);
      const built = await hre.zkml.compile({ onnx: abs(args.model), name: args.name, ptau: abs(args.ptau), scaleBits: args.scaleBits, inputBits: args.inputBits, force: args.force, verbose: args.snarkjsLog, log });
      if (!args.noSolidity) await hre.run("compile", { quiet: true });
      console.log("");
      console.table(
        built.map(({ manifest: m, dir, cached }) => ({
          model: m.name,
          constraints: m.circuit.constraints,
          "public signals": m.publicSignals.count,
          ptau: `2^${m.ptau.power}${m.ptau.development ? " (dev)" : ""}`,
          "circom s": cached ? "cached" : (m.timingsMs.circom / 1000).toFixed(1),
          "setup s": cached ? "cached" : ((m.timingsMs.ptau + m.timingsMs.setup) / 1000).toFixed(1),
          verifier: m.contractName,
          dir: path.relative(hre.config.paths.root, dir),
        })),
      );
      return built;
    }),
  );

task("zkml:prove", "Proves one inference of a compiled model")
  .addParam("model", "Model name")
  .addParam("input", "Input JSON: EZKL's {\"input_data\": [[...]]} or {\"<inputName>\": [...]}")
  .addOptionalParam("out", "Output directory (default: <buildDir>/proofs/<model>)")
  .addFlag("noReference", "Skip the onnxruntime comparison")
  .setAction(async (args, hre) =>
    guarded(async () => {
      const log = progress();
      const out = args.out ? path.resolve(args.out) : path.join(hre.config.zkml.buildDir, "proofs", args.model);
      const t0 = Date.now();
      const r = await hre.zkml.prove(args.model, path.resolve(args.input), { out, reference: !args.noReference, log });
      log(`proved in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      r.outputs.forEach((o, i) => {
        console.log(`output "${o.name}" [${o.shape}]: ${o.values.map((v) => +v.toFixed(6)).join(", ")}`);
        if (r.reference) console.log(`  onnxruntime:       ${r.reference.outputs[i].map((v) => +v.toFixed(6)).join(", ")}`);
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
      const { verifyProofDir } = await import("../src/pipeline/prove");
      const r = await verifyProofDir(hre.zkml.modelDir(args.model), path.resolve(args.proof));
      if (!r.valid) throw new ZkmlError(`INVALID proof: ${r.reason}`);
      console.log(`valid proof for model "${args.model}"`);
      r.outputs?.forEach((o) => console.log(`output "${o.name}": ${o.values.join(", ")}`));
      return r;
    }),
  );
