// Hardhat Ignition module: the generated Groth16 verifier of one compiled model.
//   ZKML_MODEL=credit_mlp npx hardhat ignition deploy deploy/modules/verifier.ts [--network localhost]
// The model must have been compiled (`npx hardhat zkml:compile`) so its <Name>Verifier.sol exists.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { zkmlModules } from "../../src/hardhat/ignition";
import { verifierContractName } from "../../src/pipeline/manifest";

export const MODEL = process.env.ZKML_MODEL ?? "credit_mlp";

export default zkmlModules(buildModule).verifier({ name: MODEL, contractName: verifierContractName(MODEL) });
