import { expect } from "chai";
import fs from "fs";
import path from "path";
import { snarkjsGroth16 } from "../../src/backend/groth16-snarkjs";
import { DEFAULT_PROVER, PROVING_SYSTEMS, provingSystem, releaseProvingSystems } from "../../src/backend/provers";
import { ProvingSystem, Witness } from "../../src/backend/proving-system";
import { readR1cs } from "../../src/backend/r1cs";
import { writeWtns } from "../../src/backend/wtns";
import { ZkmlError } from "../../src/errors";
import { CircuitBody, compileModel, CompiledModel } from "../../src/pipeline/compile";
import { artifact } from "../../src/pipeline/manifest";
import { proveModel, ProveResult, verifyModelProof } from "../../src/pipeline/prove";
import { sharedModel, tmpDir } from "../circuit/helpers";
import { BN254_P, rejectsWith } from "./helpers";

/**
 * The proving-system seam (src/backend/proving-system.ts): compile, prove and verify go through the
 * chosen system for a circom body and a direct body alike; a proof is made from the full witness
 * (in memory or a .wtns file) and verifies; an unknown prover is a one-line error.
 */

interface Call {
  method: keyof ProvingSystem;
  args: unknown[];
}

/** snarkjs's Groth16 behind a recorder: the test sees every call the pipeline makes through the seam. */
function recorded(base: ProvingSystem): { system: ProvingSystem; calls: Call[] } {
  const calls: Call[] = [];
  const system = { ...base, name: "recorded" } as ProvingSystem;
  for (const method of Object.keys(base) as (keyof ProvingSystem)[]) {
    const fn = base[method];
    if (typeof fn !== "function") continue;
    (system as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return (fn as (...a: unknown[]) => unknown).apply(base, args);
    };
  }
  return { system, calls };
}

const methods = (calls: Call[]) => calls.map((c) => c.method);

