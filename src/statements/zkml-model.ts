// What a ZkmlModel adapter (contracts/ZkmlModel.sol, interface contracts/interfaces/IZkmlModel.sol) and the
// contracts built on it take: the proof as `IZkmlModel.Proof` and the statement as `IZkmlModel.Statement`.
import type { Groth16Calldata } from "../backend/groth16";

/** `IZkmlModel.Proof` from snarkjs's calldata. */
export const asProof = (cd: Pick<Groth16Calldata, "a" | "b" | "c">) => ({ a: cd.a, b: cd.b, c: cd.c });

/** `IZkmlModel.Statement`, as ethers encodes a struct argument. */
export interface Statement {
  outputs: bigint[];
  outputCommitment: bigint;
  modelCommitment: bigint;
  inputs: bigint[];
  inputCommitment: bigint;
  bindings: bigint[];
}

/** `IZkmlModel.Statement` with every field not given left empty (0 or []). */
export function statement(s: {
  outputs?: bigint[];
  outputCommitment?: bigint | string;
  modelCommitment?: bigint | string;
  inputs?: bigint[];
  inputCommitment?: bigint | string;
  bindings?: (bigint | string)[];
}): Statement {
  return {
    outputs: s.outputs ?? [],
    outputCommitment: BigInt(s.outputCommitment ?? 0),
    modelCommitment: BigInt(s.modelCommitment ?? 0),
    inputs: s.inputs ?? [],
    inputCommitment: BigInt(s.inputCommitment ?? 0),
    bindings: (s.bindings ?? []).map((b) => BigInt(b)),
  };
}
