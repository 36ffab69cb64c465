import { R1cs } from "../backend/r1cs";
import { Gadget } from "../lower";
import { gadgetMutations } from "../gadgets";
import { propagate } from "./propagate";

/**
 * The soundness audit of one compiled circuit: mutation testing with re-solving (can a prover change
 * a public output?) and a static pass over the R1CS (which signals are barely constrained?).
 */

export interface AuditTarget {
  r1cs: R1cs;
  byWire: number[][];
  /** Witness index -> circom signal name (from the .sym file). */
  names: Map<number, string>;
  gadgets: Gadget[];
  /** Satisfying witnesses for a few inputs, each with the evaluator's trace (input of every gadget). */
  witnesses: { witness: bigint[]; trace: bigint[]; divisors?: bigint[] }[];
}

export interface Finding {
  wire: number;
  signal: string;
  origin: string;
  detail: string;
}

export interface AuditReport {
  /** Prover-chosen signals given single-wire mutations (a seeded sample when the circuit is large). */
  signalsTried: number;
  signalsTotal: number;
  mutationsTried: number;
  /** Satisfying witnesses with a changed public output: must be empty. */
  forgeries: Finding[];
  /** Satisfying witnesses with the same outputs but other private values (not a forgery; a smell). */
  alternatives: Finding[];
  /** Static findings: wires in no constraint, or linear in only one. */
  suspects: Finding[];
}

