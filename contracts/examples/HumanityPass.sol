// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IZkmlModel} from "../interfaces/IZkmlModel.sol";
import {BN254_SCALAR_FIELD} from "../utils/Bn254.sol";
import {InvalidCommitment, InvalidModelLayout, InvalidProof} from "../utils/Errors.sol";

/**
 * @title HumanityPass
 * @notice One person, one pass: a non-transferable ERC-721 minted to whoever proves, with a public model and
 * private data, that a biometric embedding passes a liveness / match model. The embedding never leaves the
 * prover; the chain sees only the model's score and a Poseidon commitment to the embedding.
 *
 * The model (e.g. `face_match`) is compiled with `visibility: { input: "hashed", params: "fixed", output:
 * "public" }` and `bind: ["recipient"]`, so each proof shows: "the committed model maps the embedding behind
 * `inputCommitment` to `score`, for recipient `to`". The input commitment must be unsalted (no `inputSalt`):
 * then one embedding has one commitment, which serves as the pass's nullifier. (With a salt the prover picks,
 * one person could claim any number of passes; the adapter cannot tell the two apart, so the deployer must
 * configure the model unsalted.) The nullifier is only as stable as the embedding: it must be canonical per
 * person (e.g. the template captured at enrolment, which the allow-list mode pins down), since a re-capture
 * that differs in any value is a new commitment. Unsalted, the commitment hides the embedding only as far as
 * the embedding cannot be guessed: fine for a high-entropy template, not for a low-entropy input.
 *
 * - Threshold: the proven score must be at least {threshold}, a signed fixed-point number at the model's
 *   scale (2^scaleBits; 4.0 is 16384 at scale 2^12).
 * - Nullifier: a commitment claims once ({NullifierUsed}); an account holds at most one pass.
 * - Allow-list (optional, fixed at deploy): with {enrollmentRequired}, only commitments the owner enrolled
 *   (e.g. after an in-person check) can claim; the owner can revoke an enrolment before it is claimed.
 * - Recipient: the proof is bound to `to`; a proof seen in the mempool cannot be redirected to another account
 *   (verification fails). Anyone may submit a claim (e.g. a relayer); the pass always goes to `to`.
 *
 * Passes are soulbound: they are minted and never transferred ({Soulbound}).
 */
