import fs from "fs";
import path from "path";

/**
 * Builds a directory under a temporary name and moves it into place only when `build` succeeds, so an
 * interrupted or failed step never leaves a half-written result where a complete one is expected.
 */
export async function writeDirAtomically<T>(dest: string, build: (tmp: string) => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(dest), `.${path.basename(dest)}.tmp-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; the result should look like any other directory
  try {
    const result = await build(tmp);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
    return result;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export function writeFileAtomically(dest: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, dest);
}

export function writeJson(dest: string, value: unknown): void {
  writeFileAtomically(dest, JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
}
