import { fail } from "../errors";
import type { ChainManifest } from "../pipeline/chain";
import type { Manifest } from "../pipeline/manifest";
import { solidityLayout } from "../privacy/layout";

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Hardhat Ignition's `buildModule`, passed in by the caller: `@nomicfoundation/hardhat-ignition/modules`
 * of the project's own Ignition (0.15 under Hardhat 2, 3.x under Hardhat 3), so modules are built by
 * the version that deploys them. The builder calls used (contract, contractAt, call, getParameter,
 * getAccount) are the same in both.
 */
export type BuildModule = (id: string, build: (m: any) => Record<string, any>) => any;

/** "pixel_gen" -> "Pixel Gen". */
const title = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");

/** ZkmlModel's constructor arguments after the verifier: the model hash, the public-signal layout, a fixed commitment. */
const adapterArgs = (manifest: Manifest, modelCommitment: bigint) => [manifest.modelHash, solidityLayout(manifest.publicSignals, manifest.quant.scaleBits), modelCommitment];

/** The collection's constructor arguments after the verifier, from a compiled generator's manifest. */
export function imageCollectionArgs(manifest: Manifest): { width: number; height: number; bits: number; scaleBits: number } {
  const ps = manifest.publicSignals;
  if (ps.inputs.encoding !== "seed" || ps.outputs.encoding !== "fingerprint")
    fail(`model "${manifest.name}" must be compiled with visibility { input: "seeded", output: "fingerprint" } for ProvenImageCollection`);
  if (manifest.outputs.length !== 1) fail(`model "${manifest.name}" must have one output (the image), not ${manifest.outputs.length}`);
  const shape = manifest.outputs[0].shape;
  return { height: shape[shape.length - 2], width: shape[shape.length - 1], bits: ps.outputs.packing.bits, scaleBits: ps.outputs.scaleBits };
}

export const DEFAULT_STRATEGY = { maxAge: 3600, thresholdBps: 100, tradeBps: 5000, maxSlippageBps: 50 };

/**
 * Ignition modules for compiled models (read their manifests with `hre.zkml.manifest(name)`):
 *  - `verifier`: the generated Groth16 verifier;
 *  - `model`: the verifier and a ZkmlModel adapter configured from the manifest;
 *  - `chainModel`: a chained model (zkml.models.<name>.segments; `hre.zkml.chain(name)`): each segment's verifier
 *    and ZkmlModel adapter, the ChainVerifier over the adapters, and the ChainModel (an IZkmlModel) over it;
 *  - `aigc`: those and an ERC-7007 AigcCollection (a model bound to exactly ["recipient"]);
 *  - `provenImage`: the verifier and a ProvenImageCollection (a seeded generator with a fingerprinted image);
 *  - `vault`: the adapter and the ERC-4626 AiVault; `dev` deploys mock tokens, feed and swap, otherwise
 *    their addresses are the parameters `asset`, `riskAsset`, `feed` and `swapper`.
 */
