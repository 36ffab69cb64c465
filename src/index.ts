/**
 * hardhat-zkml: import this from a hardhat.config.ts. The compiler itself (src/onnx … src/pipeline)
 * has no Hardhat imports; this entry and src/hardhat (the config, the runtime and the tasks) wire it into Hardhat.
 */
import { extendConfig, extendEnvironment } from "hardhat/config";
import { HardhatPluginError, lazyObject } from "hardhat/plugins";
import { resolveZkmlConfig } from "./hardhat/config";
import { ZkmlRuntime } from "./hardhat/runtime";
import "./hardhat/solc";
import "./hardhat/type-extensions";
import "./hardhat/tasks";

extendConfig((config, userConfig) => {
  const { config: zkml, errors } = resolveZkmlConfig(userConfig.zkml, config.paths.root);
  if (errors.length > 0) throw new HardhatPluginError("hardhat-zkml", `invalid zkml config: ${errors.join("; ")}`);
  config.zkml = zkml;
});

extendEnvironment((hre) => {
  hre.zkml = lazyObject(() => new ZkmlRuntime(hre));
});

export { ZkmlRuntime } from "./hardhat/runtime";
export type { ZkmlUserConfig, ZkmlModelUserConfig } from "./hardhat/config";
export { ZkmlError } from "./errors";
export { compileModel } from "./pipeline/compile";
export { proveModel, verifyModelProof } from "./pipeline/prove";
export { PROVING_SYSTEMS, provingSystem } from "./backend/provers";
export type { ProvingSystem } from "./backend/proving-system";
export type { Manifest } from "./pipeline/manifest";
