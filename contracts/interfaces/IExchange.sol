// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title HDEX Exchange: vault and settlement
/// @notice Users deposit into a vault kept per (wallet, token); an operator settles batches of trades between
/// EIP-712 signed orders; users withdraw through operator-relayed signed withdrawals or, without the operator,
/// through the exit hatch. The contract re-checks every signature, price, amount and fee, so the operator can
/// never move a user's funds in a way the user did not sign.
///
/// EIP-712 domain: `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)` with
/// name "HDEX Exchange", version "1", the current chain id (recomputed if `block.chainid` changes) and this
/// contract's address.
///
/// Type strings (the typehash constants are `keccak256` of these exact strings):
/// - `Order(address maker,address baseToken,address quoteToken,uint8 side,uint128 baseAmount,uint256 limitPrice,uint256 triggerPrice,uint32 maxFeeRate,uint64 nonce,uint64 expiry,uint32 flags)`
/// - `Cancel(address maker,bytes32 orderHash)` (signed for the API's off-chain cancel; never sent on-chain)
/// - `Withdrawal(address wallet,address token,uint256 amount,uint256 maxFee,address recipient,uint64 nonce,uint64 expiry)`
///
/// Money model (every number is an integer in token base units):
/// - Price: quote base units per `PRICE_SCALE` (1e18) base base-units, whatever the decimals of the market.
///   A trade of `baseAmount` for `quoteAmount` satisfies a sell order iff `quoteAmount * 1e18 >= baseAmount * limitPrice`
///   and a buy order iff `quoteAmount * 1e18 <= baseAmount * limitPrice`: exact integer inequalities on the
///   amounts actually traded, so rounding can never hurt a signer. Market and stop orders carry the worst price
///   the user accepts in `limitPrice`. A stop order (kind 2 or 3) first trades only once its market's price source
///   (see "Stop orders") reached its `triggerPrice`.
/// - Fees: charged on what each party receives (the buyer receives base, the seller receives quote), in that
///   token, credited to the fee recipient. Rates are in millionths (`FEE_RATE_SCALE` = 1e6) of the amount
///   received. The operator supplies the absolute fee of each party per trade; the contract checks
///   `fee * 1e6 <= received * min(order.maxFeeRate, scheduleRate, MAX_FEE_RATE)`, where `scheduleRate` is the
///   maker or taker rate of the fee schedule (set by the admin through the timelock, at most `MAX_FEE_RATE`).
/// - Flags: bits 0-1 are the order kind (0 limit, 1 market, 2 stop-limit, 3 stop-market); bit 2 post-only: the
///   order may only be the maker of a trade, so it never pays more than the maker fee; bit 3 fill-or-kill (FOK):
///   the order may only be the taker, its trades must be consecutive in one batch and sum to its whole
///   `baseAmount`, and if any of them cannot settle none does; bit 4 operator-triggered: on a stop order, the
///   maker accepts that the operator decides when it triggered (no price source is read). Any other bit makes the
///   order invalid. Immediate-or-cancel is signed as a short `expiry`.
/// - Side: 0 buy (pay quote, receive base), 1 sell (pay base, receive quote).
/// - Nonce: orders with `nonce < nonceFloor(maker)` are invalid. Each order of a maker carries its own nonce: once
///   an order has traded or was cancelled, its nonce is used (see "Fill records") and any other order of that maker
///   with the same nonce is refused. A wallet's slot (nonce floor, exit) also holds the used-nonce bits of a window
///   of 64 consecutive nonces, so a wallet that numbers its orders consecutively marks an order done by rewriting
///   the slot settlement reads anyway (~2.9k) instead of writing a bitmap word (~5k) or a new slot (~22k).
/// - Expiry: valid while `block.timestamp <= expiry`.
///
/// Fill records (what stops an order from being filled twice): per maker, a bitmap of used nonces (see
/// {isNonceUsed}: the bits of the window of 64 nonces in the maker's wallet slot, and bit `nonce % 256` of word
/// `nonce / 256` for nonces below the window; using a nonce above the window moves the window there and its old bits
/// into their word), and per order hash an optional fill counter (see {orderStatus}). At the end of a batch every
/// order that traded sets its nonce's bit; an order left partly filled also stores its counter (filled amount,
/// signature checked). A cancel by hash sets the bit and marks the counter cancelled. So a counter never exists
/// without its bit, and settlement reads them in this order:
/// - bit clear: the order never traded and was never cancelled; its fill is zero, its signature is checked, and
///   it is filled within this batch up to its `baseAmount` (an order filled completely leaves only the bit);
/// - bit set and the order's own counter (not cancelled): it trades on from the counter's filled amount, up to
///   `baseAmount`, without a signature check;
/// - bit set and the counter cancelled: {OrderCancelled};
/// - bit set and no counter of its own: {OrderNonceUsed}: it was filled completely in an earlier batch, or
///   another order of the maker with this nonce traded or was cancelled.
/// Two orders of a maker with the same nonce in one batch each trade within their own amount (both were signed);
/// afterwards each trades on only through its own counter.
///
/// Stop orders: the admin sets, through its timelock, a price source per market ({setPriceFeed}): a Chainlink
/// `AggregatorV3Interface` feed, the longest age of its answer, and the scale from its decimals to the price units
/// above. A stop order's first settlement reads the feed: no source ({StopPriceSourceMissing}), a failing feed
/// ({PriceFeedUnusable}), an answer older than the age bound ({PriceFeedStale}) or a reference that has not reached
/// the trigger ({StopNotTriggered}: a buy stop needs the reference at or above `triggerPrice`, a sell stop at or
/// below) skips its trades. Once it traded, the order trades on from its fill counter like a limit order.
///
/// Batch layout: `orders` holds each order once, sorted by strictly increasing order hash (the EIP-712 digest,
/// see {hashOrder}); `signatures[i]` signs `orders[i]` (it may be empty for an order with a fill counter: its
/// signature check is cached); each trade names its maker and taker orders by index.
///
/// Batch failure mode: `settle` reverts as a whole only for batch-level faults (caller not an operator, paused,
/// malformed batch: index out of range, orders not sorted or repeated, array length mismatch, an order field outside
/// its type). A trade that fails any per-trade or per-order check (signature, cancelled, nonce used, expired, below
/// nonce floor, unknown flags, no market, exited wallet, stop not triggered or its feed unusable, limit price,
/// overfill, fee, self-trade, post-only taker, fill-or-kill maker or incomplete fill, zero amount, insufficient
/// balance, mismatched orders) is skipped whole: it
/// changes nothing and emits {TradeSkipped} with the error below that explains it, ABI-encoded with its arguments
/// (selector and context, exactly as a revert would carry it: which order or wallet, and the amounts that failed).
/// A user cancelling or exiting on-chain therefore cannot make the operator's whole batch revert. The error is
/// encoded only when a trade is skipped: a trade that settles pays no gas for it.
interface IExchange {
    // ---------------------------------------------------------------- types

