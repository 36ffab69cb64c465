// Hardhat 3 config hooks: the `zkml` section validated and resolved by the same code as under Hardhat 2, and the
// package's contracts added to the build so their artifacts exist in the project (deployModel, Ignition).
import { createRequire } from "node:module";
import { HardhatPluginError } from "hardhat/plugins";

const require = createRequire(import.meta.url);
const { resolveZkmlConfig } = require("../../hardhat/config.js");
const { packageContractImports } = require("../../hardhat/package.js");

export default async () => ({
  // Thrown rather than returned: Hardhat prints a plugin error as one line, as under Hardhat 2.
  validateUserConfig: async (userConfig) => {
    const { errors } = resolveZkmlConfig(userConfig.zkml, process.cwd());
    if (errors.length > 0) throw new HardhatPluginError("hardhat-zkml", `invalid zkml config: ${errors.join("; ")}`);
    return [];
  },
  resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
    const resolved = await next(userConfig, resolveConfigurationVariable);
    const { config } = resolveZkmlConfig(userConfig.zkml, resolved.paths.root, resolved.paths.sources.solidity[0]);
    const npmFilesToBuild = [...new Set([...(resolved.solidity.npmFilesToBuild ?? []), ...packageContractImports()])];
    return { ...resolved, zkml: config, solidity: { ...resolved.solidity, npmFilesToBuild } };
  },
});
