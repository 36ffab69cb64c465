import { spawn } from "child_process";
import fs from "fs";
import path from "path";

export interface StepResult {
  ms: number;
  peakMB: number;
  [k: string]: unknown;
}

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Runs one step of scripts/bench/worker.ts in its own process under GNU time, so the step's peak RSS
 * (incl. circom's process) is known. `env` is added to the worker's environment; the worker's stderr
 * lines starting with `keepStderr` are returned as `stderrLines`.
 */
export function worker(args: string[], opts: { env?: Record<string, string>; keepStderr?: RegExp } = {}): Promise<StepResult> {
  const script = path.join(__dirname, "worker.ts");
  const node = [process.execPath, "-r", "ts-node/register/transpile-only", script, ...args];
  const timed = fs.existsSync("/usr/bin/time");
  const [cmd, ...argv] = timed ? ["/usr/bin/time", "-f", "PEAK_KB %M", ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), ...opts.env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const result = /BENCH_RESULT (.*)/.exec(out);
      const peak = /PEAK_KB (\d+)/.exec(err);
      if (code !== 0 || !result) return reject(new Error(/BENCH_ERROR (.*)/.exec(err)?.[1] ?? (err.trim().split("\n").pop() || `exit ${code}`)));
      const kept = opts.keepStderr ? err.split("\n").filter((l) => opts.keepStderr!.test(l)) : undefined;
      resolve({ ...JSON.parse(result[1]), peakMB: peak ? Math.round(Number(peak[1]) / 1024) : NaN, ...(kept ? { stderrLines: kept } : {}) });
    });
  });
}
