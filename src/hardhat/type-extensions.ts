import "hardhat/types/config";
import "hardhat/types/runtime";
import { ZkmlConfig, ZkmlUserConfig } from "./config";
import type { ZkmlRuntime } from "./runtime";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    zkml?: ZkmlUserConfig;
  }
  interface HardhatConfig {
    zkml: ZkmlConfig;
  }
}

declare module "hardhat/types/runtime" {
  interface HardhatRuntimeEnvironment {
    zkml: ZkmlRuntime;
  }
}
