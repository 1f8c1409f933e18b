// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IExchange} from "./interfaces/IExchange.sol";
import {ICustody} from "./interfaces/ICustody.sol";
import {OrderLib} from "./libraries/OrderLib.sol";
import {CancelLib} from "./libraries/CancelLib.sol";
import {WithdrawalLib} from "./libraries/WithdrawalLib.sol";
import {TradeMath} from "./libraries/TradeMath.sol";
import {SignatureVerifier} from "./libraries/SignatureVerifier.sol";
import {FeeLedger} from "./libraries/FeeLedger.sol";
import {PriceSourceLib} from "./libraries/PriceSourceLib.sol";

/// @title HDEX Exchange: vault and settlement
/// @notice See {IExchange} for the money model, the EIP-712 types and the batch failure mode.
/// @dev Admin is the Custody contract: calls that can hurt users (operator added, fees, fee recipient, exit
/// delay, admin) must arrive through its timelock; pause, unpause, operator removal and token listing are
/// immediate.
contract Exchange is IExchange, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using FeeLedger for FeeLedger.Data;

    // ---------------------------------------------------------------- constants

    /// @notice Prices are quote base units per this many base base-units.
    uint256 public constant PRICE_SCALE = TradeMath.PRICE_SCALE;
    /// @notice Fee rates are millionths of the amount received.
    uint256 public constant FEE_RATE_SCALE = TradeMath.FEE_RATE_SCALE;
    /// @notice Hard cap on any fee rate: 1% of the amount received.
    uint32 public constant MAX_FEE_RATE = 10_000;
    /// @notice Bounds of the exit delay.
    uint64 public constant MIN_EXIT_DELAY = 1 hours;
    uint64 public constant MAX_EXIT_DELAY = 7 days;
    /// @notice The longest age bound of a price source.
    uint32 public constant MAX_PRICE_FEED_AGE = 1 days;
    /// @notice EIP-712 typehashes (preimages in {IExchange}).
    bytes32 public constant ORDER_TYPEHASH = OrderLib.TYPEHASH;
    bytes32 public constant CANCEL_TYPEHASH = CancelLib.TYPEHASH;
    bytes32 public constant WITHDRAWAL_TYPEHASH = WithdrawalLib.TYPEHASH;
    address internal constant ETHER = address(0);
    /// @dev Where `WalletState`'s members after `nonceFloor` start in its slot's word.
    uint256 private constant _WALLET_EXIT_SHIFT = 64;
    uint256 private constant _WALLET_WINDOW_INDEX_SHIFT = 128;
    uint256 private constant _WALLET_WINDOW_BITS_SHIFT = 192;

    // ---------------------------------------------------------------- storage

    /// @dev An order's fill counter, one slot, kept only for an order left partly filled or cancelled: cumulative
    /// fill, cached signature check (true exactly when the order traded), cancel flag. See {IExchange} "Fill records".
    struct OrderState {
        uint128 filled;
        bool verified;
        bool cancelled;
    }

    /// @dev One slot per wallet, read once per order of a batch and written once per new order that traded. Besides
    /// the nonce floor and the exit it holds a write-back window of the wallet's used-nonce bits: bit `nonce % 64`
    /// of `windowBits` for the 64 nonces with `nonce / 64 == windowIndex`. An order numbered like the wallet's
    /// recent ones is thus marked done in this slot, with no bitmap word to read or write (see `_useNonce`).
    /// Settlement reads and writes the slot as one word: the members lie from the low-order bits up, 64 bits each
    /// (Solidity's packing; the `_WALLET_*` shifts).
    struct WalletState {
        uint64 nonceFloor;
        uint64 exitAvailableAt;
        // nonce / 64 of the window; a uint64 nonce needs 58 bits.
        uint64 windowIndex;
        uint64 windowBits;
    }

    /// @dev An order of the batch being settled, read from calldata once and kept in memory: an order filled by
    /// several trades is validated, hashed and verified once and its fill records are written once. The first twelve
    /// words are the order's EIP-712 `encodeData` (the typehash, then the `Order` fields as copied from calldata),
    /// hashed where they lie; `maxFeeRate` is capped at `MAX_FEE_RATE` once hashed.
    struct OrderContext {
        bytes32 typeHash;
        address maker;
        address baseToken;
        address quoteToken;
        uint256 side;
        uint256 baseAmount;
        uint256 limitPrice;
        uint256 triggerPrice;
        uint256 maxFeeRate;
        uint256 nonce;
        uint256 expiry;
        uint256 flags;
        bytes32 hash;
        // The fill before the batch (its counter's, or zero for a new order) plus this batch's trades so far.
        uint256 filled;
        // Whether the order trades on from its own counter; false for a new order (its nonce's bit was clear).
        bool hasCounter;
        bool touched;
        bytes invalidReason;
        bytes32 baseBalanceSlot;
        bytes32 quoteBalanceSlot;
        bytes32 walletSlot;
    }

    /// @dev The amounts of the trade being settled, copied from calldata once and range-checked (`_readAmounts`).
    struct Amounts {
        uint256 base;
        uint256 quote;
        uint256 makerFee;
        uint256 takerFee;
    }

    /// @dev Batch-wide values: the fee schedule read once, and the fees accrued so far.
    struct Batch {
        uint256 makerFeeRate;
        uint256 takerFeeRate;
        FeeLedger.Data fees;
    }

    /// @notice The admin (Custody).
    address public admin;
    /// @notice The exit delay in seconds.
    uint64 public exitDelay;
    // One slot for everything `settle` reads once per batch: fee recipient, fee schedule, pause flag.
    /// @notice Where fees are credited.
    address public feeRecipient;
    /// @notice Maker and taker fee rates (millionths of the amount received), each at most `MAX_FEE_RATE`.
    uint32 public makerFeeRate;
    uint32 public takerFeeRate;
    /// @notice Whether settlement and deposits are paused.
    bool public paused;

    /// @notice Addresses allowed to settle and relay withdrawals.
    mapping(address operator => bool enabled) public isOperator;
    /// @notice ERC-20 tokens accepted for deposit (ETH always is).
    mapping(address token => bool listed) public isTokenListed;
    mapping(address wallet => mapping(address token => uint256 amount)) internal _balances;
    mapping(bytes32 orderHash => OrderState state) internal _orders;
    /// @dev Used nonces below the maker's window (see {WalletState}): bit `nonce % 256` of word `nonce / 256` is set
    /// once an order of the maker with that nonce traded or was cancelled. Invariant: no bit of a nonce in or above
    /// the window (`nonce / 64 >= windowIndex`) is ever set here; those live in the window or are unused. Read and
    /// written only through `_isNonceUsed` and `_useNonce`. A counter in `_orders` never exists without its bit.
    mapping(address maker => mapping(uint256 wordIndex => uint256 bits)) internal _usedNonces;
    mapping(address wallet => WalletState state) internal _wallets;
    mapping(bytes32 withdrawalHash => bool processed) internal _withdrawals;
    mapping(address baseToken => mapping(address quoteToken => PriceSourceLib.PriceSource source)) internal
        _priceSources;

    // ---------------------------------------------------------------- constructor

    /// @param admin_ the Custody contract; @param operator_ the first operator (relayer key).
    constructor(
        address admin_,
        address operator_,
        address feeRecipient_,
        uint32 makerFeeRate_,
        uint32 takerFeeRate_,
        uint64 exitDelay_
    ) EIP712("HDEX Exchange", "1") {
        if (admin_ == address(0) || operator_ == address(0)) revert ZeroAddress();
        admin = admin_;
        emit AdminSet(admin_);
        isOperator[operator_] = true;
        emit OperatorSet(operator_, true);
        _setFeeRecipient(feeRecipient_);
        _setFeeSchedule(makerFeeRate_, takerFeeRate_);
        _setExitDelay(exitDelay_);
    }

    // ---------------------------------------------------------------- vault

    /// @inheritdoc IExchange
    function depositEther() external payable nonReentrant {
        _requireNotPaused();
        if (msg.value == 0) revert ZeroAmount();
        uint256 balance = _balances[msg.sender][ETHER] + msg.value;
        _balances[msg.sender][ETHER] = balance;
        emit Deposited(msg.sender, ETHER, msg.value, balance);
    }

    /// @inheritdoc IExchange
    function depositToken(address token, uint256 amount) external nonReentrant {
        _requireNotPaused();
        if (!isTokenListed[token]) revert TokenNotListed(token);
        if (amount == 0) revert ZeroAmount();
        // Credit first (state before the external call); the delta check below reverts it unless exactly
        // `amount` arrived.
        uint256 balance = _balances[msg.sender][token] + amount;
        _balances[msg.sender][token] = balance;
        uint256 held = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 heldAfter = IERC20(token).balanceOf(address(this));
        uint256 received = heldAfter > held ? heldAfter - held : 0;
        if (received != amount) revert TokenTransferAmountMismatch(token, amount, received);
        emit Deposited(msg.sender, token, amount, balance);
    }

    /// @inheritdoc IExchange
    function withdraw(Withdrawal calldata withdrawal, bytes calldata signature, uint256 fee) external nonReentrant {
        _requireOperator();
        bytes32 digest = _hashTypedDataV4(WithdrawalLib.structHash(withdrawal));
        if (block.timestamp > withdrawal.expiry) revert WithdrawalExpired(digest, withdrawal.expiry);
        if (_withdrawals[digest]) revert WithdrawalAlreadyProcessed(digest);
        if (withdrawal.amount == 0) revert ZeroAmount();
        if (withdrawal.recipient == address(0) || withdrawal.recipient == address(this)) {
            revert WithdrawalRecipientInvalid(digest, withdrawal.recipient);
        }
        if (fee > withdrawal.maxFee || fee > withdrawal.amount) {
            revert WithdrawalFeeTooHigh(digest, fee, withdrawal.maxFee);
        }
        if (!SignatureVerifier.isValidSignatureNow(withdrawal.wallet, digest, signature)) {
            revert InvalidSignature(withdrawal.wallet, digest);
        }
        uint256 balance = _debit(withdrawal.wallet, withdrawal.token, withdrawal.amount);
        _withdrawals[digest] = true;
        address feeRecipient_ = feeRecipient;
        if (fee != 0) _balances[feeRecipient_][withdrawal.token] += fee;
        emit Withdrawn(
            withdrawal.wallet,
            withdrawal.token,
            digest,
            withdrawal.recipient,
            withdrawal.amount,
            fee,
            feeRecipient_,
            balance
        );
        // `fee <= amount` was checked above.
        unchecked {
            _transferOut(withdrawal.token, withdrawal.recipient, withdrawal.amount - fee);
        }
    }

    /// @inheritdoc IExchange
    function withdrawFees(address token, uint256 amount) external nonReentrant {
        if (msg.sender != feeRecipient) revert ExchangeUnauthorizedFeeRecipient(msg.sender);
        if (amount == 0) revert ZeroAmount();
        _debit(msg.sender, token, amount);
        emit FeesWithdrawn(msg.sender, token, amount);
        _transferOut(token, msg.sender, amount);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc IExchange
    function settle(Order[] calldata orders, bytes[] calldata signatures, Trade[] calldata trades)
        external
        nonReentrant
    {
        _requireOperator();
        _requireNotPaused();
        if (orders.length != signatures.length) revert BatchLengthMismatch(orders.length, signatures.length);

        (OrderContext[] memory contexts, bool anyFillOrKill) = _loadOrders(orders, signatures);
        // The schedule is at most MAX_FEE_RATE (checked when set); each order's signed max was capped at load.
        Batch memory batch = Batch({
            makerFeeRate: makerFeeRate,
            takerFeeRate: takerFeeRate,
            fees: FeeLedger.create(trades.length * 2)
        });
        if (anyFillOrKill) {
            _settleWithFillOrKill(trades, contexts, batch);
        } else {
            // The usual batch: no fill-or-kill runs to look for.
            for (uint256 i; i < trades.length; ++i) {
                _settleTrade(i, trades[i], contexts, batch);
            }
        }
        _storeOrderStates(contexts);
        _creditFees(batch.fees);
    }

    /// @dev Step 1: read and hash every order once, require them sorted by hash, and decide once per order
    /// whether it may trade at all.
    function _loadOrders(Order[] calldata orders, bytes[] calldata signatures)
        internal
        view
        returns (OrderContext[] memory contexts, bool anyFillOrKill)
    {
        contexts = _allocateContexts(orders.length);
        bytes32 separator = _domainSeparatorV4();
        bytes32 previousHash = bytes32(0); // every digest is above it (a keccak output is never zero in practice)
        for (uint256 i; i < orders.length; ++i) {
            OrderContext memory context = contexts[i];
            bytes32 orderHash = _readOrder(orders[i], context, separator, i);
            // Strictly increasing hashes: the same order twice would get two fill counters and could overfill.
            if (orderHash <= previousHash) revert BatchOrdersNotSorted(i, orderHash);
            previousHash = orderHash;
            context.hash = orderHash;
            if (context.maxFeeRate > MAX_FEE_RATE) context.maxFeeRate = MAX_FEE_RATE;
            context.filled = 0;
            context.hasCounter = false;
            context.touched = false;
            // The storage slots the order reads and writes, computed once however often it trades.
            (context.baseBalanceSlot, context.quoteBalanceSlot) =
                _balanceSlots(context.maker, context.baseToken, context.quoteToken);
            context.walletSlot = _walletSlot(context.maker);
            context.invalidReason = _orderInvalidReason(context, signatures[i]);
            anyFillOrKill = anyFillOrKill || context.flags & OrderLib.FLAG_FILL_OR_KILL != 0;
        }
    }

    /// @dev `count` order contexts, allocated but not zeroed (`_loadOrders` writes every field): zeroing twenty
    /// words per order that are overwritten at once cost more than the rest of the load. The struct's size is
    /// measured on one probe allocated the usual way, so it always matches the compiler's layout.
    function _allocateContexts(uint256 count) internal pure returns (OrderContext[] memory contexts) {
        OrderContext memory probe;
        // Bumps the free memory pointer past the array of pointers and the structs it points to.
        assembly ("memory-safe") {
            let size := sub(mload(0x40), probe)
            contexts := mload(0x40)
            mstore(contexts, count)
            let context := add(contexts, shl(5, add(count, 1)))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(add(contexts, shl(5, add(i, 1))), context)
                context := add(context, size)
            }
            mstore(0x40, context)
        }
    }

    /// @dev Copies `order` into the first twelve words of `context` (its EIP-712 `encodeData`) and returns its
    /// digest. The copy bypasses the ABI decoder's per-field checks, so every field's range is checked here at once.
    function _readOrder(Order calldata order, OrderContext memory context, bytes32 separator, uint256 index)
        internal
        pure
        returns (bytes32)
    {
        bytes32 typeHash = OrderLib.TYPEHASH;
        bytes32 structHash;
        uint256 excessBits;
        // Writes only inside `context`, whose first twelve words are the typehash and the eleven `Order` words.
        assembly ("memory-safe") {
            mstore(context, typeHash)
            calldatacopy(add(context, 0x20), order, 0x160)
            // Bits above each field's width: maker, baseToken, quoteToken (160), side (8), baseAmount (128),
            // maxFeeRate (32), nonce and expiry (64), flags (32); limitPrice and triggerPrice are full words.
            excessBits := or(
                or(
                    or(shr(160, mload(add(context, 0x20))), shr(160, mload(add(context, 0x40)))),
                    or(shr(160, mload(add(context, 0x60))), shr(8, mload(add(context, 0x80))))
                ),
                or(
                    or(shr(128, mload(add(context, 0xa0))), shr(32, mload(add(context, 0x100)))),
                    or(
                        or(shr(64, mload(add(context, 0x120))), shr(64, mload(add(context, 0x140)))),
                        shr(32, mload(add(context, 0x160)))
                    )
                )
            )
            structHash := keccak256(context, 0x180)
        }
        if (excessBits != 0) revert BatchOrderMalformed(index);
        return OrderLib.typedDataHash(separator, structHash);
    }

    /// @dev Why the order cannot trade at all in this batch, as the ABI-encoded error, or empty; also loads its
    /// counter when it has one. The error is encoded only on failure, so a valid order pays nothing for it. Fill
    /// records first (see {IExchange} "Fill records"): a clear nonce bit proves the order new, so its counter is
    /// not read and its signature is checked; a set bit admits only an order with its own uncancelled counter,
    /// whose signature was checked when it first traded.
    function _orderInvalidReason(OrderContext memory context, bytes calldata signature)
        internal
        view
        returns (bytes memory reason)
    {
        bytes32 orderHash = context.hash;
        address maker = context.maker;
        uint256 wallet = _sload(context.walletSlot);
        if (_isNonceUsed(maker, wallet, context.nonce)) {
            OrderState memory state = _orders[orderHash];
            if (state.cancelled) return abi.encodeWithSelector(OrderCancelled.selector, orderHash);
            if (!state.verified) {
                return abi.encodeWithSelector(OrderNonceUsed.selector, orderHash, maker, uint64(context.nonce));
            }
            context.filled = state.filled;
            context.hasCounter = true;
        }
        if (block.timestamp > context.expiry) {
            return abi.encodeWithSelector(OrderExpired.selector, orderHash, uint64(context.expiry));
        }
        if (context.flags & ~uint256(OrderLib.KNOWN_FLAGS) != 0) {
            return abi.encodeWithSelector(OrderUnknownFlags.selector, orderHash, uint32(context.flags));
        }
        if (context.side > OrderLib.SIDE_SELL || context.baseToken == context.quoteToken) {
            return abi.encodeWithSelector(
                OrderMarketInvalid.selector, orderHash, uint8(context.side), context.baseToken, context.quoteToken
            );
        }
        uint64 nonceFloor = uint64(wallet);
        if (context.nonce < nonceFloor) {
            return abi.encodeWithSelector(OrderNonceBelowFloor.selector, orderHash, uint64(context.nonce), nonceFloor);
        }
        if (uint64(wallet >> _WALLET_EXIT_SHIFT) != 0) return abi.encodeWithSelector(WalletExited.selector, maker);
        if (context.hasCounter) return reason;
        if (!SignatureVerifier.isValidSignatureNow(maker, orderHash, signature)) {
            return abi.encodeWithSelector(InvalidSignature.selector, maker, orderHash);
        }
        // A stop order's first trade waits for its market's price source; afterwards it trades on from its counter.
        uint256 stopBits = context.flags & (OrderLib.FLAG_KIND_STOP | OrderLib.FLAG_OPERATOR_TRIGGER);
        if (stopBits == OrderLib.FLAG_KIND_STOP) return _stopFailure(context);
    }

    /// @dev Why a new stop order has not triggered, as the ABI-encoded error, or empty (see {IExchange} "Stop
    /// orders").
    function _stopFailure(OrderContext memory context) internal view returns (bytes memory) {
        PriceSourceLib.PriceSource memory source = _priceSources[context.baseToken][context.quoteToken];
        address feed = source.feed;
        if (feed == address(0)) {
            return abi.encodeWithSelector(
                StopPriceSourceMissing.selector, context.hash, context.baseToken, context.quoteToken
            );
        }
        (bool ok, uint256 answer, uint256 updatedAt) = PriceSourceLib.latest(feed);
        if (!ok) return abi.encodeWithSelector(PriceFeedUnusable.selector, feed);
        if (PriceSourceLib.isStale(updatedAt, source.maxAge, block.timestamp)) {
            return abi.encodeWithSelector(PriceFeedStale.selector, feed, updatedAt, uint256(source.maxAge));
        }
        if (!PriceSourceLib.triggered(source, answer, context.triggerPrice, context.side)) {
            return abi.encodeWithSelector(
                StopNotTriggered.selector,
                context.hash,
                context.triggerPrice,
                PriceSourceLib.referencePrice(source, answer)
            );
        }
        return "";
    }

    /// @dev Step 2: check one trade against its two orders and either apply it whole or skip it with a reason.
    function _settleTrade(
        uint256 tradeIndex,
        Trade calldata trade,
        OrderContext[] memory contexts,
        Batch memory batch
    ) internal {
        uint256 makerIndex = trade.makerOrderIndex;
        uint256 takerIndex = trade.takerOrderIndex;
        if (makerIndex >= contexts.length) revert BatchOrderIndexOutOfRange(tradeIndex, makerIndex);
        if (takerIndex >= contexts.length) revert BatchOrderIndexOutOfRange(tradeIndex, takerIndex);
        OrderContext memory maker = contexts[makerIndex];
        OrderContext memory taker = contexts[takerIndex];

        Amounts memory amounts = _readAmounts(trade, tradeIndex);
        bytes memory reason = _tradeFailure(amounts, maker, taker, batch);
        if (reason.length == 0) reason = _applyTrade(amounts, maker, taker, batch.fees);
        if (reason.length != 0) emit TradeSkipped(tradeIndex, maker.hash, taker.hash, reason);
    }

    /// @dev Step 2 in a batch with fill-or-kill orders: each trade settles alone, except a fill-or-kill taker's runs.
    function _settleWithFillOrKill(Trade[] calldata trades, OrderContext[] memory contexts, Batch memory batch)
        internal
    {
        for (uint256 i; i < trades.length;) {
            uint256 takerIndex = trades[i].takerOrderIndex;
            if (takerIndex < contexts.length && contexts[takerIndex].flags & OrderLib.FLAG_FILL_OR_KILL != 0) {
                i = _settleFillOrKill(i, trades, contexts, batch);
            } else {
                _settleTrade(i, trades[i], contexts, batch);
                ++i;
            }
        }
    }

    /// @dev Step 2 for a fill-or-kill taker: the run of consecutive trades from `start` with the same taker settles
    /// whole or not at all. Every trade of the run is checked first, as `_settleTrade` would, on the fills and
    /// balances the run's earlier trades would leave; only if all pass are they applied. Returns where the run ends.
    function _settleFillOrKill(
        uint256 start,
        Trade[] calldata trades,
        OrderContext[] memory contexts,
        Batch memory batch
    ) internal returns (uint256 end) {
        uint256 takerIndex = trades[start].takerOrderIndex;
        end = start + 1;
        while (end < trades.length && trades[end].takerOrderIndex == takerIndex) ++end;
        OrderContext memory taker = contexts[takerIndex];
        bytes memory reason = _fillOrKillFailure(start, end, trades, contexts, batch);
        for (uint256 i = start; i < end; ++i) {
            if (reason.length == 0) {
                _settleTrade(i, trades[i], contexts, batch);
            } else {
                uint256 makerIndex = trades[i].makerOrderIndex;
                if (makerIndex >= contexts.length) revert BatchOrderIndexOutOfRange(i, makerIndex);
                emit TradeSkipped(i, contexts[makerIndex].hash, taker.hash, reason);
            }
        }
    }

    /// @dev Why the fill-or-kill run `[start, end)` cannot settle whole, or empty. The checks run on simulated fills
    /// (restored before returning); balances are summed per payer. In a run every maker order is on the other side
    /// of the taker, so no payer of the run receives the token it pays within the run: the sums are exact.
    function _fillOrKillFailure(
        uint256 start,
        uint256 end,
        Trade[] calldata trades,
        OrderContext[] memory contexts,
        Batch memory batch
    ) internal view returns (bytes memory reason) {
        OrderContext memory taker = contexts[trades[start].takerOrderIndex];
        if (taker.invalidReason.length != 0) return taker.invalidReason;
        uint256 total = taker.filled;
        for (uint256 k = start; k < end; ++k) {
            total += trades[k].baseAmount;
        }
        if (taker.filled != 0 || total != taker.baseAmount) {
            return abi.encodeWithSelector(FillOrKillNotFilled.selector, taker.hash, total, taker.baseAmount);
        }
        uint256[] memory makerFills = new uint256[](end - start);
        uint256 i = start;
        for (; i < end; ++i) {
            Trade calldata trade = trades[i];
            if (trade.makerOrderIndex >= contexts.length) revert BatchOrderIndexOutOfRange(i, trade.makerOrderIndex);
            OrderContext memory maker = contexts[trade.makerOrderIndex];
            Amounts memory amounts = _readAmounts(trade, i);
            reason = _tradeFailure(amounts, maker, taker, batch);
            if (reason.length == 0) reason = _runBalanceFailure(start, i, trades, contexts);
            if (reason.length != 0) break;
            makerFills[i - start] = maker.filled;
            maker.filled += amounts.base;
            taker.filled += amounts.base;
        }
        // Undo the simulated fills, latest first (a maker order may trade twice in the run).
        while (i > start) {
            --i;
            contexts[trades[i].makerOrderIndex].filled = makerFills[i - start];
        }
        taker.filled = 0;
    }

    /// @dev Whether both payers of trade `index` of a fill-or-kill run hold what the run asks of them up to and
    /// including that trade, as the ABI-encoded {InsufficientBalance}, or empty.
    function _runBalanceFailure(uint256 start, uint256 index, Trade[] calldata trades, OrderContext[] memory contexts)
        internal
        view
        returns (bytes memory)
    {
        OrderContext memory taker = contexts[trades[index].takerOrderIndex];
        OrderContext memory maker = contexts[trades[index].makerOrderIndex];
        bool takerSells = taker.side == OrderLib.SIDE_SELL;
        uint256 takerPays = 0;
        uint256 makerPays = 0;
        for (uint256 i = start; i <= index; ++i) {
            uint256 pays = takerSells ? trades[i].baseAmount : trades[i].quoteAmount;
            takerPays += pays;
            if (contexts[trades[i].makerOrderIndex].maker == maker.maker) {
                makerPays += takerSells ? trades[i].quoteAmount : trades[i].baseAmount;
            }
        }
        (bytes32 takerSlot, address takerToken) =
            takerSells ? (taker.baseBalanceSlot, taker.baseToken) : (taker.quoteBalanceSlot, taker.quoteToken);
        (bytes32 makerSlot, address makerToken) =
            takerSells ? (maker.quoteBalanceSlot, maker.quoteToken) : (maker.baseBalanceSlot, maker.baseToken);
        uint256 balance = _sload(takerSlot);
        if (balance < takerPays) {
            return abi.encodeWithSelector(InsufficientBalance.selector, taker.maker, takerToken, balance, takerPays);
        }
        balance = _sload(makerSlot);
        if (balance < makerPays) {
            return abi.encodeWithSelector(InsufficientBalance.selector, maker.maker, makerToken, balance, makerPays);
        }
        return "";
    }

    /// @dev Why `trade` cannot be applied, as the ABI-encoded error, or empty. Checks run from order validity to
    /// matching, amounts, limits and fees; the payers' balances are checked by `_applyTrade`, which computes their
    /// slots anyway. Each error is encoded inside its failing branch, so a trade that passes pays nothing for it.
    function _tradeFailure(
        Amounts memory trade,
        OrderContext memory maker,
        OrderContext memory taker,
        Batch memory batch
    ) internal pure returns (bytes memory reason) {
        if (maker.invalidReason.length != 0) return maker.invalidReason;
        if (taker.invalidReason.length != 0) return taker.invalidReason;
        if (maker.maker == taker.maker) return abi.encodeWithSelector(SelfTrade.selector, maker.maker);
        if (
            maker.baseToken != taker.baseToken || maker.quoteToken != taker.quoteToken || maker.side == taker.side
        ) return abi.encodeWithSelector(OrdersDoNotMatch.selector, maker.hash, taker.hash);
        if (taker.flags & OrderLib.FLAG_POST_ONLY != 0) {
            return abi.encodeWithSelector(PostOnlyOrderTaken.selector, taker.hash);
        }
        if (maker.flags & OrderLib.FLAG_FILL_OR_KILL != 0) {
            return abi.encodeWithSelector(FillOrKillOrderMade.selector, maker.hash);
        }
        uint256 base = trade.base;
        uint256 quote = trade.quote;
        if (base == 0 || quote == 0) return abi.encodeWithSelector(ZeroAmountTrade.selector);
        // Fills and amounts are below 2^128 (uint128 in storage and in the ABI), so the sums cannot overflow.
        unchecked {
            if (maker.filled + base > maker.baseAmount) return _overfilled(maker, base);
            if (taker.filled + base > taker.baseAmount) return _overfilled(taker, base);
        }

        bool makerSells = maker.side == OrderLib.SIDE_SELL;
        (OrderContext memory sell, OrderContext memory buy) = makerSells ? (maker, taker) : (taker, maker);
        if (!TradeMath.satisfiesSellLimit(base, quote, sell.limitPrice)) return _limitViolated(sell);
        if (!TradeMath.satisfiesBuyLimit(base, quote, buy.limitPrice)) return _limitViolated(buy);
        // Each party pays its fee in the token it receives: the seller receives quote, the buyer base.
        (uint256 makerReceives, uint256 takerReceives) = makerSells ? (quote, base) : (base, quote);
        uint256 makerRate = TradeMath.min(maker.maxFeeRate, batch.makerFeeRate);
        if (!TradeMath.feeWithinRate(trade.makerFee, makerReceives, makerRate)) {
            return abi.encodeWithSelector(FeeTooHigh.selector, maker.hash, trade.makerFee, makerReceives, makerRate);
        }
        uint256 takerRate = TradeMath.min(taker.maxFeeRate, batch.takerFeeRate);
        if (!TradeMath.feeWithinRate(trade.takerFee, takerReceives, takerRate)) {
            return abi.encodeWithSelector(FeeTooHigh.selector, taker.hash, trade.takerFee, takerReceives, takerRate);
        }
    }

    /// @dev The four amounts of trade `index`, copied from calldata in one piece. The copy bypasses the ABI decoder's
    /// per-field checks, so their range (uint128) is checked here at once.
    function _readAmounts(Trade calldata trade, uint256 index) internal pure returns (Amounts memory amounts) {
        uint256 excessBits;
        // Writes only inside `amounts`, whose four words are the trade's last four words in the same order.
        assembly ("memory-safe") {
            calldatacopy(amounts, add(trade, 0x40), 0x80)
            excessBits := shr(
                128,
                or(or(mload(amounts), mload(add(amounts, 0x20))), or(mload(add(amounts, 0x40)), mload(add(amounts, 0x60))))
            )
        }
        if (excessBits != 0) revert BatchTradeMalformed(index);
    }

    /// @dev {OrderOverfilled} for `order` and a fill of `fill` base.
    function _overfilled(OrderContext memory order, uint256 fill) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(OrderOverfilled.selector, order.hash, order.filled, fill, order.baseAmount);
    }

    /// @dev {LimitPriceViolated} for `order`.
    function _limitViolated(OrderContext memory order) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(LimitPriceViolated.selector, order.hash, order.limitPrice);
    }

    /// @dev Applies a checked trade unless a payer lacks the funds (then it changes nothing and returns the
    /// ABI-encoded {InsufficientBalance}): moves the four balances, records the fills in memory and accrues the fees.
    function _applyTrade(
        Amounts memory trade,
        OrderContext memory maker,
        OrderContext memory taker,
        FeeLedger.Data memory fees
    ) internal returns (bytes memory reason) {
        bool makerSells = maker.side == OrderLib.SIDE_SELL;
        // Both orders trade the same market (checked in `_tradeFailure`): each order's own balance slots are the
        // ones its maker pays from and receives into.
        (OrderContext memory sell, OrderContext memory buy) = makerSells ? (maker, taker) : (taker, maker);
        uint256 base = trade.base;
        uint256 quote = trade.quote;
        uint256 sellerBase = _sload(sell.baseBalanceSlot);
        uint256 buyerQuote = _sload(buy.quoteBalanceSlot);
        if (sellerBase < base) {
            return abi.encodeWithSelector(InsufficientBalance.selector, sell.maker, sell.baseToken, sellerBase, base);
        }
        if (buyerQuote < quote) {
            return abi.encodeWithSelector(InsufficientBalance.selector, buy.maker, buy.quoteToken, buyerQuote, quote);
        }

        (uint256 sellerFee, uint256 buyerFee) =
            makerSells ? (trade.makerFee, trade.takerFee) : (trade.takerFee, trade.makerFee);
        // Payers were checked just above. Receivers: a fee is at most 1% of what it is taken from, and a
        // balance cannot exceed the token's total supply held here.
        unchecked {
            _sstore(sell.baseBalanceSlot, sellerBase - base);
            _sstore(buy.quoteBalanceSlot, buyerQuote - quote);
            _sstore(buy.baseBalanceSlot, _sload(buy.baseBalanceSlot) + (base - buyerFee));
            _sstore(sell.quoteBalanceSlot, _sload(sell.quoteBalanceSlot) + (quote - sellerFee));
            // Fills were checked against the orders' uint128 base amounts in `_tradeFailure`.
            maker.filled += base;
            taker.filled += base;
        }
        maker.touched = true;
        taker.touched = true;
        fees.addPair(maker.baseToken, buyerFee, maker.quoteToken, sellerFee);
        _emitTradeSettled(trade, maker, taker);
    }

    /// @dev The {TradeSettled} event of an applied trade (fills are the cumulative values after it).
    function _emitTradeSettled(Amounts memory trade, OrderContext memory maker, OrderContext memory taker) internal {
        emit TradeSettled(
            maker.maker,
            taker.maker,
            maker.hash,
            taker.hash,
            maker.baseToken,
            maker.quoteToken,
            uint8(maker.side),
            trade.base,
            trade.quote,
            trade.makerFee,
            trade.takerFee,
            maker.filled,
            taker.filled
        );
    }

    /// @dev Step 3: the fill records of every order that traded (see {IExchange} "Fill records"): a new order sets
    /// its nonce's bit and, only if left partly filled, stores a counter; an order with a counter updates it.
    function _storeOrderStates(OrderContext[] memory contexts) internal {
        for (uint256 i; i < contexts.length; ++i) {
            OrderContext memory context = contexts[i];
            if (!context.touched) continue;
            // `filled` never exceeds the order's uint128 base amount (checked per trade).
            if (context.hasCounter) {
                _orders[context.hash].filled = uint128(context.filled);
                continue;
            }
            // Read again rather than reused from the load: another order of this maker may have moved the window.
            _useNonce(context.maker, context.walletSlot, context.nonce);
            if (context.filled < context.baseAmount) {
                OrderState storage counter = _orders[context.hash];
                counter.filled = uint128(context.filled);
                counter.verified = true;
            }
        }
    }

    /// @dev Step 4: one balance write and one event per fee token of the batch.
    function _creditFees(FeeLedger.Data memory fees) internal {
        address recipient = feeRecipient;
        for (uint256 i; i < fees.count; ++i) {
            uint256 amount = fees.amounts[i];
            if (amount == 0) continue;
            address token = fees.tokens[i];
            _balances[recipient][token] += amount;
            emit FeesCollected(recipient, token, amount);
        }
    }

    // ---------------------------------------------------------------- cancels and exits

    /// @inheritdoc IExchange
    function cancelOrders(Order[] calldata orders) external {
        for (uint256 i; i < orders.length; ++i) {
            Order calldata order = orders[i];
            if (order.maker != msg.sender) revert CancelNotMaker(msg.sender, order.maker);
            bytes32 orderHash = _hashTypedDataV4(OrderLib.structHash(order));
            _orders[orderHash].cancelled = true;
            // Settlement reads the counter (and so the cancel flag) only when the nonce's bit is set.
            _useNonce(msg.sender, _walletSlot(msg.sender), order.nonce);
            emit OrderCancelledByMaker(msg.sender, orderHash, order.nonce);
        }
    }

    /// @inheritdoc IExchange
    function raiseNonceFloor(uint64 nonceFloor) external {
        WalletState storage wallet = _wallets[msg.sender];
        uint64 current = wallet.nonceFloor;
        if (nonceFloor <= current) revert NonceFloorNotRaised(current, nonceFloor);
        wallet.nonceFloor = nonceFloor;
        emit NonceFloorRaised(msg.sender, nonceFloor);
    }

    /// @inheritdoc IExchange
    function requestExit() external {
        WalletState storage wallet = _wallets[msg.sender];
        uint64 availableAt = wallet.exitAvailableAt;
        if (availableAt != 0) revert ExitAlreadyRequested(msg.sender, availableAt);
        // The delay is fixed at request time: a later change of `exitDelay` cannot lengthen a running exit.
        availableAt = uint64(block.timestamp) + exitDelay;
        wallet.exitAvailableAt = availableAt;
        emit ExitRequested(msg.sender, availableAt);
    }

    /// @inheritdoc IExchange
    function cancelExit() external {
        WalletState storage wallet = _wallets[msg.sender];
        if (wallet.exitAvailableAt == 0) revert ExitNotRequested(msg.sender);
        wallet.exitAvailableAt = 0;
        emit ExitCancelled(msg.sender);
    }

    /// @inheritdoc IExchange
    function withdrawExited(address token) external nonReentrant {
        uint64 availableAt = _wallets[msg.sender].exitAvailableAt;
        if (availableAt == 0) revert ExitNotRequested(msg.sender);
        if (block.timestamp < availableAt) revert ExitNotYetAvailable(msg.sender, availableAt);
        uint256 amount = _balances[msg.sender][token];
        if (amount == 0) revert ZeroAmount();
        _balances[msg.sender][token] = 0;
        emit ExitWithdrawn(msg.sender, token, amount);
        _transferOut(token, msg.sender, amount);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IExchange
    function addOperator(address operator) external {
        _requireTimelockedAdmin();
        if (operator == address(0)) revert ZeroAddress();
        if (isOperator[operator]) revert OperatorUnchanged(operator);
        isOperator[operator] = true;
        emit OperatorSet(operator, true);
    }

    /// @inheritdoc IExchange
    function removeOperator(address operator) external {
        _requireAdmin();
        if (!isOperator[operator]) revert OperatorUnchanged(operator);
        isOperator[operator] = false;
        emit OperatorSet(operator, false);
    }

    /// @inheritdoc IExchange
    function setFeeRecipient(address feeRecipient_) external {
        _requireTimelockedAdmin();
        _setFeeRecipient(feeRecipient_);
    }

    /// @inheritdoc IExchange
    function setFeeSchedule(uint32 makerFeeRate_, uint32 takerFeeRate_) external {
        _requireTimelockedAdmin();
        _setFeeSchedule(makerFeeRate_, takerFeeRate_);
    }

    /// @inheritdoc IExchange
    function setExitDelay(uint64 exitDelay_) external {
        _requireTimelockedAdmin();
        _setExitDelay(exitDelay_);
    }

    /// @inheritdoc IExchange
    function setTokenListed(address token, bool listed) external {
        _requireAdmin();
        if (token == ETHER || isTokenListed[token] == listed) revert TokenListingUnchanged(token);
        isTokenListed[token] = listed;
        emit TokenListingSet(token, listed);
    }

    /// @inheritdoc IExchange
    function pause() external {
        _requireAdmin();
        _setPaused(true);
    }

    /// @inheritdoc IExchange
    function unpause() external {
        _requireAdmin();
        _setPaused(false);
    }

    /// @inheritdoc IExchange
    function setAdmin(address admin_) external {
        _requireTimelockedAdmin();
        if (admin_ == address(0)) revert ZeroAddress();
        admin = admin_;
        emit AdminSet(admin_);
    }

    /// @inheritdoc IExchange
    function setPriceFeed(address baseToken, address quoteToken, address feed, uint32 maxAge) external {
        _requireTimelockedAdmin();
        if (baseToken == quoteToken) revert PriceFeedMarketInvalid(baseToken, quoteToken);
        // Zero fields: no source (stop orders then need the operator-triggered flag).
        PriceSourceLib.PriceSource memory source = PriceSourceLib.PriceSource(address(0), 0, 0, 0);
        if (feed != address(0)) {
            if (maxAge == 0 || maxAge > MAX_PRICE_FEED_AGE) revert PriceFeedMaxAgeOutOfBounds(maxAge);
            // Each term is at most 255 (checked when read).
            int256 exponent =
                18 + int256(_decimals(quoteToken)) - int256(_decimals(baseToken)) - int256(_decimals(feed));
            uint256 magnitude = uint256(exponent < 0 ? -exponent : exponent);
            if (magnitude > PriceSourceLib.MAX_SCALE) revert PriceFeedScaleOutOfRange(exponent);
            source = PriceSourceLib.PriceSource({
                feed: feed,
                maxAge: maxAge,
                scaleUp: exponent > 0 ? uint8(magnitude) : 0,
                scaleDown: exponent < 0 ? uint8(magnitude) : 0
            });
        }
        _priceSources[baseToken][quoteToken] = source;
        emit PriceFeedSet(baseToken, quoteToken, source.feed, source.maxAge, source.scaleUp, source.scaleDown);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IExchange
    function balanceOf(address wallet, address token) external view returns (uint256) {
        return _balances[wallet][token];
    }

    /// @inheritdoc IExchange
    function orderStatus(bytes32 orderHash) external view returns (uint128 filled, bool verified, bool cancelled) {
        OrderState memory state = _orders[orderHash];
        return (state.filled, state.verified, state.cancelled);
    }

    /// @inheritdoc IExchange
    function isNonceUsed(address maker, uint64 nonce) external view returns (bool) {
        return _isNonceUsed(maker, _sload(_walletSlot(maker)), nonce);
    }

    /// @inheritdoc IExchange
    function walletState(address wallet) external view returns (uint64 nonceFloor, uint64 exitAvailableAt) {
        WalletState memory state = _wallets[wallet];
        return (state.nonceFloor, state.exitAvailableAt);
    }

    /// @inheritdoc IExchange
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(OrderLib.structHash(order));
    }

    /// @inheritdoc IExchange
    function hashWithdrawal(Withdrawal calldata withdrawal) external view returns (bytes32) {
        return _hashTypedDataV4(WithdrawalLib.structHash(withdrawal));
    }

    /// @inheritdoc IExchange
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IExchange
    function isWithdrawalProcessed(bytes32 withdrawalHash) external view returns (bool) {
        return _withdrawals[withdrawalHash];
    }

    /// @inheritdoc IExchange
    function priceFeed(address baseToken, address quoteToken)
        external
        view
        returns (address feed, uint32 maxAge, uint8 scaleUp, uint8 scaleDown)
    {
        PriceSourceLib.PriceSource memory source = _priceSources[baseToken][quoteToken];
        return (source.feed, source.maxAge, source.scaleUp, source.scaleDown);
    }

    /// @inheritdoc IExchange
    function referencePrice(address baseToken, address quoteToken)
        external
        view
        returns (bool usable, uint256 price, uint256 updatedAt)
    {
        PriceSourceLib.PriceSource memory source = _priceSources[baseToken][quoteToken];
        if (source.feed == address(0)) return (false, 0, 0);
        uint256 answer;
        (usable, answer, updatedAt) = PriceSourceLib.latest(source.feed);
        if (!usable) return (false, 0, 0);
        usable = !PriceSourceLib.isStale(updatedAt, source.maxAge, block.timestamp);
        price = PriceSourceLib.referencePrice(source, answer);
    }

    // ---------------------------------------------------------------- internal

    function _requireOperator() internal view {
        if (!isOperator[msg.sender]) revert ExchangeUnauthorizedOperator(msg.sender);
    }

    function _requireNotPaused() internal view {
        if (paused) revert ExchangePaused();
    }

    function _requireAdmin() internal view {
        if (msg.sender != admin) revert ExchangeUnauthorizedAdmin(msg.sender);
    }

    /// @dev The admin must be calling from its timelock (Custody reports it while running a scheduled call).
    function _requireTimelockedAdmin() internal view {
        _requireAdmin();
        if (!ICustody(msg.sender).isExecutingScheduledCall()) revert ExchangeCallNotTimelocked(msg.sender);
    }

    function _setFeeRecipient(address feeRecipient_) internal {
        if (feeRecipient_ == address(0)) revert ZeroAddress();
        feeRecipient = feeRecipient_;
        emit FeeRecipientSet(feeRecipient_);
    }

    function _setFeeSchedule(uint32 makerFeeRate_, uint32 takerFeeRate_) internal {
        if (makerFeeRate_ > MAX_FEE_RATE) revert FeeRateAboveCap(makerFeeRate_, MAX_FEE_RATE);
        if (takerFeeRate_ > MAX_FEE_RATE) revert FeeRateAboveCap(takerFeeRate_, MAX_FEE_RATE);
        makerFeeRate = makerFeeRate_;
        takerFeeRate = takerFeeRate_;
        emit FeeScheduleSet(makerFeeRate_, takerFeeRate_);
    }

    function _setExitDelay(uint64 exitDelay_) internal {
        if (exitDelay_ < MIN_EXIT_DELAY || exitDelay_ > MAX_EXIT_DELAY) revert ExitDelayOutOfBounds(exitDelay_);
        exitDelay = exitDelay_;
        emit ExitDelaySet(exitDelay_);
    }

    function _setPaused(bool paused_) internal {
        if (paused == paused_) revert ExchangePauseUnchanged(paused_);
        paused = paused_;
        emit PauseSet(paused_);
    }

    /// @dev The storage slots of `_balances[wallet][base]` and `_balances[wallet][quote]` (Solidity's mapping
    /// layout), sharing the hash of the wallet's inner mapping. Uses only the scratch space.
    function _balanceSlots(address wallet, address base, address quote)
        internal
        pure
        returns (bytes32 baseSlot, bytes32 quoteSlot)
    {
        assembly ("memory-safe") {
            mstore(0x00, wallet)
            mstore(0x20, _balances.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, base)
            baseSlot := keccak256(0x00, 0x40)
            mstore(0x00, quote)
            quoteSlot := keccak256(0x00, 0x40)
        }
    }

    /// @dev The storage slot of `_wallets[wallet]` (Solidity's mapping layout). Uses only the scratch space.
    function _walletSlot(address wallet) internal pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, wallet)
            mstore(0x20, _wallets.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev Whether `maker`'s `nonce` is used, given `wallet`, the maker's {WalletState} word: in the window, its
    /// bit there; above it, unused (the bitmap holds nothing there); below it, its bit in the bitmap.
    function _isNonceUsed(address maker, uint256 wallet, uint256 nonce) internal view returns (bool) {
        uint256 window = nonce >> 6;
        uint256 windowIndex = uint64(wallet >> _WALLET_WINDOW_INDEX_SHIFT);
        if (window == windowIndex) return (wallet >> (_WALLET_WINDOW_BITS_SHIFT + (nonce & 63))) & 1 != 0;
        return window < windowIndex && (_usedNonces[maker][nonce >> 8] >> (nonce & 0xff)) & 1 != 0;
    }

    /// @dev Marks `maker`'s `nonce` used; `walletSlot` is the slot of the maker's {WalletState}. A nonce above the
    /// window moves the window there: the old window's bits are flushed into the bitmap word holding them (a word
    /// holds four windows), which keeps the bitmap empty at and above the new window. A nonce below the window sets
    /// its bit in the bitmap.
    function _useNonce(address maker, bytes32 walletSlot, uint256 nonce) internal {
        uint256 wallet = _sload(walletSlot);
        uint256 window = nonce >> 6;
        uint256 windowIndex = uint64(wallet >> _WALLET_WINDOW_INDEX_SHIFT);
        uint256 bit = 1 << (_WALLET_WINDOW_BITS_SHIFT + (nonce & 63));
        if (window == windowIndex) {
            _sstore(walletSlot, wallet | bit);
        } else if (window > windowIndex) {
            uint256 bits = wallet >> _WALLET_WINDOW_BITS_SHIFT;
            if (bits != 0) _usedNonces[maker][windowIndex >> 2] |= bits << ((windowIndex & 3) << 6);
            // Keeps the floor and the exit; `window` is a uint64 nonce shifted right by 6.
            _sstore(walletSlot, uint128(wallet) | (window << _WALLET_WINDOW_INDEX_SHIFT) | bit);
        } else {
            _usedNonces[maker][nonce >> 8] |= 1 << (nonce & 0xff);
        }
    }

    function _sload(bytes32 slot) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }

    function _sstore(bytes32 slot, uint256 value) internal {
        assembly ("memory-safe") {
            sstore(slot, value)
        }
    }

    /// @dev `target`'s `decimals()` (ETH, token zero: 18), for a price source's scale. A static call with the
    /// answer checked, so an address without code or an odd answer is refused with the error, not a bare revert.
    function _decimals(address target) internal view returns (uint256 decimals_) {
        if (target == ETHER) return 18;
        (bool success, bytes memory data) =
            target.staticcall(abi.encodeWithSelector(IERC20Metadata.decimals.selector));
        if (success && data.length == 32) decimals_ = abi.decode(data, (uint256));
        if (!success || data.length != 32 || decimals_ > type(uint8).max) revert PriceFeedDecimalsUnreadable(target);
    }

    /// @dev Debits `amount` from `wallet`'s `token` balance and returns the new balance.
    function _debit(address wallet, address token, uint256 amount) internal returns (uint256 balance) {
        balance = _balances[wallet][token];
        if (balance < amount) revert InsufficientBalance(wallet, token, balance, amount);
        // Checked just above.
        unchecked {
            balance -= amount;
        }
        _balances[wallet][token] = balance;
    }

    /// @dev Sends ETH (token zero) or an ERC-20. The ETH call copies no return data (no return bomb).
    function _transferOut(address token, address to, uint256 amount) internal {
        if (amount == 0) return;
        if (token == ETHER) {
            bool success;
            assembly ("memory-safe") {
                success := call(gas(), to, amount, 0, 0, 0, 0)
            }
            if (!success) revert EtherTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
