// Hardhat Ignition module: the AI vault and everything it runs on. After
// `npx hardhat zkml:compile --name price_forecaster`:
//   npx hardhat ignition deploy deploy/modules/vault.ts [--network localhost] [--parameters params.json]
// or programmatically: hre.ignition.deploy((await import("./deploy/modules/vault")).default, { parameters }).
//
// - the forecaster's generated verifier and a ZkmlModel adapter configured from its manifest;
// - on a dev network (hardhat, localhost): MockERC20 stablecoin (6 decimals) and risk token (18 decimals),
//   a MockPriceFeed (8 decimals, owned by the deployer, no rounds yet) and a MockSwap funded with liquidity;
//   elsewhere their addresses are the required parameters `asset`, `riskAsset`, `feed` and `swapper`;
// - the AiVault, with the strategy parameters `maxAge` (s), `thresholdBps`, `tradeBps`, `maxSlippageBps`.
//
// The module reads the manifest when it is built, i.e. when this file is imported: compile the model first.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import hre from "hardhat";
import { zkmlModules } from "../../src/hardhat/ignition";
import type { Manifest } from "../../src/pipeline/manifest";

export { DEFAULT_STRATEGY } from "../../src/hardhat/ignition";
export const VAULT_MODEL = "price_forecaster";
export const DEV_NETWORKS = ["hardhat", "localhost"];

/** The vault's module for a compiled forecaster; `dev` deploys mocks instead of taking their addresses. */
export const buildVaultModule = (manifest: Manifest, dev: boolean) => zkmlModules(buildModule).vault(manifest, dev);

export default buildVaultModule(hre.zkml.manifest(VAULT_MODEL), DEV_NETWORKS.includes(hre.network.name));
