/* eslint-disable @typescript-eslint/no-explicit-any */
import { expect } from "chai";
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { generateDevPtau, generateDevZkey, readPtauPower } from "../../src/backend/devsetup";
import { DevSession } from "../../src/backend/devsetup/session";

const snarkjs = () => require("snarkjs");
const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };

/** A small circuit with two public signals (output c, input a) and a mix of coefficients. */
const CIRCUIT = `pragma circom 2.0.0;
template T(n) {
  signal input a; signal input b; signal input k[n]; signal output c;
  signal t[n + 1];
  t[0] <== a * b;
  for (var i = 0; i < n; i++) { t[i + 1] <== (t[i] - 5) * (k[i] + 2 * a) + 3; }
  c <== t[n] * 7 + a;
}
component main {public [a]} = T(12);
`;
const INPUT = { a: 3, b: 5, k: Array.from({ length: 12 }, (_, i) => i + 1) };

/** Section ids and data offsets of an iden3 binary file. */
function sectionsOf(file: string): Map<number, { start: number; size: number }> {
  const buf = fs.readFileSync(file);
  const out = new Map<number, { start: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < buf.readUInt32LE(8); i++) {
    const size = Number(buf.readBigUInt64LE(pos + 4));
    out.set(buf.readUInt32LE(pos), { start: pos + 12, size });
    pos += 12 + size;
  }
  return out;
}

/** Overwrites point `dst` of a section with a copy of point `src`: still on the curve, but wrong. */
function clobberPoint(file: string, section: number, pointSize: number, src: number, dst: number): void {
  const s = sectionsOf(file).get(section)!;
  const buf = fs.readFileSync(file);
  buf.copy(buf, s.start + dst * pointSize, s.start + src * pointSize, s.start + (src + 1) * pointSize);
  fs.writeFileSync(file, buf);
}

