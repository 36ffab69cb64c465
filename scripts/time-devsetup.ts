/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Times the fast development trusted setup (src/backend/devsetup).
 *
 *   npx ts-node --transpile-only scripts/time-devsetup.ts 17 [options]
 *
 * Default: in one session (one set of secrets), the prepared .ptau for 2^P and a .zkey for a
 * synthetic circuit whose QAP domain is 2^P (2^P − 3 constraints), with per-step times and peak RSS.
 *   --ptau-only        only the .ptau
 *   --verify           then check with snarkjs: powersoftau verify, zkey verify (slow: it rebuilds
 *                      the key with snarkjs's zkey new), and a Groth16 proof on the synthetic witness
 *   --wasm             compute points with the WASM tables instead of the native addon (when it loads)
 *   --snarkjs=<p>      also time snarkjs's own path (new, contribute, prepare phase2) at power p
 *   --dir=<path>       where to write (default: a temp dir, removed unless --keep)
 *   --keep             keep the files
 */
import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import { BinWriter } from "../src/backend/devsetup/binwriter";
import { leBytes, R, u32le } from "../src/backend/devsetup/field";
import { writeDevPtau } from "../src/backend/devsetup/ptau";
import { DevSession } from "../src/backend/devsetup/session";
import { writeDevZkey } from "../src/backend/devsetup/zkey";

const args = process.argv.slice(2);
const power = Number(args.find((a) => /^\d+$/.test(a)) ?? 12);
const flag = (name: string) => args.includes(`--${name}`);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];

const peakMiB = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const secs = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

/**
 * A satisfiable synthetic R1CS shaped like a quantized layer chain: wire 0 = 1, wire 1 = public
 * output, wire 2 = public input x, then t_1.. where each constraint is
 *   (t_i + c1·t_a + c2·t_b) · (t_i + k) = t_{i+1}
 * with random full-size coefficients and random earlier wires a, b. Also writes the witness (.wtns).
 */
function syntheticCircuit(nConstraints: number, r1csFile: string, wtnsFile: string): void {
  const rnd = () => BigInt("0x" + crypto.randomBytes(40).toString("hex")) % R;
  const nVars = nConstraints + 2;
  const wit: bigint[] = new Array(nVars);
  wit[0] = 1n;
  wit[2] = 7n;
  const wireOfT = (i: number) => (i === 0 ? 2 : i === nConstraints ? 1 : 2 + i); // t_0 = x, t_n = output
  // Per constraint: A has 3 terms, B 2, C 1; each term is a u32 wire and a 32-byte coefficient.
  const perConstraint = 3 * 4 + 6 * 36;
  const cs = Buffer.alloc(nConstraints * perConstraint);
  let pos = 0;
  const lc = (terms: [number, bigint][]) => {
    pos = cs.writeUInt32LE(terms.length, pos);
    for (const [wire, coef] of terms) {
      pos = cs.writeUInt32LE(wire, pos);
      cs.set(leBytes(coef, 32), pos);
      pos += 32;
    }
  };
  for (let i = 0; i < nConstraints; i++) {
    const ti = wireOfT(i);
    const a = wireOfT(Math.floor(Math.random() * (i + 1)));
    const b = wireOfT(Math.floor(Math.random() * (i + 1)));
    const [c1, c2, k] = [rnd(), rnd(), rnd()];
    lc([[ti, 1n], [a, c1], [b, c2]]);
    lc([[0, k], [ti, 1n]]);
    lc([[wireOfT(i + 1), 1n]]);
    const lhs = (wit[ti] + c1 * wit[a] + c2 * wit[b]) % R;
    wit[wireOfT(i + 1)] = (lhs * ((wit[ti] + k) % R)) % R;
  }
  const w = new BinWriter(r1csFile, "r1cs", 1, 3);
  w.startSection(1);
  w.write(u32le(32));
  w.write(leBytes(R, 32));
  for (const v of [nVars, 1, 1, 0]) w.write(u32le(v)); // wires, public outputs, public inputs, private inputs
  w.write(leBytes(BigInt(nVars), 8)); // labels
  w.write(u32le(nConstraints));
  w.endSection();
  w.startSection(2);
  w.write(cs);
  w.endSection();
  w.startSection(3);
  const labels = Buffer.alloc(8 * nVars);
  for (let i = 0; i < nVars; i++) labels.writeBigUInt64LE(BigInt(i), 8 * i);
  w.write(labels);
  w.endSection();
  w.close();

  const x = new BinWriter(wtnsFile, "wtns", 2, 2);
  x.startSection(1);
  x.write(u32le(32));
  x.write(leBytes(R, 32));
  x.write(u32le(nVars));
  x.endSection();
  x.startSection(2);
  const values = Buffer.alloc(32 * nVars);
  wit.forEach((v, i) => values.set(leBytes(v, 32), 32 * i));
  x.write(values);
  x.endSection();
  x.close();
}