    /// @notice An order as the maker signs it (EIP-712 `Order`). See the contract docs for every field's meaning.
    struct Order {
        address maker;
        address baseToken;
        address quoteToken;
        uint8 side;
        uint128 baseAmount;
        uint256 limitPrice;
        uint256 triggerPrice;
        uint32 maxFeeRate;
        uint64 nonce;
        uint64 expiry;
        uint32 flags;
    }

    /// @notice One fill between two orders of a batch, chosen by the operator and checked by the contract.
    /// @dev `makerOrderIndex`/`takerOrderIndex` point into the batch's `orders` array, so an order filled by
    /// several trades travels and is verified once. `makerFee` is in the token the maker receives, `takerFee` in
    /// the token the taker receives.
    struct Trade {
        uint256 makerOrderIndex;
        uint256 takerOrderIndex;
        uint128 baseAmount;
        uint128 quoteAmount;
        uint128 makerFee;
        uint128 takerFee;
    }

    /// @notice A withdrawal as the wallet signs it (EIP-712 `Withdrawal`). `amount` is debited from the wallet,
    /// the operator-chosen fee (at most `maxFee` and at most `amount`) goes to the fee recipient, and
    /// `amount - fee` is sent to `recipient`. `nonce` only makes equal withdrawals distinct; each withdrawal
    /// hash is processed at most once.
    struct Withdrawal {
        address wallet;
        address token;
        uint256 amount;
        uint256 maxFee;
        address recipient;
        uint64 nonce;
        uint64 expiry;
    }

