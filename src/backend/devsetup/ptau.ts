/* eslint-disable @typescript-eslint/no-explicit-any */
import crypto from "crypto";
import fs from "fs";
import path from "path";
import { BinWriter } from "./binwriter";
import { fr, leBytes, Q, u32le } from "./field";
import { blake2b512, exportPartialHash, firstChallengeHash, hashToG2, resumableBlake2b } from "./hashing";
import { streamOrdered } from "./pool";
import { chunkJobs, DevSession, GroupName, marker, PointJob } from "./session";

/** Largest supported power: section 12 needs the 2^(power+1) roots of unity and Fr has 2^28. */
export const MAX_DEV_POWER = 27;

const CONTRIBUTION_NAME = "hardhat-zkml DEVELOPMENT setup (single party, insecure)";

/**
 * Writes a complete, phase-2-prepared powers-of-tau file for 2^power constraints (sections 1–7 and
 * 12–15), as `snarkjs powersoftau new` + `contribute` + `prepare phase2` would, but computed
 * directly from one freshly drawn τ, α, β that are discarded when this returns. The file records a
 * single contribution with a valid proof of knowledge, so `snarkjs powersoftau verify` accepts it.
 *
 * DEVELOPMENT ONLY: whoever ran this could have kept τ and could forge proofs.
 */
/** `opts.native` (default true): points from the native addon when it loads (see DevSession.open). */
export async function generateDevPtau(power: number, outFile: string, log: (m: string) => void = () => undefined, opts: { native?: boolean } = {}): Promise<void> {
  checkPower(power);
  const session = await DevSession.open(log, undefined, opts);
  try {
    await writeDevPtau(session, power, outFile);
  } finally {
    await session.close();
  }
}

