"""Pre-trade checks: everything an order must pass before the engine sees it, in a fixed order.

signature (recovers to the maker; not again for an order an API replica checked and vouched for), duplicate
(first: a copy of a placed order is told so, whatever else changed since), market exists, expiry, nonce floor,
flags (known bits, bits that go together, fill-or-kill against the requested time in force, a short expiry for
IOC and fill-or-kill), market state (a risk halt says why and until when), grid (price tick, quantity lot, min
notional, trigger price, time in force: the engine's own rules), a stop order's price source, fee ceiling,
market risk (price band of an aggressive order around the reference price, order size and notional limits, the
account's open notional: `backend.trading.rules.risk`), open-order limit, unused nonce, available balance.
Each failure is an `HdexError` with its code, the field to fix and a message saying what to send
instead; a check never changes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from backend.engine import MAX_FOK_TRADES, Engine, MarketState, PlaceOrder, ResultCode, TimeInForce
from backend.engine.market import check_order
from backend.engine.types import MARKET_KIND_TYPES
from backend.errors import ErrorCode, HdexError
from backend.signing import Domain, Order, SignatureError, order_digest, recover_signer
from backend.trading.rules.accounts import AccountBook, checksum
from backend.trading.rules.flags import check_flags, check_price_source
from backend.trading.rules.markets import PRICE_SCALE, Market, PriceSource
from backend.trading.rules.nonces import UsedNonces, check_nonce_unused
from backend.trading.rules.orders import (
    OrderRequest,
    order_kind,
    place_command,
    reservation,
    reserved_token,
)
from backend.trading.rules.risk_desk import RiskDesk

# Engine result codes an order can meet, and the API code each one is reported as.
ENGINE_ERRORS: dict[ResultCode, ErrorCode] = {
    ResultCode.UNKNOWN_MARKET: ErrorCode.UNKNOWN_MARKET,
    ResultCode.MARKET_CANCEL_ONLY: ErrorCode.MARKET_CANCEL_ONLY,
    ResultCode.MARKET_HALTED: ErrorCode.MARKET_HALTED,
    ResultCode.INVALID_PRICE: ErrorCode.INVALID_PRICE,
    ResultCode.PRICE_OFF_TICK: ErrorCode.PRICE_OFF_TICK,
    ResultCode.INVALID_QUANTITY: ErrorCode.INVALID_QUANTITY,
    ResultCode.QUANTITY_OFF_LOT: ErrorCode.QUANTITY_OFF_LOT,
    ResultCode.BELOW_MIN_NOTIONAL: ErrorCode.BELOW_MIN_NOTIONAL,
    ResultCode.INVALID_STOP_PRICE: ErrorCode.INVALID_TRIGGER_PRICE,
    ResultCode.STOP_PRICE_OFF_TICK: ErrorCode.INVALID_TRIGGER_PRICE,
    ResultCode.STOP_PRICE_NOT_ALLOWED: ErrorCode.INVALID_TRIGGER_PRICE,
    ResultCode.TIF_NOT_ALLOWED: ErrorCode.TIF_NOT_ALLOWED,
    ResultCode.ALREADY_EXPIRED: ErrorCode.ORDER_EXPIRED,
    ResultCode.DUPLICATE_ORDER_ID: ErrorCode.DUPLICATE_ORDER,
    ResultCode.UNKNOWN_ORDER: ErrorCode.ORDER_NOT_OPEN,
    ResultCode.POST_ONLY_WOULD_CROSS: ErrorCode.POST_ONLY_WOULD_CROSS,
    ResultCode.FOK_NOT_FILLED: ErrorCode.FOK_NOT_FILLED,
    ResultCode.WOULD_TRIGGER_IMMEDIATELY: ErrorCode.WOULD_TRIGGER_IMMEDIATELY,
}
_FIELD_OF = {
    ErrorCode.UNKNOWN_MARKET: "order.baseToken",
    ErrorCode.MARKET_CANCEL_ONLY: "order",
    ErrorCode.MARKET_HALTED: "order",
    ErrorCode.INVALID_PRICE: "order.limitPrice",
    ErrorCode.PRICE_OFF_TICK: "order.limitPrice",
    ErrorCode.INVALID_QUANTITY: "order.baseAmount",
    ErrorCode.QUANTITY_OFF_LOT: "order.baseAmount",
    ErrorCode.BELOW_MIN_NOTIONAL: "order.baseAmount",
    ErrorCode.INVALID_TRIGGER_PRICE: "order.triggerPrice",
    ErrorCode.TIF_NOT_ALLOWED: "timeInForce",
    ErrorCode.ORDER_EXPIRED: "order.expiry",
    ErrorCode.DUPLICATE_ORDER: "order",
    ErrorCode.ORDER_NOT_OPEN: "orderHash",
    ErrorCode.POST_ONLY_WOULD_CROSS: "order.limitPrice",
    ErrorCode.FOK_NOT_FILLED: "order.baseAmount",
    ErrorCode.WOULD_TRIGGER_IMMEDIATELY: "order.triggerPrice",
}
_PRICE_UNITS = "in quote base units per 1e18 base units"
_MARKETS = "GET /v1/markets"


def engine_error(code: ResultCode, market: Market | None = None, order: Order | None = None) -> HdexError:
    """The API error for an engine result code; its message says what to send instead (with the
    market's numbers and the nearest valid values when `market` and `order` are known)."""
    error = ENGINE_ERRORS.get(code, ErrorCode.INVALID_FIELD)
    return HdexError(error, _what_to_send(code, market, order), _FIELD_OF.get(error))


def _what_to_send(code: ResultCode, market: Market | None, order: Order | None) -> str:
    tick = f"the tick size {market.tick_size}" if market else f"the market's tick size ({_MARKETS})"
    lot = f"the lot size {market.lot_size}" if market else f"the market's lot size ({_MARKETS})"
    match code:
        case ResultCode.INVALID_PRICE if order is not None and order_kind(order) in MARKET_KIND_TYPES:
            return f"a market order needs limitPrice: the worst price you accept, {_PRICE_UNITS}, a multiple of {tick}"
        case ResultCode.INVALID_PRICE:
            return f"limitPrice must be more than 0: the price {_PRICE_UNITS}, a multiple of {tick}"
        case ResultCode.PRICE_OFF_TICK:
            return f"limitPrice must be a multiple of {tick}{_nearest(order, 'limitPrice', market, 'tick_size')}"
        case ResultCode.INVALID_QUANTITY:
            return f"baseAmount must be more than 0: the amount in base-token base units, a multiple of {lot}"
        case ResultCode.QUANTITY_OFF_LOT:
            return f"baseAmount must be a multiple of {lot}{_nearest(order, 'baseAmount', market, 'lot_size')}"
        case ResultCode.BELOW_MIN_NOTIONAL:
            return _below_min_notional(market, order)
        case ResultCode.INVALID_STOP_PRICE:
            return (
                f"a stop order needs triggerPrice: the last trade price that activates it, {_PRICE_UNITS}, a multiple "
                f"of {tick} (flags kind 0 limit or 1 market for an order without a trigger)"
            )
        case ResultCode.STOP_PRICE_OFF_TICK:
            return f"triggerPrice must be a multiple of {tick}{_nearest(order, 'triggerPrice', market, 'tick_size')}"
        case ResultCode.STOP_PRICE_NOT_ALLOWED:
            return "only stop orders (flags kind 2 stop-limit, 3 stop-market) carry a trigger: send triggerPrice 0"
        case ResultCode.TIF_NOT_ALLOWED:
            return (
                "timeInForce does not fit the order kind: limit orders take GTC, IOC, FOK or post-only (flags bit 2), "
                "market orders IOC or FOK, stop-market IOC, stop-limit GTC (fill-or-kill, flags bit 3, only on limit "
                "and market orders); send one of these or leave timeInForce out"
            )
        case ResultCode.ALREADY_EXPIRED:
            return "the order's expiry has passed: sign it again with a later expiry (unix seconds)"
        case ResultCode.DUPLICATE_ORDER_ID:
            return "this order was already submitted: sign a new one with another nonce"
        case ResultCode.UNKNOWN_ORDER:
            return "the order is no longer open: there is nothing to cancel"
        case ResultCode.POST_ONLY_WOULD_CROSS:
            return (
                "a post-only order must not take liquidity: send a limitPrice that does not cross the best opposite "
                "price, or clear flags bit 2"
            )
        case ResultCode.FOK_NOT_FILLED:
            return (
                f"the book cannot fill the whole fill-or-kill order within limitPrice from at most {MAX_FOK_TRADES} "
                "resting orders (its trades settle in one transaction): send a smaller baseAmount, a looser "
                "limitPrice, or an IOC order (timeInForce IOC, without flags bit 3)"
            )
        case ResultCode.WOULD_TRIGGER_IMMEDIATELY:
            return (
                "the price the stop watches already reached triggerPrice (the market's price source, or the last "
                "trade for an operator-triggered stop): send a triggerPrice not reached yet, or a limit order"
            )
        case ResultCode.UNKNOWN_MARKET:
            return f"no market trades this pair: send the baseToken and quoteToken of a market from {_MARKETS}"
        case ResultCode.MARKET_CANCEL_ONLY | ResultCode.MARKET_HALTED:
            return f"the market does not take orders now: send it again once {_MARKETS} shows the market open"
    return f"the engine refused the order ({code.value})"


def _nearest(order: Order | None, field: str, market: Market | None, step_name: str) -> str:
    """': send X or Y': the multiples of the market's step either side of the order's field, when known."""
    if order is None or market is None:
        return ""
    value: int = getattr(order, field)
    step: int = getattr(market, step_name)
    lower = value - value % step
    return f": send {lower} or {lower + step}" if lower else f": send {step}"


def _below_min_notional(market: Market | None, order: Order | None) -> str:
    minimum = f"{market.min_notional} quote base units" if market else f"the market's min notional ({_MARKETS})"
    message = f"the order's quote amount (baseAmount * limitPrice / 1e18) must be at least {minimum}"
    if market is None or order is None or order.limitPrice <= 0:
        return message
    needed = -(-market.min_notional * PRICE_SCALE // order.limitPrice)  # ceiling division
    needed = -(-needed // market.lot_size) * market.lot_size
    return f"{message}: at this limitPrice send baseAmount {needed} or more"


@dataclass(frozen=True, slots=True)
class Limits:
    """Abuse and risk limits from settings."""

    max_open_orders: int
    immediate_order_max_expiry_s: int  # IOC and fill-or-kill orders sign an expiry at most this far ahead
    # an order leaves the book this many seconds before its signed expiry (`place_command`); one that expires
    # sooner than that is refused
    settlement_margin_s: int = 0


@dataclass(frozen=True, slots=True)
class Placement:
    """What passed the checks: the order's id, its market, maker, the engine command, the hold."""

    order_hash: str
    market: Market
    maker: str
    token: str
    hold: int
    command: PlaceOrder


def verify_order_signature(domain: Domain, request: OrderRequest) -> bytes:
    """The order's EIP-712 digest once its signature recovers to its maker, else INVALID_SIGNATURE or
    SIGNER_NOT_MAKER. An API replica runs this alone before the engine runs every check."""
    digest = order_digest(domain, request.order)
    try:
        signer = recover_signer(digest, request.signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), "signature") from None
    if signer != request.order.maker:
        raise HdexError(
            ErrorCode.SIGNER_NOT_MAKER,
            "the signature recovers to another address than order.maker (check the domain of GET /v1/eip712)",
            "signature",
        )
    return digest


def check_placement(
    request: OrderRequest,
    *,
    domain: Domain,
    markets: dict[tuple[str, str], Market],
    engine: Engine,
    accounts: AccountBook,
    known_hashes: dict[str, int],
    limits: Limits,
    now_ms: int,
    price_sources: Mapping[str, PriceSource | None],
    nonces: UsedNonces,
    load_wallet: Callable[[str], None] = lambda wallet: None,
    risk: RiskDesk | None = None,
) -> Placement:
    """Run every pre-trade check (module docs) and return the placement, or raise `HdexError`.

    `price_sources` maps a market's name to its price source (None: it has none; absent: not read yet).
    `load_wallet(maker)` loads the maker's balances and used nonces: it runs before the nonce and balance
    checks, and only for an order that passed all the others, so a flood of garbage never makes the host
    load (and then follow) random wallets. `risk` answers the market-risk checks (halt, band, limits); None
    skips them.
    """
    order = request.order
    digest = order_digest(domain, order) if request.signature_checked else verify_order_signature(domain, request)
    order_hash = "0x" + digest.hex()
    # First: a copy of an order placed before (a client's retry, a command delivered again) is told so, whatever
    # a new order would meet now (expired since, its market halted, the maker's limits counting the order itself).
    if order_hash in known_hashes:
        raise engine_error(ResultCode.DUPLICATE_ORDER_ID)
    market = markets.get((order.baseToken, order.quoteToken))
    if market is None:
        raise engine_error(ResultCode.UNKNOWN_MARKET)
    if order.expiry * 1000 < now_ms:
        raise engine_error(ResultCode.ALREADY_EXPIRED)
    if (order.expiry - limits.settlement_margin_s) * 1000 < now_ms:
        raise HdexError(
            ErrorCode.ORDER_EXPIRED,
            f"the order expires within {limits.settlement_margin_s} s, too soon for a trade of it to settle "
            "on-chain: sign it again with a later expiry (unix seconds)",
            "order.expiry",
        )
    maker = checksum(order.maker)
    floor = accounts.nonce_floor(maker)
    if order.nonce < floor:
        raise HdexError(
            ErrorCode.NONCE_BELOW_FLOOR,
            f"the maker's on-chain nonce floor is {floor}: sign the order with a nonce of {floor} or more",
            "order.nonce",
        )
    if maker in accounts.exiting:
        raise HdexError(
            ErrorCode.WALLET_EXITING,
            "the maker requested an exit on-chain, and the contract settles no trade of an exiting wallet: "
            "cancel the exit (cancelExit) to trade again, or withdraw from the contract once it is available",
            "order.maker",
        )
    if maker.lower() in accounts.frozen:
        raise HdexError(
            ErrorCode.ADDRESS_BLOCKED,
            "compliance froze this wallet: it may not place orders (its open orders are cancelled)",
            "order.maker",
        )
    check_flags(request, now_ms, limits.immediate_order_max_expiry_s)
    state = engine.market_state(market.name)
    if state is not MarketState.OPEN:
        if risk is not None and state is MarketState.CANCEL_ONLY:
            risk.check_halt(market.name)  # a risk halt says why and until when
        raise engine_error(ResultCode.MARKET_HALTED if state is MarketState.HALTED else ResultCode.MARKET_CANCEL_ONLY)
    command = place_command(
        order, order_hash, maker, market.name, order.baseAmount, request.engine_tif, now_ms, limits.settlement_margin_s
    )
    grid = check_order(engine.market_spec(market.name), command)
    if isinstance(grid, ResultCode):
        raise engine_error(grid, market, order)
    if request.is_stop and not request.operator_triggered:
        check_price_source(market, price_sources)
    fee_needed = (
        market.maker_fee_rate if grid is TimeInForce.POST_ONLY else max(market.maker_fee_rate, market.taker_fee_rate)
    )
    if order.maxFeeRate < fee_needed:
        raise HdexError(
            ErrorCode.MAX_FEE_TOO_LOW, f"maxFeeRate must be at least {fee_needed} millionths", "order.maxFeeRate"
        )
    if risk is not None:
        risk.check_order(
            market.name, maker, command, takes_liquidity_later=request.is_stop, post_only=grid is TimeInForce.POST_ONLY,
            book=engine,
        )  # fmt: skip
    if accounts.open_orders.get(maker, 0) >= limits.max_open_orders:
        raise HdexError(
            ErrorCode.TOO_MANY_OPEN_ORDERS, f"at most {limits.max_open_orders} open orders per wallet", "order"
        )
    load_wallet(maker)
    check_nonce_unused(nonces, maker, order.nonce, floor)
    token = checksum(reserved_token(order))
    hold = reservation(order, order.baseAmount)
    available = accounts.available(maker, token)
    if hold > available:
        raise HdexError(
            ErrorCode.INSUFFICIENT_BALANCE,
            f"the order needs {hold} of {token}, {available} is available: deposit more or send a smaller baseAmount",
            "order.baseAmount",
        )
    return Placement(command.order_id, market, maker, token, hold, command)
