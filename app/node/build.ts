// Builds the page with Vite (app/vite.config.mts) into app/dist, in a child process (Vite is ESM-only; the runners
// are CommonJS). Skipped when app/dist is newer than every source the page bundles (app/ and src/), so a test run
// or a restarted `npm run app` builds once.
import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";

export const APP_DIR = path.resolve(__dirname, "..");
export const DIST_DIR = path.join(APP_DIR, "dist");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "dist" && entry.name !== "node") newest = Math.max(newest, newestSource(p));
    } else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds app/dist unless it is up to date; returns its path. */
export function buildApp(log: (msg: string) => void = () => undefined, force = false): string {
  const stamp = path.join(DIST_DIR, "index.html");
  const sources = Math.max(newestSource(APP_DIR), newestSource(path.join(APP_DIR, "..", "src")));
  if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > sources) return DIST_DIR;
  log("building the page with Vite...");
  const vite = path.join(APP_DIR, "..", "node_modules", "vite", "bin", "vite.js");
  execFileSync(process.execPath, [vite, "build", "--config", path.join(APP_DIR, "vite.config.mts"), "--logLevel", "warn"], { cwd: path.join(APP_DIR, ".."), stdio: ["ignore", "inherit", "inherit"] });
  return DIST_DIR;
}
