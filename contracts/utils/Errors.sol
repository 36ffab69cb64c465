// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Custom errors that several of the project's contracts revert with, declared once. A contract imports the ones it
// uses (`import {InvalidProof} from "./utils/Errors.sol";`); every error a contract reverts with is part of its ABI,
// so callers and tools decode it by the contract's own interface.

/// @notice The proof does not verify for the statement the call requires (the model's outputs, inputs,
/// commitments and bound values as the contract derives them); each function's documentation says which.
error InvalidProof();

/// @notice The `proof` bytes are not the canonical ABI encoding the function takes (see the contract's documentation).
error InvalidProofEncoding();

/// @notice `aigcData` is not the canonical ABI encoding of `expected` values (or packed words) the collection takes.
error InvalidAigcDataEncoding(uint256 expected);

/// @notice The token of this prompt, `tokenId = uint256(keccak256(prompt))`, already exists: a prompt mints once.
error PromptAlreadyMinted(uint256 tokenId);

/// @notice Always raised by ERC-7007 `addAigcData`: a token's AIGC data is attached with its proof at mint and
/// never added to or replaced.
error AigcDataAlreadyAdded(uint256 tokenId);

/// @notice The model's fixed-point scale (`scaleBits` fraction bits) is too fine for the contract's arithmetic.
error UnsupportedScaleBits(uint8 scaleBits);

/// @notice The verifier address has no code.
error NoVerifierCode(address verifier);

/// @notice `commitment` is 0 or not an element of the BN254 scalar field.
error InvalidCommitment(uint256 commitment);

/// @notice The model's public-signal layout is not the one the contract requires (its constructor's documentation
/// says which: e.g. one public output, a hashed input, one binding).
error InvalidModelLayout();
