import "@nomicfoundation/hardhat-toolbox";
import { HardhatUserConfig } from "hardhat/config";
import "hardhat-zkml";

const config: HardhatUserConfig = {
  // The npm solc package's version: hardhat-zkml serves it to Hardhat, so nothing is downloaded.
  solidity: { version: "0.8.28", settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } },
  zkml: {
    models: {
      // A tiny generator; each proof is bound to the NFT's recipient.
      pixel_gen: { onnx: "models/pixel_gen/network.onnx", scaleBits: 12, bind: ["recipient"] },
    },
    // The test of a bad setting sets ZKML_FIXTURE_BAD_KEY.
    ...(process.env.ZKML_FIXTURE_BAD_KEY ? { scalebits: 12 } : {}),
  } as HardhatUserConfig["zkml"],
  mocha: { timeout: 600_000 },
};

export default config;
