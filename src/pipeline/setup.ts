import { Groth16VerificationKey } from "../backend/groth16";
import { choosePtau, PtauChoice, requiredPower } from "../backend/ptau";
import { ProverChoice, provingSystem } from "../backend/provers";
import { readR1cs } from "../backend/r1cs";

/** Above this power the development key's matching .ptau is not kept (it grows ~1 KiB per constraint). */
export const DEV_PTAU_KEEP_POWER = 14;

export interface KeySetup {
  ptau: PtauChoice;
  vkey: Groth16VerificationKey;
}

/**
 * The Groth16 keys of a compiled circuit, made by the chosen proving system (src/backend/provers.ts).
 *  - With a ceremony `.ptau` (checked here: present, large enough, its published hash when it claims
 *    one): a key from it plus one random contribution (a key with no contribution has δ = 1 and would
 *    let anyone forge proofs).
 *  - Without one: a DEVELOPMENT key computed directly from fresh secrets τ, α, β, δ that are discarded
 *    when it returns (src/backend/devsetup): seconds instead of snarkjs's FFTs over curve points. Its
 *    matching .ptau is written to `devPtauOut` for small circuits so `zkml:verify-setup` can check it.
 */
export async function setupKeys(
  r1csFile: string,
  zkeyOut: string,
  opts: { ptau?: string; devPtauOut?: string; log: (m: string) => void; verbose?: boolean; prover?: ProverChoice },
): Promise<KeySetup> {
  const system = provingSystem(opts.prover);
  const r1cs = readR1cs(r1csFile);
  const power = requiredPower(r1cs.nConstraints, r1cs.nPubOut + r1cs.nPubIn);
  const common = { power, log: opts.log, verbose: opts.verbose };
  if (opts.ptau) {
    const ptau = await choosePtau(power, { ptau: opts.ptau, log: opts.log });
    return { ptau, vkey: await system.setup(r1csFile, zkeyOut, { ...common, ptau: ptau.file }) };
  }
  const keep = opts.devPtauOut && power <= DEV_PTAU_KEEP_POWER ? opts.devPtauOut : undefined;
  const vkey = await system.setup(r1csFile, zkeyOut, { ...common, devPtauOut: keep });
  return { ptau: { file: keep ?? "", power, development: true }, vkey };
}
