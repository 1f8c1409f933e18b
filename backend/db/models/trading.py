"""Trading: markets, signed orders, fills awaiting settlement, reservations, the engine's cursors,
cancel-after deadlines.

Written by the engine host (`backend.trading`), one writer per process; the relayer reads unsettled
fills and marks them settled or failed (`backend.trading.store.settlement`). Addresses are EIP-55.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount

FAILURE_LENGTH = 320
FAILURE_REASON_LENGTH = 400


class Market(Base):
    """A tradable pair: the engine's grid (tick, lot, min notional) and fees; see backend.trading.rules.markets."""

    __tablename__ = "markets"
    __table_args__ = (UniqueConstraint("base_token", "quote_token"),)

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    base_token: Mapped[str] = mapped_column(String(42))
    quote_token: Mapped[str] = mapped_column(String(42))
    base_symbol: Mapped[str] = mapped_column(String(16))
    quote_symbol: Mapped[str] = mapped_column(String(16))
    base_decimals: Mapped[int] = mapped_column(Integer)
    quote_decimals: Mapped[int] = mapped_column(Integer)
    tick_size: Mapped[int] = mapped_column(Amount())  # limitPrice units (quote base units per 1e18 base)
    lot_size: Mapped[int] = mapped_column(Amount())  # base base-units
    min_notional: Mapped[int] = mapped_column(Amount())  # quote base-units
    maker_fee_rate: Mapped[int] = mapped_column(Integer)  # millionths of the amount received
    taker_fee_rate: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))  # open | cancel_only | halted
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class Order(Base):
    """A signed order the API accepted; `hash` (its EIP-712 digest) is its id everywhere.

    `client_order_id` is optional and not signed (the contract never sees it); the engine host
    refuses a reuse before the row is written, and the unique index holds the line.
    """

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("seq"),
        Index("ix_orders_maker_seq", "maker", "seq"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        Index("ix_orders_maker_client_order_id", "maker", "client_order_id", unique=True),
    )

    hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)  # acceptance order: newest-first lists and cursors
    market: Mapped[str] = mapped_column(String(40))
    maker: Mapped[str] = mapped_column(String(42))
    side: Mapped[int] = mapped_column(Integer)  # 0 buy, 1 sell
    base_amount: Mapped[int] = mapped_column(Amount())
    limit_price: Mapped[int] = mapped_column(Amount())
    trigger_price: Mapped[int] = mapped_column(Amount())
    max_fee_rate: Mapped[int] = mapped_column(BigInteger)
    nonce: Mapped[int] = mapped_column(Amount())
    expiry: Mapped[int] = mapped_column(Amount())  # as signed (uint64 seconds)
    expires_at: Mapped[int] = mapped_column(BigInteger)  # expiry clamped to int64, for queries
    flags: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(65))  # r || s || v, as the contract takes it
    client_order_id: Mapped[str | None] = mapped_column(String(36))  # the maker's own id, unique per maker
    time_in_force: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # open | filled | cancelled | expired
    filled: Mapped[int] = mapped_column(Amount())  # base units
    filled_quote: Mapped[int] = mapped_column(Amount(), server_default="0")  # quote units its fills traded for
    reserved: Mapped[int] = mapped_column(Amount())  # what the remaining part still holds
    reason: Mapped[str | None] = mapped_column(String(40))  # why it left the book, if it did
    # a stop whose trigger was reached: it rests (or rested) as its limit order, and is restored so
    triggered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # when its stop fired, a number of the acceptance sequence: a rebuilt book puts it behind what rested before
    book_seq: Mapped[int | None] = mapped_column(BigInteger)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class Fill(Base):
    """One trade between two orders at the maker's price, waiting for (or done with) settlement.

    Fees are in the token each party receives (buyer: base, seller: quote), as in `IExchange.Trade`.
    `status`: unsettled -> settling -> settled, or failed (the relayer's; see backend.trading.store.settlement).
    """

    __tablename__ = "fills"
    __table_args__ = (
        Index("ix_fills_market_id", "market", "id"),
        Index("ix_fills_maker_id", "maker", "id"),
        Index("ix_fills_taker_id", "taker", "id"),
        Index("ix_fills_status_id", "status", "id"),
        # the few fills whose holds wait for their settlement to be final, read by every sync (the engine's
        # `claim_resolved_fills`) among every fill ever made
        Index(
            "ix_fills_unreleased_id", "id", postgresql_where=text("released = false"), sqlite_where=text("released = 0")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    market: Mapped[str] = mapped_column(String(40))
    maker_order_hash: Mapped[str] = mapped_column(String(66))
    taker_order_hash: Mapped[str] = mapped_column(String(66))
    maker: Mapped[str] = mapped_column(String(42))
    taker: Mapped[str] = mapped_column(String(42))
    maker_side: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Amount())
    base_amount: Mapped[int] = mapped_column(Amount())
    quote_amount: Mapped[int] = mapped_column(Amount())
    maker_fee: Mapped[int] = mapped_column(Amount())
    taker_fee: Mapped[int] = mapped_column(Amount())
    status: Mapped[str] = mapped_column(String(16))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    failure: Mapped[str | None] = mapped_column(String(FAILURE_LENGTH))  # e.g. skipped_on_chain:<error(args)>
    failure_reason: Mapped[str | None] = mapped_column(String(FAILURE_REASON_LENGTH))  # the same, in words
    released: Mapped[bool] = mapped_column(Boolean)  # its hold has left the reservations
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class StoredCandle(Base):
    """A market's fills in one interval (`1m` ... `1d`, epoch-aligned, as `backend.marketdata.candles`), folded in
    by the transaction that stores them (`backend.marketdata.candle_store`): a chart reads one row per candle,
    however many trades it holds. Like the fills, it counts every trade matched, settled or not."""

    __tablename__ = "candles"

    market: Mapped[str] = mapped_column(String(40), primary_key=True)
    span: Mapped[str] = mapped_column(String(4), primary_key=True)  # the interval, `1m` ... `1d` ("interval" is SQL's)
    start_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    open: Mapped[int] = mapped_column(Amount())
    high: Mapped[int] = mapped_column(Amount())
    low: Mapped[int] = mapped_column(Amount())
    close: Mapped[int] = mapped_column(Amount())
    base_volume: Mapped[int] = mapped_column(Amount())
    quote_volume: Mapped[int] = mapped_column(Amount())
    trades: Mapped[int] = mapped_column(BigInteger)


class Reservation(Base):
    """Funds held per (wallet, token): open orders' remaining plus unsettled fills' payments."""

    __tablename__ = "reservations"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    amount: Mapped[int] = mapped_column(Amount())


class TradingCursor(Base):
    """Named positions of the engine host: last committed engine command, last chain event consumed."""

    __tablename__ = "trading_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CancelAfter(Base):
    """A wallet's cancel-after switch for one market or all (`*`); see backend.trading.rules.cancel_after.

    `deadline_ms` 0 means off; `timestamp_ms` (of the last signed request) stays, against replays.
    """

    __tablename__ = "cancel_after"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    deadline_ms: Mapped[int] = mapped_column(BigInteger)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)


class BulkCancelStamp(Base):
    """The timestamp of a wallet's last signed bulk cancel (`POST /v1/orders/cancel`), against replays: a request
    must come later, so one captured cannot be sent again, nor applied twice after a restart."""

    __tablename__ = "bulk_cancel_stamps"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
