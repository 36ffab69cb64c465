// Hardhat Ignition module: HumanityPass (contracts/examples/HumanityPass.sol) over face_match, the public model with
// private data, compiled with visibility { input: "hashed" } and bind: ["recipient"]: the model's generated verifier,
// a ZkmlModel adapter configured from its manifest, and the pass. After `npx hardhat zkml:compile --name face_match`:
//   npx hardhat ignition deploy deploy/modules/humanity-pass.ts [--network localhost] [--parameters params.json]
// Parameters: HumanityPass_face_match.threshold (fixed point at the model's scale, default 4.0), .enrollmentRequired
// (default false), .name, .symbol, .owner.
//
// Reading this file reads the model's manifest, so compile the model first.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import hre from "hardhat";
import { zkmlModules } from "../../src/hardhat/ignition";
import type { Manifest } from "../../src/pipeline/manifest";

export const PASS_MODEL = "face_match";

export const humanityPassModule = (manifest: Manifest) => zkmlModules(buildModule).humanityPass(manifest);

export default humanityPassModule(hre.zkml.manifest(PASS_MODEL));
