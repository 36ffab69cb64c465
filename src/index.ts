/**
 * hardhat-zkml for Hardhat 2: `import "hardhat-zkml"` in a hardhat.config.ts. Loading it registers the
 * config, `hre.zkml` and the tasks and nothing more: the compiler, snarkjs, circom and onnxruntime load
 * when a task runs or `hre.zkml` is first used. The Hardhat-free API is `hardhat-zkml/core`; Hardhat 3's
 * plugin is this package's ESM entry (src/hardhat3).
 */
import { extendConfig, extendEnvironment } from "hardhat/config";
import { HardhatPluginError, lazyObject } from "hardhat/plugins";
import { resolveZkmlConfig } from "./hardhat/config";
import type { ContractFactorySource } from "./hardhat/runtime";
import "./hardhat/solc";
import "./hardhat/type-extensions";
import "./hardhat/tasks";

extendConfig((config, userConfig) => {
  const { config: zkml, errors } = resolveZkmlConfig(userConfig.zkml, config.paths.root, config.paths.sources);
  if (errors.length > 0) throw new HardhatPluginError("hardhat-zkml", `invalid zkml config: ${errors.join("; ")}`);
  config.zkml = zkml;
});

extendEnvironment((hre) => {
  hre.zkml = lazyObject(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ZkmlRuntime: Runtime } = require("./hardhat/runtime") as typeof import("./hardhat/runtime");
    return new Runtime({
      get config() {
        return hre.config.zkml;
      },
      root: hre.config.paths.root,
      get ethers() {
        return (hre as unknown as { ethers?: ContractFactorySource }).ethers;
      },
    });
  });
});

export type { ZkmlRuntime, ZkmlHost, ContractFactorySource } from "./hardhat/runtime";
export type { ZkmlUserConfig, ZkmlModelUserConfig, ZkmlConfig } from "./hardhat/config";
export type { Manifest } from "./pipeline/manifest";
export { ZkmlError } from "./errors";