    // ---------------------------------------------------------------- errors: batch and access

    /// @notice Thrown when `caller` is not an operator.
    error ExchangeUnauthorizedOperator(address caller);
    /// @notice Thrown when `caller` is not the admin (the Custody contract).
    error ExchangeUnauthorizedAdmin(address caller);
    /// @notice Thrown when an admin call that can hurt users did not come through the admin's timelock.
    error ExchangeCallNotTimelocked(address caller);
    /// @notice Thrown when settlement or a deposit is attempted while the exchange is paused.
    error ExchangePaused();
    /// @notice Thrown when `pause`/`unpause` does not change the state.
    error ExchangePauseUnchanged(bool paused);
    /// @notice Thrown when `orders` and `signatures` differ in length.
    error BatchLengthMismatch(uint256 orders, uint256 signatures);
    /// @notice Thrown when trade `tradeIndex` points outside the batch's orders.
    error BatchOrderIndexOutOfRange(uint256 tradeIndex, uint256 orderIndex);
    /// @notice Thrown when the batch's orders are not in strictly increasing order of their hash (EIP-712
    /// digest) at `index`. Sorting makes a duplicate order (which could otherwise be overfilled) impossible.
    error BatchOrdersNotSorted(uint256 index, bytes32 orderHash);
    /// @notice Thrown when order `index` of the batch has a field outside its type's range (an address, `side`,
    /// `baseAmount`, `maxFeeRate`, `nonce`, `expiry` or `flags` word with bits above its width): the calldata is not
    /// an ABI encoding of `Order`.
    error BatchOrderMalformed(uint256 index);
    /// @notice Thrown when trade `index` of the batch has an amount or fee word with bits above 128: the calldata is
    /// not an ABI encoding of `Trade`.
    error BatchTradeMalformed(uint256 index);

    // ---------------------------------------------------------------- errors: per order and trade (also skip reasons)
    // In `settle` these are not thrown but carried, ABI-encoded with their arguments, by {TradeSkipped}; the
    // per-order ones (signature to exit) skip every trade of that order in the batch.

