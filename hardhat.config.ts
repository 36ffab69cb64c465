import "@nomicfoundation/hardhat-toolbox";
import { HardhatUserConfig } from "hardhat/config";
import "./src";

const config: HardhatUserConfig = {
  // Must equal the npm `solc` package's version: the compiler is served from it, never downloaded.
  solidity: { version: "0.8.28", settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } },
  zkml: {
    models: {
      // Built by `npm run build:examples` (scripts/build-example-models.ts); the demo default.
      credit_mlp: { onnx: "examples/models/credit_mlp/network.onnx" },
    },
  },
  mocha: { timeout: 600_000 },
};

export default config;
