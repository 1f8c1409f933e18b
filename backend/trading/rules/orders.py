"""Signed orders on the wire: strict parsing, kinds and flags, and what an order reserves.

The request body of `POST /v1/orders` is `{"order": {...EIP-712 Order fields...}, "signature":
"0x<65 bytes>", "timeInForce": "GTC" | "IOC" | "FOK" (optional), "clientOrderId": "..." (optional,
not signed: see `parse_client_order_id`)}`; `POST /v1/orders/batch` takes `{"orders": [...]}`, 1 to
MAX_BATCH_ORDERS such bodies (`batch_items`). Numbers are decimal strings (JSON integers are accepted
too); each must fit its Solidity type, else AMOUNT_OUT_OF_RANGE.
Flags (IExchange): bits 0-1 the kind (0 limit, 1 market, 2 stop-limit, 3 stop-market), bit 2 (4) post-only,
bit 3 (8) fill-or-kill, bit 4 (16) operator-triggered stop. The contract enforces them all, so the engine's
time in force follows the signed bits: post-only, else fill-or-kill, else the requested `timeInForce`.

The order knowledge lives here once: its kind and flag bits (`order_kind`, `OrderRequest`), the
token it reserves and how much (`reserved_token`, `reservation`), the time in force it is stored
with (`stored_time_in_force`), the engine command that places it (`place_command`) and the signed
order rebuilt from a stored row (`order_from_row`, for restore and the relayer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Protocol

from backend.engine import OrderType, PlaceOrder, Side, TimeInForce
from backend.engine.types import MARKET_KIND_TYPES, STOP_TYPES
from backend.errors import ErrorCode, HdexError
from backend.signing import Order
from backend.signing.typed_data import ORDER_FIELDS
from backend.statuses import OrderStatus
from backend.trading.rules.markets import quote_amount

FLAG_KIND_MASK = 3
FLAG_POST_ONLY = 4  # only ever the maker of a trade
FLAG_FILL_OR_KILL = 8  # only ever the taker, settled whole in one batch or not at all
FLAG_OPERATOR_TRIGGER = 16  # a stop order whose maker accepts the operator's trigger (no on-chain price source read)
KNOWN_FLAGS = FLAG_KIND_MASK | FLAG_POST_ONLY | FLAG_FILL_OR_KILL | FLAG_OPERATOR_TRIGGER
KINDS = (OrderType.LIMIT, OrderType.MARKET, OrderType.STOP_LIMIT, OrderType.STOP_MARKET)
TRIGGERED_AS = {OrderType.STOP_LIMIT: OrderType.LIMIT, OrderType.STOP_MARKET: OrderType.MARKET}
SIDES = (Side.BUY, Side.SELL)
# Orders in one `POST /v1/orders/batch` (as OKX and Bybit take 20): enough to spread HTTP's cost per request over
# many orders, few enough that a batch is still one client's burst, bounded in the body size and the wait.
MAX_BATCH_ORDERS = 20
_UINT_BITS = {f"uint{bits}": bits for bits in (8, 32, 64, 128, 256)}
_HEX = frozenset("0123456789abcdefABCDEF")
_REQUEST_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}
_NOT_A_UINT = 'must be a whole number as a decimal string, e.g. "1000000000000000000" (no sign, point or exponent)'
_CLIENT_ORDER_ID = re.compile("[A-Za-z0-9_-]{1,36}")


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A parsed placement request: the signed order, its signature, the requested time in force and
    the maker's own (unsigned) client order id."""

    order: Order
    signature: bytes
    time_in_force: TimeInForce | None
    client_order_id: str | None = None
    # An API replica recovered the signature to the maker and vouched for it (`backend.trading.usecases.
    # command_stream.vouch`): the pre-trade check does not recover it again. Only the command consumer sets it.
    signature_checked: bool = False

    @property
    def kind(self) -> OrderType:
        return order_kind(self.order)

    @property
    def side(self) -> Side:
        return SIDES[self.order.side]

    @property
    def post_only(self) -> bool:
        return bool(self.order.flags & FLAG_POST_ONLY)

    @property
    def fill_or_kill(self) -> bool:
        return bool(self.order.flags & FLAG_FILL_OR_KILL)

    @property
    def is_stop(self) -> bool:
        return self.kind in STOP_TYPES

    @property
    def operator_triggered(self) -> bool:
        return bool(self.order.flags & FLAG_OPERATOR_TRIGGER)

    @property
    def immediate(self) -> bool:
        """IOC or fill-or-kill: it trades on arrival or never, so it must sign a short expiry (else its signature,
        and the worst price it signs, would stay good for a settlement long after its remainder was cancelled). A
        market order is IOC whether asked or not; a stop-market only once it triggered, so it may wait long, also
        when it asks for IOC (its kind's time in force); a post-only order rests whatever it asks (the signed bit
        decides, `engine_tif`). A stop or post-only order asking for what its kind refuses is TIF_NOT_ALLOWED."""
        if self.post_only or self.is_stop:
            return False
        if self.fill_or_kill:
            return True
        return self.time_in_force is TimeInForce.IOC or (self.time_in_force is None and self.kind is OrderType.MARKET)

    @property
    def engine_tif(self) -> TimeInForce | None:
        """The signed bits decide (the contract enforces them); `checks.check_flags` refuses a request
        whose `timeInForce` disagrees with them."""
        if self.post_only:
            return TimeInForce.POST_ONLY
        return TimeInForce.FOK if self.fill_or_kill else self.time_in_force

    @property
    def stored_time_in_force(self) -> TimeInForce:
        """The time in force the order is stored and shown with: the engine's, or its kind's default
        (the engine's own: IOC for market kinds, GTC otherwise)."""
        if (tif := self.engine_tif) is not None:
            return tif
        return TimeInForce.IOC if self.kind in MARKET_KIND_TYPES else TimeInForce.GTC


