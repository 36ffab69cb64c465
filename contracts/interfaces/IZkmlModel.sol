// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IZkmlModel
 * @notice One compiled model on-chain, as the contracts built on it ({AiVault}, {AigcCollection}, {HumanityPass},
 * {ModelCompetition}) use it: its identity, its public-signal layout, and the check that a Groth16 proof proves a
 * {Statement} of plain values (outputs, inputs, commitments, bound values) for this model. {ZkmlModel} implements
 * it over the model's generated verifier; a consumer depends only on this interface.
 */
interface IZkmlModel {
    /// @notice How a group of values appears among the public signals.
    enum Encoding {
        None,
        Packed,
        Commitment
    }

    /// @notice A group of values (the outputs or the inputs) in the layout.
    struct Group {
        Encoding encoding;
        /// Index of the group's first public signal.
        uint256 offset;
        /// Number of values (packed: each is range-checked to `bits` signed bits).
        uint256 values;
        uint256 bits;
    }

    /// @notice The manifest's public-signal layout, as the model is deployed with it.
    struct Layout {
        uint256 signalCount;
        Group outputs;
        Group inputs;
        /// `type(uint256).max` when the parameters are fixed (no model commitment).
        uint256 modelCommitmentOffset;
        uint256 bindingsOffset;
        uint256 bindingCount;
        uint8 scaleBits;
    }

    /// @notice What a proof must show, in plain values.
    struct Statement {
        /// The quantized outputs (signed, at scale 2^scaleBits) when they are public, else empty.
        int256[] outputs;
        /// The output commitment when outputs are hashed, else 0.
        uint256 outputCommitment;
        /// The model commitment when the parameters are private, else 0.
        uint256 modelCommitment;
        /// The quantized inputs when they are public, else empty.
        int256[] inputs;
        /// The input commitment when inputs are hashed, else 0.
        uint256 inputCommitment;
        /// The bound values, in the manifest's order.
        uint256[] bindings;
    }

    /// @notice A Groth16 proof in the form snarkjs's calldata export gives it.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice The public signals are not `expected` many.
    error WrongSignalCount(uint256 expected, uint256 actual);
    /// @notice Public signal `index` (or a value placed there) is not below the BN254 scalar field modulus.
    error SignalNotInField(uint256 index);
    /// @notice The verifier call reverted or did not return one boolean.
    error VerifierCallFailed();
    /// @notice `value` does not fit the signed width it is packed or converted to.
    error ValueOutOfRange(int256 value);
    /// @notice The layout given at deployment is inconsistent (or fixes a model commitment it has no place for).
    error InvalidLayout();
    /// @notice A statement's group has the wrong number of values (`group` is "outputs", "inputs" or "bindings").
    error WrongValueCount(string group, uint256 expected, uint256 actual);
    /// @notice A commitment was given for a group the layout does not commit to, or is missing for one it does.
    error UnexpectedCommitment(string group);
    /// @notice The statement's model commitment is not the one the model was deployed with.
    error ModelCommitmentMismatch(uint256 expected, uint256 actual);

    /// @notice The model's generated `<Name>Verifier` contract.
    function verifier() external view returns (address);

    /// @notice The model's identity: the manifest's `modelHash` (sha256 over its ONNX bytes, fixed-point settings,
    /// visibility and circuit).
    function modelHash() external view returns (bytes32);

    /// @notice The model commitment every statement must carry, or 0 when the consumer supplies it.
    function modelCommitment() external view returns (uint256);

    /// @notice Fixed-point fraction bits of inputs and outputs.
    function scaleBits() external view returns (uint8);

    /// @notice Number of public signals a proof of this model has.
    function publicSignalCount() external view returns (uint256);

    /// @notice Number of model output values (public or behind the output commitment).
    function outputCount() external view returns (uint256);

    /// @notice Number of model input values (public, committed to, or private).
    function inputCount() external view returns (uint256);

    /// @notice Number of bound values (e.g. a recipient) each proof carries.
    function bindingCount() external view returns (uint256);

    /// @notice Whether outputs and inputs are both public values (a statement lists them in full).
    function valuesArePublic() external view returns (bool);

    /// @notice The layout the model was deployed with.
    function layout() external view returns (Layout memory);

    /**
     * @notice The public signals of `s` in the model's layout.
     * @dev Reverts on a statement that does not fit the layout: a wrong value count ({WrongValueCount}), a
     * value outside its packing width ({ValueOutOfRange}), a commitment for a group that has none
     * ({UnexpectedCommitment}), a model commitment other than the deployed one ({ModelCommitmentMismatch}).
     */
    function publicSignals(Statement calldata s) external view returns (uint256[] memory);

    /// @notice Whether `proof` proves statement `s` for this model (reverts on a malformed statement).
    function verifyStatement(Proof calldata proof, Statement calldata s) external view returns (bool);

    /// @notice Reverts with {InvalidProof} (contracts/utils/Errors.sol) unless `proof` proves statement `s`.
    function requireStatement(Proof calldata proof, Statement calldata s) external view;

    /**
     * @notice Whether `proof` is a valid proof of this model for raw public `signals` (as snarkjs gives them).
     * @dev Reverts on a malformed signal list ({WrongSignalCount}, {SignalNotInField}) and, when the model fixes
     * the model commitment, on a list carrying another one ({ModelCommitmentMismatch}).
     */
    function verify(Proof calldata proof, uint256[] calldata signals) external view returns (bool);

    /// @notice Reverts with {InvalidProof} (contracts/utils/Errors.sol) unless `proof` is valid for `signals`.
    function requireValid(Proof calldata proof, uint256[] calldata signals) external view;
}
