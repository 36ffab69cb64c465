// The project's own example models: built by scripts/build-example-models.ts, never committed.
import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";

export const EXAMPLE_MODEL = "credit_mlp";

export function exampleModelDir(root: string): string {
  return path.join(root, "examples", "models", EXAMPLE_MODEL);
}

/** Builds examples/models/credit_mlp (network.onnx, input.json) when missing, via the project's own script. */
export function ensureExampleModel(root: string, log: (msg: string) => void = () => undefined): void {
  const dir = exampleModelDir(root);
  if (fs.existsSync(path.join(dir, "network.onnx")) && fs.existsSync(path.join(dir, "input.json"))) return;
  log(`building the example model into ${path.relative(root, dir)} ...`);
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  const out = execFileSync(npx, ["ts-node", "--transpile-only", "scripts/build-example-models.ts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  for (const line of out.trimEnd().split("\n")) log(`  ${line}`);
  if (!fs.existsSync(path.join(dir, "network.onnx"))) throw new Error(`scripts/build-example-models.ts did not produce ${path.join(dir, "network.onnx")}`);
}

/** Path of the example model's ONNX file under `root`, built first if missing. */
export function exampleModelOnnx(root: string): string {
  ensureExampleModel(root);
  return path.join(exampleModelDir(root), "network.onnx");
}
