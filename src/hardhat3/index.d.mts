// Types of the Hardhat 3 entry: the plugin, and `zkml` on the config and the runtime environment.
import type { HardhatPlugin } from "hardhat/types/plugins";
import type { ZkmlConfig, ZkmlUserConfig } from "../hardhat/config.js";
import type { ZkmlRuntime } from "../hardhat/runtime.js";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    zkml?: ZkmlUserConfig;
  }
  interface HardhatConfig {
    zkml: ZkmlConfig;
  }
}

declare module "hardhat/types/hre" {
  interface HardhatRuntimeEnvironment {
    zkml: ZkmlRuntime;
  }
}

declare const plugin: HardhatPlugin;
export default plugin;
export type { ZkmlConfig, ZkmlUserConfig, ZkmlRuntime };
