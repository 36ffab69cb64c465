// The project's own example models, built from TypeScript without Python or network access (./models/<name>.ts,
// each exporting `build(outDir)`, which writes <outDir>/<name>/{network.onnx, input.json, ...} deterministically,
// from fixed seeds, and atomically). Built into <root>/examples/models/, never committed.
import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";

/** The demo's model. */
export const EXAMPLE_MODEL = "credit_mlp";

/** Each example's builder, by name. */
const BUILDERS: Record<string, () => Promise<{ build(outDir: string): Promise<void> }>> = {
  credit_mlp: () => import("./models/credit_mlp"),
  face_match: () => import("./models/face_match"),
  gan_mini: () => import("./models/gan_mini"),
  kaggle_scorer: () => import("./models/kaggle_scorer"),
  pixel_gen: () => import("./models/pixel_gen"),
  price_forecaster: () => import("./models/price_forecaster"),
};

/** The example models' names, sorted. */
export const EXAMPLE_MODELS: readonly string[] = Object.keys(BUILDERS).sort();

/** Builds the examples `names` (all when empty) into `outDir`/<name>/; their builders log each file written. */
export async function buildExampleModels(outDir: string, names: readonly string[] = []): Promise<void> {
  const unknown = names.filter((n) => !(n in BUILDERS));
  if (unknown.length > 0) throw new Error(`no example model ${unknown.join(", ")}; known: ${EXAMPLE_MODELS.join(", ")}`);
  for (const name of names.length > 0 ? names : EXAMPLE_MODELS) await (await BUILDERS[name]()).build(outDir);
}

export function exampleModelDir(root: string, name = EXAMPLE_MODEL): string {
  return path.join(root, "examples", "models", name);
}

/**
 * Builds <root>/examples/models/<name> (network.onnx, input.json, ...) when missing. Synchronous, so it runs the
 * build in a child process (under ts-node when this file is TypeScript) and passes its output to `log`.
 */
export function ensureExampleModel(root: string, log: (msg: string) => void = () => undefined, name = EXAMPLE_MODEL): void {
  const dir = exampleModelDir(root, name);
  if (fs.existsSync(path.join(dir, "network.onnx")) && fs.existsSync(path.join(dir, "input.json"))) return;
  if (!(name in BUILDERS)) throw new Error(`no example model ${name}; known: ${EXAMPLE_MODELS.join(", ")}`);
  log(`building the example model into ${path.relative(root, dir)} ...`);
  const run = `require(${JSON.stringify(__filename)}).buildExampleModels(${JSON.stringify(path.dirname(dir))}, [${JSON.stringify(name)}])` +
    `.catch((e) => { console.error(e); process.exitCode = 1; })`;
  // Run from this package's root, so ts-node compiles with its tsconfig.json whatever `root` holds; the built
  // package (dist/*.js) runs as it is.
  const register = __filename.endsWith(".ts") ? ["-r", require.resolve("ts-node/register/transpile-only")] : [];
  const out = execFileSync(process.execPath, [...register, "-e", run], {
    cwd: path.resolve(__dirname, "..", ".."),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (const line of out.trimEnd().split("\n")) log(`  ${line}`);
  if (!fs.existsSync(path.join(dir, "network.onnx"))) throw new Error(`building example model ${name} did not produce ${path.join(dir, "network.onnx")}`);
}

/** Path of an example model's ONNX file under `root`, built first if missing. */
export function exampleModelOnnx(root: string, name = EXAMPLE_MODEL): string {
  ensureExampleModel(root, undefined, name);
  return path.join(exampleModelDir(root, name), "network.onnx");
}
