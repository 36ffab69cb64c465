import { fail } from "../errors";
import type { ProvingSystem } from "./proving-system";

/**
 * How each proving system is loaded, by name. Loaders run on first use, so loading the plugin (a
 * project's `npx hardhat --help`) never loads a prover, snarkjs or the native addon. A new prover
 * implements ProvingSystem (src/backend/proving-system.ts) and is added here.
 */
const LOADERS: Readonly<Record<string, () => ProvingSystem>> = {
  native: loadNative,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  snarkjs: () => (require("./groth16-snarkjs") as typeof import("./groth16-snarkjs")).snarkjsGroth16,
};

let warnedNoNative = false;

/**
 * The native prover (src/backend/groth16-native.ts), or, when its addon did not build or does not
 * load, snarkjs's Groth16 under the hood, said once per process in one line on stderr.
 */
function loadNative(): ProvingSystem {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const addon = (require("./native") as typeof import("./native")).loadNativeAddon();
  if (!("error" in addon)) return (require("./groth16-native") as typeof import("./groth16-native")).nativeGroth16;
  if (!warnedNoNative) {
    warnedNoNative = true;
    process.stderr.write(`hardhat-zkml: native prover unavailable (${addon.error.replace(/\s*\n\s*/g, " ")}); proving with snarkjs\n`);
  }
  return (require("./groth16-snarkjs") as typeof import("./groth16-snarkjs")).snarkjsGroth16;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const loaded = new Map<string, ProvingSystem>();

function load(name: string): ProvingSystem {
  let system = loaded.get(name);
  if (!system) {
    system = LOADERS[name]();
    loaded.set(name, system);
  }
  return system;
}

/** The proving systems `zkml.prover` and `zkml:prove --prover` choose from, by name; each loads when read. */
export const PROVING_SYSTEMS: Readonly<Record<string, ProvingSystem>> = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(Object.keys(LOADERS).map((name) => [name, { enumerable: true, get: () => load(name) }])),
  ) as Record<string, ProvingSystem>,
);

/** The native prover, which falls back to snarkjs (with one line on stderr) when its addon is not built. */
export const DEFAULT_PROVER = "native";

/** A proving system by name (default: DEFAULT_PROVER), or one given as an object (e.g. a test's). */
export type ProverChoice = string | ProvingSystem;

export function isProverName(name: unknown): name is string {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(LOADERS, name);
}

export function proverNames(): string {
  return Object.keys(LOADERS).map((n) => `"${n}"`).join(", ");
}

/** The proving system chosen; an unknown name is a one-line user error. */
export function provingSystem(choice: ProverChoice = DEFAULT_PROVER): ProvingSystem {
  if (typeof choice === "object") return choice;
  if (!isProverName(choice)) fail(`unknown prover ${JSON.stringify(choice)}; available: ${proverNames()}`);
  return load(choice);
}

/** Frees what the proving systems loaded so far keep alive (worker threads), so a task's process can exit. */
export async function releaseProvingSystems(): Promise<void> {
  for (const system of loaded.values()) await system.release();
}