/** Writes the ptau for the session's secrets (so a zkey can be made from the same secrets). */
export async function writeDevPtau(session: DevSession, power: number, outFile: string): Promise<void> {
  checkPower(power);
  const { curve, log } = session;
  const n = 2 ** power;
  const t0 = Date.now();
  const lap = (what: string) => log(`  ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  log(`generating a DEVELOPMENT powers of tau for 2^${power} (single party: not for production)`);
  await session.ensureTable("G1", 12 * n);
  await session.ensureTable("G2", 3 * n);

  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = `${outFile}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const w = new BinWriter(tmp, "ptau", 1, 11);
  try {
    // Section 1: header (n8 of Fq, q, power, ceremony power).
    w.startSection(1);
    w.write(u32le(32));
    w.write(leBytes(Q, 32));
    w.write(u32le(power));
    w.write(u32le(power));
    w.endSection();

    // The contribution answers the challenge of a fresh accumulator; its key proves knowledge of the
    // secrets and is bound to that challenge.
    const challenge = firstChallengeHash(curve, power);
    const key = contributionKey(session, challenge);

    // Sections 2–6, with the response hash over their compressed points (as `contribute` computes it).
    const response = resumableBlake2b();
    response.update(challenge);
    const first: Record<number, Uint8Array[]> = {};
    const { tau, alpha, beta } = session;
    const powers = (id: number, group: GroupName, count: number, mult: bigint): PointJob[] => [
      marker(() => w.startSection(id)),
      ...chunkJobs(group, count, (i0) => ({ kind: "geom", first: fr.mul(mult, fr.pow(tau, BigInt(i0))), ratio: tau }), { lem: true, c: true }, (r, i0) => {
        w.write(r.lem!);
        response.update(r.c!);
        if (i0 === 0) first[id] = splitPoints(r.lem!, group, 2);
      }),
      marker(() => w.endSection()),
    ];
    await session.run([
      ...powers(2, "G1", 2 * n - 1, 1n),
      marker(() => lap("tauG1")),
      ...powers(3, "G2", n, 1n),
      ...powers(4, "G1", n, alpha),
      ...powers(5, "G1", n, beta),
      ...powers(6, "G2", 1, beta),
    ]);
    lap("tauG2, alphaTauG1, betaTauG1, betaG2");

    const partialHash = exportPartialHash(response);
    response.update(key.uncompressed);
    const responseHash: Uint8Array = response.digest();

    // The next challenge: hash of the response hash and every point, uncompressed.
    const next = crypto.createHash("blake2b512");
    next.update(responseHash);
    for (const [id, group] of [[2, "G1"], [3, "G2"], [4, "G1"], [5, "G1"], [6, "G2"]] as [number, GroupName][]) {
      await hashSectionUncompressed(session, w, id, group, next);
    }
    const nextChallenge = new Uint8Array(next.digest());
    lap("transcript hashes");

    // Section 7: the one contribution.
    w.startSection(7);
    w.write(u32le(1));
    w.write(first[2][1]); // tauG1 = τ·G1
    w.write(first[3][1]); // tauG2 = τ·G2
    w.write(first[4][0]); // alphaG1
    w.write(first[5][0]); // betaG1
    w.write(first[6][0]); // betaG2
    w.write(key.lem);
    w.write(partialHash);
    w.write(nextChallenge);
    w.write(u32le(0)); // type: ordinary contribution (not a beacon)
    const name = Buffer.from(CONTRIBUTION_NAME, "utf8");
    w.write(u32le(2 + name.length));
    w.write(Uint8Array.from([1, name.length]));
    w.write(name);
    w.endSection();

    // Sections 12–15: Lagrange bases for every domain 2^p, p = 0..power (section 12 also power+1),
    // each L_i(τ)·G computed directly from L_i(τ) = (τ^m − 1)/m · ω^i/(τ − ω^i).
    const lagrange = (id: number, group: GroupName, maxP: number, mult: bigint): PointJob[] => {
      const jobs = [marker(() => w.startSection(id))];
      for (let p = 0; p <= maxP; p++) {
        const m = 2 ** p;
        const omega = session.omega(p);
        const mc = fr.mul(mult, fr.mul(fr.sub(fr.pow(tau, BigInt(m)), 1n), fr.inv(BigInt(m))));
        jobs.push(...chunkJobs(group, m, (i0) => ({ kind: "lagrange", mc, tau, x0: fr.pow(omega, BigInt(i0)), step: omega }), { lem: true }, (r) => w.write(r.lem!)));
      }
      jobs.push(marker(() => w.endSection()));
      return jobs;
    };
    await session.run([
      ...lagrange(12, "G1", power + 1, 1n),
      marker(() => lap("Lagrange tauG1")),
      ...lagrange(13, "G2", power, 1n),
      ...lagrange(14, "G1", power, alpha),
      ...lagrange(15, "G1", power, beta),
    ]);
    lap("Lagrange tauG2, alphaTauG1, betaTauG1");
    w.close();
    fs.renameSync(tmp, outFile);
  } catch (e) {
    w.abandon();
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function checkPower(power: number): void {
  if (!Number.isInteger(power) || power < 1 || power > MAX_DEV_POWER) throw new Error(`ptau power must be an integer in 1..${MAX_DEV_POWER}, got ${power}`);
}

/** The power recorded in a .ptau header (section 1 is first in every file snarkjs or we write). */
export function readPtauPower(file: string): number {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, 64, 0);
    if (head.toString("ascii", 0, 4) !== "ptau" || head.readUInt32LE(12) !== 1) throw new Error(`${file} is not a .ptau file starting with its header`);
    const n8 = head.readUInt32LE(24);
    return head.readUInt32LE(28 + n8);
  } finally {
    fs.closeSync(fd);
  }
}

function splitPoints(lem: Uint8Array, group: GroupName, k: number): Uint8Array[] {
  const s = group === "G1" ? 64 : 128;
  return Array.from({ length: Math.min(k, lem.byteLength / s) }, (_, i) => lem.slice(i * s, (i + 1) * s));
}

async function hashSectionUncompressed(session: DevSession, w: BinWriter, id: number, group: GroupName, h: crypto.Hash): Promise<void> {
  const s = group === "G1" ? 64 : 128;
  const total = w.sections.get(id)!.size / s;
  const chunk = 1 << 15;
  await streamOrdered(
    Math.ceil(total / chunk),
    2 * session.pool.size,
    (i) => session.encode(group, w.read(id, i * chunk * s, Math.min(chunk, total - i * chunk) * s), { u: true }),
    (r) => void h.update(r.u!),
  );
}

/**
 * The contribution's public key: for each secret x ∈ {τ, α, β} (personalizations 0, 1, 2), a random
 * s·G1, its multiple x·s·G1, and x·H where H is derived by hashing the challenge and those two
 * points to G2. A verifier checks e(sG1, x·H) = e(x·sG1, H), i.e. that the contributor knew x.
 */
function contributionKey(session: DevSession, challenge: Uint8Array): { lem: Uint8Array; uncompressed: Uint8Array } {
  const { curve } = session;
  const { G1, G2 } = curve;
  const secrets = [session.tau, session.alpha, session.beta];
  const g1: any[] = [];
  const g2: any[] = [];
  secrets.forEach((x, personalization) => {
    const s = fr.random();
    const g1s = G1.toAffine(G1.timesScalar(G1.g, s));
    const g1sx = G1.toAffine(G1.timesScalar(g1s, x));
    const h = blake2b512(Uint8Array.from([personalization]), challenge, G1.toUncompressed(g1s), G1.toUncompressed(g1sx));
    const g2sp = G2.toAffine(hashToG2(curve, h));
    g1.push(g1s, g1sx);
    g2.push(G2.toAffine(G2.timesScalar(g2sp, x)));
  });
  const lem = new Uint8Array(6 * 64 + 3 * 128);
  const uncompressed = new Uint8Array(lem.length);
  g1.forEach((p, i) => {
    G1.toRprLEM(lem, i * 64, p);
    G1.toRprUncompressed(uncompressed, i * 64, p);
  });
  g2.forEach((p, i) => {
    G2.toRprLEM(lem, 384 + i * 128, p);
    G2.toRprUncompressed(uncompressed, 384 + i * 128, p);
  });
  return { lem, uncompressed };
}
