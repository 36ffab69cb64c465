// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IZkmlChain} from "./interfaces/IZkmlChain.sol";
import {IZkmlChainModel} from "./interfaces/IZkmlChainModel.sol";
import {IZkmlModel} from "./interfaces/IZkmlModel.sol";
import {ZkmlLayout} from "./ZkmlLayout.sol";
import {BN254_SCALAR_FIELD} from "./utils/Bn254.sol";
import {InvalidProof, NoVerifierCode} from "./utils/Errors.sol";

/**
 * @title ChainModel
 * @notice A model proven as a chain of segments (a {ChainVerifier}), as one {IZkmlModel}: {AiVault},
 * {AigcCollection} and the other consumers of {IZkmlModel} take it in place of a {ZkmlModel}, with no change.
 *
 * A consumer's {IZkmlModel-Proof} holds one Groth16 proof; a chain has one per segment and its links. So the
 * statement is proven first, by {attest}: the segment proofs and links go through {chain}
 * ({IZkmlChain-verifyStatement}: every proof, every link placed in both segments' signals, the first segment's
 * inputs and the last one's outputs and bindings as the statement gives them), and the statement is recorded under
 * the keccak256 of its public signals. The consumer's call then finds the statement it derives recorded; the
 * `proof` it passes is not read.
 *
 * Same guarantees as a single proof: the key covers every value the consumer states (outputs or their commitment,
 * inputs or their commitment, every binding), and the signals are those the segment adapters build from the
 * statement (values range-checked and packed, commitments and bindings in the field), so distinct statements have
 * distinct keys and only a statement the chain proved is found. A recorded statement, like a valid proof, stays
 * valid: freshness and replay come from the consumer's bindings (the vault's epoch, a collection's recipient and
 * prompt), as for a single proof. Only models with public parameters chain ({ChainVerifier} refuses a model
 * commitment), so {modelCommitment} is 0 and a statement carrying one is refused. One difference is timing: a
 * statement is public from its {attest} transaction on, before the consumer's call (a collection's prompt before
 * its reveal), so a collection's prover commits first, then attests, then reveals at once.
 *
 * Public signals, as a single model's layout: the last segment's output signals (packed values or the output
 * commitment), then the first segment's input signals (packed values, the input commitment, or none), then the
 * last segment's bindings. The layout and its getters are {ZkmlLayout}'s.
 */
