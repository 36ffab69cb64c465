import { fail } from "../errors";
import { snarkjsGroth16 } from "./groth16-snarkjs";
import { ProvingSystem } from "./proving-system";

/**
 * The proving systems `zkml.prover` and `zkml:prove --prover` choose from, by name. A new prover
 * implements ProvingSystem (src/backend/proving-system.ts) and is added here.
 */
export const PROVING_SYSTEMS: Readonly<Record<string, ProvingSystem>> = {
  [snarkjsGroth16.name]: snarkjsGroth16,
};

export const DEFAULT_PROVER = snarkjsGroth16.name;

/** A proving system by name (default: DEFAULT_PROVER), or one given as an object (e.g. a test's). */
export type ProverChoice = string | ProvingSystem;

export function isProverName(name: unknown): name is string {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(PROVING_SYSTEMS, name);
}

export function proverNames(): string {
  return Object.keys(PROVING_SYSTEMS).map((n) => `"${n}"`).join(", ");
}

/** The proving system chosen; an unknown name is a one-line user error. */
export function provingSystem(choice: ProverChoice = DEFAULT_PROVER): ProvingSystem {
  if (typeof choice === "object") return choice;
  if (!isProverName(choice)) fail(`unknown prover ${JSON.stringify(choice)}; available: ${proverNames()}`);
  return PROVING_SYSTEMS[choice];
}

/** Frees what every proving system keeps alive (worker threads), so a task's process can exit. */
export async function releaseProvingSystems(): Promise<void> {
  for (const system of Object.values(PROVING_SYSTEMS)) await system.release();
}