    /// @notice The signature over `digest` (an order's or a withdrawal's) is not `signer`'s, its maker or wallet
    /// (bad, high-s, bad v, or EIP-1271 refusal).
    error InvalidSignature(address signer, bytes32 digest);
    /// @notice The order was cancelled by its maker.
    error OrderCancelled(bytes32 orderHash);
    /// @notice The order's `nonce` is used and the order holds no fill counter of its own: the order was filled
    /// completely in an earlier batch (a replay), or another order of `maker` with this nonce traded or was
    /// cancelled.
    error OrderNonceUsed(bytes32 orderHash, address maker, uint64 nonce);
    /// @notice The order expired at `expiry`.
    error OrderExpired(bytes32 orderHash, uint64 expiry);
    /// @notice The order's `nonce` is below its maker's `nonceFloor`.
    error OrderNonceBelowFloor(bytes32 orderHash, uint64 nonce, uint64 nonceFloor);
    /// @notice The order has flag bits the contract does not know (`flags` is the order's whole field).
    error OrderUnknownFlags(bytes32 orderHash, uint32 flags);
    /// @notice The order's `side` is neither buy (0) nor sell (1), or its `baseToken` and `quoteToken` are the
    /// same: it belongs to no market and matches no order.
    error OrderMarketInvalid(bytes32 orderHash, uint8 side, address baseToken, address quoteToken);
    /// @notice The wallet has started an exit; the operator can no longer settle for it.
    error WalletExited(address wallet);
    /// @notice The two orders are not opposite sides of the same market.
    error OrdersDoNotMatch(bytes32 makerOrderHash, bytes32 takerOrderHash);
    /// @notice Maker and taker are the same `wallet`.
    error SelfTrade(address wallet);
    /// @notice A post-only order was used as the taker.
    error PostOnlyOrderTaken(bytes32 orderHash);
    /// @notice A fill-or-kill order was used as the maker.
    error FillOrKillOrderMade(bytes32 orderHash);
    /// @notice The consecutive trades of fill-or-kill order `orderHash` starting here fill `filled` base (counting
    /// its earlier fills in the batch), not exactly its `baseAmount`. A FOK run that fails any other check is skipped
    /// whole with that check's error.
    error FillOrKillNotFilled(bytes32 orderHash, uint256 filled, uint256 baseAmount);
    /// @notice A stop order's market has no price source, and the order does not accept operator-triggered
    /// execution.
    error StopPriceSourceMissing(bytes32 orderHash, address baseToken, address quoteToken);
    /// @notice The stop order's market price source has not reached its trigger: `referencePrice` (the feed's
    /// answer in price units, rounded down) is below a buy stop's `triggerPrice` or above a sell stop's.
    error StopNotTriggered(bytes32 orderHash, uint256 triggerPrice, uint256 referencePrice);
    /// @notice `feed`'s latest answer was updated at `updatedAt`, more than `maxAge` seconds ago (or in the future).
    error PriceFeedStale(address feed, uint256 updatedAt, uint256 maxAge);
    /// @notice `feed` failed to answer, answered in a shape other than `latestRoundData`'s, or answered zero or less.
    error PriceFeedUnusable(address feed);
    /// @notice The trade moves zero base or zero quote.
    error ZeroAmountTrade();
    /// @notice The trade would fill `orderHash` beyond its base amount: `filled` before the trade plus the trade's
    /// `fill` exceeds the order's `baseAmount` (all in base units). The maker order is checked first.
    error OrderOverfilled(bytes32 orderHash, uint256 filled, uint256 fill, uint256 baseAmount);
    /// @notice The trade price is worse than the order's `limitPrice` (the seller's is checked first).
    error LimitPriceViolated(bytes32 orderHash, uint256 limitPrice);
    /// @notice The `fee` the party of order `orderHash` would pay exceeds `received * maxRate / 1e6`, where
    /// `received` is what that party receives in the trade and `maxRate` the smallest of the signed max, the
    /// schedule and the hard cap (the maker's fee is checked first).
    error FeeTooHigh(bytes32 orderHash, uint256 fee, uint256 received, uint256 maxRate);
    /// @notice `wallet` holds `balance` of `token`, less than `needed` (in a trade: the seller's base, checked
    /// first, or the buyer's quote).
    error InsufficientBalance(address wallet, address token, uint256 balance, uint256 needed);

    // ---------------------------------------------------------------- errors: vault

    /// @notice Thrown when depositing a token that is not listed.
    error TokenNotListed(address token);
    /// @notice Thrown when listing a token that is already listed, or the zero address (ETH is always listed).
    error TokenListingUnchanged(address token);
    /// @notice Thrown when a deposit or withdrawal moves zero.
    error ZeroAmount();
    /// @notice Thrown when the exchange's token balance moved by `received` instead of `expected`
    /// (fee-on-transfer, rebasing and other misbehaving tokens are refused).
    error TokenTransferAmountMismatch(address token, uint256 expected, uint256 received);
    /// @notice Thrown when sending ETH to `recipient` fails.
    error EtherTransferFailed(address recipient, uint256 amount);
    /// @notice Thrown when a relayed withdrawal expired at `expiry`.
    error WithdrawalExpired(bytes32 withdrawalHash, uint64 expiry);
    /// @notice Thrown when a withdrawal was already processed.
    error WithdrawalAlreadyProcessed(bytes32 withdrawalHash);
    /// @notice Thrown when the withdrawal fee exceeds the signed max or the amount.
    error WithdrawalFeeTooHigh(bytes32 withdrawalHash, uint256 fee, uint256 maxFee);
    /// @notice Thrown when a withdrawal would send to `recipient`, the zero address or this exchange: tokens sent
    /// there are burnt or stuck with no balance owning them, so no signature may ask for it.
    error WithdrawalRecipientInvalid(bytes32 withdrawalHash, address recipient);
    /// @notice Thrown when the caller is not the fee recipient.
    error ExchangeUnauthorizedFeeRecipient(address caller);

