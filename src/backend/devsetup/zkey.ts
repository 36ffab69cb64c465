/* eslint-disable @typescript-eslint/no-explicit-any */
import crypto from "crypto";
import fs from "fs";
import path from "path";
import { BinWriter } from "./binwriter";
import { floorLog2, fr, leBytes, Q, R, u32be, u32le, u64le } from "./field";
import { blake2b512, hashToG2 } from "./hashing";
import { checkPower, readPtauPower, writeDevPtau } from "./ptau";
import { RawR1cs, readRawR1cs } from "../r1cs";
import { chunkJobs, DevSession, Encoded, GroupName, marker, PointJob, ScalarSpec } from "./session";

const CONTRIBUTION_NAME = "hardhat-zkml DEVELOPMENT delta (single party, insecure)";

export interface DevZkeyOptions {
  log?: (m: string) => void;
  /** With a power: also write the matching .ptau here (same τ, α, β), e.g. for `snarkjs zkey verify`. */
  ptauOut?: string;
  /** Points from the native addon's fixed-base multiplication when it loads (default true), else WASM. */
  native?: boolean;
}

export interface DevZkeyInfo {
  nVars: number;
  nPublic: number;
  nConstraints: number;
  /** log2 of the QAP domain (what snarkjs calls the circuit power). */
  domainPower: number;
  /** Power of the ptau the key is consistent with. */
  ptauPower: number;
  /** True when the key came from our direct computation; false when snarkjs built it from a given ptau. */
  direct: boolean;
}

/**
 * A Groth16 proving key (.zkey, snarkjs format, one δ contribution) for a circuit.
 *
 * - `ptauFileOrPower` a number P: draws fresh τ, α, β, δ, computes every key element directly from
 *   them (QAP polynomials evaluated at τ in Fr, then fixed-base multiplications) and discards them.
 *   The key is consistent with the powers of tau of power P for the same secrets, which is written to
 *   `opts.ptauOut` if given; `snarkjs zkey verify` against that file passes.
 * - `ptauFileOrPower` a path to an existing .ptau: its secrets are unknown, so this falls back to
 *   snarkjs (`zkey new` + one `zkey contribute`), which is much slower on large circuits.
 *
 * DEVELOPMENT ONLY either way when the ptau is a dev one: its creator could forge proofs.
 */
export async function generateDevZkey(r1csFile: string, ptauFileOrPower: string | number, zkeyOut: string, opts: DevZkeyOptions = {}): Promise<DevZkeyInfo> {
  const log = opts.log ?? (() => undefined);
  if (typeof ptauFileOrPower === "string") return zkeyFromPtauFile(r1csFile, ptauFileOrPower, zkeyOut, log);
  const power = ptauFileOrPower;
  const r1cs = readRawR1cs(r1csFile);
  checkDomain(r1cs, power); // before any work: the circuit must fit
  const session = await DevSession.open(log, undefined, { native: opts.native });
  try {
    if (opts.ptauOut) await writeDevPtau(session, power, opts.ptauOut);
    return await writeDevZkey(session, r1cs, zkeyOut, power);
  } finally {
    await session.close();
  }
}

/**
 * The QAP domain snarkjs uses: 2^(⌊log2(constraints + public)⌋ + 1), which leaves room for its extra
 * constraint per public signal and the constant. Throws if the ptau power cannot hold it.
 */
function checkDomain(r1cs: RawR1cs, ptauPower: number): number {
  const domainPower = floorLog2(r1cs.nConstraints + r1cs.nPubOut + r1cs.nPubIn) + 1;
  checkPower(ptauPower);
  if (domainPower > ptauPower) throw new Error(`circuit needs a 2^${domainPower} domain; ptau power is ${ptauPower}`);
  return domainPower;
}

