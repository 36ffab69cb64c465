// Builds the project's own example models, without Python or network access:
//
//   npx ts-node --transpile-only scripts/build-example-models.ts [outDir] [name...]
//
// Each example lives in scripts/models/<name>.ts and exports `build(outDir)`, which writes
// <outDir>/<name>/{network.onnx, input.json, ...} deterministically (fixed seeds) and atomically.
import fs from "fs";
import path from "path";

async function main(): Promise<void> {
  const [outArg, ...only] = process.argv.slice(2);
  const outDir = path.resolve(outArg ?? path.join(__dirname, "..", "examples", "models"));
  const modelsDir = path.join(__dirname, "models");
  const names = fs.readdirSync(modelsDir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0) throw new Error(`no example model ${unknown.join(", ")}; known: ${names.join(", ")}`);
  for (const name of only.length > 0 ? only : names) {
    const { build } = await import(path.join(modelsDir, name));
    await build(outDir);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