    // ---------------------------------------------------------------- errors: cancels, exits, admin

    /// @notice Thrown when `caller` cancels an order it did not make.
    error CancelNotMaker(address caller, address maker);
    /// @notice Thrown when a new nonce floor is not above the current one.
    error NonceFloorNotRaised(uint64 current, uint64 requested);
    /// @notice Thrown when `wallet` requests an exit twice.
    error ExitAlreadyRequested(address wallet, uint64 availableAt);
    /// @notice Thrown when `wallet` has not requested an exit.
    error ExitNotRequested(address wallet);
    /// @notice Thrown when the exit of `wallet` can only be withdrawn from `availableAt`.
    error ExitNotYetAvailable(address wallet, uint64 availableAt);
    /// @notice Thrown when an exit delay is outside `[MIN_EXIT_DELAY, MAX_EXIT_DELAY]`.
    error ExitDelayOutOfBounds(uint64 delay);
    /// @notice Thrown when a fee rate exceeds `MAX_FEE_RATE`.
    error FeeRateAboveCap(uint32 rate, uint32 cap);
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when adding an operator that exists or removing one that does not.
    error OperatorUnchanged(address operator);
    /// @notice Thrown when a price source is set for a pair that is no market (the same token twice).
    error PriceFeedMarketInvalid(address baseToken, address quoteToken);
    /// @notice Thrown when `feed` does not answer `decimals()`, or a token of the market does not.
    error PriceFeedDecimalsUnreadable(address target);
    /// @notice Thrown when a price source's age bound is outside `[1, MAX_PRICE_FEED_AGE]` seconds.
    error PriceFeedMaxAgeOutOfBounds(uint32 maxAge);
    /// @notice Thrown when the decimals of the feed and the tokens need a scale beyond `10^77` either way.
    error PriceFeedScaleOutOfRange(int256 exponent);

    // ---------------------------------------------------------------- events

