"""candles: every interval's OHLCV per market, stored as fills are written, filled in here from the fills so far

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As backend.marketdata.candles.INTERVALS_MS (a migration does not import the application: it changes after it).
SPANS_MS = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000}
READ_ROWS = 10_000


def upgrade() -> None:
    candles = op.create_table(
        "candles",
        sa.Column("market", sa.String(length=40), nullable=False),
        sa.Column("span", sa.String(length=4), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("open", Amount(), nullable=False),
        sa.Column("high", Amount(), nullable=False),
        sa.Column("low", Amount(), nullable=False),
        sa.Column("close", Amount(), nullable=False),
        sa.Column("base_volume", Amount(), nullable=False),
        sa.Column("quote_volume", Amount(), nullable=False),
        sa.Column("trades", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("market", "span", "start_ms", name=op.f("pk_candles")),
    )
    assert candles is not None
    fills = sa.table(
        "fills", sa.column("id", sa.BigInteger), sa.column("market", sa.String), sa.column("price", Amount()),
        sa.column("base_amount", Amount()), sa.column("quote_amount", Amount()),
        sa.column("created_at_ms", sa.BigInteger),
    )  # fmt: skip
    # (market, span, start) -> [open, high, low, close, base volume, quote volume, trades], fills in id order
    folded: dict[tuple[str, str, int], list[int]] = {}
    bind = op.get_bind()
    query = sa.select(fills.c.market, fills.c.price, fills.c.base_amount, fills.c.quote_amount, fills.c.created_at_ms)
    for market, price, base, quote, at in bind.execute(query.order_by(fills.c.id)).yield_per(READ_ROWS):
        for span, size in SPANS_MS.items():
            candle = folded.get((market, span, at - at % size))
            if candle is None:
                folded[(market, span, at - at % size)] = [price, price, price, price, base, quote, 1]
            else:
                candle[1], candle[2], candle[3] = max(candle[1], price), min(candle[2], price), price
                candle[4], candle[5], candle[6] = candle[4] + base, candle[5] + quote, candle[6] + 1
    rows = [
        {"market": market, "span": span, "start_ms": start, "open": c[0], "high": c[1], "low": c[2], "close": c[3],
         "base_volume": c[4], "quote_volume": c[5], "trades": c[6]}
        for (market, span, start), c in folded.items()
    ]  # fmt: skip
    for first in range(0, len(rows), READ_ROWS):
        op.bulk_insert(candles, rows[first : first + READ_ROWS])


def downgrade() -> None:
    op.drop_table("candles")
