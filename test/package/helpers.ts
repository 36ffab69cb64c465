import { spawnSync, SpawnSyncReturns } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

export const REPO = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(REPO, "test", "fixture-projects");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; its output is kept (and shown when a check fails). */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Like run, but a non-zero exit fails with the command's output. */
export function runOk(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Run {
  const r = run(cmd, args, cwd, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

let packed: { tarball: string; files: { path: string; size: number }[]; size: number } | undefined;

/** `npm pack` of this repository (its `prepare` builds dist/), once per test process. */
export function packTarball() {
  if (packed) return packed;
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-pack-"));
  const r = runOk("npm", ["pack", "--json", "--pack-destination", dest], REPO);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf("[")));
  packed = { tarball: path.join(dest, info.filename), files: info.files, size: info.size };
  return packed;
}

/**
 * A user's project: the fixture copied to a fresh folder, its locked dependencies installed with
 * `npm ci`, then the packed tarball installed the way a user installs a package (not saved, so the
 * fixture's lockfile stays valid whatever the tarball's hash).
 */
export function installFixture(name: string, env: NodeJS.ProcessEnv = process.env, opts: { withPackage?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zkml-${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|artifacts|cache|zkml-build|models|types|typechain-types)$/.test(src) });
  runOk("npm", ["ci", "--no-audit", "--no-fund"], dir, env);
  if (opts.withPackage !== false) runOk("npm", ["install", "--no-save", "--no-audit", "--no-fund", packTarball().tarball], dir, env);
  return dir;
}

/**
 * A preload that records every module file loaded by the process (CommonJS and ES modules) into
 * `out` at exit: what a plain `npx hardhat --help` pulls in.
 */
export function moduleTrace(out: string): string {
  const file = path.join(path.dirname(out), "trace-modules.cjs");
  fs.writeFileSync(
    file,
    `const fs = require("fs");
const seen = new Set();
const mod = require("module");
const load = mod._load;
mod._load = function (request, parent, isMain) {
  try { seen.add(mod._resolveFilename(request, parent, isMain)); } catch {}
  return load.apply(this, arguments);
};
process.on("exit", () => fs.writeFileSync(${JSON.stringify(out)}, [...seen, ...Object.keys(require.cache)].join("\\n")));
`,
  );
  return file;
}

/** Environment of a developer's terminal: Hardhat shows stack traces by default on CI or without a display. */
export function terminalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: ":0", ...extra };
  delete env.CI;
  return env;
}

/** The lines a failed command printed, npm's own warnings left out. */
export function errorLines(r: Run): string[] {
  return (r.stdout + r.stderr).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("npm warn"));
}
