// `npm run bench:app`: each flow's model proven in Chromium's Web Worker (the page's own prover worker, from the built
// app) and in Node with snarkjs on the same witness input, wasm and zkey, N times each after a warm-up; prints the
// medians and their ratio, and the plugin's default Node prover (native when its addon loads) beside them. Writes
// bench/app-proof-times.json. Runs: ZKML_BENCH_RUNS (default 7).
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { useSnarkjs, releaseSnarkjs } from "../../src/backend/snarkjs";
import { embedding, readCaptures } from "../../src/examples/privacy";
import { artifact } from "../../src/pipeline/manifest";
import { circuitInput, quantizedInputs } from "../../src/pipeline/statement";
import { promptValues } from "../../src/statements/aigc";
import { readFeedInputs, type RoundFeed } from "../../src/statements/vault-inputs";
import { buildApp } from "./build";
import { launchChromium } from "./chromium";
import { deployApp } from "./deploy";
import { serveApp } from "./server";

const RUNS = Number(process.env.ZKML_BENCH_RUNS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const config = await deployApp(hre, (msg) => console.log(`  ${msg}`));
  const distDir = buildApp((msg) => console.log(`  ${msg}`));
  const server = await serveApp({ distDir, buildDir: hre.config.zkml.buildDir, config });
  const [, , user] = await hre.ethers.getSigners();

  // The witness inputs of the test's flows: the feed's window at epoch 0, a live embedding, a typed prompt.
  const feed = new hre.ethers.Contract(config.contracts.feed.address, config.contracts.feed.abi as never, hre.ethers.provider);
  const jobs = await Promise.all(
    (["vault", "pass", "studio"] as const).map(async (flow) => {
      const m = hre.zkml.manifest(config.models[flow]);
      const raw =
        flow === "vault"
          ? { input_data: [(await readFeedInputs(feed as unknown as RoundFeed, m.quant.scaleBits)).floats] }
          : flow === "pass"
            ? embedding(readCaptures(hre.config.paths.root).live[0])
            : { input_data: [promptValues("a lighthouse at dusk", 4, m.quant.scaleBits)] };
      const bindings: Record<string, bigint | string> = flow === "vault" ? { epoch: 0n } : { recipient: user.address };
      return { flow, m, raw, bindings, input: circuitInput(m, quantizedInputs(m, raw), { bindings }) };
    }),
  );

  const browser = await launchChromium();
  const results = [];
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    const worker = fs.readdirSync(path.join(distDir, "assets")).find((f) => /^prover\.worker-.*\.js$/.test(f));
    if (!worker) throw new Error("the built app has no prover worker");
    for (const j of jobs) {
      const { m, input } = j;
      // The page's worker, proving RUNS + 1 times (the first warms up; its files come from the server once).
      const browserMs: number[] = await page.evaluate(
        async ({ url, model, keyId, input, runs }) => {
          const w = new Worker(url, { type: "module" });
          const times: number[] = [];
          for (let i = 0; i <= runs; i++) {
            const ms = await new Promise<number>((resolve, reject) => {
              w.onmessage = (e) => {
                if (e.data.kind === "done") resolve(e.data.result.proveMs);
                else if (e.data.kind === "error") reject(new Error(e.data.message));
              };
              w.postMessage({ id: i + 1, model, keyId, input });
            });
            if (i > 0) times.push(ms);
          }
          w.terminate();
          return times;
        },
        { url: `/assets/${worker}`, model: m.name, keyId: config.keyIds[m.name], input: JSON.parse(JSON.stringify(input)), runs: RUNS },
      );
      const dir = hre.zkml.modelDir(m.name);
      const [wasm, zkey] = [artifact(dir, m, "wasm"), artifact(dir, m, "zkey")].map((f) => new Uint8Array(fs.readFileSync(f)));
      const nodeMs: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const t0 = performance.now();
        await useSnarkjs((s) => s.groth16.fullProve(input, wasm, zkey));
        if (i > 0) nodeMs.push(performance.now() - t0);
      }
      const defaults: number[] = [];
      let prover = "";
      for (let i = 0; i <= RUNS; i++) {
        const r = await hre.zkml.prove(m.name, j.raw, { bindings: j.bindings, reference: false });
        prover = r.prover;
        if (i > 0) defaults.push(r.proveMs);
      }
      const row = {
        flow: j.flow,
        model: m.name,
        constraints: m.circuit.constraints,
        runs: RUNS,
        browserSnarkjsMs: Math.round(median(browserMs)),
        nodeSnarkjsMs: Math.round(median(nodeMs)),
        ratio: Number((median(browserMs) / median(nodeMs)).toFixed(2)),
        nodeDefaultProver: prover,
        nodeDefaultGroth16Ms: Math.round(median(defaults)),
      };
      results.push(row);
      console.log(
        `${row.flow.padEnd(6)} ${row.model.padEnd(17)} ${String(row.constraints).padStart(5)} constraints: browser ${row.browserSnarkjsMs} ms, Node snarkjs ${row.nodeSnarkjsMs} ms, ratio ${row.ratio}; Node ${prover} Groth16 ${row.nodeDefaultGroth16Ms} ms (medians of ${RUNS})`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    await releaseSnarkjs();
  }
  const out = path.join(hre.config.paths.root, "bench", "app-proof-times.json");
  fs.writeFileSync(out, JSON.stringify({ note: "witness + Groth16 with snarkjs (browser: the app's Web Worker in Chromium; Node: same input, wasm and zkey in memory); nodeDefaultGroth16Ms: hre.zkml.prove's Groth16 time only", results }, null, 2) + "\n");
  console.log(`wrote ${path.relative(hre.config.paths.root, out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
