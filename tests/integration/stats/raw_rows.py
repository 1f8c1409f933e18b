"""Raw rows written straight into a migrated database, dated as a test wants (fills, behaviour events), and
rollup passes over them: for the cases the real parts cannot stage on demand (a late commit, a past week)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.db.models import Fill, StatsEvent
from backend.db.session import make_engine
from backend.engine import MarketState
from backend.stats.rollup import PassResult, run_pass
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market

WETH, USDC = checksum("0x" + "0a" * 20), checksum("0x" + "0b" * 20)
MARKET = "WETH-USDC"
WALLETS = [checksum("0x" + f"{index:02x}" * 20) for index in range(1, 10)]


class RawDatabase:
    """A database with one market, where each `session()` block commits at its end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        with self.session() as session:
            add_market(session, Market(MARKET, WETH, USDC, "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6, 1_000,
                                       2_000, MarketState.OPEN))  # fmt: skip

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session
            session.commit()

    def roll_up(self) -> PassResult:
        """One rollup pass, committed."""
        with self.session() as session:
            return run_pass(session, 0)


@contextmanager
def raw_database(url: str) -> Iterator[RawDatabase]:
    engine = make_engine(url)
    try:
        yield RawDatabase(engine)
    finally:
        engine.dispose()


def add_fill(session: Session, fill_id: int, at_ms: int, maker: str, taker: str, status: str = "settled") -> None:
    session.add(Fill(id=fill_id, market=MARKET, maker_order_hash="0x" + "11" * 32, taker_order_hash="0x" + "22" * 32,
                     maker=maker, taker=taker, maker_side=1, price=2_000 * 10**6, base_amount=10**18,
                     quote_amount=2_000 * 10**6, maker_fee=1, taker_fee=2, status=status, released=False,
                     created_at_ms=at_ms))  # fmt: skip


def add_event(
    session: Session, wallet: str, at_ms: int, event: str = "wallet_connected", event_id: int | None = None
) -> int:
    row = StatsEvent(wallet=wallet, event=event, created_at_ms=at_ms)
    if event_id is not None:  # an id handed out before another request's, committed after it
        row.id = event_id
    session.add(row)
    session.flush()
    return row.id
