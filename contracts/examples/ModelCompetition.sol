// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IZkmlModel} from "../interfaces/IZkmlModel.sol";
import {BN254_SCALAR_FIELD} from "../utils/Bn254.sol";
import {InvalidCommitment, InvalidModelLayout, InvalidProof} from "../utils/Errors.sol";

/**
 * @title ModelCompetition
 * @notice A "decentralised Kaggle" with private models and public data: competitors prove how many rows of
 * the host's labelled test set their model classifies right, without revealing the model.
 *
 * The scoring circuit (e.g. `kaggle_scorer`) runs a classifier of a fixed architecture on the test set and
 * counts its correct predictions; it is compiled with `visibility: { input: "hashed", params: "private",
 * output: "public" }` and `bind: ["participant"]`. A proof shows: "the weights behind `modelCommitment`
 * classify `correct` rows of the test set behind `testSetCommitment` right, for `participant`". The adapter
 * is deployed with model commitment 0, so each statement carries the submitter's own commitment.
 *
 * 1. Registration: each participant {register}s the commitment to their weights (Poseidon over the packed
 *    quantized parameters, as `hre.zkml.commitments` computes it). A commitment belongs to one participant.
 * 2. The host (the owner) {closeRegistration}s with the commitment to the test set, which it publishes
 *    off-chain at the same time. Models are fixed before the test set is known, so nobody can fit to it.
 * 3. Scoring: {submitScore} checks a proof against the sender's registered commitment, the stored test-set
 *    commitment and the sender; it records each participant's best score and the overall leader (the first
 *    to reach the top score keeps the lead).
 *
 * Swapping weights after registering fails (the proof carries another model commitment), and so does
 * submitting another participant's proof (it is bound to that participant) or claiming a higher score than
 * proven. The test set is hashed rather than public so verification costs the same for any test-set size.
 */
