"""The engine's claim of resolved fills on a real database (SQLite and PostgreSQL): every sync looks at a page of
the unreleased fills, oldest first, and the next sync goes on after it, so fills whose settlement never becomes
final (lost to a reorg) or takes long (a deep finality) cannot keep the resolved fills behind them from giving
their holds back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_utils.address import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db.models import Fill
from backend.db.session import make_engine
from backend.engine import MarketState
from backend.statuses import FillStatus
from backend.trading.hosting import chain_sync
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market

WETH = to_checksum_address("0x" + "11" * 20)
USDC = to_checksum_address("0x" + "22" * 20)
MAKER = to_checksum_address("0x" + "a1" * 20)
TAKER = to_checksum_address("0x" + "b2" * 20)
MARKET = Market("WETH-USDC", WETH, USDC, "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6, 1_000, 2_000,
                MarketState.OPEN)  # fmt: skip
PAGE = 3
WAITING = list(range(1, 8))  # settled in a transaction no final event names: they wait
FAILED = 8  # failed before reaching the chain: resolved at once


@pytest.fixture
def session(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setattr(chain_sync, "CLAIM_PAGE", PAGE)
    engine = make_engine(database_url)
    with sessionmaker(engine, expire_on_commit=False)() as session:
        add_market(session, MARKET)
        for fill_id in [*WAITING, FAILED]:
            failed = fill_id == FAILED
            session.add(Fill(
                id=fill_id, market=MARKET.name, maker_order_hash="0x" + "01" * 32, taker_order_hash="0x" + "02" * 32,
                maker=MAKER, taker=TAKER, maker_side=1, price=2_000 * 10**6, base_amount=10**15,
                quote_amount=2 * 10**6, maker_fee=0, taker_fee=0,
                status=FillStatus.FAILED if failed else FillStatus.SETTLED,
                tx_hash=None if failed else "0x" + "77" * 32, failure=None, failure_reason=None, released=False,
                created_at_ms=0,
            ))  # fmt: skip
        session.commit()
        yield session
    engine.dispose()


def released(session: Session) -> list[int]:
    return list(session.scalars(select(Fill.id).where(Fill.released.is_(True)).order_by(Fill.id)))


def test_a_resolved_fill_behind_a_page_of_waiting_ones_gets_its_turn(session: Session) -> None:
    cursor, claims = 0, []
    for _ in range(3):  # the fill is in the third page
        holds, _ruled_out, cursor = chain_sync.claim_resolved_fills(session, {MARKET.name: MARKET}, cursor)
        session.commit()
        claims.append((holds, cursor))
    assert claims == [
        ([], 3),
        ([], 6),
        ([(MAKER, WETH, 10**15), (TAKER, USDC, 2 * 10**6)], 0),  # the seller's base, the buyer's quote; start over
    ]
    assert released(session) == [FAILED]


def test_a_claim_starts_over_after_the_last_page_and_never_releases_what_waits(session: Session) -> None:
    markets = {MARKET.name: MARKET}
    cursor = 6
    _holds, _ruled_out, cursor = chain_sync.claim_resolved_fills(session, markets, cursor)
    assert (released(session), cursor) == ([FAILED], 0)
    pages = [chain_sync.claim_resolved_fills(session, markets, after)[::2] for after in (0, 3, 6)]
    assert pages == [([], 3), ([], 6), ([], 0)]  # the waiting ones, read again in turn, stay held
    assert released(session) == [FAILED]
