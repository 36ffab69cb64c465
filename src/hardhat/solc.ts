import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";

/**
 * Serves the compiler from the npm `solc` package (soljson) when its version is the one requested,
 * so compiling never downloads a compiler. Other versions fall through to Hardhat's own resolution.
 */
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  let npmVersion: string | undefined;
  try {
    npmVersion = require("solc/package.json").version;
  } catch {
    return runSuper(args);
  }
  if (args.solcVersion !== npmVersion) return runSuper(args);
  const longVersion = String(require("solc").version()).replace(/\.Emscripten.*$/, "");
  return { version: args.solcVersion, longVersion, compilerPath: require.resolve("solc/soljson.js"), isSolcJs: true };
});
