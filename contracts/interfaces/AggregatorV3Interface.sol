// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The Chainlink price feed interface (the part the Exchange reads)
/// @notice `answer` is the price with `decimals()` decimals; `updatedAt` the time of the round's last update.
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);

    function description() external view returns (string memory);

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
