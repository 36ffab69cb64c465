// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AigcCollection} from "hardhat-zkml/contracts/AigcCollection.sol";
import {IZkmlModel} from "hardhat-zkml/contracts/interfaces/IZkmlModel.sol";

/// A user's own ERC-7007 collection, built on the package's.
contract MyCollection is AigcCollection {
    constructor(IZkmlModel model_) AigcCollection(model_, "My Proven Pixels", "MYPX", 1) {}
}
