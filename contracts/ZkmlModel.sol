// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/**
 * @title ZkmlModel
 * @notice One compiled model on-chain: its generated Groth16 verifier, its identity (the manifest's
 * `modelHash`, a commitment to the ONNX weights, fixed-point settings and circuit) and its public-signal
 * layout. The same contract shape serves every model; it is configured at deploy from the manifest.
 *
 * Public signals, as the manifest defines them: `outputCount` model outputs, then `inputCount` model
 * inputs (signed fixed-point integers at scale 2^scaleBits, negative values as p - |v|), then
 * `bindingCount` bound values (e.g. a recipient address, a vault epoch).
 *
 * A proof for another model fails here: each model has its own verifier and so its own verification key.
 */
contract ZkmlModel {
    /// @notice The BN254 scalar field modulus: every public signal must be below it.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice A Groth16 proof in the form snarkjs's calldata export gives it.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice The model's generated `<Name>Verifier` contract.
    address public immutable verifier;
    /// @notice The model's identity: sha256 over its ONNX bytes, fixed-point settings and circuit.
    bytes32 public immutable modelHash;
    uint256 public immutable outputCount;
    uint256 public immutable inputCount;
    uint256 public immutable bindingCount;
    /// @notice Fixed-point fraction bits of inputs and outputs.
    uint8 public immutable scaleBits;

    /// @dev `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`: its selector depends on N.
    bytes4 private immutable _verifySelector;

    error WrongSignalCount(uint256 expected, uint256 actual);
    error SignalNotInField(uint256 index);
    error InvalidProof();
    error VerifierCallFailed();
    error NoVerifierCode(address verifier);
    error ValueOutOfRange(int256 value);

    constructor(
        address verifier_,
        bytes32 modelHash_,
        uint256 outputCount_,
        uint256 inputCount_,
        uint256 bindingCount_,
        uint8 scaleBits_
    ) {
        if (verifier_.code.length == 0) revert NoVerifierCode(verifier_);
        verifier = verifier_;
        modelHash = modelHash_;
        outputCount = outputCount_;
        inputCount = inputCount_;
        bindingCount = bindingCount_;
        scaleBits = scaleBits_;
        uint256 total = outputCount_ + inputCount_ + bindingCount_;
        _verifySelector = bytes4(
            keccak256(
                abi.encodePacked("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", Strings.toString(total), "])")
            )
        );
    }

    /// @notice Number of public signals a proof of this model has.
    function publicSignalCount() public view returns (uint256) {
        return outputCount + inputCount + bindingCount;
    }

    /**
     * @notice Whether `proof` is a valid proof of this model for `signals`.
     * @dev Reverts on a malformed signal list (wrong length, a value not below the field modulus), so a
     * caller can tell a bad request from a false statement.
     */
    function verify(Proof calldata proof, uint256[] calldata signals) public view returns (bool) {
        uint256 expected = publicSignalCount();
        if (signals.length != expected) revert WrongSignalCount(expected, signals.length);
        for (uint256 i = 0; i < signals.length; ++i) {
            if (signals[i] >= FIELD_MODULUS) revert SignalNotInField(i);
        }
        (bool ok, bytes memory ret) = verifier.staticcall(
            abi.encodePacked(_verifySelector, proof.a, proof.b[0], proof.b[1], proof.c, signals)
        );
        if (!ok || ret.length != 32) revert VerifierCallFailed();
        return abi.decode(ret, (bool));
    }

    /// @notice Reverts with {InvalidProof} unless `proof` is valid for `signals`.
    function requireValid(Proof calldata proof, uint256[] calldata signals) public view {
        if (!verify(proof, signals)) revert InvalidProof();
    }

    /// @notice A signed fixed-point integer as the field element the circuit uses.
    function toField(int256 value) public pure returns (uint256) {
        if (value >= 0) {
            if (uint256(value) >= FIELD_MODULUS / 2) revert ValueOutOfRange(value);
            return uint256(value);
        }
        if (value == type(int256).min || uint256(-value) > FIELD_MODULUS / 2) revert ValueOutOfRange(value);
        return FIELD_MODULUS - uint256(-value);
    }

    /// @notice The signed integer a field element encodes (values above p/2 are negative).
    function fromField(uint256 element) public pure returns (int256) {
        if (element >= FIELD_MODULUS) revert SignalNotInField(0);
        return element > FIELD_MODULUS / 2 ? -int256(FIELD_MODULUS - element) : int256(element);
    }
}
