import fs from "fs";
import os from "os";
import path from "path";
import { computeWitness } from "../../src/backend/circom";
import { constraintsByWire, R1cs, readR1cs, unsatisfiedConstraints } from "../../src/backend/r1cs";
import { readSym } from "../../src/backend/sym";
import { size } from "../../src/ir/graph";
import { fromField } from "../../src/numeric/field";
import { QuantParams } from "../../src/ops/domain";
import { BuiltCircuit, buildCircuit, CIRCUIT_LIB_DIR } from "../../src/pipeline/compile";
import { compileCircuit } from "../../src/backend/circom";

export const MODELS_DIR = process.env.ZKML_MODELS_DIR ?? path.resolve(__dirname, "..", "..", "..", "shared", "models", "ezkl");

/** A reference model from ../shared (or $ZKML_MODELS_DIR). Missing data is a failure, never a skip. */
export function sharedModel(name: string): string {
  const file = path.join(MODELS_DIR, name, "network.onnx");
  if (!fs.existsSync(file)) throw new Error(`reference model not found: ${file} (clone the repo beside ../shared or set ZKML_MODELS_DIR)`);
  return file;
}

export { mulberry32 as rng } from "../../src/util/prng";

export interface TestCircuit {
  r1cs: R1cs;
  byWire: number[][];
  sym: Map<string, number>;
  witness(input: Record<string, unknown>): Promise<bigint[]>;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `zkml-${prefix}-`));
}

async function load(artifacts: { r1cs: string; sym: string; wasm: string; witnessCalculator: string }): Promise<TestCircuit> {
  const r1cs = readR1cs(artifacts.r1cs, true);
  return {
    r1cs,
    byWire: constraintsByWire(r1cs),
    sym: readSym(artifacts.sym),
    witness: (input) => computeWitness(artifacts.wasm, artifacts.witnessCalculator, input),
  };
}

/** The test view of an already built circuit. */
export function loadBuilt(built: BuiltCircuit): Promise<TestCircuit> {
  return load(built.artifacts);
}

/** Compiles a model's circuit (no trusted setup) in a temporary directory. */
export async function modelCircuit(name: string, onnxFile: string, quant: QuantParams): Promise<TestCircuit & { built: BuiltCircuit }> {
  const built = await buildCircuit(name, fs.readFileSync(onnxFile), path.basename(onnxFile), quant, tmpDir(name));
  return { ...(await load(built.artifacts)), built };
}

/** Compiles a hand-written test circuit that includes the gadget library. */
export async function sourceCircuit(name: string, source: string): Promise<TestCircuit> {
  const dir = tmpDir(name);
  const file = path.join(dir, `${name}.circom`);
  fs.writeFileSync(file, source);
  return load(compileCircuit(file, dir, [CIRCUIT_LIB_DIR]));
}

/** The constraints violated after replacing some wires of a satisfying witness. */
export function violatedAfter(c: TestCircuit, honest: bigint[], changes: Map<number, bigint>): number[] {
  const w = [...honest];
  const touched = new Set<number>();
  for (const [wire, v] of changes) {
    w[wire] = ((v % c.r1cs.prime) + c.r1cs.prime) % c.r1cs.prime;
    c.byWire[wire].forEach((i) => touched.add(i));
  }
  return unsatisfiedConstraints(c.r1cs, w, touched);
}

export function flatSize(shapes: { shape: number[] }[]): number {
  return shapes.reduce((n, s) => n + size(s.shape), 0);
}

/**
 * The flaw of an assert-only Dense layer, at its smallest: the rescale's remainder is computed but never
 * bounded, so any quotient can be paired with a matching remainder. The harnesses must catch it.
 */
export const ASSERT_ONLY_RESCALE = `pragma circom 2.1.6;
template T() {
  signal input in;
  signal output out;
  signal r;
  out <-- (in + 2) \\ 4;
  r <-- in + 2 - out * 4;
  out * 4 + r === in + 2;
}
component main {public [in]} = T();
`;

/**
 * Every assignment of the `free` wires that satisfies the R1CS, the rest kept at `honest`: boolean
 * wires over {0, 1}, the others over [-intRange, intRange] plus their honest value (an inverse hint
 * is a large field element). Small gadgets only: the search is exhaustive.
 */
export function satisfyingAssignments(r1cs: R1cs, honest: bigint[], free: { wire: number; boolean: boolean }[], intRange: number): bigint[][] {
  const p = r1cs.prime;
  const domains = free.map(({ wire, boolean }) => {
    const small = boolean ? [0n, 1n] : Array.from({ length: 2 * intRange + 1 }, (_, i) => BigInt(i - intRange));
    const h = fromField(honest[wire]);
    return small.includes(h) ? small : [...small, h];
  });
  const found: bigint[][] = [];
  const w = [...honest];
  const rec = (k: number) => {
    if (k === free.length) {
      if (unsatisfiedConstraints(r1cs, w).length === 0) found.push([...w]);
      return;
    }
    for (const v of domains[k]) {
      w[free[k].wire] = ((v % p) + p) % p;
      rec(k + 1);
    }
  };
  rec(0);
  return found;
}
