"""Migration 0027 marks for the relayer's final-chain check the confirmed settlement batches whose fills still wait
for final events, and nothing else (on SQLite and PostgreSQL); its downgrade drops the column."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine

from .test_migration_0025 import _stored, fill


def operator_tx(n: int, kind: str, status: str) -> dict[str, object]:
    return {
        "id": n, "chain_id": 31337, "kind": kind, "reference": f"{kind}:{n}", "sender": "0x" + "0a" * 20,
        "nonce": n, "to": "0x" + "e1" * 20, "data": "0x", "gas_limit": 100_000, "access_list": [],
        "max_fee_per_gas": 1, "max_priority_fee_per_gas": 1, "raw_tx": "0x", "tx_hash": f"0x{n:064x}",
        "hashes": [f"0x{n:064x}"], "status": status, "mined_hash": f"0x{n:064x}", "block_number": n, "error": None,
    }  # fmt: skip


def test_0027_marks_the_confirmed_batches_whose_fills_still_wait(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0026")
    engine = make_engine(empty_database_url)
    try:
        tables = {name: sa.Table(name, sa.MetaData(), autoload_with=engine)
                  for name in ("fills", "operator_txs", "settlement_items")}  # fmt: skip
        txs = [operator_tx(1, "settle", "confirmed"), operator_tx(2, "settle", "confirmed"),
               operator_tx(3, "settle", "failed"), operator_tx(4, "withdraw", "confirmed")]  # fmt: skip
        fills = [fill(1, 0, 100, 1) | {"released": False}, fill(2, 0, 100, 1) | {"released": True},
                 fill(3, 0, 100, 1) | {"released": False}]  # fmt: skip
        items = [{"id": n, "operator_tx_id": n, "trade_index": 0, "fill_id": n, "outcome": "settled"}
                 for n in (1, 2, 3)]  # fmt: skip
        with engine.begin() as connection:
            connection.execute(tables["operator_txs"].insert(), txs)
            connection.execute(tables["fills"].insert(), [_stored(f, engine) for f in fills])
            connection.execute(tables["settlement_items"].insert(), items)
        migrate.upgrade(empty_database_url, "0027")
        operator_txs = sa.Table("operator_txs", sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            due = connection.execute(sa.select(operator_txs.c.id, operator_txs.c.final_check_due)).all()
        # 1: its fill waits; 2: released (history); 3: not confirmed; 4: a withdrawal
        assert sorted((n, bool(flag)) for n, flag in due) == [(1, True), (2, False), (3, False), (4, False)]
        migrate.downgrade(empty_database_url, "0026")
        assert "final_check_due" not in {c["name"] for c in sa.inspect(engine).get_columns("operator_txs")}
    finally:
        engine.dispose()
