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
import type { Manifest } from "../../src/pipeline/manifest";
import { solidityLayout } from "../../src/privacy/layout";

export const VAULT_MODEL = "price_forecaster";
export const DEV_NETWORKS = ["hardhat", "localhost"];

export const DEFAULT_STRATEGY = { maxAge: 3600, thresholdBps: 100, tradeBps: 5000, maxSlippageBps: 50 };

/** The vault's module for a compiled forecaster; `dev` deploys mocks instead of taking their addresses. */
export function buildVaultModule(manifest: Manifest, dev: boolean) {
  const ps = manifest.publicSignals;
  return buildModule("AiVault", (m) => {
    const deployer = m.getAccount(0);
    const verifier = m.contract(manifest.contractName);
    const model = m.contract("ZkmlModel", [verifier, manifest.modelHash, solidityLayout(ps, manifest.quant.scaleBits), 0n]);

    let asset, riskAsset, feed, swapper;
    if (dev) {
      asset = m.contract("MockERC20", ["Mock USD", "mUSD", 6], { id: "MockUSD" });
      riskAsset = m.contract("MockERC20", ["Mock Wrapped Ether", "mWETH", 18], { id: "MockWETH" });
      feed = m.contract("MockPriceFeed", [8, "mWETH / USD", deployer]);
      swapper = m.contract("MockSwap", [feed, asset, riskAsset]);
      m.call(asset, "mint", [swapper, 10_000_000n * 10n ** 6n], { id: "FundSwapUSD" });
      m.call(riskAsset, "mint", [swapper, 10_000n * 10n ** 18n], { id: "FundSwapWETH" });
    } else {
      asset = m.contractAt("IERC20Metadata", m.getParameter<string>("asset"), { id: "Asset" });
      riskAsset = m.contractAt("IERC20Metadata", m.getParameter<string>("riskAsset"), { id: "RiskAsset" });
      feed = m.contractAt("AggregatorV3Interface", m.getParameter<string>("feed"), { id: "Feed" });
      swapper = m.contractAt("IAssetSwap", m.getParameter<string>("swapper"), { id: "Swapper" });
    }

    const strategy = {
      maxAge: m.getParameter("maxAge", DEFAULT_STRATEGY.maxAge),
      thresholdBps: m.getParameter("thresholdBps", DEFAULT_STRATEGY.thresholdBps),
      tradeBps: m.getParameter("tradeBps", DEFAULT_STRATEGY.tradeBps),
      maxSlippageBps: m.getParameter("maxSlippageBps", DEFAULT_STRATEGY.maxSlippageBps),
    };
    const vault = m.contract("AiVault", [
      asset,
      riskAsset,
      feed,
      swapper,
      model,
      strategy,
      m.getParameter("name", "AI Vault mUSD"),
      m.getParameter("symbol", "aiUSD"),
      m.getParameter("owner", deployer),
    ]);
    return { verifier, model, asset, riskAsset, feed, swapper, vault };
  });
}

export default buildVaultModule(hre.zkml.manifest(VAULT_MODEL), DEV_NETWORKS.includes(hre.network.name));
