// What the web app (app/) runs against: the three example models compiled (cached when unchanged) and their
// contracts deployed with this repository's Ignition modules (deploy/modules/aigc.ts, humanity-pass.ts, vault.ts),
// the vault funded and its price feed given the "buy" window of price_forecaster's scenarios. Returns the
// configuration the page reads (/app-config.json): chain, models, contract addresses and ABIs.
//
// Runs inside Hardhat on the in-process network: the browser tests reach it through their test wallet, `npm run app`
// and serves it as a local node over JSON-RPC. The mocks make it a dev-network deployment only.
import crypto from "crypto";
import fs from "fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import path from "path";
import { ensureExampleModel, exampleModelDir } from "../../src/examples";
import { thousandsToAnswer } from "../../src/statements/vault-inputs";
import type { AppConfig } from "../src/config";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const APP_MODELS = { studio: "pixel_gen", pass: "face_match", vault: "price_forecaster" } as const;

/** The dev networks the app deploys to (it deploys mock tokens and a mock feed). */
const DEV_NETWORKS = ["hardhat", "localhost"];

/** A digest of the model's verification key, which changes whenever its proving key does. */
function keyId(hre: HardhatRuntimeEnvironment, name: string): string {
  const vkey = fs.readFileSync(path.join(hre.zkml.modelDir(name), hre.zkml.manifest(name).files.vkey));
  return crypto.createHash("sha256").update(vkey).digest("hex").slice(0, 16);
}

/** Compiles the app's models (cached when unchanged) and the contracts. */
export async function compileAppModels(hre: HardhatRuntimeEnvironment, log: (msg: string) => void = () => undefined): Promise<void> {
  for (const name of Object.values(APP_MODELS)) {
    ensureExampleModel(hre.config.paths.root, log, name);
    await hre.zkml.compile({ name, log });
  }
  await hre.run("compile", { quiet: true });
}

/** Deploys the app's contracts with the Ignition modules and prepares the vault; returns the page's configuration. */
export async function deployApp(hre: HardhatRuntimeEnvironment, log: (msg: string) => void = () => undefined, rpcUrl?: string): Promise<AppConfig> {
  if (!DEV_NETWORKS.includes(hre.network.name)) throw new Error(`the app deploys mock tokens and a mock feed, so it runs on ${DEV_NETWORKS.join(" or ")}, not "${hre.network.name}"`);
  await compileAppModels(hre, log);
  const { ethers, ignition } = hre as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  // A persisted network (a local node) gets one deployment id; `npm run app` starts a fresh node, so an old journal is stale.
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const deploymentId = hre.network.name === "hardhat" ? undefined : `app-${chainId}`;
  if (deploymentId) fs.rmSync(path.join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  const deploy = (module: unknown, parameters?: object) => ignition.deploy(module, { deploymentId, parameters }) as Promise<Record<string, Contract>>;

  // Imported only now: reading the module files reads the compiled models' manifests.
  const { aigcModule } = await import("../../deploy/modules/aigc");
  const { humanityPassModule } = await import("../../deploy/modules/humanity-pass");
  const { buildVaultModule } = await import("../../deploy/modules/vault");
  const manifest = (name: string) => hre.zkml.manifest(name);
  const { collection } = await deploy(aigcModule(manifest(APP_MODELS.studio)));
  const { pass } = await deploy(humanityPassModule(manifest(APP_MODELS.pass)));
  const { vault, asset, riskAsset, feed } = await deploy(buildVaultModule(manifest(APP_MODELS.vault), true));
  log(`deployed AigcCollection ${await collection.getAddress()}, HumanityPass ${await pass.getAddress()}, AiVault ${await vault.getAddress()}`);

  // The vault: a depositor's 100,000 mUSD, and the feed's last eight rounds (the scenario that makes it buy).
  const [, depositor] = await ethers.getSigners();
  const deposit = 100_000n * 10n ** BigInt(await asset.decimals());
  await (await asset.mint(depositor.address, deposit)).wait();
  await (await asset.connect(depositor).approve(await vault.getAddress(), deposit)).wait();
  await (await vault.connect(depositor).deposit(deposit, depositor.address)).wait();
  const scenarios = JSON.parse(fs.readFileSync(path.join(exampleModelDir(hre.config.paths.root, APP_MODELS.vault), "scenarios.json"), "utf8")) as { buy: number[] };
  const feedDecimals = Number(await feed.decimals());
  for (const p of scenarios.buy) await (await feed.pushPrice(thousandsToAnswer(p, feedDecimals))).wait();
  log(`vault funded with ${deposit} mUSD units; feed holds the "buy" window`);

  const entry = async (contract: Contract, artifact: string) => ({ address: await contract.getAddress(), abi: hre.artifacts.readArtifactSync(artifact).abi });
  return {
    chainId,
    chainName: "the local Hardhat network",
    rpcUrl,
    models: { ...APP_MODELS },
    keyIds: Object.fromEntries(Object.values(APP_MODELS).map((name) => [name, keyId(hre, name)])),
    contracts: {
      collection: await entry(collection, "AigcCollection"),
      pass: await entry(pass, "HumanityPass"),
      vault: await entry(vault, "AiVault"),
      feed: await entry(feed, "MockPriceFeed"),
      asset: await entry(asset, "MockERC20"),
      riskAsset: await entry(riskAsset, "MockERC20"),
    },
  };
}