/** Writes the zkey for the session's τ, α, β and a fresh δ. A parsed `r1cs` is consumed (its constraint bytes are handed to a worker). */
export async function writeDevZkey(session: DevSession, r1csOrFile: string | RawR1cs, zkeyOut: string, ptauPower: number): Promise<DevZkeyInfo> {
  const { curve, log, tau, alpha, beta } = session;
  const r1cs = typeof r1csOrFile === "string" ? readRawR1cs(r1csOrFile) : r1csOrFile;
  const { nWires: nVars, nConstraints } = r1cs;
  const nPublic = r1cs.nPubOut + r1cs.nPubIn;
  const domainPower = checkDomain(r1cs, ptauPower);
  const N = 2 ** domainPower;
  const t0 = Date.now();
  const lap = (what: string) => log(`  ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  log(`generating a DEVELOPMENT Groth16 key: ${nConstraints} constraints, ${nVars} wires, domain 2^${domainPower}`);

  let delta: bigint | undefined = fr.random();
  try {
    await session.ensureTable("G1", 6 * nVars + 2 * N);
    await session.ensureTable("G2", nVars);
    // u_j(τ), v_j(τ), w_j(τ) for every wire, and the coefficient section, in one worker.
    const cs = r1cs.constraints;
    // Hand the (possibly large) constraint bytes to the worker instead of copying them when they own
    // their buffer; they are not needed here afterwards.
    const transfer = cs.byteOffset === 0 && cs.byteLength === cs.buffer.byteLength ? [cs.buffer as ArrayBuffer] : [];
    const qap: { u: Uint8Array; v: Uint8Array; w: Uint8Array; coefs: Uint8Array } = await session.pool.run({
      cmd: "qap",
      constraints: cs,
      nConstraints,
      nVars,
      nPublic,
      n8: r1cs.n8,
      domainSize: N,
      tau,
      omega: session.omega(domainPower),
      mc: fr.mul(fr.sub(fr.pow(tau, BigInt(N)), 1n), fr.inv(BigInt(N))),
    }, transfer);
    lap("QAP at tau");

    const { G1, G2 } = curve;
    const pt = (G: any, s: bigint) => G.toAffine(G.timesScalar(G.g, s));
    const lem = (G: any, p: any) => {
      const b = new Uint8Array(G === G1 ? 64 : 128);
      G.toRprLEM(b, 0, p);
      return b;
    };
    const unc = (G: any, p: any) => {
      const b = new Uint8Array(G === G1 ? 64 : 128);
      G.toRprUncompressed(b, 0, p);
      return b;
    };

    fs.mkdirSync(path.dirname(path.resolve(zkeyOut)), { recursive: true });
    const tmp = `${zkeyOut}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    const w = new BinWriter(tmp, "zkey", 1, 10);
    // The circuit hash snarkjs computes when it creates the initial key (δ = 1), in its order.
    const csHash = crypto.createHash("blake2b512");
    try {
      w.startSection(1);
      w.write(u32le(1)); // Groth16
      w.endSection();

      w.startSection(2);
      w.write(u32le(32));
      w.write(leBytes(Q, 32));
      w.write(u32le(32));
      w.write(leBytes(R, 32));
      w.write(u32le(nVars));
      w.write(u32le(nPublic));
      w.write(u32le(N));
      const [a1, b1, b2] = [pt(G1, alpha), pt(G1, beta), pt(G2, beta)];
      for (const [G, p] of [[G1, a1], [G1, b1], [G2, b2], [G2, G2.g], [G1, pt(G1, delta)], [G2, pt(G2, delta)]] as [any, any][]) w.write(lem(G, p));
      for (const [G, p] of [[G1, a1], [G1, b1], [G2, b2], [G2, G2.g], [G1, G1.g], [G2, G2.g]] as [any, any][]) csHash.update(unc(G, p));
      w.endSection();

      w.startSection(4);
      w.write(qap.coefs);
      w.endSection();

      // A copy, not a view: posting a view to a worker would clone its whole underlying buffer.
      const slice = (buf: Uint8Array, from: number, n: number) => buf.slice(from * 32, (from + n) * 32);
      // IC_j = β·u_j + α·v_j + w_j for public wires (γ = 1 in snarkjs keys); C_j the same over δ for the rest.
      const combo = (from: number, n: number, scale: bigint): ScalarSpec => ({
        kind: "lincomb",
        parts: [
          { data: slice(qap.u, from, n), coef: fr.mul(beta, scale) },
          { data: slice(qap.v, from, n), coef: fr.mul(alpha, scale) },
          { data: slice(qap.w, from, n), coef: scale },
        ],
      });
      // A section of points: written (if id is not null) and/or hashed into the circuit hash.
      const section = (id: number | null, group: GroupName, count: number, specAt: (first: number, n: number) => ScalarSpec, hash: boolean): PointJob[] => [
        marker(() => {
          if (id !== null) w.startSection(id);
          if (hash) csHash.update(u32be(count));
        }),
        ...chunkJobs(group, count, specAt, { lem: id !== null, u: hash }, (r: Encoded) => {
          if (id !== null) w.write(r.lem!);
          if (hash) csHash.update(r.u!);
        }),
        marker(() => id !== null && w.endSection()),
      ];

      // H_i = L_{2i+1}(τ)/δ over the domain of size 2N (snarkjs's odd Lagrange points of section 12).
      const deltaInv = fr.inv(delta);
      const w2 = session.omega(domainPower + 1);
      const mc2 = fr.mul(fr.mul(fr.sub(fr.pow(tau, BigInt(2 * N)), 1n), fr.inv(BigInt(2 * N))), deltaInv);
      const priv = nVars - nPublic - 1;
      await session.run([
        ...section(3, "G1", nPublic + 1, (f, n) => combo(f, n, 1n), true),
        ...section(9, "G1", N, (f) => ({ kind: "lagrange", mc: mc2, tau, x0: fr.pow(w2, BigInt(2 * f + 1)), step: fr.mul(w2, w2) }), false),
        ...(await initialHJobs(session, csHash, N, ptauPower)),
        marker(() => lap("IC, H")),
        ...section(8, "G1", priv, (f, n) => combo(nPublic + 1 + f, n, deltaInv), false),
        ...section(null, "G1", priv, (f, n) => combo(nPublic + 1 + f, n, 1n), true), // initial C: hashed only
        marker(() => lap("C")),
        ...section(5, "G1", nVars, (f, n) => ({ kind: "bytes", data: slice(qap.u, f, n) }), true),
        ...section(6, "G1", nVars, (f, n) => ({ kind: "bytes", data: slice(qap.v, f, n) }), true),
        ...section(7, "G2", nVars, (f, n) => ({ kind: "bytes", data: slice(qap.v, f, n) }), true),
      ]);
      lap("A, B1, B2");

      // Section 10: circuit hash and one δ contribution with its proof of knowledge of δ.
      const circuitHash = new Uint8Array(csHash.digest());
      const g1s = pt(G1, fr.random());
      const g1sx = G1.toAffine(G1.timesScalar(g1s, delta));
      const transcript = blake2b512(circuitHash, unc(G1, g1s), unc(G1, g1sx));
      const g2spx = G2.toAffine(G2.timesScalar(G2.toAffine(hashToG2(curve, transcript)), delta));
      w.startSection(10);
      w.write(circuitHash);
      w.write(u32le(1));
      w.write(lem(G1, pt(G1, delta))); // deltaAfter
      w.write(lem(G1, g1s));
      w.write(lem(G1, g1sx));
      w.write(lem(G2, g2spx));
      w.write(transcript);
      w.write(u32le(0)); // ordinary contribution
      const name = Buffer.from(CONTRIBUTION_NAME, "utf8");
      w.write(u32le(2 + name.length));
      w.write(Uint8Array.from([1, name.length]));
      w.write(name);
      w.endSection();
      w.close();
      fs.renameSync(tmp, zkeyOut);
    } catch (e) {
      w.abandon();
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  } finally {
    delta = undefined;
  }
  return { nVars, nPublic, nConstraints, domainPower, ptauPower, direct: true };
}

/**
 * The initial key's H part of the circuit hash. snarkjs hashes (τ^(N+i) − τ^i)·G1, read from the
 * ptau's tauG1 section, for i < N−1 in chunks of 2^14 — but every chunk has the full 2^14 points, so
 * for N > 2^14 it hashes N points, the last reading τ^(2N−1)·G1, which lies past the section's end
 * when the ptau's power equals the circuit's. There it subtracts from whatever 64 bytes follow: the
 * header of section 3 and the start of the G2 generator. We reproduce exactly that.
 */
async function initialHJobs(session: DevSession, csHash: crypto.Hash, N: number, ptauPower: number): Promise<PointJob[]> {
  const { tau, curve } = session;
  const CHUNK = 1 << 14;
  const count = N - 1 <= CHUNK ? N - 1 : Math.ceil((N - 1) / CHUNK) * CHUNK;
  const lastInSection = 2 ** (ptauPower + 1) - 2; // index of the last tauG1 point
  const legit = Math.min(count, lastInSection - N + 1);
  const tN1 = fr.sub(fr.pow(tau, BigInt(N)), 1n);
  // Hashes of the points read past the section end (at most one), computed up front.
  const beyond: Uint8Array[] = [];
  for (let i = legit; i < count; i++) {
    const hi = new Uint8Array(64);
    hi.set(u32le(3), 0); // the next section's id ...
    hi.set(u64le(2 ** ptauPower * 128), 4); // ... its size (2^power G2 points) ...
    const g2 = new Uint8Array(128);
    curve.G2.toRprLEM(g2, 0, curve.G2.g);
    hi.set(g2.subarray(0, 52), 12); // ... and its first point, the G2 generator
    const lo = new Uint8Array(64);
    curve.G1.toRprLEM(lo, 0, curve.G1.toAffine(curve.G1.timesScalar(curve.G1.g, fr.pow(tau, BigInt(i)))));
    beyond.push((await session.pool.run({ cmd: "subAffineU", hi, lo })).u);
  }
  return [
    marker(() => csHash.update(u32be(N - 1))),
    ...chunkJobs("G1", legit, (f) => ({ kind: "geom", first: fr.mul(tN1, fr.pow(tau, BigInt(f))), ratio: tau }), { u: true }, (r) => void csHash.update(r.u!)),
    marker(() => beyond.forEach((u) => csHash.update(u))),
  ];
}

async function zkeyFromPtauFile(r1csFile: string, ptauFile: string, zkeyOut: string, log: (m: string) => void): Promise<DevZkeyInfo> {
  const s = require("snarkjs");
  const logger = { info: () => undefined, debug: () => undefined, warn: log, error: log };
  log(`the secrets behind ${ptauFile} are unknown here: building the key with snarkjs (slow for large circuits)`);
  const initial = `${zkeyOut}.${process.pid}.init.tmp`;
  try {
    const csHash = await s.zKey.newZKey(r1csFile, ptauFile, initial, logger);
    if (!(csHash instanceof Uint8Array)) throw new Error("snarkjs zkey new failed (circuit too large for this ptau?)");
    await s.zKey.contribute(initial, zkeyOut, CONTRIBUTION_NAME, crypto.randomBytes(32).toString("hex"), logger);
  } finally {
    fs.rmSync(initial, { force: true });
  }
  const r1cs = readRawR1cs(r1csFile);
  const nPublic = r1cs.nPubOut + r1cs.nPubIn;
  return { nVars: r1cs.nWires, nPublic, nConstraints: r1cs.nConstraints, domainPower: floorLog2(r1cs.nConstraints + nPublic) + 1, ptauPower: readPtauPower(ptauFile), direct: false };
}
