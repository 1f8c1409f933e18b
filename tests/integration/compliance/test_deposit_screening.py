"""Depositor screening on a real chain: a blocked depositor's deposit is credited but frozen and alerted."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.artifacts import load_artifact
from backend.chain.jsonrpc import JsonRpcClient
from backend.compliance.deposits import DepositScreening
from backend.compliance.lists import SanctionsList
from backend.compliance.providers import DenyListProvider, Hit, ProviderUnavailable, SanctionsListProvider
from backend.compliance.screening import Screener
from backend.compliance.store import import_list
from backend.db import migrate
from backend.db.models import Alert, ChainEvent, FrozenFunds
from backend.db.session import make_engine
from backend.ledger import service as ledger
from backend.trading.hosting.chain_sync import wallet_balances
from indexer.decode import EventDecoder
from indexer.follower import Follower, FollowerConfig

from ..devchain import DevChain, address_of

pytestmark = pytest.mark.chain

BLOCKED, CLEAN = 5, 6


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        import_list(session, SanctionsList("ofac-sdn", "test", frozenset({address_of(BLOCKED).lower()})))
        session.commit()
    yield factory
    engine.dispose()


def follower(chain: DevChain, sessions: sessionmaker[Session], screener: Screener) -> Follower:
    config = FollowerConfig(31337, chain.exchange.address, chain.stack.block_number, confirmations=1)
    return Follower(
        JsonRpcClient(chain.url), EventDecoder(load_artifact("Exchange").abi), sessions, config,
        before_final=DepositScreening(screener),
    )  # fmt: skip


def test_a_blocked_depositor_is_credited_as_the_chain_says_but_frozen_and_alerted(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer = follower(devchain, sessions, Screener(sessions, [SanctionsListProvider(), DenyListProvider()]))
    devchain.deposit(BLOCKED, "USDC", 5_000)
    devchain.deposit(CLEAN, "USDC", 7_000)
    devchain.mine(1)
    indexer.poll_once()
    usdc = devchain.token("USDC").address
    with sessions() as session:
        assert ledger.balances(session)[(address_of(BLOCKED), usdc)] == 5_000  # the ledger mirrors the chain
        frozen = session.scalars(select(FrozenFunds)).all()
        assert [(f.wallet, f.token, f.amount) for f in frozen] == [(address_of(BLOCKED), usdc, 5_000)]
        [alert] = session.scalars(select(Alert)).all()
        # as every alert: its subject (a case's report summarises the wallet) and its time in UTC milliseconds
        assert (alert.kind, alert.subject, alert.status) == ("sanctioned_deposit", f"wallet:{address_of(BLOCKED)}",
                                                             "open")  # fmt: skip
        assert alert.created_at_ms is not None and abs(alert.created_at_ms - time.time() * 1000) < 600_000
        tradable = wallet_balances(session, [address_of(BLOCKED), address_of(CLEAN)])
    assert tradable[address_of(BLOCKED)][usdc] == 0
    assert tradable[address_of(CLEAN)][usdc] == 7_000


def test_deposits_stay_pending_while_screening_is_unavailable(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    class Down(DenyListProvider):
        def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
            raise ProviderUnavailable("oracle down")

    indexer = follower(devchain, sessions, Screener(sessions, [SanctionsListProvider(), Down()]))
    devchain.deposit(CLEAN, "USDC", 7_000)
    devchain.mine(1)
    with pytest.raises(ProviderUnavailable):
        indexer.poll_once()
    with sessions() as session:
        assert [e.status for e in session.scalars(select(ChainEvent).where(ChainEvent.name == "Deposited"))] == [
            "pending"
        ]
        assert ledger.balances(session) == {}
    recovered = follower(devchain, sessions, Screener(sessions, [SanctionsListProvider(), DenyListProvider()]))
    recovered.poll_once()
    with sessions() as session:
        assert ledger.balances(session)[(address_of(CLEAN), devchain.token("USDC").address)] == 7_000
