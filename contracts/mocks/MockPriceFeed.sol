// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/**
 * @title MockPriceFeed
 * @notice A Chainlink AggregatorV3-style feed whose owner pushes answers. Each push records a new round
 * (ids 1, 2, 3, ...) with `startedAt = updatedAt = block.timestamp`. For tests and dev networks only.
 */
contract MockPriceFeed is AggregatorV3Interface, Ownable {
    struct Round {
        int256 answer;
        uint64 updatedAt;
    }

    uint8 public immutable override decimals;
    string public override description;
    uint256 public constant override version = 4;

    uint80 public latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice Chainlink's event for a new answer.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice The round does not exist (Chainlink feeds revert likewise).
    error NoDataPresent(uint80 roundId);

    constructor(uint8 decimals_, string memory description_, address initialOwner) Ownable(initialOwner) {
        decimals = decimals_;
        description = description_;
    }

    /// @notice Records `answer` as a new round, updated now.
    function pushPrice(int256 answer) external onlyOwner returns (uint80 roundId) {
        roundId = latestRound + 1;
        latestRound = roundId;
        _rounds[roundId] = Round(answer, uint64(block.timestamp));
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 roundId
    ) public view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        if (r.updatedAt == 0) revert NoDataPresent(roundId);
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }
}
