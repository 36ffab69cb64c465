/** Proving and minting against the ERC-7007 collections, through `hre.zkml` (Hardhat 2 or 3). */
export * from "./aigc";
export * from "./proven-image";
export type { ZkmlProverHost } from "./prover";
