// Hardhat 3 runtime hook: `hre.zkml`, created on first use (so a plain `npx hardhat --help` loads no compiler).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export default async () => ({
  created: async (_context, hre) => {
    let runtime;
    Object.defineProperty(hre, "zkml", {
      enumerable: true,
      configurable: true,
      get() {
        if (!runtime) {
          const { ZkmlRuntime } = require("../../hardhat/runtime.js");
          // Hardhat 3 has no `hre.ethers`: the deploy helpers take `{ ethers }` from `await network.create()`.
          runtime = new ZkmlRuntime({ get config() { return hre.config.zkml; }, root: hre.config.paths.root });
        }
        return runtime;
      },
    });
  },
});
