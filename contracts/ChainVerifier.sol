// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IZkmlChain} from "./interfaces/IZkmlChain.sol";
import {IZkmlModel} from "./interfaces/IZkmlModel.sol";
import {InvalidProof, NoVerifierCode} from "./utils/Errors.sol";

/**
 * @title ChainVerifier
 * @notice One model proven as a chain of segment proofs (src/pipeline/chain.ts), checked in one call: every
 * segment's Groth16 proof through its {IZkmlModel} adapter ({ZkmlModel} deployed with the segment's verifier and
 * layout), and every link, segment i's output commitment equal to segment i+1's input commitment.
 *
 * Both commitments of a link are Poseidon over the boundary activations packed at one width (with the link tag),
 * and each side is bound to its values in-circuit (the outputs by their proven bounds, the inputs by a range
 * check), so equal links mean the next segment ran on exactly the previous segment's outputs.
 *
 * The chain's statement is a single model's: the first segment takes the model's inputs (packed or committed),
 * the last gives its outputs and carries the bindings. A consumer that verifies {IZkmlModel.Statement}s verifies a
 * chain by passing the segment proofs and the links instead of one proof.
 *
 * The contract holds no mutable state (everything is fixed at deployment), so it emits no events.
 */
contract ChainVerifier is IZkmlChain {
    IZkmlModel[] private _segments;

    /// @inheritdoc IZkmlChain
    bytes32 public immutable chainHash;
    /// @inheritdoc IZkmlChain
    uint8 public immutable scaleBits;

    /**
     * @param segments_ Each segment's model adapter, in chain order (at least two).
     * @dev Reverts with {InvalidChainLayout} when a segment does not fit: a cut side that is not one commitment,
     * bindings before the last segment, or a scale other than the first segment's.
     */
    constructor(IZkmlModel[] memory segments_) {
        uint256 n = segments_.length;
        if (n < 2) revert WrongSegmentCount(2, n);
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            IZkmlModel m = segments_[i];
            if (address(m).code.length == 0) revert NoVerifierCode(address(m));
            IZkmlModel.Layout memory l = m.layout();
            bool linkedIn = i > 0;
            bool linkedOut = i + 1 < n;
            if (
                (linkedIn && l.inputs.encoding != IZkmlModel.Encoding.Commitment) ||
                (linkedOut && l.outputs.encoding != IZkmlModel.Encoding.Commitment) ||
                (linkedOut && l.bindingCount != 0) ||
                l.modelCommitmentOffset != type(uint256).max ||
                l.scaleBits != segments_[0].scaleBits()
            ) revert InvalidChainLayout(i);
            hashes[i] = m.modelHash();
            _segments.push(m);
        }
        chainHash = keccak256(abi.encode(hashes));
        scaleBits = segments_[0].scaleBits();
    }

    /// @inheritdoc IZkmlChain
    function segmentCount() external view returns (uint256) {
        return _segments.length;
    }

    /// @inheritdoc IZkmlChain
    function segment(uint256 index) external view returns (IZkmlModel) {
        return _segments[index];
    }

    /// @inheritdoc IZkmlChain
    function verifyStatement(IZkmlModel.Proof[] calldata proofs, uint256[] calldata links, IZkmlModel.Statement calldata s)
        public
        view
        returns (bool)
    {
        uint256 n = _segments.length;
        if (proofs.length != n) revert WrongSegmentCount(n, proofs.length);
        if (links.length != n - 1) revert WrongLinkCount(n - 1, links.length);
        int256[] memory none = new int256[](0);
        uint256[] memory noBindings = new uint256[](0);
        for (uint256 i = 0; i < n; ++i) {
            bool first = i == 0;
            bool last = i + 1 == n;
            IZkmlModel.Statement memory part = IZkmlModel.Statement({
                outputs: last ? s.outputs : none,
                outputCommitment: last ? s.outputCommitment : links[i],
                modelCommitment: 0,
                inputs: first ? s.inputs : none,
                inputCommitment: first ? s.inputCommitment : links[i - 1],
                bindings: last ? s.bindings : noBindings
            });
            if (!_segments[i].verify(proofs[i], _segments[i].publicSignals(part))) return false;
        }
        return true;
    }

    /// @inheritdoc IZkmlChain
    function requireStatement(IZkmlModel.Proof[] calldata proofs, uint256[] calldata links, IZkmlModel.Statement calldata s)
        external
        view
    {
        if (!verifyStatement(proofs, links, s)) revert InvalidProof();
    }

    /// @inheritdoc IZkmlChain
    function verify(IZkmlModel.Proof[] calldata proofs, uint256[][] calldata signals) external view returns (bool) {
        uint256 n = _segments.length;
        if (proofs.length != n) revert WrongSegmentCount(n, proofs.length);
        if (signals.length != n) revert WrongSegmentCount(n, signals.length);
        for (uint256 i = 0; i < n; ++i) {
            uint256 expected = _segments[i].publicSignalCount();
            if (signals[i].length != expected) revert IZkmlModel.WrongSignalCount(expected, signals[i].length);
        }
        for (uint256 i = 1; i < n; ++i) {
            uint256 out = signals[i - 1][_segments[i - 1].layout().outputs.offset];
            uint256 inp = signals[i][_segments[i].layout().inputs.offset];
            if (out != inp) revert BrokenLink(i, out, inp);
        }
        for (uint256 i = 0; i < n; ++i) {
            if (!_segments[i].verify(proofs[i], signals[i])) return false;
        }
        return true;
    }
}
