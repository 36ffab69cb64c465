// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev The BN254 scalar field modulus p: every circuit value and every Groth16 public signal is an element of
/// this field, i.e. below p.
uint256 constant BN254_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
