// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IExchange} from "./interfaces/IExchange.sol";
import {ICustody} from "./interfaces/ICustody.sol";
import {OrderLib} from "./libraries/OrderLib.sol";
import {CancelLib} from "./libraries/CancelLib.sol";
import {WithdrawalLib} from "./libraries/WithdrawalLib.sol";
import {TradeMath} from "./libraries/TradeMath.sol";
import {SignatureVerifier} from "./libraries/SignatureVerifier.sol";
import {FeeLedger} from "./libraries/FeeLedger.sol";

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
    /// @notice EIP-712 typehashes (preimages in {IExchange}).
    bytes32 public constant ORDER_TYPEHASH = OrderLib.TYPEHASH;
    bytes32 public constant CANCEL_TYPEHASH = CancelLib.TYPEHASH;
    bytes32 public constant WITHDRAWAL_TYPEHASH = WithdrawalLib.TYPEHASH;
    address internal constant ETHER = address(0);

    // ---------------------------------------------------------------- storage

    /// @dev One slot per order: cumulative fill, cached signature check, cancel flag.
    struct OrderState {
        uint128 filled;
        bool verified;
        bool cancelled;
    }

    /// @dev One slot per wallet, read once per order of a batch.
    struct WalletState {
        uint64 nonceFloor;
        uint64 exitAvailableAt;
    }

    /// @dev An order of the batch being settled, read from calldata once and kept in memory: an order filled by
    /// several trades is validated, hashed and verified once and written to storage once.
    struct OrderContext {
        bytes32 hash;
        address maker;
        address baseToken;
        address quoteToken;
        uint256 side;
        uint256 baseAmount;
        uint256 limitPrice;
        uint256 maxFeeRate;
        uint256 flags;
        uint256 filled;
        bool touched;
        bytes invalidReason;
        bytes32 baseBalanceSlot;
        bytes32 quoteBalanceSlot;
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
    mapping(address wallet => WalletState state) internal _wallets;
    mapping(bytes32 withdrawalHash => bool processed) internal _withdrawals;

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

        OrderContext[] memory contexts = _loadOrders(orders, signatures);
        // The schedule is at most MAX_FEE_RATE (checked when set); each order's signed max was capped at load.
        Batch memory batch = Batch({
            makerFeeRate: makerFeeRate,
            takerFeeRate: takerFeeRate,
            fees: FeeLedger.create(trades.length * 2)
        });
        for (uint256 i; i < trades.length; ++i) {
            _settleTrade(i, trades[i], contexts, batch);
        }
        _storeOrderStates(contexts);
        _creditFees(batch.fees);
    }

    /// @dev Step 1: read and hash every order once, require them sorted by hash, and decide once per order
    /// whether it may trade at all.
    function _loadOrders(Order[] calldata orders, bytes[] calldata signatures)
        internal
        returns (OrderContext[] memory contexts)
    {
        contexts = new OrderContext[](orders.length);
        bytes32 separator = _domainSeparatorV4();
        bytes32 previousHash = bytes32(0); // every digest is above it (a keccak output is never zero in practice)
        for (uint256 i; i < orders.length; ++i) {
            Order calldata order = orders[i];
            OrderContext memory context = contexts[i];
            bytes32 orderHash = OrderLib.digest(order, separator);
            // Strictly increasing hashes: the same order twice would get two fill counters and could overfill.
            if (orderHash <= previousHash) revert BatchOrdersNotSorted(i, orderHash);
            previousHash = orderHash;
            context.hash = orderHash;
            context.maker = order.maker;
            context.baseToken = order.baseToken;
            context.quoteToken = order.quoteToken;
            context.side = order.side;
            context.baseAmount = order.baseAmount;
            context.limitPrice = order.limitPrice;
            uint256 maxFeeRate = order.maxFeeRate;
            context.maxFeeRate = maxFeeRate < MAX_FEE_RATE ? maxFeeRate : MAX_FEE_RATE;
            context.flags = order.flags;
            // The maker's two balance slots of this market, computed once however often the order trades.
            context.baseBalanceSlot = _balanceSlot(context.maker, context.baseToken);
            context.quoteBalanceSlot = _balanceSlot(context.maker, context.quoteToken);
            OrderState memory state = _orders[orderHash];
            context.filled = state.filled;
            context.invalidReason = _orderInvalidReason(order, context, state, signatures[i]);
        }
    }

    /// @dev Why the order cannot trade at all in this batch, as the ABI-encoded error, or empty. The error is
    /// encoded only on failure, so a valid order pays nothing for it. The signature is only checked for orders
    /// not seen before: an order hash with a stored state was verified when first filled.
    function _orderInvalidReason(
        Order calldata order,
        OrderContext memory context,
        OrderState memory state,
        bytes calldata signature
    ) internal view returns (bytes memory reason) {
        bytes32 orderHash = context.hash;
        if (state.cancelled) return abi.encodeWithSelector(OrderCancelled.selector, orderHash);
        if (block.timestamp > order.expiry) {
            return abi.encodeWithSelector(OrderExpired.selector, orderHash, order.expiry);
        }
        if (context.flags & ~uint256(OrderLib.KNOWN_FLAGS) != 0) {
            return abi.encodeWithSelector(OrderUnknownFlags.selector, orderHash, order.flags);
        }
        if (context.side > OrderLib.SIDE_SELL || context.baseToken == context.quoteToken) {
            return abi.encodeWithSelector(
                OrderMarketInvalid.selector, orderHash, order.side, context.baseToken, context.quoteToken
            );
        }
        WalletState memory wallet = _wallets[context.maker];
        if (order.nonce < wallet.nonceFloor) {
            return abi.encodeWithSelector(OrderNonceBelowFloor.selector, orderHash, order.nonce, wallet.nonceFloor);
        }
        if (wallet.exitAvailableAt != 0) return abi.encodeWithSelector(WalletExited.selector, context.maker);
        if (!state.verified && !SignatureVerifier.isValidSignatureNow(context.maker, orderHash, signature)) {
            return abi.encodeWithSelector(InvalidSignature.selector, context.maker, orderHash);
        }
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
        OrderContext memory maker;
        OrderContext memory taker;
        // Both indices were range-checked just above, so the compiler's second bounds check is skipped.
        assembly ("memory-safe") {
            maker := mload(add(contexts, shl(5, add(makerIndex, 1))))
            taker := mload(add(contexts, shl(5, add(takerIndex, 1))))
        }

        bytes memory reason = _tradeFailure(trade, maker, taker, batch);
        if (reason.length == 0) reason = _applyTrade(trade, maker, taker, batch.fees);
        if (reason.length != 0) emit TradeSkipped(tradeIndex, maker.hash, taker.hash, reason);
    }

    /// @dev Why `trade` cannot be applied, as the ABI-encoded error, or empty. Checks run from order validity to
    /// matching, amounts, limits and fees; the payers' balances are checked by `_applyTrade`, which computes their
    /// slots anyway. Each error is encoded inside its failing branch, so a trade that passes pays nothing for it.
    function _tradeFailure(
        Trade calldata trade,
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
        uint256 base = trade.baseAmount;
        uint256 quote = trade.quoteAmount;
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
        Trade calldata trade,
        OrderContext memory maker,
        OrderContext memory taker,
        FeeLedger.Data memory fees
    ) internal returns (bytes memory reason) {
        bool makerSells = maker.side == OrderLib.SIDE_SELL;
        // Both orders trade the same market (checked in `_tradeFailure`): each order's own balance slots are the
        // ones its maker pays from and receives into.
        (OrderContext memory sell, OrderContext memory buy) = makerSells ? (maker, taker) : (taker, maker);
        uint256 base = trade.baseAmount;
        uint256 quote = trade.quoteAmount;
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
    function _emitTradeSettled(Trade calldata trade, OrderContext memory maker, OrderContext memory taker) internal {
        emit TradeSettled(
            maker.maker,
            taker.maker,
            maker.hash,
            taker.hash,
            maker.baseToken,
            maker.quoteToken,
            uint8(maker.side),
            trade.baseAmount,
            trade.quoteAmount,
            trade.makerFee,
            trade.takerFee,
            maker.filled,
            taker.filled
        );
    }

    /// @dev Step 3: one storage write per order that traded (its fill and the cached signature check).
    function _storeOrderStates(OrderContext[] memory contexts) internal {
        for (uint256 i; i < contexts.length; ++i) {
            OrderContext memory context = contexts[i];
            if (context.touched) {
                // `filled` never exceeds the order's uint128 base amount (checked per trade).
                _orders[context.hash] = OrderState({filled: uint128(context.filled), verified: true, cancelled: false});
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
            emit OrderCancelledByMaker(msg.sender, orderHash);
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

    /// @dev The storage slot of `_balances[wallet][token]` (Solidity's mapping layout).
    function _balanceSlot(address wallet, address token) internal pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, wallet)
            mstore(0x20, _balances.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, token)
            slot := keccak256(0x00, 0x40)
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
