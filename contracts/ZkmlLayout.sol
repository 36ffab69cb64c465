// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IZkmlModel} from "./interfaces/IZkmlModel.sol";

/**
 * @title ZkmlLayout
 * @notice The public-signal layout of an {IZkmlModel}, fixed at deployment, and the {IZkmlModel} getters that read
 * it: {publicSignalCount}, {outputCount}, {inputCount}, {bindingCount}, {valuesArePublic}, {layout} and
 * {scaleBits}. {ZkmlModel} is deployed with the manifest's layout; {ChainModel} with the one it derives from its
 * chain's ends.
 *
 * The layout is stored as immutables, one per field, so reading it costs no storage access. This contract does
 * not check the layout: the contract built on it refuses one it cannot serve ({IZkmlModel-InvalidLayout}).
 * It holds no mutable state, so it emits no events.
 */
abstract contract ZkmlLayout is IZkmlModel {
    /// @dev A packed signal holds at most 253 bits, so it is always below the BN254 scalar field modulus.
    uint256 internal constant _WORD_BITS = 253;

    /// @inheritdoc IZkmlModel
    uint8 public immutable scaleBits;

    uint256 internal immutable _signalCount;
    Encoding internal immutable _outEncoding;
    uint256 internal immutable _outOffset;
    uint256 internal immutable _outValues;
    uint256 internal immutable _outBits;
    Encoding internal immutable _inEncoding;
    uint256 internal immutable _inOffset;
    uint256 internal immutable _inValues;
    uint256 internal immutable _inBits;
    /// @dev `type(uint256).max` when the layout has no model commitment.
    uint256 internal immutable _modelCommitmentOffset;
    uint256 internal immutable _bindingsOffset;
    uint256 internal immutable _bindingCount;

    /// @param layout_ The public-signal layout the model answers {layout} with.
    constructor(Layout memory layout_) {
        _signalCount = layout_.signalCount;
        _outEncoding = layout_.outputs.encoding;
        _outOffset = layout_.outputs.offset;
        _outValues = layout_.outputs.values;
        _outBits = layout_.outputs.bits;
        _inEncoding = layout_.inputs.encoding;
        _inOffset = layout_.inputs.offset;
        _inValues = layout_.inputs.values;
        _inBits = layout_.inputs.bits;
        _modelCommitmentOffset = layout_.modelCommitmentOffset;
        _bindingsOffset = layout_.bindingsOffset;
        _bindingCount = layout_.bindingCount;
        scaleBits = layout_.scaleBits;
    }

    /// @inheritdoc IZkmlModel
    function publicSignalCount() external view returns (uint256) {
        return _signalCount;
    }

    /// @inheritdoc IZkmlModel
    function outputCount() external view returns (uint256) {
        return _outValues;
    }

    /// @inheritdoc IZkmlModel
    function inputCount() external view returns (uint256) {
        return _inValues;
    }

    /// @inheritdoc IZkmlModel
    function bindingCount() external view returns (uint256) {
        return _bindingCount;
    }

    /// @inheritdoc IZkmlModel
    function valuesArePublic() external view returns (bool) {
        return _outEncoding == Encoding.Packed && _inEncoding == Encoding.Packed;
    }

    /// @inheritdoc IZkmlModel
    function layout() external view returns (Layout memory l) {
        l.signalCount = _signalCount;
        l.outputs = Group(_outEncoding, _outOffset, _outValues, _outBits);
        l.inputs = Group(_inEncoding, _inOffset, _inValues, _inBits);
        l.modelCommitmentOffset = _modelCommitmentOffset;
        l.bindingsOffset = _bindingsOffset;
        l.bindingCount = _bindingCount;
        l.scaleBits = scaleBits;
    }
}
