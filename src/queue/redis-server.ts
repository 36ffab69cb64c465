import { ChildProcess, spawn, spawnSync } from "child_process";
import fs from "fs";
import net from "net";
import path from "path";
import { fail } from "../errors";

/**
 * A redis-server of its own (Debian's `redis-server`) on loopback, for the project's scripts and tests: a free
 * port, its own directory, append-only persistence (every write fsynced), no RDB snapshots. `restart()` stops it
 * and starts it again on the same port and directory, so it comes back with what its append-only file holds.
 */
export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startLocalRedis(dir: string, opts: { port?: number } = {}): Promise<LocalRedis> {
  if (spawnSync("redis-server", ["--version"]).status !== 0) fail("redis-server is not installed (Debian: apt-get install -y redis-server)");
  fs.mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", path.join(dir, "redis.log"), "--daemonize", "no"],
      { stdio: "ignore" },
    );
    await waitForPort(port, proc);
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill("SIGTERM"); // redis-server flushes its append-only file and exits
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, dir, stop, restart: async () => (await stop(), await start()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) fail(`redis-server on port ${port} exited with code ${proc.exitCode} (see its redis.log)`);
    if (await answersPing(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`redis-server on port ${port} did not start within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("error", () => resolve(false));
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
  });
}