contract ChainModel is ZkmlLayout, IZkmlChainModel {
    /// @inheritdoc IZkmlChainModel
    IZkmlChain public immutable chain;
    /// @inheritdoc IZkmlModel
    bytes32 public immutable modelHash;

    IZkmlModel private immutable _first;
    IZkmlModel private immutable _last;
    /// @dev Where the output signals start among the last segment's signals.
    uint256 private immutable _lastOutOffset;
    /// @dev Number of input signals (they start at {layout}'s `inputs.offset`, right after the output signals), and
    /// where they start among the first segment's signals.
    uint256 private immutable _inWords;
    uint256 private immutable _firstInOffset;
    /// @dev Where the bindings start among the last segment's signals.
    uint256 private immutable _lastBindingsOffset;

    mapping(bytes32 statementKey => bool) private _attested;

    /**
     * @param chain_ The chain ({ChainVerifier}) whose statements this model accepts; its first segment gives the
     * model's inputs, its last the outputs and bindings.
     * @dev The chain's ends are read twice: for {ZkmlLayout}'s layout ({_chainLayout}, evaluated before this body
     * runs), then here for where the signals sit among the segments' own.
     */
    constructor(IZkmlChain chain_) ZkmlLayout(_chainLayout(chain_)) {
        (IZkmlModel first, IZkmlModel last, Layout memory f, Layout memory l) = _ends(chain_);
        chain = chain_;
        modelHash = chain_.chainHash();
        _first = first;
        _last = last;
        _lastOutOffset = l.outputs.offset;
        _inWords = _words(f.inputs);
        _firstInOffset = f.inputs.offset;
        _lastBindingsOffset = l.bindingsOffset;
    }

    // ---------------------------------------------------------------- chain

    /// @inheritdoc IZkmlChainModel
    function attest(Proof[] calldata proofs, uint256[] calldata links, Statement calldata s) external returns (bytes32 key) {
        key = keccak256(abi.encode(publicSignals(s)));
        if (_attested[key]) return key;
        if (!chain.verifyStatement(proofs, links, s)) revert InvalidProof();
        _attested[key] = true;
        emit StatementAttested(key, msg.sender);
    }

    /// @inheritdoc IZkmlChainModel
    function statementKey(Statement calldata s) external view returns (bytes32) {
        return keccak256(abi.encode(publicSignals(s)));
    }

    /// @inheritdoc IZkmlChainModel
    function attested(bytes32 key) external view returns (bool) {
        return _attested[key];
    }

    // ---------------------------------------------------------------- IZkmlModel

    /// @notice The chain ({ChainVerifier}) that checks this model's proofs.
    function verifier() external view returns (address) {
        return address(chain);
    }

    /// @notice Always 0: a chain's parameters are public.
    function modelCommitment() external pure returns (uint256) {
        return 0;
    }

    /**
     * @inheritdoc IZkmlModel
     * @dev The last segment's adapter checks and places the outputs and bindings, the first segment's the inputs.
     */
    function publicSignals(Statement calldata s) public view returns (uint256[] memory signals) {
        if (s.modelCommitment != 0) revert UnexpectedCommitment("model");
        int256[] memory none = new int256[](0);
        uint256[] memory end = _last.publicSignals(
            Statement({outputs: s.outputs, outputCommitment: s.outputCommitment, modelCommitment: 0, inputs: none, inputCommitment: 0, bindings: s.bindings})
        );
        uint256[] memory start = _first.publicSignals(
            Statement({outputs: none, outputCommitment: 0, modelCommitment: 0, inputs: s.inputs, inputCommitment: s.inputCommitment, bindings: new uint256[](0)})
        );
        signals = new uint256[](_signalCount);
        uint256 outWords = _inOffset; // the output signals start at 0, so the input signals start after them
        uint256 inWords = _inWords;
        for (uint256 i = 0; i < outWords; ++i) signals[i] = end[_lastOutOffset + i];
        for (uint256 i = 0; i < inWords; ++i) signals[outWords + i] = start[_firstInOffset + i];
        for (uint256 i = 0; i < _bindingCount; ++i) signals[outWords + inWords + i] = end[_lastBindingsOffset + i];
    }

    /**
     * @inheritdoc IZkmlModel
     * @dev True when the statement was attested; `proof` is not read (the segment proofs were checked by {attest}).
     */
    function verifyStatement(Proof calldata, Statement calldata s) external view returns (bool) {
        return _attested[keccak256(abi.encode(publicSignals(s)))];
    }

    /// @inheritdoc IZkmlModel
    function requireStatement(Proof calldata, Statement calldata s) external view {
        if (!_attested[keccak256(abi.encode(publicSignals(s)))]) revert InvalidProof();
    }

    /**
     * @inheritdoc IZkmlModel
     * @dev True when the statement of these signals was attested; `proof` is not read.
     */
    function verify(Proof calldata, uint256[] calldata signals) public view returns (bool) {
        if (signals.length != _signalCount) revert WrongSignalCount(_signalCount, signals.length);
        for (uint256 i = 0; i < signals.length; ++i) {
            if (signals[i] >= BN254_SCALAR_FIELD) revert SignalNotInField(i);
        }
        return _attested[keccak256(abi.encode(signals))];
    }

    /// @inheritdoc IZkmlModel
    function requireValid(Proof calldata proof, uint256[] calldata signals) external view {
        if (!verify(proof, signals)) revert InvalidProof();
    }

    /**
     * @dev The layout of a chain's statement, from its ends: the last segment's output signals from 0, the first
     * segment's input signals after them, then the last segment's bindings; no model commitment. Reverts with
     * {NoVerifierCode} when `chain_` has no code.
     */
    function _chainLayout(IZkmlChain chain_) private view returns (Layout memory c) {
        if (address(chain_).code.length == 0) revert NoVerifierCode(address(chain_));
        (, , Layout memory f, Layout memory l) = _ends(chain_);
        uint256 outWords = _words(l.outputs);
        uint256 inWords = _words(f.inputs);
        c.signalCount = outWords + inWords + l.bindingCount;
        c.outputs = Group(l.outputs.encoding, 0, l.outputs.values, l.outputs.bits);
        c.inputs = Group(f.inputs.encoding, outWords, f.inputs.values, f.inputs.bits);
        c.modelCommitmentOffset = type(uint256).max;
        c.bindingsOffset = outWords + inWords;
        c.bindingCount = l.bindingCount;
        c.scaleBits = chain_.scaleBits();
    }

    /// @dev The chain's first and last segments and their layouts.
    function _ends(IZkmlChain chain_)
        private
        view
        returns (IZkmlModel first, IZkmlModel last, Layout memory f, Layout memory l)
    {
        first = chain_.segment(0);
        last = chain_.segment(chain_.segmentCount() - 1);
        f = first.layout();
        l = last.layout();
    }

    /// @dev The number of public signals a group takes: its packed words, one commitment, or none.
    function _words(Group memory g) private pure returns (uint256) {
        if (g.encoding == Encoding.Packed) {
            uint256 perWord = _WORD_BITS / g.bits;
            return (g.values + perWord - 1) / perWord;
        }
        return g.encoding == Encoding.Commitment ? 1 : 0;
    }
}
