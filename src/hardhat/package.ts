import path from "path";

/** This package's root: the folder of its package.json (this file is src/hardhat/ or dist/hardhat/). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const PACKAGE_NAME: string = require(path.join(PACKAGE_ROOT, "package.json")).name;

/** The contracts a project using the package deploys beside its verifiers (each in contracts/<Name>.sol). */
export const PACKAGE_CONTRACTS = ["ZkmlModel", "ChainVerifier", "ChainModel", "AigcCollection", "ProvenImageCollection", "AiVault"];

/** Their import paths from a project: "hardhat-zkml/contracts/ZkmlModel.sol", ... */
export const packageContractImports = (): string[] => PACKAGE_CONTRACTS.map((c) => `${PACKAGE_NAME}/contracts/${c}.sol`);
