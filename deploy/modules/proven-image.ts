// Hardhat Ignition module: the flagship's ERC-7007 collection over a seeded image generator (mnist_gan by default,
// compiled with visibility { input: "seeded", output: "fingerprint" }): the model's generated Groth16 verifier and
// a ProvenImageCollection sized from its manifest (image width and height, pixel packing, scale).
//
//   npx hardhat ignition deploy deploy/modules/proven-image.ts [--network localhost]   (after zkml:compile)
//
// Reading this file reads the model's manifest, so compile the model first; scripts and tests that compile
// in-process import it afterwards. Parameters: ProvenImageCollection_<model>.name, .symbol and .minRevealDelay (blocks
// between a prompt's commitment and its mint, default 1; see contracts/utils/PromptCommitments.sol).
import hre from "hardhat";
import { provenImageModule } from "../lib/proven-image";

export const PROVEN_IMAGE_MODEL = process.env.ZKML_IMAGE_MODEL ?? "mnist_gan";

export default provenImageModule(hre.zkml.manifest(PROVEN_IMAGE_MODEL));
