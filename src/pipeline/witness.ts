import { CircomArtifacts, computeWitness } from "../backend/circom";
import { interfacePorts, linkedWitness } from "../backend/link";
import { CircuitProgram } from "../lower";

/**
 * The full witness of a compiled circuit, what every proving system proves from. A circom body:
 * circom's witness code. A direct body: circom's witness code runs the interface with the evaluator's
 * `outputs` as `out`, then the body is computed gadget by gadget and must reproduce them (see
 * src/backend/link.ts). Only a direct body needs the lowered `program`; it may be given as a function,
 * called only then (lowering a large model takes seconds).
 */
export async function circuitWitness(
  artifacts: Pick<CircomArtifacts, "wasm" | "witnessCalculator" | "sym">,
  program: CircuitProgram | (() => CircuitProgram),
  direct: boolean,
  circuitInput: Record<string, unknown>,
  values: { inputs: bigint[]; params: bigint[]; outputs: bigint[] },
): Promise<bigint[]> {
  if (!direct) return computeWitness(artifacts.wasm, artifacts.witnessCalculator, circuitInput);
  const iface = await computeWitness(artifacts.wasm, artifacts.witnessCalculator, { ...circuitInput, out: values.outputs.map(String) });
  const lowered = typeof program === "function" ? program() : program;
  const ports = interfacePorts(artifacts.sym, lowered, iface.length);
  return linkedWitness(iface, lowered, ports, values).witness;
}
