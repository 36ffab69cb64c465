import { expect } from "chai";
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

/**
 * The layering rules (.dependency-cruiser.cjs) hold for the repository and fail on planted violations:
 * each plant is a two-file tree in a temporary folder, checked with the project's own rules.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

function cruise(cwd: string, dirs: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, ...dirs, "--config", CONFIG, "--output-type", "err"], { cwd, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function plant(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-layers-"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", target: "es2020", esModuleInterop: true } }));
  for (const [f, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), src);
  }
  return dir;
}

describe("layering (dependency-cruiser)", () => {
  it("the repository follows its rules", () => {
    const r = cruise(ROOT, ["src", "scripts", "deploy"]);
    expect(r.out).to.not.match(/error /);
    expect(r.status, r.out).to.equal(0);
  });

  const plants: [string, Record<string, string>][] = [
    ["layer-ops-imports-upward", { "src/ops/op.ts": 'import { x } from "../pipeline/compile";\nexport const y = x;\n', "src/pipeline/compile.ts": "export const x = 1;\n" }],
    ["no-circular", { "src/lower/a.ts": 'import { b } from "./b";\nexport const a = b;\n', "src/lower/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n' }],
    ["src-imports-outside-src", { "src/pipeline/prove.ts": 'import { h } from "../../test/e2e/helpers";\nexport const p = h;\n', "test/e2e/helpers.ts": "export const h = 1;\n" }],
    ["src-imports-entries", { "src/pipeline/prove.ts": 'import { z } from "../core";\nexport const p = z;\n', "src/core.ts": "export const z = 1;\n" }],
    ["shared-plugin-imports-hardhat", { "src/hardhat/runtime.ts": 'import { task } from "hardhat/config";\nexport const r = task;\n', "node_modules/hardhat/config.js": "exports.task = 1;\n", "node_modules/hardhat/package.json": '{ "name": "hardhat", "main": "config.js" }\n' }],
    ["runners-import-tests", { "scripts/demo.ts": 'import { h } from "../test/e2e/helpers";\nexport const d = h;\n', "test/e2e/helpers.ts": "export const h = 1;\n" }],
  ];
  for (const [rule, files] of plants)
    it(`fails on a planted ${rule}`, () => {
      const dir = plant(files);
      const r = cruise(dir, [...new Set(Object.keys(files).map((f) => f.split("/")[0]).filter((d) => d !== "node_modules"))]);
      expect(r.status, r.out).to.not.equal(0);
      expect(r.out).to.include(`error ${rule}`);
    });
});
