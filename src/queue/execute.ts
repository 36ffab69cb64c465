import fs from "fs";
import path from "path";
import { encodeWtns } from "../backend/wtns";
import { ZkmlError } from "../errors";
import { FIELD_MODULUS } from "../numeric/field";
import { importOnnx } from "../onnx/import";
import { buildSegment, CHAIN_FILE, CHAIN_PLAN_FILE, CHAIN_PLAN_FORMAT, ChainPlan, loadChain, proveWitness, segmentWitness } from "../pipeline/chain";
import { compilerFingerprint } from "../pipeline/compile";
import { JobData, JobRefused, jobKey, ProveJobData, ProveJobResult, ResultOf, SetupJobData, SetupJobResult, WitnessJobData, WitnessJobResult } from "./jobs";
import { fetchBlob, materialize, publishDir, putBlob } from "./store";

/**
 * What a worker does for each kind of job (src/queue/jobs.ts), in whichever process runs it: the worker's own,
 * or a child it can kill when the job outlives its timeout (src/queue/job-process.ts).
 */
export interface JobContext {
  /** The shared artifact store. */
  store: string;
  /** This worker's own copy of the artifacts it works with. */
  cacheDir: string;
  worker: string;
  prover?: string;
  log: (msg: string) => void;
}

/** The file name a ceremony's powers of tau has in a chain's setup source set. */
export const SOURCE_PTAU_FILE = "powers.ptau";

export async function executeJob<D extends JobData>(data: D, ctx: JobContext): Promise<ResultOf<D>> {
  const t0 = performance.now();
  const base = { key: jobKey(data), segment: data.segment, worker: ctx.worker };
  const done = <R>(r: R) => ({ ...base, ...r, ms: performance.now() - t0, peakMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
  switch (data.kind) {
    case "setup":
      return done(await setup(data, ctx)) as ResultOf<D>;
    case "witness":
      return done(await witness(data, ctx)) as ResultOf<D>;
    case "prove":
      return done(await prove(data, ctx)) as ResultOf<D>;
  }
  throw new JobRefused(`unknown job kind ${JSON.stringify((data as { kind: unknown }).kind)}`);
}

type Work<R> = Omit<R, "key" | "segment" | "worker" | "ms" | "peakMiB">;

/** Store reads that fail (missing or corrupted artifacts) do not heal by retrying: refused. */
function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ZkmlError) throw new JobRefused(e.message);
    throw e;
  }
}

async function setup(d: SetupJobData, ctx: JobContext): Promise<Work<SetupJobResult>> {
  if (d.compiler !== compilerFingerprint()) throw new JobRefused(`segment ${d.segment}: this worker's circuit code (${compilerFingerprint().slice(0, 12)}) is not the coordinator's (${d.compiler.slice(0, 12)}): run the same version of hardhat-zkml`);
  const src = checked(() => materialize(ctx.store, d.artifacts, ctx.cacheDir));
  const plan = JSON.parse(fs.readFileSync(path.join(src, CHAIN_PLAN_FILE), "utf8")) as ChainPlan;
  if (plan.format !== CHAIN_PLAN_FORMAT) throw new JobRefused(`artifact set ${d.artifacts} holds no chain plan of format ${CHAIN_PLAN_FORMAT}`);
  const onnxBytes = fs.readFileSync(path.join(src, "model.onnx"));
  const ptau = path.join(src, SOURCE_PTAU_FILE);
  fs.mkdirSync(ctx.cacheDir, { recursive: true });
  const out = fs.mkdtempSync(path.join(ctx.cacheDir, `setup-${d.segment}-`));
  try {
    const entry = await buildSegment(plan, importOnnx(onnxBytes, `${plan.name}.onnx`), onnxBytes, d.segment, out, {
      ptau: fs.existsSync(ptau) ? ptau : undefined, prover: ctx.prover, log: ctx.log,
    });
    return { kind: "setup", set: publishDir(ctx.store, out), entry };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The chain's files a segment's work needs, checked by hash, and the segment's proving key checked against the job's. */
function chainFiles(d: WitnessJobData | ProveJobData): (ctx: JobContext) => string {
  return (ctx) =>
    checked(() => {
      const seg = `seg${d.segment}/`;
      const dir = materialize(ctx.store, d.artifacts, ctx.cacheDir, (rel) => rel === CHAIN_FILE || rel === "model.onnx" || rel.startsWith(seg));
      const s = loadChain(dir).segments[d.segment];
      if (!s) throw new ZkmlError(`the chain has no segment ${d.segment}`);
      if (s.zkeySha256 !== d.zkeySha256) throw new ZkmlError(`segment ${d.segment}'s proving key is ${s.zkeySha256}, the job expects ${d.zkeySha256}`);
      return dir;
    });
}

async function witness(d: WitnessJobData, ctx: JobContext): Promise<Work<WitnessJobResult>> {
  const dir = chainFiles(d)(ctx);
  const w = await segmentWitness(dir, d.segment, d.inputs.map(BigInt), { bindings: d.bindings, salt: d.salt, linkSalts: d.linkSalts });
  return { kind: "witness", witness: putBlob(ctx.store, encodeWtns(w.witness, FIELD_MODULUS)), outputs: w.outputs.map(String) };
}

async function prove(d: ProveJobData, ctx: JobContext): Promise<Work<ProveJobResult>> {
  const dir = chainFiles(d)(ctx);
  const wtnsFile = checked(() => fetchBlob(ctx.store, d.witness, path.join(ctx.cacheDir, "witness", `${d.witness}.wtns`), `witness of segment ${d.segment}`));
  const p = await proveWitness(dir, d.segment, { wtnsFile }, { prover: ctx.prover });
  return { kind: "prove", proof: p.proof, publicSignals: p.publicSignals, calldata: p.calldata, prover: p.prover, proveMs: p.proveMs };
}

