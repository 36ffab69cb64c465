import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";
import hardhatZkml from "hardhat-zkml";

// Compile with the solc-js build shipped by the npm package `solc` (pinned to
// 0.8.28) so Hardhat never downloads a compiler.
const soljsonPath = createRequire(import.meta.url).resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, hardhatZkml],
  solidity: {
    compilers: [{ version: "0.8.28", path: soljsonPath, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } }],
  },
  zkml: {
    models: {
      // A tiny generator; each proof is bound to the NFT's recipient.
      pixel_gen: { onnx: "models/pixel_gen/network.onnx", scaleBits: 12, bind: ["recipient"] },
    },
    // The test of a bad setting sets ZKML_FIXTURE_BAD_KEY.
    ...(process.env.ZKML_FIXTURE_BAD_KEY ? { scalebits: 12 } : {}),
  },
  test: { mocha: { timeout: 600_000 } },
});
