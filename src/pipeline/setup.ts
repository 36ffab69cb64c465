import fs from "fs";
import { setupGroth16 } from "../backend/groth16";
import { choosePtau, PtauChoice, requiredPower } from "../backend/ptau";
import { readR1cs } from "../backend/r1cs";
import { snarkjs } from "../backend/snarkjs";
import { generateDevZkey } from "../backend/devsetup";

/** Above this power the development key's matching .ptau is not kept (it grows ~1 KiB per constraint). */
export const DEV_PTAU_KEEP_POWER = 14;

export interface KeySetup {
  ptau: PtauChoice;
  vkey: object;
}

/**
 * The Groth16 keys of a compiled circuit.
 *  - With a ceremony `.ptau`: snarkjs's `zkey new` plus one random contribution (a key with no
 *    contribution has δ = 1 and would let anyone forge proofs).
 *  - Without one: a DEVELOPMENT key computed directly from fresh secrets τ, α, β, δ that are discarded
 *    when it returns (src/backend/devsetup): seconds instead of snarkjs's FFTs over curve points. Its
 *    matching .ptau is written to `devPtauOut` for small circuits so `zkml:verify-setup` can check it.
 */
export async function setupKeys(
  r1csFile: string,
  zkeyOut: string,
  opts: { ptau?: string; devPtauOut?: string; log: (m: string) => void; verbose?: boolean },
): Promise<KeySetup> {
  const r1cs = readR1cs(r1csFile);
  const power = requiredPower(r1cs.nConstraints, r1cs.nPubOut + r1cs.nPubIn);
  if (opts.ptau) {
    const ptau = await choosePtau(power, { ptau: opts.ptau, log: opts.log });
    return { ptau, vkey: await setupGroth16(r1csFile, ptau.file, zkeyOut, opts.log, opts.verbose) };
  }
  const keep = opts.devPtauOut && power <= DEV_PTAU_KEEP_POWER ? opts.devPtauOut : undefined;
  await generateDevZkey(r1csFile, power, zkeyOut, { log: opts.verbose ? opts.log : undefined, ptauOut: keep });
  if (keep && !fs.existsSync(keep)) throw new Error(`development setup did not write ${keep}`);
  return { ptau: { file: keep ?? "", power, development: true }, vkey: await snarkjs().zKey.exportVerificationKey(zkeyOut) };
}
