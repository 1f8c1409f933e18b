// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Per-batch fee accumulator in memory
/// @notice Fees of a batch are summed per token here and credited to the fee recipient with one storage write
/// per token at the end of the batch, instead of one per trade.
library FeeLedger {
    struct Data {
        address[] tokens;
        uint256[] amounts;
        uint256 count;
    }

    /// @notice A ledger with room for `capacity` distinct tokens.
    function create(uint256 capacity) internal pure returns (Data memory ledger) {
        ledger.tokens = new address[](capacity);
        ledger.amounts = new uint256[](capacity);
    }

    /// @notice Adds `amount` of `token`. Batches touch few tokens, so a linear scan beats hashing.
    /// @dev The caller sizes the ledger to two tokens per trade, so `count` never exceeds the capacity.
    function add(Data memory ledger, address token, uint256 amount) internal pure {
        if (amount == 0) return;
        uint256 count = ledger.count;
        for (uint256 i; i < count; ++i) {
            if (ledger.tokens[i] == token) {
                ledger.amounts[i] += amount;
                return;
            }
        }
        ledger.tokens[count] = token;
        ledger.amounts[count] = amount;
        ledger.count = count + 1;
    }
}
