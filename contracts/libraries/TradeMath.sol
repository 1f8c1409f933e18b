// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Price and fee checks on the amounts actually traded
/// @notice Every check is an exact integer inequality, so rounding can never hurt the signer.
/// @dev Callers pass amounts and fees below 2^128 (the ABI decoder enforces it for `Trade`'s uint128 fields) and
/// rates at most `MAX_FEE_RATE`; under those bounds no product below can overflow, hence the unchecked math.
library TradeMath {
    /// @dev Prices are quote base units per 1e18 base base-units.
    uint256 internal constant PRICE_SCALE = 1e18;
    /// @dev Fee rates are millionths of the amount received.
    uint256 internal constant FEE_RATE_SCALE = 1e6;

    /// @notice Whether selling `baseAmount` for `quoteAmount` respects the seller's `limitPrice`:
    /// `quoteAmount * 1e18 >= baseAmount * limitPrice`.
    /// @dev Written as `limitPrice <= floor(quoteAmount * 1e18 / baseAmount)`, which is equivalent for integers
    /// and cannot overflow (amounts are below 2^128). `baseAmount` is non-zero (checked before).
    function satisfiesSellLimit(uint256 baseAmount, uint256 quoteAmount, uint256 limitPrice)
        internal
        pure
        returns (bool)
    {
        unchecked {
            // quoteAmount < 2^128, so the product is below 2^188.
            return limitPrice <= (quoteAmount * PRICE_SCALE) / baseAmount;
        }
    }

    /// @notice Whether buying `baseAmount` for `quoteAmount` respects the buyer's `limitPrice`:
    /// `quoteAmount * 1e18 <= baseAmount * limitPrice`.
    /// @dev Written as `limitPrice >= ceil(quoteAmount * 1e18 / baseAmount)`; equivalent, overflow-free.
    function satisfiesBuyLimit(uint256 baseAmount, uint256 quoteAmount, uint256 limitPrice)
        internal
        pure
        returns (bool)
    {
        unchecked {
            // quoteAmount, baseAmount < 2^128: the numerator is below 2^189; baseAmount is non-zero.
            return limitPrice >= (quoteAmount * PRICE_SCALE + baseAmount - 1) / baseAmount;
        }
    }

    /// @notice Whether `fee` is at most `maxRate` millionths of `received`: `fee * 1e6 <= received * maxRate`.
    /// @dev Operands are below 2^128 and 2^32, so neither product overflows.
    function feeWithinRate(uint256 fee, uint256 received, uint256 maxRate) internal pure returns (bool) {
        unchecked {
            // fee, received < 2^128 and maxRate <= 10^4: both products are below 2^148.
            return fee * FEE_RATE_SCALE <= received * maxRate;
        }
    }

    /// @notice The smaller of two rates.
    function min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