    /// @notice `wallet`'s balance of `token` (zero address: ETH) rose by `amount`, which the exchange received.
    event Deposited(address indexed wallet, address indexed token, uint256 amount, uint256 balance);
    /// @notice A relayed withdrawal: `wallet`'s balance fell by `amount`; `fee` went to `feeRecipient`'s balance
    /// and `amount - fee` left the exchange to `recipient`.
    event Withdrawn(
        address indexed wallet,
        address indexed token,
        bytes32 indexed withdrawalHash,
        address recipient,
        uint256 amount,
        uint256 fee,
        address feeRecipient,
        uint256 balance
    );
    /// @notice A trade settled. Balance effects: the seller pays `baseAmount` base and receives
    /// `quoteAmount - sellerFee` quote; the buyer pays `quoteAmount` quote and receives `baseAmount - buyerFee`
    /// base; the maker's fee is `makerFee` (in the token the maker receives) and the taker's `takerFee`. Fees are
    /// credited to the fee recipient by {FeesCollected} at the end of the batch. `makerFilled`/`takerFilled` are
    /// the orders' cumulative filled base amounts after this trade.
    event TradeSettled(
        address indexed maker,
        address indexed taker,
        bytes32 indexed makerOrderHash,
        bytes32 takerOrderHash,
        address baseToken,
        address quoteToken,
        uint8 makerSide,
        uint256 baseAmount,
        uint256 quoteAmount,
        uint256 makerFee,
        uint256 takerFee,
        uint256 makerFilled,
        uint256 takerFilled
    );
    /// @notice Trade `tradeIndex` of a batch changed nothing because of `reason`: one of the per-order and
    /// per-trade errors of this interface, ABI-encoded with its arguments (4-byte selector, then the arguments),
    /// so it decodes against this interface's ABI like revert data. Its arguments say which order or wallet failed
    /// and by how much.
    event TradeSkipped(uint256 indexed tradeIndex, bytes32 makerOrderHash, bytes32 takerOrderHash, bytes reason);
    /// @notice `amount` of `token` in fees was credited to `feeRecipient`'s balance (once per token per batch).
    event FeesCollected(address indexed feeRecipient, address indexed token, uint256 amount);
    /// @notice The fee recipient took `amount` of `token` out of its balance.
    event FeesWithdrawn(address indexed feeRecipient, address indexed token, uint256 amount);
    /// @notice `maker` cancelled order `orderHash`, whose `nonce` no other order of `maker` can use now, unless it
    /// traded already from a counter of its own (see {cancelOrders}); an off-chain book learns here that it must
    /// refuse the nonce, also when the order was never sent to it.
    event OrderCancelledByMaker(address indexed maker, bytes32 indexed orderHash, uint64 nonce);
    /// @notice `wallet` invalidated all its orders with a nonce below `nonceFloor`.
    event NonceFloorRaised(address indexed wallet, uint64 nonceFloor);
    /// @notice `wallet` started an exit; from `availableAt` it may withdraw without the operator.
    event ExitRequested(address indexed wallet, uint64 availableAt);
    /// @notice `wallet` cancelled its exit; the operator may settle for it again.
    event ExitCancelled(address indexed wallet);
    /// @notice An exited `wallet` withdrew its whole `amount` of `token` without the operator.
    event ExitWithdrawn(address indexed wallet, address indexed token, uint256 amount);
    /// @notice `operator` was added (`enabled`) or removed.
    event OperatorSet(address indexed operator, bool enabled);
    /// @notice The fee recipient changed.
    event FeeRecipientSet(address indexed feeRecipient);
    /// @notice The fee schedule changed (rates in millionths of the amount received).
    event FeeScheduleSet(uint32 makerFeeRate, uint32 takerFeeRate);
    /// @notice The exit delay changed.
    event ExitDelaySet(uint64 exitDelay);
    /// @notice `token` was listed (`listed`) or delisted for deposits.
    event TokenListingSet(address indexed token, bool listed);
    /// @notice Settlement and deposits were paused or unpaused.
    event PauseSet(bool paused);
    /// @notice The admin changed.
    event AdminSet(address indexed admin);
    /// @notice Market (`baseToken`, `quoteToken`)'s price source for stop orders is now `feed` (zero: none),
    /// trusted while its answer is at most `maxAge` seconds old; its answer times `10^scaleUp / 10^scaleDown` is
    /// the reference in price units.
    event PriceFeedSet(
        address indexed baseToken,
        address indexed quoteToken,
        address feed,
        uint32 maxAge,
        uint8 scaleUp,
        uint8 scaleDown
    );

    // ---------------------------------------------------------------- vault

    /// @notice Deposits `msg.value` ETH (token address zero) for the caller.
    /// @dev This function reverts if: the exchange is paused; `msg.value` is zero.
    function depositEther() external payable;

    /// @notice Pulls `amount` of `token` from the caller (who approved it) into the caller's balance.
    /// @dev This function reverts if:
    /// - the exchange is paused, `token` is not listed or `amount` is zero;
    /// - the transfer fails or returns false;
    /// - the exchange's token balance did not rise by exactly `amount` (fee on transfer);
    /// - the token re-enters the exchange.
    function depositToken(address token, uint256 amount) external;

    /// @notice Relays a withdrawal the wallet signed, charging `fee` (at most the signed `maxFee`).
    /// @dev This function reverts if:
    /// - the caller is not an operator;
    /// - the withdrawal expired, was already processed, or its signature is not the wallet's;
    /// - `fee` exceeds `maxFee` or `amount`, or `amount` is zero;
    /// - `recipient` is the zero address or this exchange;
    /// - the wallet's balance is below `amount`, or the transfer out fails.
    function withdraw(Withdrawal calldata withdrawal, bytes calldata signature, uint256 fee) external;

