// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IZkmlModel} from "./interfaces/IZkmlModel.sol";
import {ZkmlLayout} from "./ZkmlLayout.sol";
import {BN254_SCALAR_FIELD} from "./utils/Bn254.sol";
import {InvalidProof, NoVerifierCode} from "./utils/Errors.sol";

/**
 * @title ZkmlModel
 * @notice One compiled model on-chain: its generated Groth16 verifier, its identity (the manifest's
 * `modelHash`) and its public-signal layout, configured at deploy from the manifest. Consumers state
 * what a proof must show as a {Statement} of plain values; this contract turns it into the circuit's
 * public signals (packing values, placing commitments) and calls the verifier.
 *
 * Public signals, in the manifest's order (`publicSignals` in manifest.json):
 * - the outputs: packed (`floor(253 / bits)` signed values per signal, each as the offset-binary digit
 *   `v + 2^(bits-1)`, little-endian), or one Poseidon commitment to them (`output: "hashed"`);
 * - with private parameters, the model commitment (Poseidon over the packed quantized weights);
 * - the inputs: packed, one Poseidon commitment (`input: "hashed"`), or nothing (`input: "private"`);
 * - the bindings (e.g. a recipient, an epoch), one signal each.
 *
 * A model with private parameters can be deployed with the commitment its provider published in
 * advance: every statement must then carry exactly that commitment, so a proof made with other weights
 * fails. With `modelCommitment == 0` the consumer supplies it (e.g. one commitment per competitor).
 *
 * A proof for another model fails here: each model has its own verifier and so its own verification key.
 *
 * Consumers depend on {IZkmlModel}, which declares the types ({Statement}, {Proof}, {Layout}) and the errors.
 * The layout and its getters are {ZkmlLayout}'s.
 * The adapter holds no mutable state (everything is fixed at deployment), so it emits no events.
 */