contract HumanityPass is ERC721, Ownable {
    /// @notice The liveness / match model: its verifier, identity and public-signal layout.
    IZkmlModel public immutable model;
    /// @notice The lowest score that earns a pass (signed fixed point at the model's scale).
    int256 public immutable threshold;
    /// @notice Whether a commitment must have been enrolled by the owner before it can claim.
    bool public immutable enrollmentRequired;

    /// @notice Number of passes minted; pass ids run from 1.
    uint256 public totalSupply;
    /// @notice Enrolled (and not revoked) input commitments.
    mapping(uint256 commitment => bool) public isEnrolled;
    /// @notice The pass a commitment claimed, or 0 while its nullifier is unused.
    mapping(uint256 commitment => uint256 tokenId) public passOf;

    /// @notice The owner enrolled `commitment`: it may claim a pass.
    event Enrolled(uint256 indexed commitment);
    /// @notice The owner revoked the enrolment of `commitment`.
    event Revoked(uint256 indexed commitment);
    /// @notice Pass `tokenId` was minted to `to` for the embedding behind `commitment`, with proven `score`.
    event PassClaimed(address indexed to, uint256 indexed tokenId, uint256 indexed commitment, int256 score);

    /// @notice This pass has no allow-list ({enrollmentRequired} is false).
    error EnrollmentDisabled();
    /// @notice `commitment` is already enrolled.
    error AlreadyEnrolled(uint256 commitment);
    /// @notice `commitment` is not enrolled (with {enrollmentRequired}, or when revoking).
    error NotEnrolled(uint256 commitment);
    /// @notice `commitment` already claimed pass `tokenId`.
    error NullifierUsed(uint256 commitment, uint256 tokenId);
    /// @notice The claimed `score` is below {threshold}.
    error ScoreTooLow(int256 score, int256 threshold);
    /// @notice `account` already holds a pass.
    error AlreadyHoldsPass(address account);
    /// @notice Passes cannot be transferred.
    error Soulbound();

    /**
     * @param model_ An {IZkmlModel} adapter of a model with one public output, a hashed (unsalted) input, fixed
     * parameters and one binding, the recipient; otherwise the constructor reverts with {InvalidModelLayout}.
     * @param threshold_ The lowest score that earns a pass, fixed point at the model's scale.
     * @param enrollmentRequired_ Whether claims need an enrolled commitment.
     * @param name_ The ERC-721 name.
     * @param symbol_ The ERC-721 symbol.
     * @param initialOwner The account that enrols and revokes commitments.
     */
    constructor(
        IZkmlModel model_,
        int256 threshold_,
        bool enrollmentRequired_,
        string memory name_,
        string memory symbol_,
        address initialOwner
    ) ERC721(name_, symbol_) Ownable(initialOwner) {
        IZkmlModel.Layout memory l = model_.layout();
        if (
            l.outputs.encoding != IZkmlModel.Encoding.Packed ||
            l.outputs.values != 1 ||
            l.inputs.encoding != IZkmlModel.Encoding.Commitment ||
            l.modelCommitmentOffset != type(uint256).max ||
            l.bindingCount != 1
        ) revert InvalidModelLayout();
        model = model_;
        threshold = threshold_;
        enrollmentRequired = enrollmentRequired_;
    }

    /// @notice Allows `commitment` (an embedding's input commitment) to claim. Only with {enrollmentRequired}.
    /// Reverts with {InvalidCommitment} for 0 or a value outside the field. Emits {Enrolled}.
    function enroll(uint256 commitment) external onlyOwner {
        if (!enrollmentRequired) revert EnrollmentDisabled();
        if (commitment == 0 || commitment >= BN254_SCALAR_FIELD) revert InvalidCommitment(commitment);
        if (isEnrolled[commitment]) revert AlreadyEnrolled(commitment);
        isEnrolled[commitment] = true;
        emit Enrolled(commitment);
    }

    /// @notice Withdraws the enrolment of `commitment`; a pass it already claimed stays. Emits {Revoked}.
    function revoke(uint256 commitment) external onlyOwner {
        if (!isEnrolled[commitment]) revert NotEnrolled(commitment);
        isEnrolled[commitment] = false;
        emit Revoked(commitment);
    }

    /**
     * @notice Mints a pass to `to` if `proof` shows that the model scores the embedding behind `inputCommitment`
     * at `score` (at least {threshold}), for recipient `to`, and that commitment has not claimed before.
     * @dev Reverts with {InvalidProof} unless `proof` shows that the model scores the embedding behind
     * `inputCommitment` at `score` for `to`. Emits {PassClaimed} and {Transfer}. The pass is minted without a receiver callback (it is
     * soulbound, so a contract recipient needs no hook to move it out).
     * @return tokenId The new pass.
     */
    function claim(IZkmlModel.Proof calldata proof, int256 score, uint256 inputCommitment, address to) external returns (uint256 tokenId) {
        uint256 used = passOf[inputCommitment];
        if (used != 0) revert NullifierUsed(inputCommitment, used);
        if (enrollmentRequired && !isEnrolled[inputCommitment]) revert NotEnrolled(inputCommitment);
        if (score < threshold) revert ScoreTooLow(score, threshold);
        if (balanceOf(to) != 0) revert AlreadyHoldsPass(to);
        if (!model.verifyStatement(proof, _statement(score, inputCommitment, to))) revert InvalidProof();

        tokenId = ++totalSupply;
        passOf[inputCommitment] = tokenId;
        emit PassClaimed(to, tokenId, inputCommitment, score);
        _mint(to, tokenId);
    }

    /// @notice Whether `account` holds a pass.
    function hasPass(address account) external view returns (bool) {
        return balanceOf(account) != 0;
    }

    /// @dev What a claim's proof must show: output `score`, input commitment, bound to `to`.
    function _statement(int256 score, uint256 inputCommitment, address to) private pure returns (IZkmlModel.Statement memory s) {
        s.outputs = new int256[](1);
        s.outputs[0] = score;
        s.inputCommitment = inputCommitment;
        s.bindings = new uint256[](1);
        s.bindings[0] = uint160(to);
    }

    /// @dev Mints only: a transfer or burn reverts with {Soulbound}.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (_ownerOf(tokenId) != address(0)) revert Soulbound();
        return super._update(to, tokenId, auth);
    }
}
