// The two provers side by side (issue 18): the same key, the same witness file, one run. Each proof is
// made in its own worker process (so its peak RSS is that prover's alone): a warm-up proof, then a
// timed one. Rounds alternate which prover goes first, so drifting background load hits both alike;
// the median over rounds is compared. Both provers' proofs are verified here (snarkjs's verifier)
// and a proof that does not verify fails the model.
import fs from "fs";
import path from "path";
import { provingSystem } from "../../src/backend/provers";
import { worker } from "./run";

export const BENCH_PROVERS = ["native", "snarkjs"] as const;
export type BenchProver = (typeof BENCH_PROVERS)[number];

export interface ProverRuns {
  /** Median Groth16 prove time over the rounds (ms), after a warm-up proof in the same process unless told otherwise. */
  ms: number;
  runs: number[];
  warmupMs: number[];
  /** Largest peak RSS of the prover's processes (MB). */
  peakMB: number;
  peakRuns: number[];
  /** ZKML_NATIVE_TRACE's stage times of the last timed native proof. */
  stages?: string[];
}

export interface ProverComparison {
  rounds: number;
  native: ProverRuns;
  snarkjs: ProverRuns;
  /** snarkjs ms / native ms (Groth16 prove only). */
  ratio: number;
  /** (witness + snarkjs) / (witness + native), when the witness time is given. */
  endToEndRatio?: number;
  /** native peak MB / snarkjs peak MB. */
  peakRatio: number;
  verified: true;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const round2 = (x: number) => Math.round(x * 100) / 100;

export interface CompareOptions {
  zkey: string;
  vkey: string;
  wtns: string;
  /** Where proof-<prover>.json and (the native one) proof.json are written. */
  outDir: string;
  rounds: number;
  /** A warm-up proof before the timed one in each process (default true). */
  warmup?: boolean;
  /** The witness's time, for the end-to-end ratio. */
  witnessMs?: number;
  progress?: (msg: string) => void;
}

/**
 * Proves `zkey` from `wtns` with both provers, `rounds` timed proofs each (interleaved), and checks every
 * proof against `vkey`. Leaves the native proof as `outDir`/proof.json.
 */
export async function compareProvers(o: CompareOptions): Promise<ProverComparison> {
  const { rounds, witnessMs } = o;
  const progress = o.progress ?? (() => undefined);
  const vkey = JSON.parse(fs.readFileSync(o.vkey, "utf8"));
  const verifier = provingSystem("snarkjs");
  const acc: Record<BenchProver, { runs: number[]; warmupMs: number[]; peakRuns: number[]; stages?: string[] }> = {
    native: { runs: [], warmupMs: [], peakRuns: [] },
    snarkjs: { runs: [], warmupMs: [], peakRuns: [] },
  };
  let reference: string[] | undefined;
  for (let r = 0; r < rounds; r++) {
    const order: BenchProver[] = r % 2 === 0 ? ["native", "snarkjs"] : ["snarkjs", "native"];
    for (const prover of order) {
      progress(`prove: ${prover}, round ${r + 1}/${rounds}`);
      const proofFile = path.join(o.outDir, `proof-${prover}.json`);
      const step = await worker(["prove", prover, o.zkey, o.wtns, proofFile, o.warmup === false ? "no-warmup" : "warmup"], prover === "native" ? { env: { ZKML_NATIVE_TRACE: "1" }, keepStderr: /^zkml-native:|^BENCH_TIMED/ } : {});
      const { proof, publicSignals } = JSON.parse(fs.readFileSync(proofFile, "utf8"));
      if (!(await verifier.verify(vkey, publicSignals, proof))) throw new Error(`the ${prover} proof (round ${r + 1}) does not verify against the key's verification key`);
      // Same witness: the public signals must be the same, whichever prover.
      if (reference && JSON.stringify(publicSignals) !== JSON.stringify(reference)) throw new Error(`the ${prover} proof's public signals differ from the other prover's`);
      reference = publicSignals;
      if (prover === "native") fs.copyFileSync(proofFile, path.join(o.outDir, "proof.json"));
      const a = acc[prover];
      a.runs.push(step.ms);
      if (step.warmupMs !== undefined) a.warmupMs.push(Math.round(step.warmupMs as number));
      a.peakRuns.push(step.peakMB);
      const lines = step.stderrLines as string[] | undefined;
      if (lines) a.stages = lines.slice(lines.indexOf("BENCH_TIMED") + 1).map((l) => l.replace(/^zkml-native:\s*/, "").replace(/\s+/g, " "));
    }
  }
  const summary = (p: BenchProver): ProverRuns => ({
    ms: round2(median(acc[p].runs)),
    runs: acc[p].runs.map(round2),
    warmupMs: acc[p].warmupMs,
    peakMB: Math.max(...acc[p].peakRuns),
    peakRuns: acc[p].peakRuns,
    ...(acc[p].stages ? { stages: acc[p].stages } : {}),
  });
  const native = summary("native");
  const snarkjs = summary("snarkjs");
  return {
    rounds,
    native,
    snarkjs,
    ratio: round2(snarkjs.ms / native.ms),
    ...(witnessMs !== undefined ? { endToEndRatio: round2((witnessMs + snarkjs.ms) / (witnessMs + native.ms)) } : {}),
    peakRatio: round2(native.peakMB / snarkjs.peakMB),
    verified: true,
  };
}

/** The ratio on every model at or above `minConstraints`, and min / median over them. */
export function ratioSummary(models: { model: string; constraints?: number; provers?: ProverComparison }[], minConstraints: number) {
  const big = models.filter((m) => m.provers && (m.constraints ?? 0) >= minConstraints);
  const ratios = big.map((m) => m.provers!.ratio);
  return {
    minConstraints,
    models: big.map((m) => ({ model: m.model, constraints: m.constraints, ratio: m.provers!.ratio, peakMB: { native: m.provers!.native.peakMB, snarkjs: m.provers!.snarkjs.peakMB } })),
    min: ratios.length ? Math.min(...ratios) : undefined,
    median: ratios.length ? median(ratios) : undefined,
    nativePeakNeverHigher: big.every((m) => m.provers!.native.peakMB <= m.provers!.snarkjs.peakMB),
  };
}