async function timeSnarkjsPath(p: number, dir: string): Promise<void> {
  const s = require("snarkjs");
  const curve = await s.curves.getCurveFromName("bn128");
  const f = (n: string) => path.join(dir, `snarkjs_${n}.ptau`);
  let t = Date.now();
  await s.powersOfTau.newAccumulator(curve, p, f("0"));
  await s.powersOfTau.contribute(f("0"), f("1"), "timing", "entropy");
  console.log(`snarkjs 2^${p}: new + contribute ${secs(t)} s`);
  t = Date.now();
  await s.powersOfTau.preparePhase2(f("1"), f("final"));
  console.log(`snarkjs 2^${p}: prepare phase2 ${secs(t)} s`);
}

async function main(): Promise<void> {
  const dir = opt("dir") ?? fs.mkdtempSync(path.join(os.tmpdir(), "devsetup-timing-"));
  fs.mkdirSync(dir, { recursive: true });
  const ptau = path.join(dir, `pot${power}_dev.ptau`);
  const r1cs = path.join(dir, `synthetic${power}.r1cs`);
  const wtns = path.join(dir, `synthetic${power}.wtns`);
  const zkey = path.join(dir, `synthetic${power}.zkey`);
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    if (!flag("ptau-only")) {
      const t = Date.now();
      syntheticCircuit(2 ** power - 3, r1cs, wtns);
      console.log(`synthetic circuit: ${2 ** power - 3} constraints, written in ${secs(t)} s (not counted below)`);
    }
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const session = await DevSession.open(flag("quiet") ? undefined : (m) => console.log(m), undefined, { native: !flag("wasm") });
    console.log(`points: ${session.native ? "native addon" : "WASM tables"}`);
    try {
      let t = Date.now();
      await writeDevPtau(session, power, ptau);
      console.log(`ptau 2^${power}: ${secs(t)} s, ${(fs.statSync(ptau).size / 2 ** 20).toFixed(0)} MiB`);
      if (!flag("ptau-only")) {
        t = Date.now();
        await writeDevZkey(session, r1cs, zkey, power);
        console.log(`zkey (2^${power} domain): ${secs(t)} s, ${(fs.statSync(zkey).size / 2 ** 20).toFixed(0)} MiB`);
      }
    } finally {
      await session.close();
    }
    const busy = session.pool.busyMs.map((ms) => (ms / 1000).toFixed(1)).join(" + ");
    const cpu = process.cpuUsage(cpu0);
    console.log(`worker threads busy: ${busy} s`);
    console.log(`TOTAL ${secs(t0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, peak RSS ${peakMiB()} MiB`);

    if (flag("verify")) {
      const s = require("snarkjs");
      const logger = { info: () => undefined, debug: () => undefined, warn: console.log, error: console.log };
      let t = Date.now();
      console.log(`snarkjs powersoftau verify: ${await s.powersOfTau.verify(ptau, logger)} (${secs(t)} s)`);
      if (!flag("ptau-only")) {
        t = Date.now();
        console.log(`snarkjs zkey verify: ${await s.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger)} (${secs(t)} s)`);
        t = Date.now();
        const { proof, publicSignals } = await s.groth16.prove(zkey, wtns);
        const ok = await s.groth16.verify(await s.zKey.exportVerificationKey(zkey), publicSignals, proof, logger);
        console.log(`groth16 prove + verify: ${ok} (${secs(t)} s)`);
      }
    }
    const sp = opt("snarkjs");
    if (sp) await timeSnarkjsPath(Number(sp), dir);
  } finally {
    await (globalThis as any).curve_bn128?.terminate();
    if (!flag("keep") && !opt("dir")) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
