"""Statistics (see backend.stats): daily rollups per market, per token and of wallets, their cursors, and the
two kinds of raw observation they are made from besides the trading and ledger tables: first-party behaviour
events per wallet and the chain's token balances of the Exchange read on the day.

Days are UTC dates as ISO text (`YYYY-MM-DD`): they sort and compare alike on every database. Rollup rows are
derived: `hdex stats rebuild` deletes and recomputes them; events and chain balances are kept.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


class StatsMarketDay(Base):
    """One market's trading on one day. Fees are in the token each payer received (buyer: base, seller: quote)."""

    __tablename__ = "stats_market_days"

    market: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    trades: Mapped[int] = mapped_column(Integer)  # fills that did not fail settlement
    traders: Mapped[int] = mapped_column(Integer)  # distinct wallets, maker or taker
    base_volume: Mapped[int] = mapped_column(Amount())
    quote_volume: Mapped[int] = mapped_column(Amount())
    taker_buy_base: Mapped[int] = mapped_column(Amount())  # base bought by takers (maker sold)
    taker_sell_base: Mapped[int] = mapped_column(Amount())
    maker_fee_base: Mapped[int] = mapped_column(Amount())
    maker_fee_quote: Mapped[int] = mapped_column(Amount())
    taker_fee_base: Mapped[int] = mapped_column(Amount())
    taker_fee_quote: Mapped[int] = mapped_column(Amount())
    failed_trades: Mapped[int] = mapped_column(Integer)  # fills whose settlement failed: not in the figures


class StatsTokenDay(Base):
    """One token's deposits and withdrawals on one day (final on-chain, not reversed) and the Exchange's holding."""

    __tablename__ = "stats_token_days"

    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    deposits: Mapped[int] = mapped_column(Integer)
    deposit_amount: Mapped[int] = mapped_column(Amount())
    withdrawals: Mapped[int] = mapped_column(Integer)
    withdrawal_amount: Mapped[int] = mapped_column(Amount())  # what left the Exchange (the fee stays in)
    net_flow: Mapped[int] = mapped_column(Amount())  # deposit_amount - withdrawal_amount
    value_locked: Mapped[int | None] = mapped_column(Amount())  # the chain's reading on that day, if one was taken


class StatsWallet(Base):
    """When a wallet first reached each step of the funnel (epoch ms; None: not yet)."""

    __tablename__ = "stats_wallets"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    first_seen_ms: Mapped[int] = mapped_column(BigInteger)
    connected_ms: Mapped[int | None] = mapped_column(BigInteger)
    signed_in_ms: Mapped[int | None] = mapped_column(BigInteger)
    deposited_ms: Mapped[int | None] = mapped_column(BigInteger)
    traded_ms: Mapped[int | None] = mapped_column(BigInteger)


class StatsWalletDay(Base):
    """A wallet was active on a day (connected, signed in, deposited, withdrew or traded): DAU/WAU/MAU, cohorts."""

    __tablename__ = "stats_wallet_days"
    __table_args__ = (Index("ix_stats_wallet_days_day", "day"),)

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    traded: Mapped[bool] = mapped_column(Boolean)


class StatsUserDay(Base):
    """Wallets on one day: new ones (first seen) and those reaching each funnel step first (the active ones are
    counted from `stats_wallet_days`, over the window each figure wants)."""

    __tablename__ = "stats_user_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    new_wallets: Mapped[int] = mapped_column(Integer)
    connected: Mapped[int] = mapped_column(Integer)
    signed_in: Mapped[int] = mapped_column(Integer)
    deposited: Mapped[int] = mapped_column(Integer)
    traded: Mapped[int] = mapped_column(Integer)


class StatsEvent(Base):
    """A first-party behaviour event of a wallet (`wallet_connected` from the dApp, `signed_in` copied from the
    wallet sessions, which are deleted at sign-out). Pseudonymous: the wallet, the kind and the time only."""

    __tablename__ = "stats_events"
    __table_args__ = (
        UniqueConstraint("wallet", "event", "created_at_ms"),
        Index("ix_stats_events_wallet", "wallet"),
        {"sqlite_autoincrement": True},  # a deleted event's id is never handed out again (as PostgreSQL's sequence)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(String(42))  # EIP-55
    event: Mapped[str] = mapped_column(String(32))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class StatsChainBalance(Base):
    """The Exchange's balance of a token as read from the chain on a day (the last reading of the day wins)."""

    __tablename__ = "stats_chain_balances"

    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[int] = mapped_column(Amount())
    block_number: Mapped[int] = mapped_column(BigInteger)
    read_at_ms: Mapped[int] = mapped_column(BigInteger)


class StatsCursor(Base):
    """How far the rollups have read a source (`name`: e.g. "fills" -> the last fill id rolled up)."""

    __tablename__ = "stats_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
