// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IZkmlModel} from "./IZkmlModel.sol";

/**
 * @title IZkmlChain
 * @notice One model proven as a chain of segments (issue 20): segment i proves `out_i = f_i(in_i)` with a Poseidon
 * commitment to its input and output activations (the link tag, src/privacy/commitment.ts), and the chain holds
 * when every segment proof verifies and each segment's input commitment is the previous segment's output
 * commitment. {ChainVerifier} implements it over one {IZkmlModel} adapter per segment.
 *
 * A consumer states what the chain must show with the same {IZkmlModel.Statement} as for a single-proof model: the
 * model's inputs (or their commitment) are those of the first segment; its outputs (or their commitment) and the
 * bound values are those of the last.
 */
interface IZkmlChain {
    /// @notice The number of proofs (or signal lists) is not the chain's number of segments.
    error WrongSegmentCount(uint256 expected, uint256 actual);
    /// @notice The number of link commitments is not one per cut (segments - 1).
    error WrongLinkCount(uint256 expected, uint256 actual);
    /// @notice Segment `segment`'s input commitment is not segment `segment - 1`'s output commitment.
    error BrokenLink(uint256 segment, uint256 expected, uint256 actual);
    /// @notice Segment `segment` does not fit a chain: a cut side that is not a commitment, bindings before the last
    /// segment, or an end that does not take a statement's values.
    error InvalidChainLayout(uint256 segment);

    /// @notice The number of segments.
    function segmentCount() external view returns (uint256);

    /// @notice Segment `index`'s model adapter (its verifier and public-signal layout).
    function segment(uint256 index) external view returns (IZkmlModel);

    /// @notice The chain's identity: `keccak256(abi.encode(modelHash_0, ..., modelHash_{n-1}))` over its segments.
    function chainHash() external view returns (bytes32);

    /// @notice Fixed-point fraction bits of the model's inputs and outputs.
    function scaleBits() external view returns (uint8);

    /**
     * @notice Whether `proofs` (one per segment) prove statement `s` of the whole model, linked by `links` (segment
     * i's output commitment and segment i+1's input commitment, for each cut).
     * @dev A link is placed in both segments' signals, so a segment proven on other activations than its
     * predecessor's outputs fails whatever link is given. Reverts on a malformed statement, link or proof count.
     */
    function verifyStatement(IZkmlModel.Proof[] calldata proofs, uint256[] calldata links, IZkmlModel.Statement calldata s)
        external
        view
        returns (bool);

    /// @notice Reverts with {InvalidProof} (contracts/utils/Errors.sol) unless {verifyStatement} holds.
    function requireStatement(IZkmlModel.Proof[] calldata proofs, uint256[] calldata links, IZkmlModel.Statement calldata s)
        external
        view;

    /**
     * @notice Whether raw segment proofs (`signals[i]` as snarkjs gives segment i's public signals) form a valid
     * chain.
     * @dev Reverts with {IZkmlModel.WrongSignalCount} on a list of the wrong length, with {BrokenLink} at the first
     * segment whose input commitment is not its predecessor's output commitment, and on signals outside the field;
     * returns false when a proof does not verify.
     */
    function verify(IZkmlModel.Proof[] calldata proofs, uint256[][] calldata signals) external view returns (bool);
}
