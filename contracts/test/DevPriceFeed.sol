// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title A Chainlink-shaped price feed for tests and the dev chain, moved by its owner
/// @dev Not for production: one key sets any answer at any time.
contract DevPriceFeed is AggregatorV3Interface {
    error DevPriceFeedNotOwner(address caller);

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    uint8 public immutable decimals;
    address public immutable owner;
    string public description;
    uint80 public latestRound;
    int256 public latestAnswer;
    uint256 public latestTimestamp;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        owner = msg.sender;
        _update(initialAnswer, block.timestamp);
    }

    /// @notice A new round answering `answer`, updated now.
    function setAnswer(int256 answer) external {
        _requireOwner();
        _update(answer, block.timestamp);
    }

    /// @notice A new round answering `answer` as if updated at `updatedAt` (tests of stale and future rounds).
    function setRound(int256 answer, uint256 updatedAt) external {
        _requireOwner();
        _update(answer, updatedAt);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return (latestRound, latestAnswer, latestTimestamp, latestTimestamp, latestRound);
    }

    function _requireOwner() internal view {
        if (msg.sender != owner) revert DevPriceFeedNotOwner(msg.sender);
    }

    function _update(int256 answer, uint256 updatedAt) internal {
        latestRound += 1;
        latestAnswer = answer;
        latestTimestamp = updatedAt;
        emit AnswerUpdated(answer, latestRound, updatedAt);
    }
}
