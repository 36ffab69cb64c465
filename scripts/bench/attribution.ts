import { readR1cs } from "../../src/backend/r1cs";
import { readSym } from "../../src/backend/sym";

/**
 * Constraints per ONNX op kind, attributed through the .sym names of the wires each constraint touches
 * (main.g<i>.* is gadget i; main.inRange* the input range checks; the rest the output packing).
 */
export function constraintsByOp(r1csFile: string, symFile: string, gadgetOps: string[]): Record<string, number> {
  const r1cs = readR1cs(r1csFile, true);
  const owner = new Map<number, string>();
  for (const [name, wire] of readSym(symFile)) {
    const g = /^main\.g(\d+)\./.exec(name);
    if (g) owner.set(wire, gadgetOps[Number(g[1])]);
    else if (name.startsWith("main.inRange")) owner.set(wire, "input range check");
  }
  const counts: Record<string, number> = {};
  for (const c of r1cs.constraints!) {
    const wires = [...c.a.keys(), ...c.b.keys(), ...c.c.keys()];
    const kind = wires.map((w) => owner.get(w)).find((k) => k !== undefined) ?? "outputs";
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