    /// @notice The fee recipient takes `amount` of `token` out of its balance to itself.
    function withdrawFees(address token, uint256 amount) external;

    // ---------------------------------------------------------------- settlement

    /// @notice Settles a batch of trades between signed orders. See the contract docs for the checks, the
    /// money model and the batch failure mode (bad trades are skipped with {TradeSkipped}).
    /// @dev This function reverts if:
    /// - the caller is not an operator or the exchange is paused;
    /// - `orders` and `signatures` differ in length, a trade's order index is out of range, or the orders are
    ///   not in strictly increasing order of their hash;
    /// - an order has a field outside its type's range ({BatchOrderMalformed}), or a trade has ({BatchTradeMalformed}).
    function settle(Order[] calldata orders, bytes[] calldata signatures, Trade[] calldata trades) external;

    // ---------------------------------------------------------------- cancels and exits

    /// @notice Cancels the caller's `orders` by hash (the caller must be each order's maker): marks each order's
    /// counter cancelled and uses its nonce, so the order is refused whether it is new, partly filled or filled,
    /// and so is any other order of the caller with the same nonce that has not traded. One that has (two orders of
    /// a nonce can both trade only in one batch; each then has its own counter) trades on from its counter until it
    /// is cancelled too: cancel every order signed with the nonce, or raise the nonce floor past it.
    /// @dev This function reverts if the caller is not the maker of one of `orders`.
    function cancelOrders(Order[] calldata orders) external;

    /// @notice Invalidates every order of the caller with a nonce below `nonceFloor`.
    /// @dev This function reverts if `nonceFloor` is not above the current floor.
    function raiseNonceFloor(uint64 nonceFloor) external;

    /// @notice Starts the caller's exit: the operator can no longer settle for it, and after the exit delay
    /// the caller may withdraw with {withdrawExited}. Works while paused.
    function requestExit() external;

    /// @notice Ends the caller's exit so that it can trade again.
    function cancelExit() external;

    /// @notice After its exit delay, an exited caller withdraws its whole balance of `token` to itself.
    /// Works while paused and without the operator.
    /// @dev This function reverts if: no exit was requested; the delay has not passed; the balance is zero;
    /// the transfer fails.
    function withdrawExited(address token) external;

    // ---------------------------------------------------------------- admin (the Custody contract)

    /// @notice Adds an operator. Timelocked.
    function addOperator(address operator) external;
    /// @notice Removes an operator. Immediate (incident response).
    function removeOperator(address operator) external;
    /// @notice Sets the fee recipient. Timelocked.
    function setFeeRecipient(address newFeeRecipient) external;
    /// @notice Sets the fee schedule, each rate at most `MAX_FEE_RATE`. Timelocked.
    function setFeeSchedule(uint32 newMakerFeeRate, uint32 newTakerFeeRate) external;
    /// @notice Sets the exit delay within `[MIN_EXIT_DELAY, MAX_EXIT_DELAY]`. Timelocked.
    function setExitDelay(uint64 newExitDelay) external;
    /// @notice Lists or delists `token` for deposits (trading and withdrawing a delisted token go on). Immediate.
    function setTokenListed(address token, bool listed) external;
    /// @notice Pauses settlement and deposits (never exits or withdrawals). Immediate.
    function pause() external;
    /// @notice Ends a pause. Immediate.
    function unpause() external;
    /// @notice Hands the admin role to `admin`. Timelocked.
    function setAdmin(address newAdmin) external;
    /// @notice Sets market (`baseToken`, `quoteToken`)'s price source for stop orders: a Chainlink feed pricing one
    /// whole base token in quote tokens, trusted while its answer is at most `maxAge` seconds old; `feed` zero
    /// removes it (stop orders then need the operator-triggered flag). The scale is derived from the feed's and the
    /// tokens' `decimals()` (ETH: 18). Timelocked: a feed decides when users' stop orders may execute.
    function setPriceFeed(address baseToken, address quoteToken, address feed, uint32 maxAge) external;