export function zkmlModules(buildModule: BuildModule) {
  return {
    verifier: (manifest: Pick<Manifest, "name" | "contractName">) => buildModule(`ZkmlVerifier_${manifest.name}`, (m) => ({ verifier: m.contract(manifest.contractName) })),

    model: (manifest: Manifest, opts: { modelCommitment?: bigint } = {}) =>
      buildModule(`ZkmlModel_${manifest.name}`, (m) => {
        const verifier = m.contract(manifest.contractName);
        const model = m.contract("ZkmlModel", [verifier, ...adapterArgs(manifest, opts.modelCommitment ?? 0n)]);
        return { verifier, model };
      }),

    chainModel: (chain: Pick<ChainManifest, "name" | "quant" | "segments">) =>
      buildModule(`ZkmlChain_${chain.name}`, (m) => {
        const parts = chain.segments.map((s, i) => {
          const verifier = m.contract(s.contractName);
          const model = m.contract("ZkmlModel", [verifier, s.modelHash, solidityLayout(s.publicSignals, chain.quant.scaleBits), 0n], { id: `Segment${i}Model` });
          return [[`verifier${i}`, verifier], [`segment${i}`, model]];
        });
        const verifier = m.contract("ChainVerifier", [parts.map((p) => p[1][1])]);
        return { ...Object.fromEntries(parts.flat()), chain: verifier, model: m.contract("ChainModel", [verifier]) };
      }),

    aigc: (manifest: Manifest) => {
      const bindings = (manifest.publicSignals.bindings ?? []).map((b) => b.name);
      if (bindings.length !== 1 || bindings[0] !== "recipient")
        fail(`model "${manifest.name}" must be bound to exactly ["recipient"] (bind: ["recipient"] in hardhat.config), not [${bindings.join(", ")}]`);
      return buildModule(`AigcCollection_${manifest.name}`, (m) => {
        const verifier = m.contract(manifest.contractName);
        const model = m.contract("ZkmlModel", [verifier, ...adapterArgs(manifest, 0n)]);
        const name = m.getParameter("name", title(manifest.name));
        const symbol = m.getParameter("symbol", manifest.name.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 8));
        const minRevealDelay = m.getParameter("minRevealDelay", 1);
        const collection = m.contract("AigcCollection", [model, name, symbol, minRevealDelay]);
        return { verifier, model, collection };
      });
    },

    /**
     * The adapter and a HumanityPass (contracts/examples/HumanityPass.sol) over a hashed-input model bound to the
     * recipient (face_match). Parameters: `threshold` (the lowest score, fixed point at the model's scale; default
     * 4.0), `enrollmentRequired` (default false), `name`, `symbol`, `owner` (default the deployer).
     */
    humanityPass: (manifest: Manifest) =>
      buildModule(`HumanityPass_${manifest.name}`, (m) => {
        const verifier = m.contract(manifest.contractName);
        const model = m.contract("ZkmlModel", [verifier, ...adapterArgs(manifest, 0n)]);
        const threshold = m.getParameter("threshold", 4n << BigInt(manifest.quant.scaleBits));
        const args = [model, threshold, m.getParameter("enrollmentRequired", false), m.getParameter("name", "Humanity Pass"), m.getParameter("symbol", "HUMAN"), m.getParameter("owner", m.getAccount(0))];
        return { verifier, model, pass: m.contract("HumanityPass", args) };
      }),

    provenImage: (manifest: Manifest) => {
      const { width, height, bits, scaleBits } = imageCollectionArgs(manifest);
      return buildModule(`ProvenImageCollection_${manifest.name}`, (m) => {
        const verifier = m.contract(manifest.contractName);
        const name = m.getParameter("name", `${manifest.name} proven images`);
        const symbol = m.getParameter("symbol", "PROVEN");
        const minRevealDelay = m.getParameter("minRevealDelay", 1);
        const collection = m.contract("ProvenImageCollection", [verifier, manifest.modelHash, width, height, bits, scaleBits, name, symbol, minRevealDelay]);
        return { verifier, collection };
      });
    },

    vault: (manifest: Manifest, dev: boolean) =>
      buildModule("AiVault", (m) => {
        const deployer = m.getAccount(0);
        const verifier = m.contract(manifest.contractName);
        const model = m.contract("ZkmlModel", [verifier, ...adapterArgs(manifest, 0n)]);
        let asset, riskAsset, feed, swapper;
        if (dev) {
          asset = m.contract("MockERC20", ["Mock USD", "mUSD", 6], { id: "MockUSD" });
          riskAsset = m.contract("MockERC20", ["Mock Wrapped Ether", "mWETH", 18], { id: "MockWETH" });
          feed = m.contract("MockPriceFeed", [8, "mWETH / USD", deployer]);
          swapper = m.contract("MockSwap", [feed, asset, riskAsset]);
          m.call(asset, "mint", [swapper, 10_000_000n * 10n ** 6n], { id: "FundSwapUSD" });
          m.call(riskAsset, "mint", [swapper, 10_000n * 10n ** 18n], { id: "FundSwapWETH" });
        } else {
          asset = m.contractAt("IERC20Metadata", m.getParameter("asset"), { id: "Asset" });
          riskAsset = m.contractAt("IERC20Metadata", m.getParameter("riskAsset"), { id: "RiskAsset" });
          feed = m.contractAt("AggregatorV3Interface", m.getParameter("feed"), { id: "Feed" });
          swapper = m.contractAt("IAssetSwap", m.getParameter("swapper"), { id: "Swapper" });
        }
        const strategy = Object.fromEntries(Object.entries(DEFAULT_STRATEGY).map(([k, v]) => [k, m.getParameter(k, v)]));
        const vault = m.contract("AiVault", [asset, riskAsset, feed, swapper, model, strategy, m.getParameter("name", "AI Vault mUSD"), m.getParameter("symbol", "aiUSD"), m.getParameter("owner", deployer)]);
        return { verifier, model, asset, riskAsset, feed, swapper, vault };
      }),
  };
}
