"""Migration 0034 gives each order the quote its fills traded for (maker's and taker's alike), summed from the fills
already stored, on SQLite and PostgreSQL; its downgrade drops the column."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine

BIG = 3 * 10**40  # past any float's precision: summed as integers, never in SQL on SQLite


def _order(connection: sa.Connection, seq: int, order_hash: str) -> None:
    connection.execute(sa.text(
        "INSERT INTO orders (hash, seq, market, maker, side, base_amount, limit_price, trigger_price, max_fee_rate, "
        "nonce, expiry, expires_at, flags, signature, time_in_force, status, filled, reserved, triggered, "
        "created_at_ms, updated_at_ms) VALUES (:hash, :seq, 'WETH-USDC', :maker, 0, '1', '1', '0', 0, :seq, '1', 1, "
        "0, :signature, 'GTC', 'filled', '1', '0', false, 1, 1)"
    ), {"hash": order_hash, "seq": seq, "maker": "0x" + "11" * 20, "signature": b"\x01" * 65})  # fmt: skip


def _fill(connection: sa.Connection, fill_id: int, maker: str, taker: str, quote: int) -> None:
    connection.execute(sa.text(
        "INSERT INTO fills (id, market, maker_order_hash, taker_order_hash, maker, taker, maker_side, price, "
        "base_amount, quote_amount, maker_fee, taker_fee, status, released, created_at_ms) VALUES (:id, 'WETH-USDC', "
        ":maker, :taker, :wallet, :wallet, 1, '1', '1', :quote, '0', '0', 'settled', true, 1)"
    ), {"id": fill_id, "maker": maker, "taker": taker, "wallet": "0x" + "11" * 20, "quote": str(quote)})  # fmt: skip


def test_0034_sums_each_orders_fills_into_its_filled_quote_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0033")
    engine = make_engine(empty_database_url)
    resting, taker, other, untraded = ("0x" + c * 64 for c in "abcd")
    try:
        with engine.begin() as connection:
            for seq, order_hash in enumerate((resting, taker, other, untraded), start=1):
                _order(connection, seq, order_hash)
            _fill(connection, 1, resting, taker, BIG)
            _fill(connection, 2, resting, other, 7)  # the resting order made both trades
        migrate.upgrade(empty_database_url, "0034")
        with engine.connect() as connection:
            rows = dict(connection.execute(sa.text("SELECT hash, filled_quote FROM orders")).all())
        assert {h: int(q) for h, q in rows.items()} == {resting: BIG + 7, taker: BIG, other: 7, untraded: 0}
        migrate.downgrade(empty_database_url, "0033")
        assert "filled_quote" not in {c["name"] for c in sa.inspect(engine).get_columns("orders")}
    finally:
        engine.dispose()
