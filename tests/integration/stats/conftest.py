"""Statistics fixtures: the trading API on a real database (SQLite and PostgreSQL) with two markets, and a day
of exchange life made through the real parts (signed orders matched by the engine host, deposits and
withdrawals posted by the ledger service with the indexer's posting rules, a reorg's reversal, a failed
settlement, a dApp behaviour event), plus a few raw rows of earlier days (two-day spans without waiting)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from backend.db.models import Fill, LedgerEntry, LedgerTransaction, StatsEvent, WalletSession
from backend.engine import MarketState
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, postings_for
from backend.stats.days import DAY_MS
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import Market
from backend.trading.store import settlement
from backend.trading.store.markets import add_market

from ...clock import start_within_one_utc_day
from ..api.exchange_fixtures import LOT, PRICE, QTY, TICK, USDC, WETH, Exchange, fund, prepare, running, wallet

WBTC = "0x" + "0c" * 20
SECOND = "WBTC-USDC"
FEE_RECIPIENT = checksum("0x" + "fe" * 20)
_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def one_utc_day() -> None:
    """The tests compare today's rollup rows with the trades they just made (see `start_within_one_utc_day`)."""
    start_within_one_utc_day()


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The API with two markets (WETH-USDC, WBTC-USDC) and funded dev traders 5..9."""
    container = prepare(database_url, tmp_path, stats_interval_s=60.0)
    with container.uow() as uow:
        add_market(
            uow.session,
            Market(SECOND, WBTC, USDC, "WBTC", "USDC", 18, 6, TICK, LOT, 10 * 10**6, 1_000, 2_000, MarketState.OPEN),
        )
        uow.commit()
    for index in range(5, 10):
        fund(container, wallet(index), checksum(WBTC), 100 * 10**18)
    yield from running(container)


def trade(
    exchange: Exchange, seller: int, buyer: int, *, base: str = WETH, qty: int = QTY, taker_buys: bool = True
) -> None:
    """A maker order and a crossing taker order, through POST /v1/orders."""
    if taker_buys:
        maker = exchange.place(seller, side=1, baseToken=base, baseAmount=qty)
        taker = exchange.place(buyer, side=0, baseToken=base, baseAmount=qty, limitPrice=PRICE + 10 * TICK)
    else:
        maker = exchange.place(buyer, side=0, baseToken=base, baseAmount=qty)
        taker = exchange.place(seller, side=1, baseToken=base, baseAmount=qty, limitPrice=PRICE - 10 * TICK)
    assert maker.status_code == 201 or maker.status_code == 200, maker.text
    assert taker.json()["status"] == "filled", taker.text


def withdraw(exchange: Exchange, index: int, token: str, amount: int, fee: int) -> int:
    """A final Withdrawn event as the indexer posts it (the ledger's posting rule for the event)."""
    args = {"wallet": wallet(index), "token": checksum(token), "amount": str(amount), "fee": str(fee),
            "feeRecipient": FEE_RECIPIENT}  # fmt: skip
    with exchange.container.uow() as uow:
        ledger.post(
            uow.session, [ledger.NewTransaction("withdrawal", f"test:w:{next(_refs)}", postings_for("Withdrawn", args))]
        )
        uow.commit()
        return int(uow.session.scalar(select(LedgerTransaction.id).order_by(LedgerTransaction.id.desc()).limit(1)) or 0)


def reverse(exchange: Exchange, tx_id: int) -> None:
    """A deep reorg undid a final event: its ledger transaction is reversed (as the indexer does)."""
    with exchange.container.uow() as uow:
        original = uow.session.get(LedgerTransaction, tx_id)
        assert original is not None
        ledger.reverse(uow.session, original, f"reversal:test:{tx_id}")
        uow.commit()


def last_deposit(exchange: Exchange, index: int, token: str) -> int:
    with exchange.container.uow() as uow:
        return int(
            uow.session.scalar(
                select(LedgerTransaction.id)
                .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
                .where(
                    LedgerTransaction.reason == "deposit",
                    LedgerEntry.account == wallet(index),
                    LedgerEntry.token == checksum(token),
                )
                .order_by(LedgerTransaction.id.desc())
                .limit(1)
            )
            or 0
        )


def fail_last_unsettled(exchange: Exchange) -> None:
    """The relayer gives up on today's last fill: the contract skipped it (backend.trading.store.settlement)."""
    exchange.drain()
    with exchange.container.uow() as uow:
        last = settlement.unsettled(uow.session, limit=100)[-1]
        settlement.fail(uow.session, last.id, "skipped_on_chain:InsufficientBalance", "not settled")
        uow.commit()


def earlier_days(exchange: Exchange, days_back: int) -> None:
    """Rows of an earlier day: a trade on each market (made now by the engine, then dated back, as if the
    engine host had written it then), a deposit of a wallet that never trades, a sign-in."""
    trade(exchange, 8, 9, qty=2 * QTY)
    trade(exchange, 9, 8, base=WBTC, qty=2 * QTY, taker_buys=False)
    exchange.drain()
    at_ms = time.time_ns() // 1_000_000 - days_back * DAY_MS
    with exchange.container.uow() as uow:
        uow.session.execute(update(Fill).values(created_at_ms=Fill.created_at_ms - days_back * DAY_MS))
        tx = LedgerTransaction(reason="deposit", reference=f"test:old:{next(_refs)}",
                               created_at=datetime.fromtimestamp(at_ms / 1000, UTC))  # fmt: skip
        uow.session.add(tx)
        uow.session.flush()
        newcomer = checksum("0x" + "ab" * 20)
        uow.session.add_all([
            LedgerEntry(transaction_id=tx.id, account=EXTERNAL, token=checksum(USDC), amount=-7 * 10**6),
            LedgerEntry(transaction_id=tx.id, account=newcomer, token=checksum(USDC), amount=7 * 10**6),
        ])  # fmt: skip
        uow.session.add(WalletSession(token_hash=f"{next(_refs):064x}", address=wallet(7), chain_id=31337,
                                      created_at_ms=at_ms, expires_at_ms=at_ms + DAY_MS))  # fmt: skip
        uow.commit()


@dataclass
class Scenario:
    """What the first and the second half of the scenario did (for the tests' own expectations)."""

    reversed_deposit: int = 0


def first_half(exchange: Exchange) -> Scenario:
    earlier_days(exchange, 3)
    trade(exchange, 5, 6)  # WETH-USDC, the taker buys
    trade(exchange, 6, 7, taker_buys=False)  # WETH-USDC, the taker sells
    trade(exchange, 5, 8, base=WBTC, qty=2 * QTY)  # WBTC-USDC
    assert exchange.client.post(
        "/v1/stats/events", json={"event": "wallet_connected", "wallet": wallet(5).lower()}
    ).json() == {"recorded": True}
    return Scenario()


def second_half(exchange: Exchange, scenario: Scenario) -> None:
    trade(exchange, 7, 9, base=WBTC)
    trade(exchange, 8, 5)
    fail_last_unsettled(exchange)  # that WETH-USDC fill: out of the figures, counted as failed
    withdraw(exchange, 6, USDC, 1_000 * 10**6, 2 * 10**6)
    withdraw(exchange, 9, WETH, 10**18, 0)
    fund(exchange.container, wallet(9), checksum(USDC), 55 * 10**6)
    scenario.reversed_deposit = last_deposit(exchange, 9, USDC)
    reverse(exchange, scenario.reversed_deposit)  # a reorg undid that deposit
    exchange.client.post("/v1/stats/events", json={"event": "wallet_connected", "wallet": wallet(6)})
    with exchange.container.uow() as uow:
        uow.session.add(WalletSession(token_hash=f"{next(_refs):064x}", address=wallet(6), chain_id=31337,
                                      created_at_ms=time.time_ns() // 1_000_000, expires_at_ms=2**40))  # fmt: skip
        uow.commit()


def event_count(exchange: Exchange) -> int:
    with exchange.container.uow() as uow:
        return len(uow.session.scalars(select(StatsEvent)).all())
