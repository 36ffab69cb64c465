// Calling a model's generated Groth16 verifier (`<Name>Verifier.verifyProof(a, b, c, pubSignals)`) with the
// calldata hre.zkml.prove returns.
import type { Groth16Calldata } from "../backend/groth16";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The calldata's arguments in the order verifyProof(a, b, c, pubSignals) takes them. */
export function verifyProofArgs(cd: Groth16Calldata): [Groth16Calldata["a"], Groth16Calldata["b"], Groth16Calldata["c"], string[]] {
  return [cd.a, cd.b, cd.c, cd.publicSignals];
}

/**
 * Calls `verifier.verifyProof` (an ethers contract) via eth_call. Returns the boolean it returned, or "revert"
 * when the call reverted (a malformed point can make the pairing precompile fail, which some verifiers surface
 * as a revert).
 */
export async function callVerifyProof(verifier: Contract, cd: Groth16Calldata): Promise<boolean | "revert"> {
  try {
    return Boolean(await verifier.verifyProof(...verifyProofArgs(cd)));
  } catch (e) {
    const msg = String((e as Error).message ?? e);
    if (/revert|CALL_EXCEPTION|invalid opcode|out of gas/i.test(msg) || (e as { code?: string }).code === "CALL_EXCEPTION") return "revert";
    throw e;
  }
}