def order_kind(order: Order) -> OrderType:
    """The order type its flags sign for."""
    return KINDS[order.flags & FLAG_KIND_MASK]


def place_command(
    order: Order,
    order_id: str,
    account: str,
    market: str,
    qty: int,
    tif: TimeInForce | None,
    ts: int,
    settlement_margin_s: int,
) -> PlaceOrder:
    """The engine command that puts `qty` base units of the signed order on `market`'s book. The engine takes it
    off `settlement_margin_s` seconds before its signed expiry: the contract skips a trade mined after the expiry,
    and a trade matched in the last moments could not be batched and mined before it. A stop order without the
    operator-triggered flag waits for the market's reference price, the price source the contract checks its
    first trade against, not for the book's last trade."""
    kind = KINDS[order.flags & FLAG_KIND_MASK]
    return PlaceOrder(
        order_id=order_id,
        account=account,
        market=market,
        side=SIDES[order.side],
        order_type=kind,
        price=order.limitPrice,
        qty=qty,
        stop_price=order.triggerPrice or None,  # the engine refuses a stop without one, or a trigger on others
        tif=tif,
        expires_at=(order.expiry - settlement_margin_s + 1) * 1000,
        ts=ts,
        reference_trigger=kind in STOP_TYPES and not order.flags & FLAG_OPERATOR_TRIGGER,
    )


class StoredOrder(Protocol):
    """The signed fields of an `orders` row (the DB model, kept out of these I/O-free rules)."""

    @property
    def maker(self) -> str: ...

    @property
    def side(self) -> int: ...

    @property
    def base_amount(self) -> int: ...

    @property
    def limit_price(self) -> int: ...

    @property
    def trigger_price(self) -> int: ...

    @property
    def max_fee_rate(self) -> int: ...

    @property
    def nonce(self) -> int: ...

    @property
    def expiry(self) -> int: ...

    @property
    def flags(self) -> int: ...


class PairTokens(Protocol):
    """A market's two tokens: the trading `Market` and the DB row both have them."""

    @property
    def base_token(self) -> str: ...

    @property
    def quote_token(self) -> str: ...


def order_from_row(row: StoredOrder, market: PairTokens) -> Order:
    """The signed order back from its row and its market (the row keeps the market, not the tokens)."""
    return Order(
        row.maker, market.base_token, market.quote_token, row.side, row.base_amount, row.limit_price,
        row.trigger_price, row.max_fee_rate, row.nonce, row.expiry, row.flags,
    )  # fmt: skip


