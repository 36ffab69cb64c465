// The package's Ignition module for an ERC-7007 collection over a compiled model, built with this project's Ignition.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import hre from "hardhat";
import { zkmlModules } from "hardhat-zkml/ignition";

export default zkmlModules(buildModule).aigc(hre.zkml.manifest("pixel_gen"));
