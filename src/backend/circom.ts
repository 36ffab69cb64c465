import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { fail } from "../errors";

export interface CircomArtifacts {
  r1cs: string;
  wasm: string;
  sym: string;
  /** circom's generated witness calculator, used to compute witnesses in-process. */
  witnessCalculator: string;
  /** A linked circuit's symbols: the interface's plus the body's wires, named as circom would name them. */
  linkedSym?: string;
}

/** A native `circom` on PATH when there is one (much faster), otherwise the npm circom2 WASM build. */
export function circomCommand(): { cmd: string; args: string[]; label: string } {
  const native = spawnSync("circom", ["--version"], { encoding: "utf8" });
  if (native.status === 0) return { cmd: "circom", args: [], label: native.stdout.trim() };
  return { cmd: process.execPath, args: [require.resolve("circom2/cli.js")], label: `circom2 (WASM) ${require("circom2/package.json").version}` };
}

/**
 * `optimize` false keeps every signal on its own wire (--O0): a linked interface needs the wires of
 * in[], params[] and out[] even where -O2 would substitute them away.
 */
export function compileCircuit(circuitFile: string, outDir: string, includeDirs: string[], optimize = true): CircomArtifacts {
  const { cmd, args } = circomCommand();
  const base = path.basename(circuitFile, ".circom");
  const res = spawnSync(
    cmd,
    [...args, circuitFile, "--r1cs", "--wasm", "--sym", optimize ? "--O2" : "--O0", "-o", outDir, ...includeDirs.flatMap((d) => ["-l", d])],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (res.status !== 0) {
    const msg = `${res.stderr}\n${res.stdout}`.split("\n").filter((l) => /error/i.test(l)).slice(0, 5).join(" | ");
    fail(`circom failed on ${path.basename(circuitFile)}: ${msg || res.error?.message || `exit ${res.status}`}`);
  }
  const artifacts = {
    r1cs: path.join(outDir, `${base}.r1cs`),
    wasm: path.join(outDir, `${base}_js`, `${base}.wasm`),
    sym: path.join(outDir, `${base}.sym`),
    witnessCalculator: path.join(outDir, `${base}_js`, "witness_calculator.js"),
  };
  for (const f of Object.values(artifacts)) if (!fs.existsSync(f)) fail(`circom did not produce ${f}`);
  markCommonJs(path.dirname(artifacts.witnessCalculator));
  return artifacts;
}

/**
 * circom's witness_calculator.js is CommonJS; in a project whose package.json says "type": "module"
 * (every Hardhat 3 project) Node would load it as an ES module and fail. A package.json beside it says
 * which it is.
 */
function markCommonJs(dir: string): void {
  const file = path.join(dir, "package.json");
  if (!fs.existsSync(file)) fs.writeFileSync(file, `{ "type": "commonjs" }\n`);
}

/** Full witness (wire 0 is the constant 1), computed by circom's own witness code. */
export async function computeWitness(wasmFile: string, witnessCalculatorFile: string, input: Record<string, unknown>): Promise<bigint[]> {
  markCommonJs(path.dirname(path.resolve(witnessCalculatorFile))); // a build compiled before it was written
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const build = require(path.resolve(witnessCalculatorFile));
  const wc = await build(fs.readFileSync(wasmFile));
  return wc.calculateWitness(input, true);
}