def parse_uint(value: Any, bits: int, field: str) -> int:
    """A uint of `bits` bits from a decimal string or a JSON integer."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise HdexError(ErrorCode.INVALID_FIELD, _NOT_A_UINT, field)
    number: int
    if isinstance(value, str):
        if not value.isdigit() or not value.isascii() or len(value) > 80:
            raise HdexError(ErrorCode.INVALID_FIELD, _NOT_A_UINT, field)
        number = int(value)
    else:
        number = value
    if number < 0 or number.bit_length() > bits:
        raise HdexError(ErrorCode.AMOUNT_OUT_OF_RANGE, f"must fit a uint{bits}", field)
    return number


def parse_address(value: Any, field: str) -> str:
    """A 0x-address in any case, returned lowercase."""
    if not isinstance(value, str) or len(value) != 42 or value[:2] not in ("0x", "0X"):
        raise HdexError(ErrorCode.INVALID_FIELD, "must be a 0x-prefixed 20-byte hex address", field)
    if not _HEX.issuperset(value[2:]):
        raise HdexError(ErrorCode.INVALID_FIELD, "must be a 0x-prefixed 20-byte hex address", field)
    return "0x" + value[2:].lower()


def parse_hex_bytes(value: Any, size: int, field: str) -> bytes:
    """Exactly `size` bytes from 0x-hex."""
    # The digit check comes first: bytes.fromhex would skip spaces and return fewer bytes.
    if (
        not isinstance(value, str)
        or len(value) != 2 + 2 * size
        or not value.startswith("0x")
        or not _HEX.issuperset(value[2:])
    ):
        raise HdexError(ErrorCode.INVALID_FIELD, f"must be 0x followed by {2 * size} hex digits ({size} bytes)", field)
    return bytes.fromhex(value[2:])


def parse_signature(value: Any, field: str = "signature") -> bytes:
    """A 65-byte (r, s, v) signature from 0x-hex, with v as 27 or 28. Some wallets (hardware ones among
    them) sign with v 0 or 1; recovery takes both, but the contract's ECDSA takes only 27/28, and the
    signature travels to it as stored: kept as sent, such an order would rest in the book and every trade of
    it be skipped on-chain. Other values of v are left for the signature check to refuse."""
    signature = parse_hex_bytes(value, 65, field)
    return signature[:64] + bytes((signature[64] + 27,)) if signature[64] in (0, 1) else signature


def parse_hash(value: Any, field: str) -> str:
    """A 32-byte hash (an order's or a withdrawal's id) from 0x-hex in any case, as lowercase 0x-hex."""
    return "0x" + parse_hex_bytes(value.lower() if isinstance(value, str) else value, 32, field).hex()


def parse_order(raw: Any, prefix: str = "order") -> Order:
    """The EIP-712 Order from its JSON object."""
    if not isinstance(raw, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "must be an object", prefix)
    values: list[Any] = []
    for name, kind in ORDER_FIELDS:
        field = f"{prefix}.{name}"
        if name not in raw:
            raise HdexError(ErrorCode.INVALID_FIELD, "is required", field)
        value = raw[name]
        if name == "side":
            values.append(_parse_side(value, field))
        elif kind == "address":
            values.append(parse_address(value, field))
        else:
            values.append(parse_uint(value, _UINT_BITS[kind], field))
    return Order(*values)


def _parse_side(value: Any, field: str) -> int:
    # Only the integer the order signs (uint8): accepting "buy" here would make the JSON differ from
    # the message every signer hashes, so a word gets a message naming the number instead.
    if type(value) in (int, str) and value in (0, 1, "0", "1"):  # type(): neither True nor 1.0 is a side
        return int(value)
    raise HdexError(ErrorCode.INVALID_FIELD, f"side is 0 (buy) or 1 (sell), the signed uint8; got {value!r}", field)


def parse_order_request(body: Any) -> OrderRequest:
    """The placement request from a decoded JSON body (see the module docs)."""
    if not isinstance(body, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "the body must be a JSON object")
    order = parse_order(body.get("order"))
    signature = parse_signature(body.get("signature"))
    tif_name = body.get("timeInForce")
    tif: TimeInForce | None = None
    if tif_name is not None:
        if not isinstance(tif_name, str) or tif_name not in _REQUEST_TIFS:
            raise HdexError(ErrorCode.INVALID_FIELD, "must be GTC, IOC or FOK", "timeInForce")
        tif = _REQUEST_TIFS[tif_name]
    return OrderRequest(order, signature, tif, parse_client_order_id(body.get("clientOrderId")))


def batch_items(body: Any) -> list[Any]:
    """The placement requests of a batch body, each still to be parsed (`parse_order_request`): one refused there
    refuses only its own place in the batch. The batch itself must be `{"orders": [1 to MAX_BATCH_ORDERS items]}`,
    else the whole request is refused and nothing placed."""
    if not isinstance(body, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "the body must be a JSON object")
    items = body.get("orders")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_ORDERS:
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"must be a list of 1 to {MAX_BATCH_ORDERS} signed orders", "orders"
        )
    return items


def parse_client_order_id(value: Any) -> str | None:
    """An optional client order id: 1-36 characters of A-Z, a-z, 0-9, `_` and `-` (None when absent).
    Not part of the signed order: the contract never sees it; the exchange keeps it unique per wallet."""
    if value is None:
        return None
    if not isinstance(value, str) or _CLIENT_ORDER_ID.fullmatch(value) is None:
        raise HdexError(ErrorCode.INVALID_FIELD, "must be 1-36 characters of A-Z, a-z, 0-9, _ and -", "clientOrderId")
    return value


def order_to_json(order: Order) -> dict[str, Any]:
    """The wire (and eth_signTypedData_v4 message) form: numbers as decimal strings."""
    return {
        name: value if kind == "address" else str(value)
        for (name, kind), value in zip(ORDER_FIELDS, order, strict=True)
    }


def reservation(order: Order, remaining: int) -> int:
    """What `remaining` base units of the order hold: base for a sell, quote at the limit for a buy."""
    return remaining if order.side == 1 else quote_amount(remaining, order.limitPrice)


def reserved_token(order: Order) -> str:
    """The token an order pays with and so holds: base for a sell, quote for a buy (as the order spells it)."""
    return order.baseToken if order.side == 1 else order.quoteToken


class TrackedOrder:
    """The host's record of one accepted order: the signed order plus its fill and hold state."""

    __slots__ = (
        "book_seq",
        "client_order_id",
        "created_ms",
        "filled",
        "filled_quote",
        "hash",
        "maker",
        "market",
        "order",
        "persisted",
        "reason",
        "reserved",
        "seq",
        "signature",
        "status",
        "time_in_force",
        "token",
        "triggered",
        "updated_ms",
    )

    def __init__(
        self,
        order_hash: str,
        order: Order,
        market: str,
        maker: str,
        token: str,
        signature: bytes,
        time_in_force: str,
        seq: int,
        now_ms: int,
        client_order_id: str | None = None,
    ) -> None:
        self.hash = order_hash
        self.order = order
        self.market = market
        self.maker = maker  # EIP-55
        self.token = token  # EIP-55 address of the token it reserves
        self.signature = signature
        self.time_in_force = time_in_force
        self.seq = seq
        self.filled = 0
        self.filled_quote = 0  # quote base units its fills traded for, at the makers' prices
        self.reserved = reservation(order, order.baseAmount)
        self.status = OrderStatus.OPEN
        self.reason: str | None = None
        self.created_ms = now_ms
        self.updated_ms = now_ms
        self.persisted = False
        self.client_order_id = client_order_id
        self.triggered = False  # a stop whose trigger was reached: it goes on as its limit or market order
        # a number from the acceptance sequence, taken when its stop fired: where it joined its price level then
        self.book_seq: int | None = None

    @property
    def book_position(self) -> int:
        """Its place in time priority: when it was accepted, or for a stop that fired, when it fired."""
        return self.seq if self.book_seq is None else self.book_seq

    @property
    def remaining(self) -> int:
        return self.order.baseAmount - self.filled

    def place_command(self, ts: int, settlement_margin_s: int) -> PlaceOrder:
        """The engine command that puts its remaining part back on the book (restore), with what it filled (its
        minimum notional is the whole order's: a remainder below it rests, as it did before); a stop already
        triggered as the order it became (a new engine has no last price: parked, it would wait for the trigger
        again)."""
        tif = TimeInForce(self.time_in_force)
        command = replace(
            place_command(self.order, self.hash, self.maker, self.market, self.remaining, tif, ts, settlement_margin_s),
            filled=self.filled,
        )
        if self.triggered and command.order_type in TRIGGERED_AS:
            return replace(
                command, order_type=TRIGGERED_AS[command.order_type], stop_price=None, reference_trigger=False
            )
        return command