describe("proving-system seam", () => {
  const build = tmpDir("proving-system");
  const input = JSON.parse(fs.readFileSync(path.join(path.dirname(sharedModel("1l_mlp")), "input.json"), "utf8"));
  const proved: Partial<Record<CircuitBody, ProveResult>> = {};
  after(releaseProvingSystems);

  it("has the native prover as its default, and snarkjs's Groth16 registered under its name", () => {
    expect(DEFAULT_PROVER).to.equal("native");
    expect(provingSystem()).to.equal(PROVING_SYSTEMS.native);
    // The native prover, or snarkjs's Groth16 when its addon is not built (test/unit/native-prover.test.ts).
    expect(provingSystem().name).to.be.oneOf(["native", "snarkjs"]);
    expect(PROVING_SYSTEMS.snarkjs).to.equal(snarkjsGroth16);
    expect(provingSystem("snarkjs")).to.equal(snarkjsGroth16);
  });

  for (const body of ["circom", "direct"] as const) {
    describe(`a ${body} body`, () => {
      let compiled: CompiledModel;
      let setupCalls: Call[];
      let witness: bigint[];
      const { system, calls } = recorded(snarkjsGroth16);

      before(async () => {
        compiled = await compileModel({ name: `mlp_${body}`, onnx: sharedModel("1l_mlp"), buildDir: build, quant: { scaleBits: 12, inputBits: 24 }, body, prover: system, log: () => undefined });
        setupCalls = calls.splice(0);
      });

      it("is set up, and gets its Solidity verifier, through the chosen system", () => {
        expect(compiled.manifest.circuit.body).to.equal(body);
        expect(methods(setupCalls)).to.deep.equal(["setup", "solidityVerifier"]);
        const [r1cs, zkey, opts] = setupCalls[0].args as [string, string, { power: number; ptau?: string }];
        expect(path.basename(r1cs)).to.equal(body === "direct" ? "model.linked.r1cs" : "model.r1cs");
        expect(path.basename(zkey)).to.equal("model.zkey");
        expect(opts.ptau).to.equal(undefined); // a development key
        expect(setupCalls[1].args[1]).to.equal(compiled.manifest.contractName);
      });

      it("is proven from its full witness through the system; the proof verifies off-chain", async () => {
        const r = await proveModel(compiled.dir, input, { reference: false, prover: system });
        proved[body] = r;
        // witness -> prove -> verify (the prover's own check) -> calldata: one path whatever the body.
        expect(methods(calls)).to.deep.equal(["prove", "verify", "calldata"]);
        const [zkey, given] = calls[0].args as [string, Witness];
        expect(zkey).to.equal(artifact(compiled.dir, compiled.manifest, "zkey"));
        expect(Array.isArray(given)).to.equal(true);
        witness = given as bigint[];
        expect(witness.length).to.equal(readR1cs(artifact(compiled.dir, compiled.manifest, "r1cs")).nWires);
        expect(witness[0]).to.equal(1n);
        expect(r.publicSignals).to.have.length(compiled.manifest.publicSignals.count);
        expect(r.calldata.publicSignals.map((s) => BigInt(s).toString())).to.deep.equal(r.publicSignals);

        calls.length = 0;
        expect((await verifyModelProof(compiled.dir, r.proof, r.publicSignals, { prover: system })).valid).to.equal(true);
        expect(methods(calls)).to.deep.equal(["verify"]);
        // The default system verifies the same proof: the seam changes no file format.
        expect((await verifyModelProof(compiled.dir, r.proof, r.publicSignals)).valid).to.equal(true);
        calls.length = 0;
      });

      it("proves from a .wtns file too, and a witness with one wire changed gives a proof that does not verify", async () => {
        const zkey = artifact(compiled.dir, compiled.manifest, "zkey");
        const vkey = JSON.parse(fs.readFileSync(artifact(compiled.dir, compiled.manifest, "vkey"), "utf8"));
        const file = path.join(build, `${body}.wtns`);
        writeWtns(file, witness, BN254_P);
        const fromFile = await snarkjsGroth16.prove(zkey, { wtnsFile: file });
        expect(fromFile.publicSignals).to.deep.equal(proved[body]!.publicSignals);
        expect(await snarkjsGroth16.verify(vkey, fromFile.publicSignals, fromFile.proof)).to.equal(true);

        const forged = [...witness];
        forged[forged.length - 1] = (forged[forged.length - 1] + 1n) % BN254_P; // a private wire
        const bad = await snarkjsGroth16.prove(zkey, forged);
        expect(await snarkjsGroth16.verify(vkey, bad.publicSignals, bad.proof)).to.equal(false);
      });
    });
  }

  // Mocha runs a describe's own tests before its nested ones: these come after both bodies'.
  describe("either body", () => {
    it("gives both bodies' proofs the same public signals for the same input", () => {
      expect(proved.circom && proved.direct, "both bodies proved").to.not.equal(undefined);
      expect(proved.direct!.publicSignals).to.deep.equal(proved.circom!.publicSignals);
      expect(proved.direct!.outputs).to.deep.equal(proved.circom!.outputs);
    });

    it("refuses an unknown prover in one line naming the available ones, before any work", async () => {
      const message = /^unknown prover "groth17"; available: "native", "snarkjs"$/;
      expect(() => provingSystem("groth17")).to.throw(ZkmlError, message);
      const dir = path.join(build, "mlp_circom");
      expect((await rejectsWith(proveModel(dir, input, { prover: "groth17" }), message)).constructor).to.equal(ZkmlError);
      await rejectsWith(verifyModelProof(dir, proved.circom!.proof, proved.circom!.publicSignals, { prover: "groth17" }), message);
      await rejectsWith(compileModel({ name: "never", onnx: sharedModel("1l_mlp"), buildDir: build, quant: { scaleBits: 12, inputBits: 24 }, prover: "groth17", log: () => undefined }), message);
      expect(fs.existsSync(path.join(build, "never"))).to.equal(false);
    });
  });
});
