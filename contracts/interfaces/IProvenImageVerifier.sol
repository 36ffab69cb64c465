// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IProvenImageVerifier
 * @dev The snarkjs-generated Groth16 verifier of a seeded image generator's circuit: exactly three public
 * signals, in the order `[fingerprint S, seed, challenge r]` (see {ProvenImageCollection}).
 */
interface IProvenImageVerifier {
    /// @dev Whether the proof `(a, b, c)` verifies for `pubSignals`; snarkjs's verifier returns false (never
    /// reverts) for a wrong proof or a signal outside the field.
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[3] calldata pubSignals
    ) external view returns (bool);
}
