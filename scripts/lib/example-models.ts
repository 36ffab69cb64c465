// The project's own example models: built by scripts/build-example-models.ts, never committed.
import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";

export const EXAMPLE_MODEL = "credit_mlp";

export function exampleModelDir(root: string, name = EXAMPLE_MODEL): string {
  return path.join(root, "examples", "models", name);
}

/** Builds examples/models/<name> (network.onnx, input.json) when missing, via the project's own script. */
export function ensureExampleModel(root: string, log: (msg: string) => void = () => undefined, name = EXAMPLE_MODEL): void {
  const dir = exampleModelDir(root, name);
  if (fs.existsSync(path.join(dir, "network.onnx")) && fs.existsSync(path.join(dir, "input.json"))) return;
  log(`building the example model into ${path.relative(root, dir)} ...`);
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  const out = execFileSync(npx, ["ts-node", "--transpile-only", "scripts/build-example-models.ts", path.join(root, "examples", "models"), name], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  for (const line of out.trimEnd().split("\n")) log(`  ${line}`);
  if (!fs.existsSync(path.join(dir, "network.onnx"))) throw new Error(`scripts/build-example-models.ts did not produce ${path.join(dir, "network.onnx")}`);
}

/** Path of an example model's ONNX file under `root`, built first if missing. */
export function exampleModelOnnx(root: string, name = EXAMPLE_MODEL): string {
  ensureExampleModel(root, undefined, name);
  return path.join(exampleModelDir(root, name), "network.onnx");
}