contract ModelCompetition is Ownable {
    /// @notice A participant's registration and best score.
    struct Entry {
        uint256 modelCommitment;
        uint64 bestScore;
        bool scored;
    }

    /// @notice Above this, a submitted count cannot be a count of test rows (and would not fit the scale).
    uint256 public constant MAX_SCORE = type(uint32).max;

    /// @dev Keeps `MAX_SCORE << scaleBits` far inside int256.
    uint8 private constant _MAX_SCALE_BITS = 128;

    /// @notice The scoring model: its verifier, identity and public-signal layout.
    IZkmlModel public immutable model;
    /// @dev The model's fixed-point fraction bits: a count `n` is the output `n << scaleBits`.
    uint8 private immutable _scaleBits;

    /// @notice Whether participants may still register (until the host publishes the test set).
    bool public registrationOpen = true;
    /// @notice The commitment to the public test set (inputs and labels), 0 while registration is open.
    uint256 public testSetCommitment;
    /// @notice The participant with the highest score so far (the first to reach it), or address(0).
    address public leader;
    /// @notice The leader's score.
    uint256 public leaderScore;

    mapping(address participant => Entry) private _entries;
    /// @notice The participant a model commitment is registered to.
    mapping(uint256 modelCommitment => address) public participantOf;

    /// @notice `participant` registered the model behind `modelCommitment`.
    event Registered(address indexed participant, uint256 indexed modelCommitment);
    /// @notice The host closed registration and published the test set's commitment.
    event RegistrationClosed(uint256 indexed testSetCommitment);
    /// @notice `participant` proved `correct` correct predictions; `bestScore` is their best so far.
    event ScoreSubmitted(address indexed participant, uint256 correct, uint256 bestScore);
    /// @notice `leader` took the lead with `score` correct predictions.
    event LeaderChanged(address indexed leader, uint256 score);

    /// @notice Registration is closed (the test set is published).
    error RegistrationIsClosed();
    /// @notice Scores are accepted only once registration is closed.
    error RegistrationStillOpen();
    /// @notice `participant` already registered `modelCommitment`.
    error AlreadyRegistered(address participant, uint256 modelCommitment);
    /// @notice `modelCommitment` is registered to `participant` already.
    error CommitmentTaken(uint256 modelCommitment, address participant);
    /// @notice `participant` has no registered model.
    error NotRegistered(address participant);
    /// @notice `correct` is above {MAX_SCORE}.
    error ScoreOutOfRange(uint256 correct);

    /**
     * @param model_ An {IZkmlModel} adapter, deployed with model commitment 0, of a model with one public
     * output (the count), a hashed input (the test set), private parameters and one binding (the participant),
     * at a scale of at most 2^128; otherwise the constructor reverts with {InvalidModelLayout}.
     * @param host The owner, who closes registration.
     */
    constructor(IZkmlModel model_, address host) Ownable(host) {
        IZkmlModel.Layout memory l = model_.layout();
        if (
            l.outputs.encoding != IZkmlModel.Encoding.Packed ||
            l.outputs.values != 1 ||
            l.inputs.encoding != IZkmlModel.Encoding.Commitment ||
            l.modelCommitmentOffset == type(uint256).max ||
            model_.modelCommitment() != 0 ||
            l.bindingCount != 1 ||
            l.scaleBits > _MAX_SCALE_BITS
        ) revert InvalidModelLayout();
        model = model_;
        _scaleBits = l.scaleBits;
    }

    /// @notice Registers the sender's model by its commitment, once, while registration is open. Emits {Registered}.
    function register(uint256 modelCommitment) external {
        if (!registrationOpen) revert RegistrationIsClosed();
        if (modelCommitment == 0 || modelCommitment >= BN254_SCALAR_FIELD) revert InvalidCommitment(modelCommitment);
        Entry storage e = _entries[msg.sender];
        if (e.modelCommitment != 0) revert AlreadyRegistered(msg.sender, e.modelCommitment);
        address holder = participantOf[modelCommitment];
        if (holder != address(0)) revert CommitmentTaken(modelCommitment, holder);
        e.modelCommitment = modelCommitment;
        participantOf[modelCommitment] = msg.sender;
        emit Registered(msg.sender, modelCommitment);
    }

    /// @notice Ends registration and publishes the test set's commitment (the host publishes the set off-chain).
    /// Emits {RegistrationClosed}.
    function closeRegistration(uint256 testSetCommitment_) external onlyOwner {
        if (!registrationOpen) revert RegistrationIsClosed();
        if (testSetCommitment_ == 0 || testSetCommitment_ >= BN254_SCALAR_FIELD) revert InvalidCommitment(testSetCommitment_);
        registrationOpen = false;
        testSetCommitment = testSetCommitment_;
        emit RegistrationClosed(testSetCommitment_);
    }

    /**
     * @notice Records that the sender's registered model classifies `correct` test rows right, if `proof`
     * shows it (for the sender's model commitment, the stored test-set commitment and the sender).
     * @dev Reverts with {InvalidProof} unless `proof` shows that the sender's registered model classifies
     * `correct` rows of the test set right. Emits {ScoreSubmitted}, and {LeaderChanged} when the sender takes the lead.
     */
    function submitScore(IZkmlModel.Proof calldata proof, uint256 correct) external {
        if (registrationOpen) revert RegistrationStillOpen();
        Entry storage e = _entries[msg.sender];
        uint256 commitment = e.modelCommitment;
        if (commitment == 0) revert NotRegistered(msg.sender);
        if (correct > MAX_SCORE) revert ScoreOutOfRange(correct);
        if (!model.verifyStatement(proof, _statement(correct, commitment, msg.sender))) revert InvalidProof();

        if (!e.scored || correct > e.bestScore) {
            e.bestScore = uint64(correct);
            e.scored = true;
        }
        emit ScoreSubmitted(msg.sender, correct, e.bestScore);
        if (leader == address(0) || correct > leaderScore) {
            leader = msg.sender;
            leaderScore = correct;
            emit LeaderChanged(msg.sender, correct);
        }
    }

    /// @notice `participant`'s registered model commitment (0 if unregistered), best score and whether they scored.
    function entryOf(address participant) external view returns (Entry memory) {
        return _entries[participant];
    }

    /// @dev What a submission's proof must show: output `correct` (as fixed point), the two commitments, the sender.
    function _statement(uint256 correct, uint256 modelCommitment, address participant) private view returns (IZkmlModel.Statement memory s) {
        s.outputs = new int256[](1);
        s.outputs[0] = int256(correct << _scaleBits);
        s.modelCommitment = modelCommitment;
        s.inputCommitment = testSetCommitment;
        s.bindings = new uint256[](1);
        s.bindings[0] = uint160(participant);
    }
}
