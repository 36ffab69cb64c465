// The cost of each privacy mode relative to the public/fixed mode of the same model: constraints,
// public signals and verification gas (generated verifier, and through the ZkmlModel adapter).
//
//   npx hardhat run scripts/privacy-modes.ts        (writes bench/privacy.json)
import fs from "fs";
import os from "os";
import path from "path";
import hre from "hardhat";
import { provingSystem } from "../src/backend/provers";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { compileModel } from "../src/pipeline/compile";
import { proveModel } from "../src/pipeline/prove";
import { solidityLayout } from "../src/privacy/layout";
import { describeVisibility, PUBLIC_VISIBILITY, Visibility } from "../src/privacy/visibility";
import { ensureExampleModel, exampleModelOnnx } from "../src/examples";
import { compileVerifier } from "./lib/solc-verifier";

const ROOT = path.resolve(__dirname, "..");
const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(ROOT, "..", "shared", "models", "ezkl");
const QUANT = { scaleBits: 12, inputBits: 24 };

const MODES: Visibility[] = [
  PUBLIC_VISIBILITY,
  { ...PUBLIC_VISIBILITY, input: "private" },
  { ...PUBLIC_VISIBILITY, input: "hashed" },
  { ...PUBLIC_VISIBILITY, input: "hashed", inputSalt: true },
  { ...PUBLIC_VISIBILITY, params: "private" },
  { ...PUBLIC_VISIBILITY, output: "hashed" },
  { input: "hashed", params: "private", output: "hashed", inputSalt: false },
];

interface Row {
  model: string;
  mode: string;
  constraints: number;
  ratio: number;
  publicSignals: number;
  verifierGas: number;
  adapterGas: number;
}

async function main(): Promise<void> {
  const models: [string, string, string][] = [];
  for (const name of ["credit_mlp", "pixel_gen"]) {
    ensureExampleModel(ROOT, () => undefined, name);
    const onnx = exampleModelOnnx(ROOT, name);
    models.push([name, onnx, path.join(path.dirname(onnx), "input.json")]);
  }
  if (fs.existsSync(path.join(MODELS_DIR, "accuracy"))) models.push(["accuracy", path.join(MODELS_DIR, "accuracy", "network.onnx"), path.join(MODELS_DIR, "accuracy", "input.json")]);
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-privacy-"));
  const [signer] = await hre.ethers.getSigners();
  const rows: Row[] = [];
  try {
    for (const [name, onnx, inputFile] of models) {
      let base = 0;
      for (const [i, visibility] of MODES.entries()) {
        const compiled = await compileModel({ name: `${name}_${i}`, onnx, buildDir, quant: QUANT, visibility, log: () => undefined });
        const m = compiled.manifest;
        const r = await proveModel(compiled.dir, JSON.parse(fs.readFileSync(inputFile, "utf8")), { reference: false, salt: visibility.inputSalt ? 42n : undefined });
        const { abi, bytecode } = compileVerifier(fs.readFileSync(path.join(compiled.dir, m.files.verifier), "utf8"), m.contractName);
        const verifier = await new hre.ethers.ContractFactory(abi as never[], bytecode, signer).deploy();
        const cd = await provingSystem().calldata(r.proof, r.publicSignals);
        const verifierGas = Number(await verifier.getFunction("verifyProof").estimateGas(cd.a, cd.b, cd.c, cd.publicSignals));
        const adapter = await (await hre.ethers.getContractFactory("ZkmlModel")).deploy(await verifier.getAddress(), m.modelHash, solidityLayout(m.publicSignals, m.quant.scaleBits), BigInt(r.commitments.model ?? 0));
        const proof = { a: cd.a, b: cd.b, c: cd.c };
        if (!(await adapter.getFunction("verify")(proof, cd.publicSignals))) throw new Error(`${name}: the adapter rejected a real proof`);
        const adapterGas = Number(await adapter.getFunction("verify").estimateGas(proof, cd.publicSignals));
        if (i === 0) base = m.circuit.constraints;
        const row = { model: name, mode: describeVisibility(visibility), constraints: m.circuit.constraints, ratio: +(m.circuit.constraints / base).toFixed(2), publicSignals: m.publicSignals.count, verifierGas, adapterGas };
        rows.push(row);
        console.log(`${name.padEnd(11)} ${row.mode.padEnd(60)} ${String(row.constraints).padStart(6)} x${row.ratio.toFixed(2).padEnd(5)} ${String(row.publicSignals).padStart(3)} signals  verifier ${verifierGas}  adapter ${adapterGas}`);
      }
    }
  } finally {
    await releaseSnarkjs();
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  console.table(rows);
  fs.mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  const out = path.join(ROOT, "bench", "privacy.json");
  fs.writeFileSync(out, JSON.stringify({ settings: { ...QUANT, gas: "estimateGas of a transaction (incl. 21k base) on Hardhat's in-process EVM: verifyProof on the generated verifier, and ZkmlModel.verify(proof, signals)" }, rows }, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
