"""Pre-trade checks: everything an order must pass before the engine sees it, in a fixed order.

signature (recovers to the maker), market exists, expiry, nonce floor, flags and trigger price,
market state, grid (price tick, quantity lot, min notional, time in force: the engine's own rules),
fee ceiling, price band around the last trade, duplicate, open-order limit, available balance.
Each failure is an `HdexError` with its code; a check never changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.api.errors import ErrorCode, HdexError
from backend.engine import Engine, MarketState, OrderType, PlaceOrder, ResultCode, TimeInForce
from backend.engine.market import check_order
from backend.signing import Domain, SignatureError, order_digest, recover_signer
from backend.trading.accounts import AccountBook, checksum
from backend.trading.markets import Market
from backend.trading.orders import OrderRequest, reservation

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
    ResultCode.POST_ONLY_WOULD_CROSS: ErrorCode.POST_ONLY_WOULD_CROSS,
    ResultCode.FOK_NOT_FILLED: ErrorCode.FOK_NOT_FILLED,
    ResultCode.WOULD_TRIGGER_IMMEDIATELY: ErrorCode.WOULD_TRIGGER_IMMEDIATELY,
}
_FIELD_OF = {
    ErrorCode.INVALID_PRICE: "order.limitPrice",
    ErrorCode.PRICE_OFF_TICK: "order.limitPrice",
    ErrorCode.INVALID_QUANTITY: "order.baseAmount",
    ErrorCode.QUANTITY_OFF_LOT: "order.baseAmount",
    ErrorCode.BELOW_MIN_NOTIONAL: "order.baseAmount",
    ErrorCode.INVALID_TRIGGER_PRICE: "order.triggerPrice",
    ErrorCode.TIF_NOT_ALLOWED: "timeInForce",
}


def engine_error(code: ResultCode) -> HdexError:
    """The API error for an engine result code."""
    error = ENGINE_ERRORS.get(code, ErrorCode.INVALID_FIELD)
    return HdexError(error, f"the engine refused the order: {code.value}", _FIELD_OF.get(error))


@dataclass(frozen=True, slots=True)
class Limits:
    """Abuse and risk limits from settings."""

    max_open_orders: int
    price_band_bps: int


@dataclass(frozen=True, slots=True)
class Placement:
    """What passed the checks: the order's id, its market, maker, the engine command, the hold."""

    order_hash: str
    market: Market
    maker: str
    token: str
    hold: int
    command: PlaceOrder


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
    load_wallet: Callable[[str], None] = lambda wallet: None,
) -> Placement:
    """Run every pre-trade check (module docs) and return the placement, or raise `HdexError`.

    `load_wallet(maker)` runs before the balance check, and only for an order that passed all the
    others: a flood of garbage never makes the host load (and then follow) random wallets.
    """
    order = request.order
    digest = order_digest(domain, order)
    try:
        signer = recover_signer(digest, request.signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), "signature") from None
    if signer != order.maker:
        raise HdexError(
            ErrorCode.SIGNER_NOT_MAKER,
            "the signature recovers to another address than order.maker (check the domain of GET /v1/eip712)",
            "signature",
        )
    market = markets.get((order.baseToken, order.quoteToken))
    if market is None:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, "no market trades this base/quote pair", "order.baseToken")
    if order.expiry * 1000 < now_ms:
        raise HdexError(ErrorCode.ORDER_EXPIRED, "the order's expiry has passed", "order.expiry")
    maker = checksum(order.maker)
    floor = accounts.nonce_floor(maker)
    if order.nonce < floor:
        raise HdexError(ErrorCode.NONCE_BELOW_FLOOR, f"the maker's on-chain nonce floor is {floor}", "order.nonce")
    if order.flags & ~7:
        raise HdexError(ErrorCode.UNKNOWN_FLAGS, "only bits 0-2 of flags are defined", "order.flags")
    state = engine.market_state(market.name)
    if state is not MarketState.OPEN:
        code = ErrorCode.MARKET_HALTED if state is MarketState.HALTED else ErrorCode.MARKET_CANCEL_ONLY
        raise HdexError(code, f"market {market.name} is {state.value}", "order")
    command = PlaceOrder(
        order_id="0x" + digest.hex(),
        account=maker,
        market=market.name,
        side=request.side,
        order_type=request.kind,
        price=order.limitPrice,
        qty=order.baseAmount,
        stop_price=_stop_price(request.kind, order.triggerPrice),
        tif=request.engine_tif,
        expires_at=(order.expiry + 1) * 1000,
        ts=now_ms,
    )
    grid = check_order(engine.market_spec(market.name), command)
    if isinstance(grid, ResultCode):
        raise engine_error(grid)
    fee_needed = (
        market.maker_fee_rate if grid is TimeInForce.POST_ONLY else max(market.maker_fee_rate, market.taker_fee_rate)
    )
    if order.maxFeeRate < fee_needed:
        raise HdexError(
            ErrorCode.MAX_FEE_TOO_LOW, f"maxFeeRate must be at least {fee_needed} millionths", "order.maxFeeRate"
        )
    _check_band(order.limitPrice, engine.last_trade_price(market.name), limits.price_band_bps)
    if command.order_id in known_hashes:
        raise HdexError(ErrorCode.DUPLICATE_ORDER, "this order was already submitted", "order")
    if accounts.open_orders.get(maker, 0) >= limits.max_open_orders:
        raise HdexError(
            ErrorCode.TOO_MANY_OPEN_ORDERS, f"at most {limits.max_open_orders} open orders per wallet", "order"
        )
    load_wallet(maker)
    token = checksum(order.baseToken if order.side == 1 else order.quoteToken)
    hold = reservation(order, order.baseAmount)
    available = accounts.available(maker, token)
    if hold > available:
        raise HdexError(
            ErrorCode.INSUFFICIENT_BALANCE,
            f"the order needs {hold} of {token}, {available} is available",
            "order.baseAmount",
        )
    return Placement(command.order_id, market, maker, token, hold, command)


_STOP_KINDS = frozenset({OrderType.STOP_LIMIT, OrderType.STOP_MARKET})


def _stop_price(kind: OrderType, trigger_price: int) -> int | None:
    if kind in _STOP_KINDS:
        return trigger_price
    if trigger_price:
        raise HdexError(ErrorCode.INVALID_TRIGGER_PRICE, "only stop kinds carry a trigger price", "order.triggerPrice")
    return None


def _check_band(price: int, last: int | None, band_bps: int) -> None:
    if last is None or band_bps <= 0:
        return
    if abs(price - last) * 10_000 > last * band_bps:
        raise HdexError(
            ErrorCode.PRICE_OUTSIDE_BAND,
            f"the price must be within {band_bps / 100:g}% of the last trade price {last}",
            "order.limitPrice",
        )
