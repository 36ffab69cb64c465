// Benchmark models: architectures other projects publish figures for, built here with seeded weights so
// that constraint counts can be compared (scripts/bench/constraints.ts). Not examples: they are not trained
// and the demo and `npm run bench`'s proofs do not use them. Built into <root>/examples/models/<name>/.
// deep_cnn is the exception to "published": a plain deep CNN of our own, sized to be too large for one proof
// at a 24 GiB machine's default limit, for proving as a chain of segments (issue 20).
import fs from "fs";
import path from "path";
import { execFileSync } from "child_process";

const BUILDERS: Record<string, () => Promise<{ build(outDir: string): Promise<string> }>> = {
  deep_cnn: () => import("./deep_cnn"),
  mnist_cnn: () => import("./mnist_cnn"),
};

export const BENCHMARK_MODELS: readonly string[] = Object.keys(BUILDERS).sort();

/** Builds the benchmark models `names` (all when empty) into `outDir`/<name>/. */
export async function buildBenchmarkModels(outDir: string, names: readonly string[] = []): Promise<void> {
  const unknown = names.filter((n) => !(n in BUILDERS));
  if (unknown.length > 0) throw new Error(`no benchmark model ${unknown.join(", ")}; known: ${BENCHMARK_MODELS.join(", ")}`);
  for (const name of names.length > 0 ? names : BENCHMARK_MODELS) await (await BUILDERS[name]()).build(outDir);
}

/** Path of a benchmark model's ONNX file under <root>/examples/models, built first (in a child process) if missing. */
export function benchmarkModelOnnx(root: string, name: string): string {
  const dir = path.join(root, "examples", "models", name);
  const onnx = path.join(dir, "network.onnx");
  if (fs.existsSync(onnx)) return onnx;
  if (!(name in BUILDERS)) throw new Error(`no benchmark model ${name}; known: ${BENCHMARK_MODELS.join(", ")}`);
  const run = `require(${JSON.stringify(__filename)}).buildBenchmarkModels(${JSON.stringify(path.dirname(dir))}, [${JSON.stringify(name)}])` +
    `.catch((e) => { console.error(e); process.exitCode = 1; })`;
  const register = __filename.endsWith(".ts") ? ["-r", require.resolve("ts-node/register/transpile-only")] : [];
  execFileSync(process.execPath, [...register, "-e", run], { cwd: path.resolve(__dirname, "..", "..", ".."), stdio: ["ignore", "inherit", "inherit"] });
  if (!fs.existsSync(onnx)) throw new Error(`building benchmark model ${name} did not produce ${onnx}`);
  return onnx;
}
