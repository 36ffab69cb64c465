import fs from "fs";
import { fail, invariant } from "../errors";
import { BodyPorts, buildBody } from "../emit/r1cs";
import { Terms } from "../gadgets";
import { CircuitProgram } from "../lower";
import { toField } from "../numeric/field";
import { BufferedFileWriter } from "../util/buffered-file-writer";
import { readRawR1cs, R1csWriter } from "./r1cs";
import { readSym } from "./sym";

/**
 * A large model's circuit in two parts: the interface (public signals, packing, commitments, input
 * range checks), compiled by circom from src/emit/circom.ts with `out[]` as an input, and the body
 * (every gadget, from src/emit/r1cs.ts). Linking keeps the interface's wire numbers (so its public
 * signals stay first, as snarkjs expects), appends the body's wires, and concatenates the constraints:
 * the result is one R1CS, satisfied exactly when both parts are, sharing the in/params/out wires.
 */

/** Where the body's ports are in the interface circuit, from circom's symbol file. */
export function interfacePorts(symFile: string, program: CircuitProgram, firstWire: number): BodyPorts {
  const sym = readSym(symFile);
  const at = (name: string) => {
    const w = sym.get(`main.${name}`);
    invariant(w !== undefined, `the interface circuit has no wire for ${name}`);
    return w;
  };
  const inputs = Array.from({ length: program.inputCount }, (_, i) => at(`in[${i}]`));
  const params = Array.from({ length: program.paramCount }, (_, i) => at(`params[${i}]`));
  const outputs = Array.from({ length: program.outputs.length }, (_, i) => at(`out[${i}]`));
  return { input: (i) => inputs[i], param: (i) => params[i], output: (i) => outputs[i], firstWire };
}

export interface LinkedCircuit {
  nWires: number;
  nConstraints: number;
  nPublic: number;
  /** Wires and constraints of the body alone. */
  bodyWires: number;
  bodyConstraints: number;
}

/**
 * Writes the linked R1CS of `program` and the compiled interface to `outFile`, and with `symOut` a
 * symbol file: the interface's, then each body wire under the name circom gives the same signal.
 */
export function linkR1cs(interfaceR1cs: string, interfaceSym: string, program: CircuitProgram, outFile: string, symOut?: string): LinkedCircuit {
  const iface = readRawR1cs(interfaceR1cs);
  const ports = interfacePorts(interfaceSym, program, iface.nWires);
  const w = new R1csWriter(outFile);
  try {
    w.rawConstraints(iface.constraints, iface.nConstraints);
    const body = buildBody(program, ports, { sink: w, names: symOut !== undefined });
    const nWires = iface.nWires + body.wires;
    const nConstraints = w.count;
    w.finish({ nWires, nPubOut: iface.nPubOut, nPubIn: iface.nPubIn, nPrvIn: iface.nPrvIn, nLabels: iface.nLabels + BigInt(body.wires) }, iface.wireLabels, body.wires);
    if (symOut) {
      const sym = new BufferedFileWriter(symOut);
      sym.write(fs.readFileSync(interfaceSym));
      body.names!.forEach((name, i) => sym.write(Buffer.from(`${iface.nLabels + BigInt(i)},${iface.nWires + i},-1,${name}\n`)));
      sym.close();
    }
    return { nWires, nConstraints, nPublic: iface.nPubOut + iface.nPubIn, bodyWires: body.wires, bodyConstraints: body.constraints };
  } catch (e) {
    w.abort();
    fs.rmSync(outFile, { force: true });
    if (symOut) fs.rmSync(symOut, { force: true });
    throw e;
  }
}

/**
 * The full witness of a linked circuit: the interface's (from circom's witness code, which also checks
 * the interface's own constraints) followed by the body's.
 */
export function linkedWitness(
  interfaceWitness: bigint[],
  program: CircuitProgram,
  ports: BodyPorts,
  values: { inputs: bigint[]; params: bigint[] },
): { witness: bigint[]; outputs: bigint[] } {
  const body = buildBody(program, ports, { values });
  const outputs = body.outputs!;
  outputs.forEach((v, i) => {
    const got = interfaceWitness[ports.output(i)];
    const want = toField(v);
    invariant(got === want, `output ${i} given to the interface (${got}) differs from the body's (${v})`);
  });
  // Field elements in [0, p), as circom's witness code gives them (the body computes with signed integers).
  return { witness: interfaceWitness.concat(body.witness!.map(toField)), outputs };
}
