// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title A market's price source: a Chainlink feed read as a stop order's trigger reference
/// @notice A feed's `answer` has `decimals` decimals and prices one whole base token in whole quote tokens; the
/// Exchange's prices are quote base units per 1e18 base base-units. So the reference price is
/// `answer * 10^(18 + quoteDecimals - baseDecimals - feedDecimals)`, kept as the exact fraction
/// `answer * 10^scaleUp / 10^scaleDown` (one of the two is zero) and compared without rounding.
library PriceSourceLib {
    /// @dev One storage slot per market.
    struct PriceSource {
        address feed;
        uint32 maxAge;
        uint8 scaleUp;
        uint8 scaleDown;
    }

    /// @dev Largest power of ten a scale may use: `10^77` is the last one below 2^256.
    uint256 internal constant MAX_SCALE = 77;

    /// @notice The feed's latest answer and its update time; `ok` is false when the call fails, returns fewer
    /// than five words, or answers zero or less.
    /// @dev A low-level static call with the return size checked, so a broken feed is reported, never a revert
    /// of the whole settlement batch.
    function latest(address feed) internal view returns (bool ok, uint256 answer, uint256 updatedAt) {
        (bool success, bytes memory data) =
            feed.staticcall(abi.encodeWithSelector(AggregatorV3Interface.latestRoundData.selector));
        if (!success || data.length < 160) return (false, 0, 0);
        int256 signedAnswer;
        assembly ("memory-safe") {
            signedAnswer := mload(add(data, 0x40))
            updatedAt := mload(add(data, 0x80))
        }
        if (signedAnswer <= 0) return (false, 0, 0);
        return (true, uint256(signedAnswer), updatedAt);
    }

    /// @notice Whether a feed updated at `updatedAt` is too old (or from the future) at `now_`.
    function isStale(uint256 updatedAt, uint256 maxAge, uint256 now_) internal pure returns (bool) {
        return updatedAt == 0 || updatedAt > now_ || now_ - updatedAt > maxAge;
    }

    /// @notice Whether a stop order of `side` (0 buy, 1 sell) with `triggerPrice` has triggered at the feed's
    /// `answer`: a buy stop once the reference is at or above its trigger, a sell stop once at or below it.
    /// @dev Compares `answer * 10^scaleUp` with `triggerPrice * 10^scaleDown`; a product that would overflow is
    /// larger than any the other side can reach (one of the two scales is zero).
    function triggered(PriceSource memory source, uint256 answer, uint256 triggerPrice, uint256 side)
        internal
        pure
        returns (bool)
    {
        (bool referenceFits, uint256 scaledAnswer) = _times(answer, source.scaleUp);
        (bool triggerFits, uint256 trigger) = _times(triggerPrice, source.scaleDown);
        if (!referenceFits) return side == 0; // the reference is above every trigger
        if (!triggerFits) return side == 1; // the trigger is above every reference
        return side == 0 ? scaledAnswer >= trigger : scaledAnswer <= trigger;
    }

    /// @notice The reference price in the Exchange's units, rounded down (saturating), for messages.
    function referencePrice(PriceSource memory source, uint256 answer) internal pure returns (uint256) {
        (bool fits, uint256 scaled) = _times(answer, source.scaleUp);
        if (!fits) return type(uint256).max;
        return scaled / 10 ** source.scaleDown;
    }

    /// @dev `value * 10^exponent`, and whether it fits in 256 bits (`exponent` is at most `MAX_SCALE`).
    function _times(uint256 value, uint256 exponent) private pure returns (bool fits, uint256 product) {
        uint256 factor = 10 ** exponent;
        if (value > type(uint256).max / factor) return (false, 0);
        unchecked {
            return (true, value * factor);
        }
    }
}
