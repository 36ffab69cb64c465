// A queue worker without Hardhat (what `npx hardhat zkml:worker` runs), for scripts and the fault tests:
//
//   ts-node --transpile-only scripts/queue-worker.ts --redis redis://127.0.0.1:6379 --store <dir> --cache <dir>
//       [--name <name>] [--lock-ms <ms>] [--timeout-ms <ms>] [--in-process] [--hold-before-prove]
//
// --hold-before-prove is fault injection: the worker takes a job, reports the "prove" stage and then waits
// forever, still holding the job's lock, so a test can kill it mid-proof.
import { startWorker } from "../src/queue/worker";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const redis = arg("redis");
  const store = arg("store");
  const cacheDir = arg("cache");
  if (!redis || !store || !cacheDir) throw new Error("usage: queue-worker.ts --redis <url> --store <dir> --cache <dir> [--name <name>] [--lock-ms <ms>] [--timeout-ms <ms>] [--in-process] [--hold-before-prove]");
  const hold = process.argv.includes("--hold-before-prove");
  const lock = arg("lock-ms");
  const w = await startWorker({
    redis,
    store,
    cacheDir,
    name: arg("name"),
    lockDurationMs: lock ? Number(lock) : undefined,
    jobTimeoutMs: arg("timeout-ms") ? Number(arg("timeout-ms")) : undefined,
    isolate: !process.argv.includes("--in-process"),
    log: (m) => console.log(m),
    beforeProve: hold ? () => new Promise<void>(() => undefined) : undefined,
  });
  console.log(`${w.name}: ready`);
  const stop = async () => {
    await w.close();
    const proofs = [...w.proved.values()].reduce((a, b) => a + b, 0);
    const d = w.done;
    console.log(
      `${w.name}: stopped; ${d.setup} setups, ${d.witness} witnesses, ${proofs} proofs, ${w.cached} from the cache, ${w.aborted} aborted; ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (worker), ${w.peakMiB} MiB (its largest job's process)`,
    );
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