/** Which ONNX node and gadget a signal belongs to, from its circom name. */
export function originOf(signal: string, gadgets: Gadget[]): string {
  const g = /^main\.g(\d+)\./.exec(signal);
  if (g) {
    const s = gadgets[Number(g[1])]?.site;
    return s ? `${s.kind} of node "${s.node}" element ${s.index}` : "unknown gadget";
  }
  if (/^main\.inRange\[(\d+)\]/.test(signal)) return "range check of model input";
  if (/^main\.paramRange\[(\d+)\]/.test(signal)) return "range check of a private weight";
  if (/^main\.outDigit\[(\d+)\]/.test(signal)) return "digit check of a packed output";
  if (/^main\.(outHash|paramHash|inHash)\./.test(signal)) return "Poseidon commitment";
  if (/^main\.(out|outPacked)\[|^main\.outCommitment$/.test(signal)) return "model output";
  if (/^main\.params\[/.test(signal)) return "private weight";
  if (/^main\.in\[/.test(signal)) return "model input";
  return signal.startsWith("main.") ? "bound input" : "unnamed";
}

/** Deterministic pseudo-random field elements for the "random value" mutation. */
function* fieldNoise(p: bigint, seed: bigint): Generator<bigint> {
  let x = seed;
  for (;;) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % p;
    yield x;
  }
}

/** Single-wire mutations are sampled beyond this many per model; coherent gadget forgeries never are. */
export const DEFAULT_MUTATION_BUDGET = 60_000;

export function auditCircuit(t: AuditTarget, mutationBudget = DEFAULT_MUTATION_BUDGET): AuditReport {
  const { r1cs, byWire } = t;
  const p = r1cs.prime;
  const nOut = r1cs.nPubOut;
  const firstPrivate = 1 + nOut + r1cs.nPubIn;
  const isFixed = (w: number) => w === 0 || (w > nOut && w < firstPrivate); // the verifier's inputs
  const name = (w: number) => t.names.get(w) ?? `wire ${w}`;
  const finding = (wire: number, detail: string): Finding => ({ wire, signal: name(wire), origin: originOf(name(wire), t.gadgets), detail });

  const report: AuditReport = { signalsTried: 0, signalsTotal: 0, mutationsTried: 0, forgeries: [], alternatives: [], suspects: [] };
  const all = [...Array(r1cs.nWires).keys()].filter((w) => !isFixed(w));
  const perWire = 4 * Math.max(1, t.witnesses.length);
  const mutable = all.length * perWire <= mutationBudget ? all : sample(all, Math.floor(mutationBudget / perWire), t.names);
  report.signalsTotal = all.length;
  report.signalsTried = mutable.length;
  const noise = fieldNoise(p, 0x5eedn);
  const wireOf = new Map([...t.names].map(([w, n]) => [n, w]));
  for (const { witness: honest, trace, divisors } of t.witnesses) {
    // Coherent per-gadget alternatives: the forgeries a prover would actually try.
    t.gadgets.forEach((g, k) => {
      for (const m of gadgetMutations({ k, site: g.site, t: trace[k], wire: (n) => wireOf.get(n), divisor: divisors?.[k] })) {
        // All wires written with their honest values is no mutation (e.g. "sign flipped" on a product
        // that is 0 either way). Otherwise every listed wire stays pinned, unchanged ones included.
        if ([...m.changes].every(([w, v]) => v === honest[w])) continue;
        report.mutationsTried++;
        const r = propagate(r1cs, byWire, honest, m.changes, isFixed);
        if (!r.satisfied) continue;
        const changedOut = [...Array(nOut).keys()].map((i) => i + 1).filter((o) => r.witness[o] !== honest[o]);
        const first = [...m.changes.keys()][0];
        const detail = `${m.label} in gadget g${k}, re-solved through ${r.solved.length} wire(s), satisfies every constraint`;
        if (changedOut.length > 0) report.forgeries.push(finding(first, `${detail} and changes ${changedOut.map(name).join(", ")}`));
        else report.alternatives.push(finding(first, detail));
      }
    });
    // Single-wire mutations of every signal the prover chooses.
    for (const wire of mutable) {
      const v = honest[wire];
      const mutations: [string, bigint][] = [["+1", v + 1n], ["-1", v - 1n], ["random", noise.next().value as bigint], ["p - v", p - v]];
      for (const [label, value] of mutations) {
        if (((value % p) + p) % p === v) continue;
        report.mutationsTried++;
        const r = propagate(r1cs, byWire, honest, new Map([[wire, value]]), isFixed);
        if (!r.satisfied) continue;
        const changedOut = [...Array(nOut).keys()].map((i) => i + 1).filter((o) => r.witness[o] !== honest[o]);
        const detail = `${label} on ${name(wire)} re-solved through ${r.solved.length} wire(s) (${r.solved.slice(0, 4).map(name).join(", ")}${r.solved.length > 4 ? ", ..." : ""}) satisfies every constraint`;
        if (changedOut.length > 0) report.forgeries.push(finding(wire, `${detail} and changes ${changedOut.map(name).join(", ")}`));
        else report.alternatives.push(finding(wire, detail));
      }
    }
  }
  report.suspects = staticPass(t, finding);
  return report;
}

/** A seeded sample that always keeps the public outputs and every named hint bit. */
function sample(wires: number[], n: number, names: Map<number, string>): number[] {
  const must = wires.filter((w) => /main\.out(Packed)?\[|bits\[|nonneg/.test(names.get(w) ?? ""));
  const rest = wires.filter((w) => !must.includes(w));
  let x = 0x9e3779b9n;
  for (let i = rest.length - 1; i > 0; i--) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % (1n << 64n);
    const j = Number(x % BigInt(i + 1));
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return [...must.slice(0, n), ...rest.slice(0, Math.max(0, n - must.length))];
}

/**
 * A wire in no constraint can take any value. A private wire that appears in exactly one constraint,
 * linearly, is pinned only if every other wire of that constraint is: worth a look, not a verdict.
 */
function staticPass(t: AuditTarget, finding: (w: number, d: string) => Finding): Finding[] {
  const { r1cs, byWire } = t;
  const firstPrivate = 1 + r1cs.nPubOut + r1cs.nPubIn;
  const out: Finding[] = [];
  for (let w = 1; w < r1cs.nWires; w++) {
    const cs = byWire[w];
    if (cs.length === 0) {
      out.push(finding(w, "appears in no constraint: any value satisfies the R1CS"));
      continue;
    }
    if (w < firstPrivate || cs.length > 1) continue;
    const c = r1cs.constraints![cs[0]];
    const quadratic = c.a.has(w) && c.b.has(w);
    if (!quadratic) out.push(finding(w, `appears linearly in a single constraint (#${cs[0]}): pinned only if that constraint's other wires are`));
  }
  return out;
}
