import { fail, invariant } from "../errors";
import { chainActivations, chainInputs, chainLinkSalts, ChainProof, loadChain, randomLinkSecret, segmentLinkSalts, SegmentProof, SegmentProveOptions, verifyChain } from "../pipeline/chain";
import { JobClient, JobStats } from "./client";
import { publishDir } from "./store";

export interface DistributedProveOptions {
  /** A compiled chain's directory (src/pipeline/chain.ts). */
  chainDir: string;
  /** The shared artifact store the workers read (src/queue/store.ts). */
  store: string;
  /** redis://host:port */
  redis: string;
  /** The last segment's bound values (as for proveModel). */
  bindings?: Record<string, bigint | string | number>;
  /** The first segment's input salt. */
  salt?: bigint | string | number;
  /**
   * With salted links: the secret the link salts are derived from (chainLinkSalts). Random by default, so a
   * resubmission is new work; give the same secret to have it served from the result cache.
   */
  linkSecret?: string;
  /** Attempts per job before it fails (default 3). */
  attempts?: number;
  /** Give up waiting for a job after this long (default: wait). */
  timeoutMs?: number;
  /** Progress events of the jobs: which worker is at which stage of which segment. */
  onProgress?: (e: { segment: number; stage: string; worker: string }) => void;
  log?: (msg: string) => void;
}

export interface DistributedProof extends ChainProof {
  /** Per segment, its prove job: served from the result cache (no job), or its attempts and stalls; `witness`: its witness job. */
  jobs: (JobStats & { witness: JobStats })[];
}

/**
 * The coordinator: publishes the chain's artifacts to the store, computes every boundary's activations with the
 * bit-exact evaluator, then per segment a witness job and, once it is done, a prove job from that witness (all
 * segments at once: they are worked on in parallel by whichever workers are free), and assembles and checks
 * the chain.
 */
export async function proveDistributed(rawInput: unknown, opts: DistributedProveOptions): Promise<DistributedProof> {
  const log = opts.log ?? (() => undefined);
  const chain = loadChain(opts.chainDir);
  const artifacts = publishDir(opts.store, opts.chainDir);
  const acts = chainActivations(opts.chainDir, chain, chainInputs(opts.chainDir, chain, rawInput));
  const n = chain.segments.length;
  const salts = chainLinkSalts(chain, opts.linkSecret ?? randomLinkSecret());
  const bindings = Object.fromEntries(Object.entries(opts.bindings ?? {}).map(([k, v]) => [k, BigInt(v).toString()]));
  const client = await JobClient.open(opts.redis, { attempts: opts.attempts, timeoutMs: opts.timeoutMs, onProgress: opts.onProgress });
  try {
    const perSegment = await client.all(chain.segments, async (s) => {
      const i = s.index;
      const w = await client.run({
        kind: "witness", artifacts, segment: i, inputs: acts[i].map(String), zkeySha256: s.zkeySha256,
        ...(i === n - 1 && Object.keys(bindings).length > 0 ? { bindings } : {}),
        ...(i === 0 && opts.salt !== undefined ? { salt: BigInt(opts.salt).toString() } : {}),
        ...(salts.length > 0 ? { linkSalts: stringSalts(segmentLinkSalts(salts, i)!) } : {}),
      });
      log(`${chain.name}: segment ${i} witness ${w.stats.cached ? "from the result cache" : `by ${w.stats.worker}`}`);
      invariant(w.result.outputs.length === acts[i + 1].length && w.result.outputs.every((v, j) => BigInt(v) === acts[i + 1][j]), `segment ${i}: the witness job's outputs differ from the evaluator's`);
      const p = await client.run({ kind: "prove", artifacts, segment: i, witness: w.result.witness, zkeySha256: s.zkeySha256 });
      log(`${chain.name}: segment ${i} proof ${p.stats.cached ? "from the result cache" : `by ${p.stats.worker}`}`);
      const proof: SegmentProof = {
        index: i, proof: p.result.proof as SegmentProof["proof"], publicSignals: p.result.publicSignals, calldata: p.result.calldata as SegmentProof["calldata"],
        outputs: w.result.outputs, prover: p.result.prover, proveMs: p.result.proveMs,
      };
      return { proof, stats: { ...p.stats, witness: w.stats } };
    });
    const segments = perSegment.map((s) => s.proof);
    const check = await verifyChain(opts.chainDir, segments);
    if (!check.valid) fail(`the chain of "${chain.name}" assembled from the workers' proofs does not verify: ${check.reason}`);
    return { segments, outputs: segments[n - 1].outputs, jobs: perSegment.map((s) => s.stats) };
  } finally {
    await client.close();
  }
}

function stringSalts(s: NonNullable<SegmentProveOptions["linkSalts"]>): { in?: string; out?: string } {
  return { ...(s.in !== undefined ? { in: String(s.in) } : {}), ...(s.out !== undefined ? { out: String(s.out) } : {}) };
}
