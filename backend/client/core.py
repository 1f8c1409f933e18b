"""What both clients share: markets, exact unit conversion, signing, request bodies (errors: `client.errors`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from eth_account import Account

from backend.client.errors import (
    BAD_RESPONSE,
    CancelOutcomeUnknown,
    HdexClientError,
    InvalidArgument,
    NotExact,
    OrderOutcomeUnknown,
    outcome_unknown,
    raise_for_error,
)
from backend.signing import (
    Cancel,
    Domain,
    Order,
    Withdrawal,
    cancel_digest,
    order_digest,
    sign_digest,
    withdrawal_digest,
)
from backend.trading.rules.cancels import bulk_cancel_scope, cancel_after_scope
from backend.trading.rules.markets import PriceSource
from backend.trading.rules.orders import FLAG_FILL_OR_KILL, FLAG_OPERATOR_TRIGGER, FLAG_POST_ONLY

PRICE_SCALE = 10**18
KINDS = {"limit": 0, "market": 1, "stop_limit": 2, "stop_market": 3}
SIDES = {"buy": 0, "sell": 1}
TIMES_IN_FORCE = (None, "GTC", "IOC", "FOK")
UNKNOWN_MARKET = "UNKNOWN_MARKET"  # the API's code for a market it does not list
BASE_UNITS_HINT = "an int of base units (units() and price_units() convert human figures exactly)"
STOP_KINDS = ("stop_limit", "stop_market")
FEE_RATE_SCALE = 10**6
# An IOC or fill-or-kill order trades on arrival or never: its signature expires this soon (the exchange refuses
# more than HDEX_IMMEDIATE_ORDER_MAX_EXPIRY_S, 60 s by default, and this leaves room for a clock that runs ahead).
IMMEDIATE_EXPIRY_S = 30
ORDER_EXPIRY_S = 86_400
WITHDRAWAL_FINAL = ("completed", "failed")
# An order waits up to HDEX_REPLICA_ANSWER_TIMEOUT_S (10 s by default) for the engine before an API replica answers
# 504 ENGINE_TIMEOUT: the client waits longer, so that it reads that answer rather than cutting the request short.
DEFAULT_TIMEOUT_S = 20.0
RESENDS = 3  # how often a signed order whose outcome is unknown is sent again before OrderOutcomeUnknown
RESEND_BACKOFF_S = 0.5  # before the first resend; doubled before each next one
# An idle connection is dropped after this long, before the server's keep-alive (HDEX_HTTP_KEEP_ALIVE_S, 5 s by
# default, as uvicorn's) closes it: one reused as the server closes it fails the request unanswered ("Server
# disconnected without sending a response"), and httpx's own default expiry is the server's, 5 s.
KEEPALIVE_EXPIRY_S = 2.0
PAGE = 500  # the most items an account listing (or a market's trades) answers at once
ORDERS_PATH = "/v1/orders"
REPLACE_PATH = "/v1/orders/replace"
BATCH_PATH = "/v1/orders/batch"  # up to 20 signed orders in one request, each placed or refused on its own
PLACE_ARGUMENTS = ("market", "side", "amount", "price")  # an order of a batch: these, and `place_order`'s options
WITHDRAWALS_PATH = "/v1/withdrawals"
NOT_THERE = frozenset({"ORDER_NOT_FOUND", "NOT_FOUND"})  # a read-back finds no order (or withdrawal request)
# Definite refusals of a first send that stale client state explains, by what to read again before signing anew:
# the wallet's next nonce, the exchange's EIP-712 domain (a redeployed Exchange), the markets (fees, tick, lot).
STALE_NONCE = frozenset({"NONCE_USED", "NONCE_BELOW_FLOOR"})
STALE_DOMAIN = frozenset({"SIGNER_NOT_MAKER", "INVALID_SIGNATURE"})
STALE_MARKET = frozenset({"MAX_FEE_TOO_LOW", "PRICE_OFF_TICK", "QUANTITY_OFF_LOT", "STOP_NEEDS_PRICE_SOURCE"})
CLOCK_REFRESH_S = 300.0  # how long an offset read from GET /v1/time is trusted (clocks drift slowly)


def read_back_after(
    error: HdexClientError,
    path: str,
    order_hash: str,
    body: dict[str, Any],
    after_unknown: bool,
    resent: int,
    resends: int,
) -> bool:
    """What a failed send of a signed request to `path` leads to, for the sync and async clients alike: True to
    read back what an earlier send did, False to send the same body again. Raises `error` itself when it is a
    definite refusal of a first send, and OrderOutcomeUnknown once `resends` are spent.

    After a send whose outcome was unknown, any refusal of the resend is read back first: the exchange may refuse
    the copy of what it took (DUPLICATE_ORDER at an engine's own door, ORDER_NOT_OPEN for a replace whose cancel
    applied, ORDER_EXPIRED or NONCE_USED once it no longer knows an expired order's hash, a withdrawal limit that
    counts the first request), and a bot that believed the refusal would sign again and trade twice. A success
    answer that is not JSON (BAD_RESPONSE) is read back at once: the exchange took the request."""
    if error.code == BAD_RESPONSE or (after_unknown and not outcome_unknown(error, after_unknown)):
        return True  # a 2xx the exchange sent but we could not read took the request: read what it made
    if not outcome_unknown(error, after_unknown):
        raise error
    if resent == resends:
        raise OrderOutcomeUnknown(order_hash, path, body, error, resent + 1) from error
    return False


def batch_outcome(result: Mapping[str, Any]) -> dict[str, Any] | HdexClientError:
    """One order's outcome in a batch's answer: the order, or the error it was refused with (as the single door's
    answer would raise it)."""
    if result.get("order") is not None:
        return dict(result["order"])
    try:
        raise_for_error(int(result["status"]), {"error": result["error"]}, {})
    except HdexClientError as refusal:
        return refusal
    raise HdexClientError(int(result["status"]), BAD_RESPONSE, f"an outcome neither placed nor refused: {result}")


def batch_send_failed(
    error: HdexClientError, hashes: str, body: dict[str, Any], after_unknown: bool, resent: int, resends: int
) -> None:
    """What a batch's failed send leads to, for the sync and async clients alike: returns when it is sent again
    (no answer, a 5xx, a 2xx that is not JSON: its orders may stand); raises `error`, a definite refusal of a first
    send, and OrderOutcomeUnknown (its `order_hash`: `hashes`) once `resends` are spent or when the copy of a send
    whose outcome was unknown is refused whole: what the earlier send placed is not known."""
    if error.code != BAD_RESPONSE and not outcome_unknown(error, after_unknown):
        if after_unknown:
            raise OrderOutcomeUnknown(hashes, BATCH_PATH, body, error, resent + 1) from error
        raise error
    if resent == resends:
        raise OrderOutcomeUnknown(hashes, BATCH_PATH, body, error, resent + 1) from error


def read_back_refusal(refusal: HdexClientError, after_unknown: bool) -> bool:
    """Whether an order's refusal in a batch's answer may be of the copy of an order an earlier send of the batch
    placed, and the order is read back: DUPLICATE_ORDER (the engine process's own door refuses a copy so), and
    after a send whose outcome was unknown any definite refusal (see `read_back_after`)."""
    return refusal.code == "DUPLICATE_ORDER" or (after_unknown and not outcome_unknown(refusal, after_unknown))


def batch_order(order: Mapping[str, Any]) -> tuple[str, str, int, int, dict[str, Any]]:
    """`place_order`'s arguments of an order of a batch: (market, side, amount, price, options)."""
    missing = [name for name in PLACE_ARGUMENTS if name not in order]
    if missing:
        raise InvalidArgument(missing[0], f"an order of a batch needs {', '.join(missing)}")
    options = {name: value for name, value in order.items() if name not in PLACE_ARGUMENTS}
    return order["market"], order["side"], order["amount"], order["price"], options


def first_send_refused(error: HdexClientError, after_unknown: bool) -> bool:
    """Whether `error` refuses a signed request's first send for certain (no earlier send may have been taken):
    then a request signed anew is no second copy of it."""
    return not after_unknown and error.code != BAD_RESPONSE and not outcome_unknown(error, False)


def cancel_again(error: HdexClientError, what: str, attempts: int, resends: int) -> bool:
    """What a cancel's failed send (attempt number `attempts`) leads to: True to send it again; False when it is
    done (after a send whose outcome was unknown, ORDER_NOT_OPEN: the order closed, by that send or otherwise).
    Raises `error` when it is a definite refusal, and CancelOutcomeUnknown once `resends` are spent."""
    after_unknown = attempts > 1
    if not outcome_unknown(error, after_unknown):
        if after_unknown and error.code == "ORDER_NOT_OPEN":
            return False
        raise error
    if attempts > resends:
        raise CancelOutcomeUnknown(what, error, attempts) from error
    return True


def stale_state(refusal: HdexClientError, options: Mapping[str, Any], order: bool) -> str | None:
    """Which client state a definite refusal of a first send says may be stale and is to be read again: "nonce"
    (unless the caller chose the nonce), "domain", "markets" (those two for an order only), or None."""
    if order and refusal.code in STALE_NONCE and "nonce" not in options:
        return "nonce"
    if refusal.code in STALE_DOMAIN:
        return "domain"
    return "markets" if order and refusal.code in STALE_MARKET else None


def signs_again_after_reload(
    refusal: HdexClientError, options: Mapping[str, Any], before: ClientMarket | None, after: ClientMarket | None
) -> bool:
    """Whether an order refused over its market is signed anew once the markets are read again: only for the max
    fee rate the client chose itself from fee rates that have since changed. A price off a new tick or an amount
    off a new lot is the caller's to change: rounding it here would trade other terms than asked."""
    return refusal.code == "MAX_FEE_TOO_LOW" and "max_fee_rate" not in options and after is not None and before != after


class Query(NamedTuple):
    """A public or account read both clients send alike: GET `path` with `params`; `field` of the answer, or all."""

    path: str
    params: dict[str, Any]
    field: str | None = None


def book_query(market: str, depth: int) -> Query:
    return Query(f"/v1/markets/{market}/book", {"depth": depth})


def ticker_query(market: str) -> Query:
    return Query(f"/v1/markets/{market}/ticker", {})


def trades_query(market: str, limit: int, cursor: str | None = None) -> Query:
    """A page of the market's trades (at most PAGE); its answer's `next` is the following page's cursor."""
    params = {"limit": min(limit, PAGE), **({"cursor": cursor} if cursor else {})}
    return Query(f"/v1/markets/{market}/trades", params)


def open_orders_query(address: str, market: str | None, cursor: str | None) -> Query:
    """A page of the wallet's open orders; its answer's `next` is the following page's cursor."""
    params = {"status": "open", "limit": PAGE, **({"market": market} if market else {})}
    return Query(f"/v1/accounts/{address}/orders", {**params, **({"cursor": cursor} if cursor else {})})


def fills_query(address: str, market: str | None, limit: int, cursor: str | None) -> Query:
    """A page of the wallet's fills (at most PAGE); its answer's `next` is the following page's cursor."""
    params = {"limit": min(limit, PAGE), **({"market": market} if market else {})}
    return Query(f"/v1/accounts/{address}/fills", {**params, **({"cursor": cursor} if cursor else {})})


def _exact(value: str | Decimal | int, what: str) -> Fraction:
    """`value` as an exact fraction (parsed as a decimal string: no float or context rounding on the way)."""
    try:
        return Fraction(Decimal(str(value)))
    except (ArithmeticError, ValueError):  # not a number (InvalidOperation), NaN, an infinity
        raise NotExact(f"{what} {value!r} is not a finite decimal number") from None


def units(amount: str | Decimal | int, decimals: int) -> int:
    """Exact base units of a human amount ("1.5" WETH -> 1500000000000000000); refuses dust (`NotExact`, a
    ValueError) rather than rounding it away, however many digits the amount has."""
    scaled = _exact(amount, "amount") * 10**decimals
    if scaled.denominator != 1:
        raise NotExact(f"amount {amount} has more than {decimals} decimals")
    return int(scaled)


def price_units(price: str | Decimal | int, base_decimals: int, quote_decimals: int) -> int:
    """The signed limitPrice of a human price (quote per base): quote units per 1e18 base units. A price finer
    than that grid is refused (`NotExact`, a ValueError), never rounded: rounding up would raise a buy's limit."""
    scaled = _exact(price, "price") * 10**quote_decimals * PRICE_SCALE / 10**base_decimals
    if scaled.denominator != 1:
        raise NotExact(
            f"price {price} is finer than the price grid allows (a whole number of quote base units per 1e18 base "
            "base-units): round it to the market's tick first"
        )
    return int(scaled)


def uint_argument(field: str, value: object, bits: int, kind: str = BASE_UNITS_HINT) -> int:
    """`value` if it is an int that fits the signed uint<bits>, else InvalidArgument naming `field`: a float, a
    Decimal or a string has no exact place in the signed struct (the encoder would fail deep inside, or sign another
    figure than meant)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(field, f"{field} must be {kind}, not {type(value).__name__} {value!r}")
    if not 0 <= value < 2**bits:
        raise InvalidArgument(field, f"{field} {value} does not fit the signed uint{bits}: it must be {kind}")
    return value


def _choice(field: str, value: object, allowed: Mapping[Any, Any] | tuple[Any, ...]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise InvalidArgument(field, f"{field} must be one of {shown}, not {value!r}")


def market_named(markets: Mapping[str, ClientMarket], name: str) -> ClientMarket:
    """The market `name` of `markets` (as `GET /v1/markets` spells it), else InvalidArgument UNKNOWN_MARKET naming the
    markets there are: a KeyError would leave a bot (and the example bots' one-line failure) without a clear error."""
    if name not in markets:
        listed = ", ".join(sorted(markets)) or "none"
        raise InvalidArgument(
            "market", f"the exchange lists no market {name!r} (its markets: {listed})", UNKNOWN_MARKET
        )
    return markets[name]


@dataclass(frozen=True)
class ClientMarket:
    """A market as `GET /v1/markets` describes it."""

    name: str
    base_token: str
    quote_token: str
    base_decimals: int
    quote_decimals: int
    tick_size: int
    lot_size: int
    min_notional: int
    maker_fee_rate: int
    taker_fee_rate: int
    state: str
    price_source: PriceSource | None = None  # checks its stop orders' triggers on-chain; None: the operator does

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ClientMarket:
        source = body.get("priceSource")
        return cls(
            body["name"], body["baseToken"]["address"], body["quoteToken"]["address"],
            body["baseToken"]["decimals"], body["quoteToken"]["decimals"], int(body["tickSize"]),
            int(body["lotSize"]), int(body["minNotional"]), body["makerFeeRate"], body["takerFeeRate"], body["state"],
            None if source is None else PriceSource(source["feed"], int(source["maxAge"])),
        )  # fmt: skip

    def round_price(self, price: int) -> int:
        """Down to the tick."""
        return price - price % self.tick_size

    def round_amount(self, amount: int) -> int:
        """Down to the lot."""
        return amount - amount % self.lot_size


class Signer:
    """A wallet key and the exchange's domain: builds signed request bodies.

    Orders carry consecutive nonces from the one `number_orders_from` was given (the API's `GET /v1/nonce`):
    the contract keeps a window of 64 consecutive nonces in the wallet's own storage slot, so such orders settle
    cheapest. Two signers numbering the same wallet's orders at once would collide (NONCE_USED): give each wallet
    one client.

    Bulk-cancel and cancel-after timestamps and default expiries read the exchange's clock: the local clock plus
    the offset `set_clock` was given (`GET /v1/time`); each timestamp is above the one before (the exchange
    refuses a bulk cancel whose timestamp is not)."""

    def __init__(self, private_key: str, domain: Domain) -> None:
        self._key = bytes.fromhex(private_key.removeprefix("0x"))
        self.address = str(Account.from_key(self._key).address)
        self.domain = domain
        self._next: int | None = None
        self._lock = threading.Lock()  # threads signing at once draw distinct nonces and timestamps
        self._offset_ms = 0
        self._clock_read_at: float | None = None  # time.monotonic() of the last set_clock
        self._last_stamp_ms = 0

    @property
    def numbering_orders(self) -> bool:
        """Whether orders get their nonces from this signer's count (`number_orders_from` was called)."""
        return self._next is not None

    def number_orders_from(self, first: int) -> None:
        """Number the orders signed from now on `first`, `first + 1`, ... (`first`: from `GET /v1/nonce`), or on
        from the count already reached if that is higher: a nonce given out may be in use."""
        with self._lock:
            self._next = first if self._next is None else max(self._next, first)

    def _next_nonce(self) -> int:
        with self._lock:
            if self._next is None:
                raise ValueError(
                    "no nonce to sign the order with: call number_orders_from(GET /v1/nonce) or pass nonce"
                )
            self._next += 1
            return self._next - 1

    @property
    def clock_stale(self) -> bool:
        """Whether the exchange's clock is to be read again (`set_clock`): never read, or CLOCK_REFRESH_S ago."""
        return self._clock_read_at is None or time.monotonic() - self._clock_read_at > CLOCK_REFRESH_S

    def set_clock(self, server_ms: int, sent_ns: int, received_ns: int) -> None:
        """Keep the exchange's clock: `server_ms` as `GET /v1/time` answered it between the local `sent_ns` and
        `received_ns` (time.time_ns()); taken as read halfway."""
        self._offset_ms = server_ms - (sent_ns + received_ns) // 2_000_000
        self._clock_read_at = time.monotonic()

    def now_ms(self) -> int:
        """The exchange's time in ms since the epoch, as far as this signer knows it."""
        return time.time_ns() // 1_000_000 + self._offset_ms

    def _stamp_ms(self) -> int:
        with self._lock:
            self._last_stamp_ms = max(self.now_ms(), self._last_stamp_ms + 1)
            return self._last_stamp_ms

    @staticmethod
    def domain_from_json(body: dict[str, Any]) -> Domain:
        return Domain(int(body["domain"]["chainId"]), str(body["domain"]["verifyingContract"]))

    def order_body(
        self,
        market: ClientMarket,
        side: str,
        amount: int,
        price: int,
        *,
        kind: str = "limit",
        post_only: bool = False,
        trigger_price: int = 0,
        time_in_force: str | None = None,
        expiry: int | None = None,
        nonce: int | None = None,
        max_fee_rate: int | None = None,
        client_order_id: str | None = None,
        accept_operator_trigger: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """(order hash, POST /v1/orders body); `client_order_id` is the wallet's own unsigned label.

        `time_in_force="FOK"` signs the fill-or-kill flag; IOC and FOK orders, and market orders (IOC by nature),
        expire `IMMEDIATE_EXPIRY_S` from now unless `expiry` says otherwise. A stop order in a market without an
        on-chain price source (`market.price_source` None) must accept operator-triggered execution
        (`accept_operator_trigger`): the exchange then decides when it triggered. An argument that cannot be signed
        raises `InvalidArgument` before a nonce is drawn for the order."""
        _choice("side", side, SIDES)
        _choice("kind", kind, KINDS)
        _choice("time_in_force", time_in_force, TIMES_IN_FORCE)
        uint_argument("amount", amount, 128)
        uint_argument("price", price, 256)
        uint_argument("trigger_price", trigger_price, 256)
        for field, given, bits in (("expiry", expiry, 64), ("nonce", nonce, 64), ("max_fee_rate", max_fee_rate, 32)):
            if given is not None:
                uint_argument(field, given, bits, "an int")
        if kind in STOP_KINDS and market.price_source is None and not accept_operator_trigger:
            raise InvalidArgument(
                "accept_operator_trigger",
                f"market {market.name} has no on-chain price source for stop orders: pass "
                "accept_operator_trigger=True to let the exchange decide when the stop triggers (or reload the "
                "markets if it has one now)",
                "STOP_NEEDS_PRICE_SOURCE",  # the API's code for the same refusal
            )
        flags = KINDS[kind]
        flags |= FLAG_POST_ONLY if post_only else 0
        flags |= FLAG_FILL_OR_KILL if time_in_force == "FOK" else 0
        flags |= FLAG_OPERATOR_TRIGGER if accept_operator_trigger and kind in STOP_KINDS else 0  # a stop's consent
        if expiry is None:
            immediate = time_in_force in ("IOC", "FOK") or (kind == "market" and time_in_force is None)
            expiry = self.now_ms() // 1000 + (IMMEDIATE_EXPIRY_S if immediate else ORDER_EXPIRY_S)
        order = Order(
            maker=self.address,
            baseToken=market.base_token,
            quoteToken=market.quote_token,
            side=SIDES[side],
            baseAmount=amount,
            limitPrice=price,
            triggerPrice=trigger_price,
            maxFeeRate=max(market.maker_fee_rate, market.taker_fee_rate) if max_fee_rate is None else max_fee_rate,
            nonce=self._next_nonce() if nonce is None else nonce,
            expiry=expiry,
            flags=flags,
        )
        digest = order_digest(self.domain, order)
        body: dict[str, Any] = {
            "order": {k: v if isinstance(v, str) else str(v) for k, v in order._asdict().items()},
            "signature": "0x" + sign_digest(self._key, digest).hex(),
        }
        if time_in_force is not None:
            body["timeInForce"] = time_in_force
        if client_order_id is not None:
            body["clientOrderId"] = client_order_id
        return "0x" + digest.hex(), body

    def cancel_body(self, order_hash: str) -> dict[str, str]:
        """DELETE /v1/orders/{hash} body."""
        digest = cancel_digest(self.domain, Cancel(self.address, bytes.fromhex(order_hash.removeprefix("0x"))))
        return {"signature": "0x" + sign_digest(self._key, digest).hex()}

    def replace_body(self, order_hash: str, new_order_body: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/orders/replace body: cancel `order_hash` and place the order of `new_order_body`."""
        return {**new_order_body, "cancel": {"orderHash": order_hash, **self.cancel_body(order_hash)}}

    def cancel_after_body(self, timeout_ms: int, market: str | None) -> dict[str, Any]:
        """POST /v1/orders/cancel-after body: cancel every open order (in `market`, or all) unless
        refreshed within `timeout_ms` (0 turns the switch off)."""
        timestamp = self._stamp_ms()
        digest = cancel_digest(self.domain, Cancel(self.address, cancel_after_scope(market, timeout_ms, timestamp)))
        signature = "0x" + sign_digest(self._key, digest).hex()
        return {
            "maker": self.address, "market": market, "timeoutMs": str(timeout_ms),
            "timestamp": str(timestamp), "signature": signature,
        }  # fmt: skip

    def cancel_all_body(self, market: str | None) -> dict[str, Any]:
        """POST /v1/orders/cancel body for every open order (in `market`, or all)."""
        timestamp = self._stamp_ms()
        digest = cancel_digest(self.domain, Cancel(self.address, bulk_cancel_scope(market, timestamp)))
        signature = "0x" + sign_digest(self._key, digest).hex()
        return {"maker": self.address, "market": market, "timestamp": str(timestamp), "signature": signature}

    def withdrawal_body(
        self,
        token: str,
        amount: int,
        max_fee: int,
        *,
        recipient: str | None = None,
        nonce: int | None = None,
        expiry: int | None = None,
        travel_rule: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """(withdrawal hash, POST /v1/withdrawals body): `amount` of `token` out of the vault to
        `recipient` (default: this wallet), of which the operator may keep at most `max_fee`. `travel_rule`:
        the IVMS101 originator and beneficiary (`travelRule`, see POST /v1/withdrawals), which a withdrawal
        worth the exchange's travel-rule threshold must carry (`GET /v1/withdrawals/quote`). An argument that
        cannot be signed raises `InvalidArgument`."""
        uint_argument("amount", amount, 256)
        uint_argument("max_fee", max_fee, 256)
        for field, given in (("nonce", nonce), ("expiry", expiry)):
            if given is not None:
                uint_argument(field, given, 64, "an int")
        withdrawal = Withdrawal(
            wallet=self.address,
            token=token,
            amount=amount,
            maxFee=max_fee,
            recipient=recipient or self.address,
            nonce=time.time_ns() if nonce is None else nonce,
            expiry=self.now_ms() // 1000 + 86_400 if expiry is None else expiry,
        )
        digest = withdrawal_digest(self.domain, withdrawal)
        body = {
            "withdrawal": {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()},
            "signature": "0x" + sign_digest(self._key, digest).hex(),
        }
        if travel_rule is not None:
            body["travelRule"] = dict(travel_rule)
        return "0x" + digest.hex(), body


def withdrawal_fee(amount: int, fees: dict[str, Any]) -> int:
    """The fee the operator charges on withdrawing `amount`, from `GET /v1/accounts/{a}/fees`."""
    uint_argument("amount", amount, 256)  # before the fee is worked out of it: a float would make a float fee
    return min(amount, amount * int(fees["withdrawalFeeRate"]) // FEE_RATE_SCALE)


def credited(deposits: dict[str, Any], tx_hash: str) -> dict[str, Any] | None:
    """The deposit of transaction `tx_hash` in a deposits page if the ledger has credited it, else None."""
    for deposit in deposits["deposits"]:
        if deposit["txHash"].lower() == tx_hash.lower() and deposit["status"] in ("confirmed", "frozen"):
            return dict(deposit)
    return None


def balances_by_token(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """token -> its row of `GET /v1/accounts/{a}/balances`, amounts as ints."""
    return {
        row["token"]: {k: v if k in ("symbol", "decimals") else int(v) for k, v in row.items() if k != "token"}
        for row in body["balances"]
    }
