import crypto from "crypto";
import fs from "fs";
import path from "path";
import { fail } from "../errors";

/**
 * The artifact store every worker reaches (issue 20): a shared directory first, an object store later.
 *
 *   <store>/blobs/<sha256>         each file once, named by the hash of its bytes
 *   <store>/sets/<sha256>.json     a set: { files: { <relative path>: <sha256> } }, named by the hash of that JSON
 *
 * A compiled chain is published as one set; a job names the set and the files it needs. A worker copies them
 * into its own cache directory and checks every file against its hash first: a corrupted or substituted
 * artifact is refused, never proven with.
 *
 * On one filesystem a "copy" is a hard link: a chain's keys are gigabytes per segment (deep_cnn's 9 segments:
 * 26 GB), and a copy in the store and another in every worker's cache would fill a disk. So a published file
 * must not be changed in place afterwards (the pipeline writes every file anew and renames it); one that is
 * changed no longer matches its hash, and is refused wherever it is used.
 */
export interface ArtifactSet {
  files: Record<string, string>;
}

export function sha256Hex(data: Uint8Array | string): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Publishes every file under `dir` (recursively) and returns the set's id. Blobs already there are not rewritten. */
export function publishDir(store: string, dir: string): string {
  const files: Record<string, string> = {};
  fs.mkdirSync(path.join(store, "blobs"), { recursive: true });
  fs.mkdirSync(path.join(store, "sets"), { recursive: true });
  for (const rel of listFiles(dir)) files[rel] = putFile(store, path.join(dir, rel));
  const json = JSON.stringify({ files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) });
  const id = sha256Hex(json);
  const setFile = path.join(store, "sets", `${id}.json`);
  if (!fs.existsSync(setFile)) writeAtomically(setFile, json);
  return id;
}

/** A published set, checked against its id. */
export function readSet(store: string, id: string): ArtifactSet {
  if (!/^[0-9a-f]{64}$/.test(id)) fail(`artifact set id must be 64 hex digits, got "${id}"`);
  const file = path.join(store, "sets", `${id}.json`);
  if (!fs.existsSync(file)) fail(`artifact set ${id} is not in the store ${store}`);
  const json = fs.readFileSync(file, "utf8");
  const actual = sha256Hex(json);
  if (actual !== id) fail(`artifact set ${id} in the store is corrupted: its content hashes to ${actual}`);
  return JSON.parse(json) as ArtifactSet;
}

/**
 * Copies the files of set `id` that `want` selects into `<cacheDir>/<id>/`, each checked against its hash, and
 * returns that directory. A file already copied (and checked) is not copied again; a blob whose bytes do not
 * hash to its name is refused with one line naming it.
 */
export function materialize(store: string, id: string, cacheDir: string, want: (rel: string) => boolean = () => true): string {
  return extractSet(store, id, path.join(cacheDir, id), want);
}

/** Copies the files of set `id` that `want` selects under `root`, each checked against its hash (see materialize). */
export function extractSet(store: string, id: string, root: string, want: (rel: string) => boolean = () => true): string {
  const set = readSet(store, id);
  for (const [rel, hash] of Object.entries(set.files)) {
    if (!want(rel)) continue;
    const dest = path.join(root, rel);
    if (path.relative(root, dest).startsWith("..")) fail(`artifact set ${id} names a file outside itself: ${rel}`);
    fetchBlob(store, hash, dest, rel);
  }
  return root;
}

/** Stores `bytes` as a blob (once) and returns its sha256. */
export function putBlob(store: string, bytes: Uint8Array): string {
  const hash = sha256Hex(bytes);
  fs.mkdirSync(path.join(store, "blobs"), { recursive: true });
  const blob = path.join(store, "blobs", hash);
  if (!fs.existsSync(blob)) writeAtomically(blob, bytes);
  return hash;
}

/** Stores the file at `file` as a blob (once; a hard link when it can be) and returns its sha256. */
export function putFile(store: string, file: string): string {
  const hash = fileSha256(file);
  const blob = path.join(store, "blobs", hash);
  if (!fs.existsSync(blob)) copyOrLink(file, blob);
  return hash;
}

/** Copies blob `hash` to `dest` unless already there (a hard link when it can be), checked against its hash first; `label` names it in errors. */
export function fetchBlob(store: string, hash: string, dest: string, label = hash): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) fail(`artifact ${label}: "${hash}" is not a sha256`);
  if (fs.existsSync(dest)) return dest;
  const blob = path.join(store, "blobs", hash);
  if (!fs.existsSync(blob)) fail(`artifact ${label} (sha256 ${hash}) is missing from the store ${store}`);
  const actual = fileSha256(blob);
  if (actual !== hash) fail(`artifact ${label} is corrupted in the store: expected sha256 ${hash}, its content hashes to ${actual}; refusing to use it`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  copyOrLink(blob, dest);
  return dest;
}

/** sha256 of a file, read in chunks (a segment's proving key is gigabytes). */
function fileSha256(file: string): string {
  const h = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 22);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest("hex");
}

/** `src` at `dest`, atomically: a hard link on the same filesystem, else a copy. */
function copyOrLink(src: string, dest: string): void {
  const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.linkSync(src, tmp);
  } catch {
    fs.copyFileSync(src, tmp);
  }
  fs.renameSync(tmp, dest);
}

function listFiles(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(prefix, e.name)) : e.isFile() ? [path.join(prefix, e.name)] : []))
    .sort();
}

function writeAtomically(dest: string, data: Uint8Array | string): void {
  const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, dest);
}
