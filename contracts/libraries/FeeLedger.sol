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
        // The market of the last pair added and where its two tokens sit: consecutive trades of one market
        // (the common case) add their fees without scanning.
        address pairBase;
        address pairQuote;
        uint256 pairBaseIndex;
        uint256 pairQuoteIndex;
    }

    /// @notice A ledger with room for `capacity` distinct tokens.
    function create(uint256 capacity) internal pure returns (Data memory ledger) {
        ledger.tokens = new address[](capacity);
        ledger.amounts = new uint256[](capacity);
    }

    /// @notice Adds the two fees of a trade: `baseFee` of `base` and `quoteFee` of `quote`.
    /// @dev Sums cannot overflow: each fee is below 2^128 and a batch has far fewer than 2^128 trades.
    function addPair(Data memory ledger, address base, uint256 baseFee, address quote, uint256 quoteFee)
        internal
        pure
    {
        if (base != ledger.pairBase || quote != ledger.pairQuote) {
            ledger.pairBaseIndex = _indexOf(ledger, base);
            ledger.pairQuoteIndex = _indexOf(ledger, quote);
            ledger.pairBase = base;
            ledger.pairQuote = quote;
        }
        uint256[] memory amounts = ledger.amounts;
        uint256 baseIndex = ledger.pairBaseIndex;
        uint256 quoteIndex = ledger.pairQuoteIndex;
        // Both indices come from `_indexOf`, so they are below `count <= amounts.length`: no bounds checks.
        assembly ("memory-safe") {
            let slot := add(amounts, shl(5, add(baseIndex, 1)))
            mstore(slot, add(mload(slot), baseFee))
            slot := add(amounts, shl(5, add(quoteIndex, 1)))
            mstore(slot, add(mload(slot), quoteFee))
        }
    }

    /// @dev The index of `token`, appending it if new. The caller sizes the ledger to two tokens per trade, so
    /// `count` never exceeds the capacity.
    function _indexOf(Data memory ledger, address token) private pure returns (uint256) {
        uint256 count = ledger.count;
        address[] memory tokens = ledger.tokens;
        for (uint256 i; i < count; ++i) {
            if (tokens[i] == token) return i;
        }
        tokens[count] = token;
        ledger.count = count + 1;
        return count;
    }
}