    // ---------------------------------------------------------------- views

    /// @notice Hard cap on any fee rate, in millionths of the amount received (10,000: 1%).
    function MAX_FEE_RATE() external view returns (uint32);
    /// @notice Bounds of the exit delay, in seconds (1 hour and 7 days).
    function MIN_EXIT_DELAY() external view returns (uint64);
    function MAX_EXIT_DELAY() external view returns (uint64);
    /// @notice keccak256 of the `Order`, `Cancel` and `Withdrawal` type strings above.
    function ORDER_TYPEHASH() external view returns (bytes32);
    function CANCEL_TYPEHASH() external view returns (bytes32);
    function WITHDRAWAL_TYPEHASH() external view returns (bytes32);
    /// @notice The admin (the Custody contract).
    function admin() external view returns (address);
    /// @notice Whether `operator` may settle and relay withdrawals.
    function isOperator(address operator) external view returns (bool);
    /// @notice Where fees are credited.
    function feeRecipient() external view returns (address);
    /// @notice The fee schedule, in millionths of the amount received.
    function makerFeeRate() external view returns (uint32);
    function takerFeeRate() external view returns (uint32);
    /// @notice The exit delay for new exits, in seconds.
    function exitDelay() external view returns (uint64);
    /// @notice Whether settlement and deposits are paused.
    function paused() external view returns (bool);
    /// @notice Whether `token` is accepted for deposit (ETH always is).
    function isTokenListed(address token) external view returns (bool);
    /// @notice `wallet`'s balance of `token` (zero address: ETH).
    function balanceOf(address wallet, address token) external view returns (uint256);
    /// @notice An order's fill counter: its cumulative filled base amount, whether its signature is cached (true
    /// exactly when a counter exists), and whether it was cancelled. An order filled completely in the first batch
    /// it traded in keeps no counter and reads (0, false, false): its nonce's bit ({isNonceUsed}) says it is done.
    function orderStatus(bytes32 orderHash) external view returns (uint128 filled, bool verified, bool cancelled);
    /// @notice Whether `maker`'s `nonce` is used: an order of `maker` with this nonce has traded or was cancelled.
    /// Such an order trades again only through its own fill counter (see "Fill records").
    function isNonceUsed(address maker, uint64 nonce) external view returns (bool);
    /// @notice `wallet`'s nonce floor and the time its exit becomes withdrawable (0: no exit).
    function walletState(address wallet) external view returns (uint64 nonceFloor, uint64 exitAvailableAt);
    /// @notice The EIP-712 hash of `order` (what the maker signs).
    function hashOrder(Order calldata order) external view returns (bytes32);
    /// @notice The EIP-712 hash of `withdrawal` (what the wallet signs).
    function hashWithdrawal(Withdrawal calldata withdrawal) external view returns (bytes32);
    /// @notice The EIP-712 domain separator for the current chain.
    function domainSeparator() external view returns (bytes32);
    /// @notice Whether a withdrawal was processed.
    function isWithdrawalProcessed(bytes32 withdrawalHash) external view returns (bool);
    /// @notice The longest age bound a price source may have, in seconds (one day).
    function MAX_PRICE_FEED_AGE() external view returns (uint32);
    /// @notice Market (`baseToken`, `quoteToken`)'s price source (`feed` zero: none).
    function priceFeed(address baseToken, address quoteToken)
        external
        view
        returns (address feed, uint32 maxAge, uint8 scaleUp, uint8 scaleDown);
    /// @notice The reference price stop orders of the market are checked against now, in price units (rounded
    /// down), and when its feed last updated; `usable` is false without a source, or with a failing or stale feed.
    function referencePrice(address baseToken, address quoteToken)
        external
        view
        returns (bool usable, uint256 price, uint256 updatedAt);
}
