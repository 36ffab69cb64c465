import { expect } from "chai";
import { spawnSync } from "child_process";
import crypto from "crypto";
import fs from "fs";
import path from "path";
import { nativeGroth16 } from "../../src/backend/groth16-native";
import { snarkjsGroth16 } from "../../src/backend/groth16-snarkjs";
import { Groth16Proof } from "../../src/backend/groth16";
import { loadNativeAddon, NativeAddon, NativeFieldOp } from "../../src/backend/native";
import { ProvingSystem, Witness } from "../../src/backend/proving-system";
import { releaseProvingSystems } from "../../src/backend/provers";
import { writeWtns } from "../../src/backend/wtns";
import { compileModel } from "../../src/pipeline/compile";
import { artifact } from "../../src/pipeline/manifest";
import { proveModel } from "../../src/pipeline/prove";
import { sharedModel, tmpDir } from "../circuit/helpers";

/**
 * The native Groth16 prover (native/, src/backend/native.ts, src/backend/groth16-native.ts): its field
 * arithmetic, MSMs and FFT against ffjavascript (snarkjs's own curve code), its proofs against snarkjs's
 * verifier, and the fallback to snarkjs when the addon does not load. The addon must be built: a failed
 * build fails these tests, it never skips them.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildBn128 } = require("ffjavascript");

const REPO = path.resolve(__dirname, "..", "..");
/** BN254's base field (Fq) and scalar field (Fr) moduli, kept local so the test checks the addon's own constants. */
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const le = (x: bigint): Buffer => {
  const b = Buffer.alloc(32);
  for (let i = 0; i < 32; i++, x >>= 8n) b[i] = Number(x & 0xffn);
  return b;
};
const fromLe = (b: Uint8Array, offset = 0): bigint => {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[offset + i]);
  return x;
};
const randomBelow = (m: bigint): bigint => {
  for (;;) {
    const x = fromLe(crypto.randomBytes(32)) & ((1n << 254n) - 1n);
    if (x < m) return x;
  }
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const oneLine = (e: unknown) => {
  expect(e, "an error").to.be.instanceOf(Error);
  expect((e as Error).message).to.not.include("\n");
  expect((e as Error).message.length).to.be.greaterThan(0);
  if (process.env.ZKML_SHOW_ERRORS) console.log(`      ${(e as Error).message}`);
  return (e as Error).message;
};
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("native prover", function () {
  let addon: NativeAddon;
  let curve: any;

  before(async () => {
    const loaded = loadNativeAddon();
    if ("error" in loaded) throw new Error(`the native addon did not load: ${loaded.error}`);
    addon = loaded;
    curve = await buildBn128(true); // single-threaded, and not snarkjs's global curve
  });

  after(async () => {
    await curve?.terminate();
    await releaseProvingSystems();
  });

  it("loads, exports its functions and reports its threads", () => {
    for (const f of ["prove", "fieldOp", "g1Msm", "g2Msm", "fft", "randomFr", "threads"]) expect(typeof (addon as any)[f], f).to.equal("function");
    expect(addon.threads()).to.be.a("number").and.to.be.greaterThan(0);
    expect(loadNativeAddon()).to.equal(addon); // cached
  });

  describe("known vectors (independent of ffjavascript)", () => {
    // BN254's G1 generator (1, 2) and 2·G1, as published with the curve (EIP-196 test vectors).
    const G1 = Buffer.concat([le(1n), le(2n)]);
    const TWO_G1 = Buffer.concat([
      le(1368015179489954701390400359078579693043519447331113978918064868415326638035n),
      le(9918110051302171585080402603319702774565515993150576347155970296011118125764n),
    ]);
    it("Fq and Fr: 1/2 = (p + 1)/2, -1 = p - 1, (p - 1)^2 = 1", () => {
      for (const [field, m] of [["fq", P], ["fr", R]] as const) {
        expect(fromLe(addon.fieldOp(field, "inv", le(2n))), field).to.equal((m + 1n) / 2n);
        expect(fromLe(addon.fieldOp(field, "neg", le(1n))), field).to.equal(m - 1n);
        expect(fromLe(addon.fieldOp(field, "sqr", le(m - 1n))), field).to.equal(1n);
      }
    });
    it("G1: 2·(1, 2), (1, 2) + (1, 2), and r·(1, 2) = infinity", () => {
      expect(hex(addon.g1Msm(G1, le(2n)))).to.equal(hex(TWO_G1));
      expect(hex(addon.g1Msm(Buffer.concat([G1, G1]), Buffer.concat([le(1n), le(1n)])))).to.equal(hex(TWO_G1));
      expect(hex(addon.g1Msm(G1, le(R)))).to.equal(hex(Buffer.alloc(64)));
      expect(hex(addon.g1Msm(G1, le(R + 2n)))).to.equal(hex(TWO_G1));
    });
  });

  describe("field arithmetic against ffjavascript", () => {
    const OPS: NativeFieldOp[] = ["add", "sub", "mul", "sqr", "inv", "neg"];
    const BINARY = new Set<NativeFieldOp>(["add", "sub", "mul"]);

    for (const [field, modulus] of [["fq", P], ["fr", R]] as const) {
      it(`${field}: every op on edge and random values`, () => {
        const F = field === "fq" ? curve.F1 : curve.Fr;
        const edges = field === "fq" ? [0n, 1n, 2n, P - 1n, P - 2n, R - 1n, R, (1n << 253n) + 12345n] : [0n, 1n, 2n, R - 1n, R - 2n, (1n << 253n) + 12345n];
        const values = [...edges, ...Array.from({ length: 40 }, () => randomBelow(modulus))];
        const expected = (op: NativeFieldOp, a: bigint, b: bigint): bigint => {
          const ma = F.fromRprLE(le(a), 0);
          const mb = F.fromRprLE(le(b), 0);
          const r = op === "sqr" ? F.square(ma) : op === "inv" ? F.inv(ma) : op === "neg" ? F.neg(ma) : F[op](ma, mb);
          const out = new Uint8Array(32);
          F.toRprLE(out, 0, r);
          return fromLe(out);
        };
        let checked = 0;
        for (const op of OPS) {
          const pairs: [bigint, bigint][] = [];
          if (BINARY.has(op)) {
            for (const a of edges) for (const b of edges) pairs.push([a, b]);
            for (let i = 0; i < 40; i++) pairs.push([values[edges.length + i], values[edges.length + ((i * 7 + 3) % 40)]]);
          } else {
            for (const a of values) if (!(op === "inv" && a === 0n)) pairs.push([a, 0n]);
          }
          for (const [a, b] of pairs) {
            const got = fromLe(BINARY.has(op) ? addon.fieldOp(field, op, le(a), le(b)) : addon.fieldOp(field, op, le(a)));
            expect(got, `${field} ${op}(${a}${BINARY.has(op) ? `, ${b}` : ""})`).to.equal(expected(op, a, b));
            checked++;
          }
        }
        // Plain bigint arithmetic too, independent of ffjavascript.
        const a = values[edges.length];
        const b = values[edges.length + 1];
        expect(fromLe(addon.fieldOp(field, "mul", le(a), le(b)))).to.equal((a * b) % modulus);
        expect(fromLe(addon.fieldOp(field, "mul", le(a), addon.fieldOp(field, "inv", le(a))))).to.equal(1n);
        expect(checked).to.be.greaterThan(300);
      });
    }

    it("returns 32 bytes and leaves its inputs alone", () => {
      const a = le(randomBelow(R));
      const b = le(randomBelow(R));
      const [a0, b0] = [hex(a), hex(b)];
      const out = addon.fieldOp("fr", "mul", a, b);
      expect(out.length).to.equal(32);
      expect([hex(a), hex(b)]).to.deep.equal([a0, b0]);
    });
  });

  describe("multi-scalar multiplication against a naive sum (ffjavascript)", () => {
    type Case = { name: string; points: any[]; scalars: bigint[] };

    /** A point as the addon takes it: affine x, y (x.c0, x.c1, y.c0, y.c1 in G2), standard form; zeros for infinity. */
    const encode = (G: any, pt: any, g2: boolean): Buffer => {
      if (G.isZero(pt)) return Buffer.alloc(g2 ? 128 : 64);
      const [x, y] = G.toObject(G.toAffine(pt));
      return Buffer.concat(g2 ? [le(x[0]), le(x[1]), le(y[0]), le(y[1])] : [le(x), le(y)]);
    };
    const naive = (G: any, c: Case) => c.points.reduce((acc, pt, i) => G.add(acc, G.timesScalar(pt, le(c.scalars[i]))), G.zero);

    function cases(G: any): Case[] {
      const rnd = () => G.timesScalar(G.g, le(randomBelow(R)));
      const P1 = rnd();
      const out: Case[] = [
        { name: "n=1 random", points: [P1], scalars: [randomBelow(R)] },
        { name: "n=1 scalar 0", points: [P1], scalars: [0n] },
        { name: "n=1 scalar 1", points: [P1], scalars: [1n] },
        { name: "n=1 scalar r-1", points: [P1], scalars: [R - 1n] },
        { name: "n=1 infinity", points: [G.zero], scalars: [randomBelow(R)] },
        { name: "n=1 generator, scalar 2", points: [G.g], scalars: [2n] },
        { name: "n=2 P and P", points: [P1, P1], scalars: [randomBelow(R), randomBelow(R)] },
        { name: "n=2 P and P, same scalar", points: [P1, P1], scalars: [5n, 5n] },
        { name: "n=2 P and -P, same scalar (sum infinity)", points: [P1, G.neg(P1)], scalars: [7n, 7n] },
        { name: "n=2 P and -P, random scalars", points: [P1, G.neg(P1)], scalars: [randomBelow(R), randomBelow(R)] },
        { name: "n=2 P with 1 and r-1 (sum infinity)", points: [P1, P1], scalars: [1n, R - 1n] },
        { name: "n=3 infinity, P, -P", points: [G.zero, P1, G.neg(P1)], scalars: [randomBelow(R), 3n, randomBelow(R)] },
        { name: "n=3 all scalars 0", points: [rnd(), rnd(), rnd()], scalars: [0n, 0n, 0n] },
      ];
      for (const n of [17, 300, 2000]) {
        const points = Array.from({ length: n }, rnd);
        const scalars = Array.from({ length: n }, () => randomBelow(R));
        // Edge scalars and points among random ones: 0, 1, r-1, infinity, a repeated point, a negated point.
        scalars[0] = 0n;
        scalars[1] = 1n;
        scalars[2] = R - 1n;
        points[3] = G.zero;
        points[4] = points[5];
        points[6] = G.neg(points[7]);
        points[8] = points[9];
        scalars[8] = scalars[9];
        points[10] = G.neg(points[11]);
        scalars[10] = scalars[11];
        out.push({ name: `n=${n} random with edges`, points, scalars });
      }
      const Q = rnd();
      out.push({ name: "n=300 one point, random scalars", points: Array(300).fill(Q), scalars: Array.from({ length: 300 }, () => randomBelow(R)) });
      const s = randomBelow(R);
      out.push({ name: "n=300 random points, one scalar", points: Array.from({ length: 300 }, rnd), scalars: Array(300).fill(s) });
      out.push({ name: "n=17 small scalars", points: Array.from({ length: 17 }, rnd), scalars: Array.from({ length: 17 }, (_, i) => BigInt(i)) });
      return out;
    }

    for (const group of ["G1", "G2"] as const) {
      it(`${group}: n in {1, 2, 3, 17, 300, 2000}, with 0, 1, r-1, infinity and repeated and opposite points`, function () {
        const G = curve[group];
        const g2 = group === "G2";
        const msm = g2 ? addon.g2Msm : addon.g1Msm;
        for (const c of cases(G)) {
          const points = Buffer.concat(c.points.map((pt) => encode(G, pt, g2)));
          const scalars = Buffer.concat(c.scalars.map(le));
          const want = hex(encode(G, naive(G, c), g2));
          for (const threads of [undefined, 1]) {
            const got = msm.call(addon, points, scalars, threads);
            expect(got.length, c.name).to.equal(g2 ? 128 : 64);
            expect(hex(got), `${group} ${c.name}${threads ? " (1 thread)" : ""}`).to.equal(want);
          }
        }
      });
    }
  });

  describe("large multi-scalar multiplications against ffjavascript's own multiExpAffine", () => {
    // Sizes where the batch-affine buckets flush many full batches (2^14: 512 buckets, batches of
    // 128; 2^16: 2048 buckets, batches of 512), with random full-width scalars and with bits.
    for (const group of ["G1", "G2"] as const) {
      for (const n of group === "G1" ? [1 << 14, 1 << 16] : [1 << 14]) {
        it(`${group}: n = 2^${Math.log2(n)}, random scalars and 0/1 scalars`, async function () {
          const G = curve[group];
          const g2 = group === "G2";
          const size = g2 ? 128 : 64;
          // Distinct points cheaply: P_i = P_{i-1} + Q.
          const Q = G.timesScalar(G.g, le(randomBelow(R)));
          const lem = new Uint8Array(n * size);
          const std: Buffer[] = [];
          let P = G.timesScalar(G.g, le(randomBelow(R)));
          for (let i = 0; i < n; i++, P = G.add(P, Q)) {
            const A = G.toAffine(P);
            G.toRprLEM(lem, i * size, A);
            const [x, y] = G.toObject(A);
            std.push(Buffer.concat(g2 ? [le(x[0]), le(x[1]), le(y[0]), le(y[1])] : [le(x), le(y)]));
          }
          const points = Buffer.concat(std);
          for (const kind of ["random", "bits"]) {
            const scalars = Buffer.concat(Array.from({ length: n }, () => le(kind === "random" ? randomBelow(R) : BigInt(Math.random() < 0.5 ? 1 : 0))));
            const want = G.toObject(G.toAffine(await G.multiExpAffine(lem, new Uint8Array(scalars))));
            const got = (g2 ? addon.g2Msm : addon.g1Msm).call(addon, points, scalars);
            const wantBytes = g2 ? Buffer.concat([le(want[0][0]), le(want[0][1]), le(want[1][0]), le(want[1][1])]) : Buffer.concat([le(want[0]), le(want[1])]);
            expect(hex(got), `${group} n=${n} ${kind}`).to.equal(hex(wantBytes));
          }
        });
      }
    }
  });

  describe("fixed-base multiplication (the development setup's points) against ffjavascript", () => {
    // A scalar whose signed digits are all 2^(w-1), the largest a window's table holds (the carry-free
    // top digit): each window's bits are 100…0. A 16-bit window's digit 2^15 overflowed int16 and made
    // keys of 2^18 domains that verified no proof; these scalars catch that at every width.
    const halfDigits = (w: number) => {
      let k = 0n;
      for (let bit = w - 1; bit < 254; bit += w) k |= 1n << BigInt(bit);
      return k;
    };
    const lemOf = (G: any, k: bigint, size: number) => {
      const out = new Uint8Array(size);
      const pt = G.timesScalar(G.g, le(k));
      if (!G.isZero(pt)) G.toRprLEM(out, 0, G.toAffine(pt));
      return out;
    };
    for (const group of ["G1", "G2"] as const) {
      it(`${group}: every window width 2..15 on 0, 1, r-1, r, 2^254-1, all-top-digit and random scalars`, () => {
        const G = curve[group];
        const size = group === "G2" ? 128 : 64;
        for (let w = 2; w <= 15; w++) {
          const scalars = [0n, 1n, R - 1n, R, (1n << 254n) - 1n, halfDigits(w), halfDigits(w) >> 1n, ...Array.from({ length: 8 }, () => randomBelow(R))];
          const got = addon.fixedBase(group, w, Buffer.concat(scalars.map(le)));
          expect(got.length).to.equal(scalars.length * size);
          scalars.forEach((k, i) => expect(hex(got.subarray(i * size, (i + 1) * size)), `${group} w=${w} k=${k.toString(16)}`).to.equal(hex(lemOf(G, k, size))));
        }
      });
    }
    it("refuses a 16-bit window and a scalar of 2^254 or more, in one line", () => {
      let e: unknown;
      try {
        addon.fixedBase("G1", 16, le(1n));
      } catch (x) {
        e = x;
      }
      expect(oneLine(e)).to.include("2..15");
      e = undefined;
      try {
        addon.fixedBase("G1", 8, le(1n << 254n));
      } catch (x) {
        e = x;
      }
      expect(oneLine(e)).to.include("2^254");
    });
  });

  describe("FFT against ffjavascript's Fr.fft / Fr.ifft", () => {
    // A Uint8Array, not a Buffer: ffjavascript swaps elements through .slice(), which copies only for a Uint8Array.
    const toMont = (F: any, values: bigint[]) => new Uint8Array(Buffer.concat(values.map((v) => F.fromRprLE(le(v), 0))));
    const fromMont = (F: any, buff: Uint8Array): bigint[] => {
      const out: bigint[] = [];
      for (let i = 0; i < buff.length / 32; i++) {
        const b = new Uint8Array(32);
        F.toRprLE(b, 0, buff.slice(i * 32, i * 32 + 32));
        out.push(fromLe(b));
      }
      return out;
    };
    const decode = (buff: Uint8Array) => Array.from({ length: buff.length / 32 }, (_, i) => fromLe(buff, i * 32));

    for (const n of [1, 2, 8, 1024]) {
      it(`n = ${n}: fft and ifft equal ffjavascript's, and ifft(fft(x)) = x`, async () => {
        const F = curve.Fr;
        const x = Array.from({ length: n }, (_, i) => (i === 0 ? R - 1n : randomBelow(R)));
        const input = Buffer.concat(x.map(le));
        const forward = addon.fft(input, false);
        const inverse = addon.fft(input, true);
        expect(forward.length).to.equal(32 * n);
        const wantForward = fromMont(F, await F.fft(toMont(F, x)));
        const wantInverse = fromMont(F, await F.ifft(toMont(F, x)));
        expect(decode(forward), "fft").to.deep.equal(wantForward);
        expect(decode(inverse), "ifft").to.deep.equal(wantInverse);
        expect(decode(addon.fft(forward, true)), "ifft(fft(x))").to.deep.equal(x);
        expect(decode(addon.fft(inverse, false)), "fft(ifft(x))").to.deep.equal(x);
        expect(hex(input), "input untouched").to.equal(hex(Buffer.concat(x.map(le))));
      });
    }

    it("n = 8: the forward transform evaluates the polynomial at the powers of ffjavascript's root of unity", () => {
      const F = curve.Fr;
      const x = Array.from({ length: 8 }, () => randomBelow(R));
      const w = fromMont(F, F.w[3])[0];
      const pow = (b: bigint, e: bigint) => {
        let r = 1n;
        for (b %= R; e > 0n; e >>= 1n, b = (b * b) % R) if (e & 1n) r = (r * b) % R;
        return r;
      };
      const evals = Array.from({ length: 8 }, (_, i) => x.reduce((acc, c, j) => (acc + c * pow(w, BigInt(i * j))) % R, 0n));
      expect(decode(addon.fft(Buffer.concat(x.map(le)), false))).to.deep.equal(evals);
    });
  });

  it("randomFr: 1000 draws, each below r, all distinct", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const v = addon.randomFr();
      expect(v.length).to.equal(32);
      expect(fromLe(v) < R, `draw ${i}`).to.equal(true);
      seen.add(hex(v));
    }
    expect(seen.size).to.equal(1000);
  });

  describe("Groth16 proofs of a compiled model", () => {
    const build = tmpDir("native-prover");
    let zkey: string;
    let vkey: object;
    let witness: bigint[];
    let snarkjsSignals: string[];
    let nPublic: number;

    before(async () => {
      const input = JSON.parse(fs.readFileSync(path.join(path.dirname(sharedModel("1l_mlp")), "input.json"), "utf8"));
      const compiled = await compileModel({ name: "mlp_native", onnx: sharedModel("1l_mlp"), buildDir: build, quant: { scaleBits: 12, inputBits: 24 }, prover: "snarkjs", log: () => undefined });
      zkey = artifact(compiled.dir, compiled.manifest, "zkey");
      vkey = JSON.parse(fs.readFileSync(artifact(compiled.dir, compiled.manifest, "vkey"), "utf8"));
      // snarkjs's Groth16, recording the full witness the pipeline proves from.
      const capture: ProvingSystem = {
        ...snarkjsGroth16,
        name: "capture",
        prove: async (k: string, w: Witness) => {
          witness = w as bigint[];
          return snarkjsGroth16.prove(k, w);
        },
      };
      const r = await proveModel(compiled.dir, input, { reference: false, prover: capture });
      snarkjsSignals = r.publicSignals;
      nPublic = compiled.manifest.publicSignals.count;
      expect(witness[0]).to.equal(1n);
    });

    const verifies = (proof: Groth16Proof, signals: string[]) => snarkjsGroth16.verify(vkey, signals, proof);

    it("proves from the witness in memory: snarkjs's layout and public signals, and the proof verifies", async () => {
      const { proof, publicSignals } = await nativeGroth16.prove(zkey, witness);
      expect(nativeGroth16.name).to.equal("native");
      expect(Object.keys(proof)).to.deep.equal(["pi_a", "pi_b", "pi_c", "protocol", "curve"]);
      expect(proof.protocol).to.equal("groth16");
      expect(proof.curve).to.equal("bn128");
      expect(proof.pi_a).to.have.length(3);
      expect(proof.pi_a[2]).to.equal("1");
      expect(proof.pi_c).to.have.length(3);
      expect(proof.pi_c[2]).to.equal("1");
      expect(proof.pi_b).to.have.length(3);
      expect(proof.pi_b[2]).to.deep.equal(["1", "0"]);
      for (const s of [...proof.pi_a, ...proof.pi_b.flat(), ...proof.pi_c]) expect(s).to.match(/^(0|[1-9][0-9]*)$/);
      expect(publicSignals).to.have.length(nPublic);
      expect(publicSignals).to.deep.equal(snarkjsSignals);
      expect(await verifies(proof, publicSignals)).to.equal(true);
    });

    it("proves from a .wtns file; the proof verifies", async () => {
      const file = path.join(build, "witness.wtns");
      writeWtns(file, witness, R);
      const { proof, publicSignals } = await nativeGroth16.prove(zkey, { wtnsFile: file });
      expect(publicSignals).to.deep.equal(snarkjsSignals);
      expect(await verifies(proof, publicSignals)).to.equal(true);
    });

    it("blinds each proof afresh: two proofs of one witness differ and both verify", async () => {
      const a = await nativeGroth16.prove(zkey, witness);
      const b = await nativeGroth16.prove(zkey, witness);
      expect(a.proof.pi_a).to.not.deep.equal(b.proof.pi_a);
      expect(a.proof.pi_b).to.not.deep.equal(b.proof.pi_b);
      expect(a.proof.pi_c).to.not.deep.equal(b.proof.pi_c);
      expect(await verifies(a.proof, a.publicSignals)).to.equal(true);
      expect(await verifies(b.proof, b.publicSignals)).to.equal(true);
    });

    it("gives a proof that does not verify for a witness with one private wire changed", async () => {
      const forged = [...witness];
      forged[forged.length - 1] = (forged[forged.length - 1] + 1n) % R; // a private wire
      const bad = await nativeGroth16.prove(zkey, forged);
      expect(bad.publicSignals).to.deep.equal(snarkjsSignals);
      expect(await verifies(bad.proof, bad.publicSignals)).to.equal(false);
    });

    it("refuses a witness of the wrong length, and values not below r, in one line", async () => {
      oneLine(await rejection(nativeGroth16.prove(zkey, witness.slice(0, -1))));
      oneLine(await rejection(nativeGroth16.prove(zkey, [...witness, 5n])));
      const raw = Buffer.concat(witness.map(le));
      oneLine(await rejection(addon.prove(zkey, raw.subarray(0, raw.length - 32))));
      oneLine(await rejection(addon.prove(zkey, raw.subarray(0, raw.length - 1))));
      const tooBig = Buffer.from(raw);
      le(R).copy(tooBig, 32 * (witness.length - 1));
      oneLine(await rejection(addon.prove(zkey, tooBig)));
    });

    it("refuses a .wtns over another prime, and a malformed zkey, in one line", async () => {
      const file = path.join(build, "other-prime.wtns");
      writeWtns(file, witness, P);
      expect(oneLine(await rejection(nativeGroth16.prove(zkey, { wtnsFile: file })))).to.match(/prime/);
      const garbage = path.join(build, "garbage.zkey");
      fs.writeFileSync(garbage, crypto.randomBytes(4096));
      oneLine(await rejection(nativeGroth16.prove(garbage, witness)));
      const truncated = path.join(build, "truncated.zkey");
      fs.writeFileSync(truncated, fs.readFileSync(zkey).subarray(0, 1000));
      oneLine(await rejection(nativeGroth16.prove(truncated, witness)));
      oneLine(await rejection(nativeGroth16.prove(path.join(build, "missing.zkey"), witness)));
    });

    it("falls back to snarkjs, saying so once on stderr, when the addon does not load", async () => {
      const file = path.join(build, "fallback.wtns");
      writeWtns(file, witness, R);
      const script = `
        const { provingSystem, PROVING_SYSTEMS, releaseProvingSystems } = require(${JSON.stringify(path.join(REPO, "src/backend/provers"))});
        (async () => {
          const system = provingSystem("native");
          const again = [provingSystem(), PROVING_SYSTEMS.native, provingSystem("native")];
          const fromFile = await system.prove(process.env.ZKEY, { wtnsFile: process.env.WTNS });
          await again[0].prove(process.env.ZKEY, { wtnsFile: process.env.WTNS });
          await releaseProvingSystems();
          process.stdout.write(JSON.stringify({ name: system.name, same: again.every((s) => s === system), ...fromFile }));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: REPO,
        env: { ...process.env, ZKML_NATIVE_ADDON: "/nonexistent/zkml_native.node", ZKEY: zkey, WTNS: file },
        encoding: "utf8",
      });
      expect(r.status, r.stderr).to.equal(0);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
      expect(lines.filter((l) => /native prover unavailable .*; proving with snarkjs/.test(l)), r.stderr).to.have.length(1);
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^hardhat-zkml: native prover unavailable \(.*\/nonexistent\/zkml_native\.node.*\); proving with snarkjs$/);
      const out = JSON.parse(r.stdout);
      expect(out.name).to.equal("snarkjs");
      expect(out.same).to.equal(true);
      expect(out.publicSignals).to.deep.equal(snarkjsSignals);
      expect(await verifies(out.proof, out.publicSignals)).to.equal(true);
    });
  });
});
