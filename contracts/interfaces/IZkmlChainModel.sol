// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IZkmlChain} from "./IZkmlChain.sol";
import {IZkmlModel} from "./IZkmlModel.sol";

/**
 * @title IZkmlChainModel
 * @notice A model proven as a chain of segments ({IZkmlChain}), presented to consumers as one {IZkmlModel}: the
 * contracts built on {IZkmlModel} ({AiVault}, {AigcCollection}, ...) take it unchanged.
 *
 * An {IZkmlModel.Proof} holds one Groth16 proof, and a chain has one per segment plus its links, so a chain's
 * statement is proven in two steps: {attest} checks the segment proofs and links of a statement through the
 * chain and records it; the consumer's call then finds it recorded ({IZkmlModel-verifyStatement}), whatever proof
 * it passes. A statement carries everything a proof is made for (outputs, inputs, bindings such as an epoch or a
 * recipient), so a recorded statement gives the consumer exactly what a verified single proof of it would.
 *
 * The model's public signals ({IZkmlModel-publicSignals}, {IZkmlModel-verify}) are the chain's ends laid out as a
 * single model's: the last segment's outputs, the first segment's inputs, the last segment's bindings.
 */
interface IZkmlChainModel is IZkmlModel {
    /// @notice `statementKey` (the keccak256 of its public signals) was proven by a chain of segment proofs.
    event StatementAttested(bytes32 indexed statementKey, address indexed attester);

    /// @notice The chain the statements are proven through.
    function chain() external view returns (IZkmlChain);

    /**
     * @notice Records statement `s` as proven when `proofs` (one per segment) and `links` (one per cut) prove it
     * through {chain} ({IZkmlChain-verifyStatement}).
     * @dev Reverts with {InvalidProof} (contracts/utils/Errors.sol) when they do not, and on a malformed statement
     * as {IZkmlModel-publicSignals} does. Emits {StatementAttested} the first time; a statement already recorded
     * returns at once.
     * @return key The statement's key, {statementKey}.
     */
    function attest(Proof[] calldata proofs, uint256[] calldata links, Statement calldata s) external returns (bytes32 key);

    /// @notice The key statement `s` is recorded under: `keccak256(abi.encode(publicSignals(s)))`.
    function statementKey(Statement calldata s) external view returns (bytes32);

    /// @notice Whether the statement of key `key` was attested.
    function attested(bytes32 key) external view returns (bool);
}
