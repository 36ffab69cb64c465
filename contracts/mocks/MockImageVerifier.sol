// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProvenImageVerifier} from "../interfaces/IProvenImageVerifier.sol";

/**
 * @title MockImageVerifier
 * @notice Stands in for a generated Groth16 verifier in tests: accepts any proof points, but only for the
 * public signals the test expects, so a test checks that the caller computes exactly those signals.
 * For tests and dev networks only: it proves nothing.
 */
contract MockImageVerifier is IProvenImageVerifier {
    /// @notice The public signals {verifyProof} accepts, besides those added with {alsoAccept}.
    uint256[3] public expected;
    /// @notice Further public signals {verifyProof} accepts, by `keccak256(abi.encode(signals))`.
    mapping(bytes32 signalsHash => bool) public alsoAccepted;

    /// @notice The accepted public signals changed.
    event ExpectedSignalsSet(uint256[3] signals);
    /// @notice `signals` are accepted too from now on.
    event SignalsAlsoAccepted(uint256[3] signals);

    /// @notice Accepts `signals` from now on, instead of the previous {expected} ones (and those of {alsoAccept}).
    function setExpected(uint256[3] calldata signals) external {
        expected = signals;
        emit ExpectedSignalsSet(signals);
    }

    /// @notice Accepts `signals` too from now on, e.g. for two competing mints in one block.
    function alsoAccept(uint256[3] calldata signals) external {
        alsoAccepted[keccak256(abi.encode(signals))] = true;
        emit SignalsAlsoAccepted(signals);
    }

    /// @inheritdoc IProvenImageVerifier
    function verifyProof(
        uint256[2] calldata,
        uint256[2][2] calldata,
        uint256[2] calldata,
        uint256[3] calldata pubSignals
    ) external view returns (bool) {
        return
            (pubSignals[0] == expected[0] && pubSignals[1] == expected[1] && pubSignals[2] == expected[2]) ||
            alsoAccepted[keccak256(abi.encode(pubSignals))];
    }
}