contract ZkmlModel is ZkmlLayout {
    /// @notice The BN254 scalar field modulus: every public signal must be below it.
    uint256 public constant FIELD_MODULUS = BN254_SCALAR_FIELD;

    /// @inheritdoc IZkmlModel
    address public immutable verifier;
    /// @inheritdoc IZkmlModel
    bytes32 public immutable modelHash;
    /// @inheritdoc IZkmlModel
    uint256 public immutable modelCommitment;

    /// @dev `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`: its selector depends on N.
    bytes4 private immutable _verifySelector;

    /**
     * @param verifier_ The model's generated Groth16 verifier (it must have code).
     * @param modelHash_ The manifest's `modelHash`.
     * @param layout_ The manifest's public-signal layout (`solidityLayout` in src/privacy/layout.ts).
     * @param modelCommitment_ With private parameters, the model commitment every statement must carry; 0 leaves
     * it to the consumer.
     */
    constructor(
        address verifier_,
        bytes32 modelHash_,
        Layout memory layout_,
        uint256 modelCommitment_
    ) ZkmlLayout(layout_) {
        if (verifier_.code.length == 0) revert NoVerifierCode(verifier_);
        bool committed = layout_.modelCommitmentOffset != type(uint256).max;
        if (
            layout_.outputs.encoding == Encoding.None ||
            (modelCommitment_ != 0 && !committed) ||
            modelCommitment_ >= FIELD_MODULUS ||
            layout_.bindingsOffset + layout_.bindingCount != layout_.signalCount ||
            _groupBad(layout_.outputs) ||
            _groupBad(layout_.inputs)
        ) revert InvalidLayout();
        verifier = verifier_;
        modelHash = modelHash_;
        modelCommitment = modelCommitment_;
        _verifySelector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    Strings.toString(layout_.signalCount),
                    "])"
                )
            )
        );
    }

    /// @inheritdoc IZkmlModel
    function publicSignals(Statement calldata s) public view returns (uint256[] memory signals) {
        signals = new uint256[](_signalCount);
        _place(signals, "outputs", _outEncoding, _outOffset, _outValues, _outBits, s.outputs, s.outputCommitment);
        _place(signals, "inputs", _inEncoding, _inOffset, _inValues, _inBits, s.inputs, s.inputCommitment);
        if (_modelCommitmentOffset == type(uint256).max) {
            if (s.modelCommitment != 0) revert UnexpectedCommitment("model");
        } else {
            uint256 fixedCommitment = modelCommitment;
            if (fixedCommitment != 0 && s.modelCommitment != fixedCommitment) {
                revert ModelCommitmentMismatch(fixedCommitment, s.modelCommitment);
            }
            if (s.modelCommitment >= FIELD_MODULUS) revert SignalNotInField(_modelCommitmentOffset);
            signals[_modelCommitmentOffset] = s.modelCommitment;
        }
        if (s.bindings.length != _bindingCount) revert WrongValueCount("bindings", _bindingCount, s.bindings.length);
        for (uint256 i = 0; i < _bindingCount; ++i) {
            if (s.bindings[i] >= FIELD_MODULUS) revert SignalNotInField(_bindingsOffset + i);
            signals[_bindingsOffset + i] = s.bindings[i];
        }
    }

    /// @inheritdoc IZkmlModel
    function verifyStatement(Proof calldata proof, Statement calldata s) external view returns (bool) {
        return _callVerifier(proof, publicSignals(s));
    }

    /// @inheritdoc IZkmlModel
    function requireStatement(Proof calldata proof, Statement calldata s) external view {
        if (!_callVerifier(proof, publicSignals(s))) revert InvalidProof();
    }

    /// @inheritdoc IZkmlModel
    function verify(Proof calldata proof, uint256[] calldata signals) public view returns (bool) {
        if (signals.length != _signalCount) revert WrongSignalCount(_signalCount, signals.length);
        for (uint256 i = 0; i < signals.length; ++i) {
            if (signals[i] >= FIELD_MODULUS) revert SignalNotInField(i);
        }
        uint256 fixedCommitment = modelCommitment;
        if (fixedCommitment != 0 && signals[_modelCommitmentOffset] != fixedCommitment) {
            revert ModelCommitmentMismatch(fixedCommitment, signals[_modelCommitmentOffset]);
        }
        return _callVerifier(proof, signals);
    }

    /// @inheritdoc IZkmlModel
    function requireValid(Proof calldata proof, uint256[] calldata signals) external view {
        if (!verify(proof, signals)) revert InvalidProof();
    }

    /// @notice Packs signed values as the circuit does: `floor(253 / bits)` offset-binary digits per word.
    function pack(int256[] calldata values, uint256 bits) public pure returns (uint256[] memory words) {
        uint256 perWord = _WORD_BITS / bits;
        words = new uint256[]((values.length + perWord - 1) / perWord);
        _packInto(words, 0, values, bits);
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

    function _place(
        uint256[] memory signals,
        string memory group,
        Encoding encoding,
        uint256 offset,
        uint256 count,
        uint256 bits,
        int256[] calldata values,
        uint256 commitment
    ) private pure {
        if (encoding == Encoding.Packed) {
            if (values.length != count) revert WrongValueCount(group, count, values.length);
            if (commitment != 0) revert UnexpectedCommitment(group);
            _packInto(signals, offset, values, bits);
        } else {
            if (values.length != 0) revert WrongValueCount(group, 0, values.length);
            if (encoding == Encoding.Commitment) {
                if (commitment >= FIELD_MODULUS) revert SignalNotInField(offset);
                signals[offset] = commitment;
            } else if (commitment != 0) revert UnexpectedCommitment(group);
        }
    }

    /// @dev Adds the packed words of `values` to `words[offset...]` (which must be zero there).
    function _packInto(uint256[] memory words, uint256 offset, int256[] calldata values, uint256 bits) private pure {
        uint256 perWord = _WORD_BITS / bits;
        int256 half = int256(1 << (bits - 1));
        for (uint256 i = 0; i < values.length; ++i) {
            int256 v = values[i];
            if (v < -half || v >= half) revert ValueOutOfRange(v);
            words[offset + i / perWord] |= uint256(v + half) << ((i % perWord) * bits);
        }
    }

    function _callVerifier(Proof calldata proof, uint256[] memory signals) private view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(
            abi.encodePacked(_verifySelector, proof.a, proof.b[0], proof.b[1], proof.c, signals)
        );
        if (!ok || ret.length != 32) revert VerifierCallFailed();
        return abi.decode(ret, (bool));
    }

    function _groupBad(Group memory g) private pure returns (bool) {
        if (g.encoding != Encoding.Packed) return false;
        return g.bits == 0 || g.bits > _WORD_BITS;
    }
}
