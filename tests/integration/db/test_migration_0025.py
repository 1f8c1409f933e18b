"""Migration 0025 fills the new candles table in from the fills stored before it, as the engine host's writer
folds new fills in (`backend.marketdata.candle_store.fold`), on SQLite and PostgreSQL; its downgrade drops it."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine
from backend.marketdata.candle_store import fold

MARKET = "WETH-USDC"
T0 = 1_700_000_000_000


def fill(n: int, at: int, price: int, base: int) -> dict[str, object]:
    return {
        "id": n, "market": MARKET if n % 3 else "WBTC-USDC", "maker_order_hash": "0x" + "01" * 32,
        "taker_order_hash": "0x" + "02" * 32, "maker": "0x" + "05" * 20, "taker": "0x" + "06" * 20, "maker_side": 1,
        "price": price, "base_amount": base, "quote_amount": base * price, "maker_fee": 0, "taker_fee": 0,
        "status": "settled", "tx_hash": None, "failure": None, "failure_reason": None, "released": False,
        "created_at_ms": at,
    }  # fmt: skip


def test_0025_makes_the_candles_of_the_fills_already_stored(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0024")
    fills = [fill(n, T0 + n * 97_000, 100 + n % 7, 10**19 + n) for n in range(400)]  # ~11 hours, amounts past 64 bits
    engine = make_engine(empty_database_url)
    try:
        fills_table = sa.Table("fills", sa.MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            connection.execute(fills_table.insert(), [_stored(f, engine) for f in fills])
        migrate.upgrade(empty_database_url, "0025")
        candles = sa.Table("candles", sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            stored = {
                (r.market, r.span, r.start_ms): (int(r.open), int(r.high), int(r.low), int(r.close),
                                                 int(r.base_volume), int(r.quote_volume), r.trades)
                for r in connection.execute(sa.select(candles))
            }  # fmt: skip
        expected = {
            key: (c.open, c.high, c.low, c.close, c.base_volume, c.quote_volume, c.trades)
            for key, c in fold(fills).items()
        }
        assert stored == expected and len(stored) > 400
        migrate.downgrade(empty_database_url, "0024")
        assert "candles" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _stored(row: dict[str, object], engine: sa.Engine) -> dict[str, object]:
    """Amounts as the table keeps them: decimal text on SQLite, numbers on PostgreSQL."""
    if engine.dialect.name == "postgresql":
        return row
    amounts = ("price", "base_amount", "quote_amount", "maker_fee", "taker_fee")
    return {k: str(v) if k in amounts else v for k, v in row.items()}