describe("development trusted setup (devsetup)", function () {
  this.timeout(300_000);
  let dir: string;
  let r1cs: string;
  let wasm: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-devsetup-"));
    fs.writeFileSync(path.join(dir, "t.circom"), CIRCUIT);
    const res = spawnSync(process.execPath, [require.resolve("circom2/cli.js"), path.join(dir, "t.circom"), "--r1cs", "--wasm", "--sym", "-o", dir], { encoding: "utf8" });
    expect(res.status, res.stderr + res.stdout).to.equal(0);
    r1cs = path.join(dir, "t.r1cs");
    wasm = path.join(dir, "t_js", "t.wasm");
  });

  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await (globalThis as any).curve_bn128?.terminate();
  });

  // Both point engines: the native addon's fixed-base multiplication (the default when it loads) and the WASM tables.
  for (const native of [true, false]) {
    const engine = native ? "native" : "WASM";
    describe(`powers of tau (${engine} points)`, () => {
      let ptau: string;
      before(async () => {
        ptau = path.join(dir, `pot6-${engine}.ptau`);
        await generateDevPtau(6, ptau, undefined, { native });
      });

      it("writes a prepared file: header power, sections 1-7 and 12-15", () => {
        expect(readPtauPower(ptau)).to.equal(6);
        expect([...sectionsOf(ptau).keys()]).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
        // Lagrange sections hold every domain 2^p: p <= 7 for tauG1 (power + 1), p <= 6 for the others.
        const s = sectionsOf(ptau);
        expect(s.get(12)!.size).to.equal((2 ** 8 - 1) * 64);
        expect(s.get(13)!.size).to.equal((2 ** 7 - 1) * 128);
        expect(s.get(14)!.size).to.equal((2 ** 7 - 1) * 64);
      });

      it("passes snarkjs powersoftau verify (contribution, powers and Lagrange sections)", async () => {
        expect(await snarkjs().powersOfTau.verify(ptau, quiet)).to.equal(true);
      });

      it("fails verification when a tau power is replaced by another curve point", async () => {
        const bad = path.join(dir, `bad-powers-${engine}.ptau`);
        fs.copyFileSync(ptau, bad);
        clobberPoint(bad, 2, 64, 9, 5);
        expect(await snarkjs().powersOfTau.verify(bad, quiet)).to.equal(false);
      });

      it("fails verification when a Lagrange point is replaced by another curve point", async () => {
        const bad = path.join(dir, `bad-lagrange-${engine}.ptau`);
        fs.copyFileSync(ptau, bad);
        clobberPoint(bad, 14, 64, 40, 41);
        expect(await snarkjs().powersOfTau.verify(bad, quiet)).to.equal(false);
      });

      it("supports snarkjs's own zkey new + contribute, whose key verifies and proves", async () => {
        const s = snarkjs();
        const z0 = path.join(dir, `snark0-${engine}.zkey`);
        const z1 = path.join(dir, `snark1-${engine}.zkey`);
        await s.zKey.newZKey(r1cs, ptau, z0, quiet);
        await s.zKey.contribute(z0, z1, "test", "entropy", quiet);
        expect(await s.zKey.verifyFromR1cs(r1cs, ptau, z1, quiet)).to.equal(true);
        const { proof, publicSignals } = await s.groth16.fullProve(INPUT, wasm, z1);
        expect(await s.groth16.verify(await s.zKey.exportVerificationKey(z1), publicSignals, proof, quiet)).to.equal(true);
      });
    });

    describe(`direct zkey (same secrets as a dev ptau; ${engine} points)`, () => {
      let ptau: string;
      let zkey: string;
      before(async () => {
        ptau = path.join(dir, `pot7-${engine}.ptau`);
        zkey = path.join(dir, `direct-${engine}.zkey`);
        const info = await generateDevZkey(r1cs, 7, zkey, { ptauOut: ptau, native });
        expect(info).to.include({ nPublic: 2, ptauPower: 7, direct: true });
      });

      it("writes a ptau that verifies", async () => {
        expect(await snarkjs().powersOfTau.verify(ptau, quiet)).to.equal(true);
      });

      it("passes snarkjs zkey verify against that ptau (sections equal to zkey new's, delta proof valid)", async () => {
        expect(await snarkjs().zKey.verifyFromR1cs(r1cs, ptau, zkey, quiet)).to.equal(true);
      });

      it("makes Groth16 proofs that verify, and rejects a wrong public signal", async () => {
        const s = snarkjs();
        const { proof, publicSignals } = await s.groth16.fullProve(INPUT, wasm, zkey);
        const vkey = await s.zKey.exportVerificationKey(zkey);
        expect(await s.groth16.verify(vkey, publicSignals, proof, quiet)).to.equal(true);
        const forged = [...publicSignals];
        forged[0] = (BigInt(forged[0]) + 1n).toString();
        expect(await s.groth16.verify(vkey, forged, proof, quiet)).to.equal(false);
      });

      it("exports a Solidity verifier", async () => {
        const template = fs.readFileSync(path.join(path.dirname(require.resolve("snarkjs")), "..", "templates", "verifier_groth16.sol.ejs"), "utf8");
        const sol: string = await snarkjs().zKey.exportSolidityVerifier(zkey, { groth16: template });
        expect(sol).to.include("contract Groth16Verifier");
      });

      it("fails zkey verify against a different ptau", async () => {
        const other = path.join(dir, "other7.ptau");
        await generateDevPtau(7, other);
        expect(await snarkjs().zKey.verifyFromR1cs(r1cs, other, zkey, quiet)).to.equal(false);
      });

      it("falls back to snarkjs when given a ptau file (its secrets are unknown)", async () => {
        const z = path.join(dir, "fromfile.zkey");
        const info = await generateDevZkey(r1cs, ptau, z);
        expect(info.direct).to.equal(false);
        expect(await snarkjs().zKey.verifyFromR1cs(r1cs, ptau, z, quiet)).to.equal(true);
      });

      it("rejects a ptau power too small for the circuit", async () => {
        let err: Error | undefined;
        try {
          await generateDevZkey(r1cs, 3, path.join(dir, `small-${engine}.zkey`));
        } catch (e) {
          err = e as Error;
        }
        expect(err?.message).to.match(/needs a 2\^\d+ domain/);
      });
    });
  }

  it("discards the secrets when a session closes; uses the native addon when it loads", async () => {
    const s = await DevSession.open();
    expect(s.native, "native fixed-base by default").to.equal(true);
    expect(typeof s.tau).to.equal("bigint");
    await s.close();
    expect(() => s.tau).to.throw(/discarded/);
  });
});
