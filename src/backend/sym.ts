import fs from "fs";

/** circom's .sym map: signal name (e.g. "main.g3.qbits[2]") -> witness index, for signals that survived optimisation. */
export function readSym(file: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const [, wire, , name] = line.split(",");
    const w = Number(wire);
    if (w >= 0) map.set(name, w);
  }
  return map;
}
