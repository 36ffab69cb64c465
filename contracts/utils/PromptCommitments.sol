// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Context} from "@openzeppelin/contracts/utils/Context.sol";

/**
 * @title PromptCommitments
 * @notice Commit-reveal for collections whose token id is the hash of a prompt ({AigcCollection},
 * {ProvenImageCollection}): a mint must reveal a commitment that its sender made in an earlier block, so
 * nobody can take a prompt's token by copying the prompt out of a pending mint.
 *
 * The problem it solves. A token id is `keccak256(prompt)` and a small model proves in under a second, so
 * anyone who sees a pending mint in the mempool could prove the same prompt for their own address and get
 * their mint included first. Binding each proof to its recipient stops a copied proof, not a fresh one.
 *
 * The protocol.
 * 1. Commit: the minter picks a secret random `salt` and calls {commitPrompt} with
 *    `commitment = keccak256(abi.encode(keccak256(prompt), to, salt, committer))` ({promptCommitment}),
 *    where `committer` is the account that will send both transactions. The block number is recorded.
 * 2. Reveal: at least {minRevealDelay} blocks later, the same account calls `mintWithProof(to, prompt, ...,
 *    salt)`. The collection recomputes the commitment from the revealed prompt, `to`, `salt` and the sender,
 *    and mints only if that sender committed it at least {minRevealDelay} blocks before the current one.
 *    The commitment is then deleted: it mints once.
 *
 * Why this stops sniping. The commitment hides the prompt: without the secret 32-byte salt its hash gives
 * nothing away, so the prompt becomes public only when the reveal is broadcast. A sniper who copies the
 * prompt out of the pending reveal needs a commitment of his own (the sender is part of the hash, so the
 * minter's commitment is useless to anyone else, and commitments are recorded per sender, so nobody can
 * overwrite or use up another's). The earliest he can commit is in the first block built after he saw the
 * reveal, and that commitment is refused until {minRevealDelay} blocks later ({CommitmentTooRecent}); a
 * commitment from any earlier block would have required knowing the prompt before it was revealed. So the
 * minter's reveal wins if it is included within {minRevealDelay} blocks of being broadcast: with a
 * delay of 1, in the very next block, which is also the block the sniper aims for.
 *
 * What it does not stop.
 * - A prompt others can guess (a sample prompt, a short word) can be committed by them in advance too;
 *   then whoever reveals first wins. Use prompts that are not public before their reveal.
 * - A reveal that fails after it became public (out of gas, a bad proof) has published the prompt: resend
 *   it before other accounts' new commitments are {minRevealDelay} blocks old.
 * - Block producers can still censor or delay a reveal; they cannot make another account's mint valid.
 *
 * The delay. {minRevealDelay} is in blocks (`block.number` as the chain reports it) and at least 1, which
 * is all the argument above needs. A larger value gives a reveal more blocks to be included in, and guards
 * against reorganizations (a producer able to rebuild the last k blocks could slip a fresh commitment k
 * blocks back); it costs the minter that many blocks of waiting. Commitments do not expire: age does not
 * weaken a commitment (it shows that its committer knew the prompt then), and an expiry would not stop
 * anyone who can guess prompts, since he could renew his commitments.
 */
abstract contract PromptCommitments is Context {
    /// @notice Blocks that must pass between a commitment and its reveal: a reveal in block `b` needs a
    /// commitment made in block `b - minRevealDelay` or earlier. At least 1.
    uint256 public immutable minRevealDelay;

    mapping(address committer => mapping(bytes32 commitment => uint256 blockNumber)) private _commitments;

    /// @notice `committer` committed `commitment` in block `blockNumber` (a repeated commitment restarts its delay).
    event PromptCommitted(address indexed committer, bytes32 indexed commitment, uint256 blockNumber);
    /// @notice `committer` revealed and so used up `commitment`.
    event PromptRevealed(address indexed committer, bytes32 indexed commitment);

    /// @notice The reveal delay must be at least one block.
    error InvalidRevealDelay(uint256 minRevealDelay);
    /// @notice The sender never committed (or already revealed) the commitment of this prompt, recipient and salt.
    error NoCommitment(address committer, bytes32 commitment);
    /// @notice The commitment was made in block `committedAt`, fewer than {minRevealDelay} blocks before block `current`.
    error CommitmentTooRecent(uint256 committedAt, uint256 current);

    /// @param minRevealDelay_ The {minRevealDelay} in blocks, at least 1.
    constructor(uint256 minRevealDelay_) {
        if (minRevealDelay_ == 0) revert InvalidRevealDelay(minRevealDelay_);
        minRevealDelay = minRevealDelay_;
    }

    /**
     * @notice Records that the sender commits to `commitment` = {promptCommitment}`(keccak256(prompt), to,
     * salt, sender)`, made with a secret random `salt`, in this block. Reveal it with `mintWithProof` from the
     * same account at least {minRevealDelay} blocks later.
     * @dev Committing the same value again restarts its delay. Emits {PromptCommitted}.
     */
    function commitPrompt(bytes32 commitment) external {
        address committer = _msgSender();
        _commitments[committer][commitment] = block.number;
        emit PromptCommitted(committer, commitment, block.number);
    }

    /// @notice The block in which `committer` committed `commitment`, or 0 if it is not (or no longer) committed.
    function committedAt(address committer, bytes32 commitment) external view returns (uint256) {
        return _commitments[committer][commitment];
    }

    /// @notice The commitment of a mint of the prompt hashing to `promptHash` to `to`, with `salt`, sent by `committer`.
    function promptCommitment(bytes32 promptHash, address to, bytes32 salt, address committer) public pure returns (bytes32) {
        return keccak256(abi.encode(promptHash, to, salt, committer));
    }

    /**
     * @dev Requires that the sender committed the mint of `promptHash` to `to` with `salt` at least
     * {minRevealDelay} blocks ago, and deletes the commitment. Call it before any external call.
     * Emits {PromptRevealed}.
     */
    function _revealCommitment(bytes32 promptHash, address to, bytes32 salt) internal {
        address committer = _msgSender();
        bytes32 commitment = promptCommitment(promptHash, to, salt, committer);
        uint256 committed = _commitments[committer][commitment];
        if (committed == 0) revert NoCommitment(committer, commitment);
        // A commitment is never from a later block, so this does not underflow.
        if (block.number - committed < minRevealDelay) revert CommitmentTooRecent(committed, block.number);
        delete _commitments[committer][commitment];
        emit PromptRevealed(committer, commitment);
    }
}
