// Serves the built page (app/dist), the files a browser prover needs of each compiled model (manifest, witness wasm,
// proving key, verification key) under /zkml/<model>/, and the page's configuration at /app-config.json.
import fs from "fs";
import http from "http";
import type { AddressInfo } from "net";
import path from "path";
import type { AppConfig } from "../src/config";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** The files of a compiled model the page may fetch: nothing else of zkml-build/ is served. */
const MODEL_FILES = { "manifest.json": "manifest.json", "model.wasm": "wasm", "model.zkey": "zkey", "vkey.json": "vkey" } as const;

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** The built page (vite build's outDir). */
  distDir: string;
  /** zkml.buildDir: compiled models in <buildDir>/<name>/. */
  buildDir: string;
  config: AppConfig;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export async function serveApp(opts: ServeOptions): Promise<AppServer> {
  const models = new Set(Object.values(opts.config.models));
  const send = (res: http.ServerResponse, status: number, body: string | Buffer, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-cache" });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET") return send(res, 405, "method not allowed");
    if (url.pathname === "/app-config.json") return send(res, 200, JSON.stringify(opts.config), TYPES[".json"]);
    const model = /^\/zkml\/([A-Za-z0-9_]+)\/([a-z.]+)$/.exec(url.pathname);
    if (model) {
      const [, name, file] = model;
      const key = MODEL_FILES[file as keyof typeof MODEL_FILES];
      if (!models.has(name) || !key) return send(res, 404, "not found");
      const dir = path.join(opts.buildDir, name);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
      const target = key === "manifest.json" ? path.join(dir, key) : path.join(dir, manifest.files[key]);
      return send(res, 200, fs.readFileSync(target), TYPES[path.extname(file)] ?? "application/octet-stream");
    }
    const rel = url.pathname === "/" ? "index.html" : decodeURIComponent(url.pathname).replace(/^\/+/, "");
    const file = path.resolve(opts.distDir, rel);
    if (!file.startsWith(path.resolve(opts.distDir) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(res, 404, "not found");
    return send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? "application/octet-stream");
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
