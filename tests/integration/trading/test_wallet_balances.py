"""The engine's balance read on a real database: a ledger change landing in the middle of it never makes
the wallet look richer than it is.

`wallet_balances` reads the ledger and the wallet's holds (unfinished withdrawal requests, frozen funds) in
separate statements. Each interleaving is forced: right after one of its statements, the indexer makes an
event final (and the relayer completes a withdrawal), committed on connections of their own, before the
read's next statement runs. Whichever statement it follows, the read may count less, never more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from backend.bootstrap import Container, bootstrap
from backend.chain.jsonrpc import JsonRpcClient
from backend.compliance.deposits import DepositScreening
from backend.compliance.factory import screener_for
from backend.compliance.lists import SanctionsList
from backend.compliance.providers import DenyListProvider, SanctionsListProvider
from backend.compliance.screening import Screener
from backend.compliance.store import import_list
from backend.db import migrate
from backend.db.models import ChainEvent, FrozenFunds, WithdrawalRequest
from backend.db.session import make_engine
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.settings import load_settings
from backend.statuses import ChainEventStatus, WithdrawalStatus
from backend.trading.hosting.chain_sync import wallet_balances
from backend.trading.rules.accounts import checksum
from indexer.decode import EventDecoder
from indexer.follower import BeforeFinal, Follower, FollowerConfig
from relayer.withdrawals import WithdrawalWork

CHAIN_ID = 31337
EXCHANGE = checksum("0x" + "e1" * 20)
WALLET = checksum("0x" + "a1" * 20)
TOKEN = checksum("0x" + "0b" * 20)
FUNDED, MOVED = 5_000 * 10**6, 2_000 * 10**6
MINED_AT = 7  # the event's block, also the chain's head
TX_HASH = "0x" + "77" * 32
REQUEST_HASH = "0x" + "5e" * 32
STATEMENTS = (1, 2, 3)  # wallet_balances reads one chunk of wallets in three statements


class ChainAt(JsonRpcClient):
    """A node whose head is the event's block: the indexer has scanned it and only finality is left."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9")  # never called

    def block_number(self) -> int:
        return MINED_AT

    def chain_id(self) -> int:
        return 31337


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    migrate.upgrade(database_url)
    settings = load_settings(_env_file=None, database_url=database_url, data_dir=tmp_path, redis_url=None)
    container = bootstrap(settings)
    with container.uow() as uow:
        deposit = [Posting(EXTERNAL, TOKEN, -FUNDED), Posting(WALLET, TOKEN, FUNDED)]
        ledger.post(uow.session, [ledger.NewTransaction("deposit", "test:funded", deposit)])
        uow.commit()
    yield container
    container.db_engine.dispose()


def mined(container: Container, name: str, args: dict[str, str]) -> None:
    """The event as the indexer stored it when it scanned the block: pending, not in the ledger yet."""
    with container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=MINED_AT, block_hash="0x" + "11" * 32, tx_hash=TX_HASH, log_index=0,
                contract=EXCHANGE, name=name, args=args, status=ChainEventStatus.PENDING,
            )
        )  # fmt: skip
        uow.commit()


def make_final(container: Container, before_final: BeforeFinal | None = None) -> None:
    """The indexer's next poll: the event has its confirmations, becomes final and posts to the ledger."""
    config = FollowerConfig(CHAIN_ID, EXCHANGE, start_block=MINED_AT + 1, confirmations=1)
    Follower(ChainAt(), EventDecoder([]), container.session_factory, config, before_final).poll_once()


def read_with(container: Container, database_url: str, after: int, happen: Callable[[], None]) -> int:
    """WALLET's TOKEN as `wallet_balances` reads it when `happen` runs right after its statement number `after`."""
    reader = make_engine(database_url)  # the read's own connections: the hook sees only its statements
    reader.connect().close()  # a first connection's own set-up statements are not the read's
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)
        if len(statements) == after:
            happen()

    event.listen(reader, "after_cursor_execute", count)
    try:
        with Session(reader) as session:
            read = wallet_balances(session, [WALLET])
    finally:
        reader.dispose()
    assert len(statements) == len(STATEMENTS) and all(s.lstrip().startswith("SELECT") for s in statements)
    return read[WALLET][TOKEN]


def exact_read(container: Container) -> int:
    with container.uow() as uow:
        return wallet_balances(uow.session, [WALLET])[WALLET][TOKEN]


@pytest.mark.parametrize("after", STATEMENTS)
def test_a_withdrawal_completing_during_the_read_is_never_counted_as_available(
    container: Container, database_url: str, after: int
) -> None:
    now = int(time.time() * 1000)
    with container.uow() as uow:  # mined (relayed), not final yet: the request holds MOVED of the ledger's FUNDED
        uow.session.add(
            WithdrawalRequest(
                hash=REQUEST_HASH, wallet=WALLET, token=TOKEN, amount=MOVED, max_fee=0, fee=0, recipient=WALLET,
                nonce=1, expiry=2**32, signature=b"\x01" * 65, status=WithdrawalStatus.RELAYED, tx_hash=TX_HASH,
                created_at_ms=now, updated_at_ms=now,
            )
        )  # fmt: skip
        uow.commit()
    mined(container, "Withdrawn", {
        "wallet": WALLET, "token": TOKEN, "amount": str(MOVED), "fee": "0", "feeRecipient": EXCHANGE,
        "recipient": WALLET, "withdrawalHash": REQUEST_HASH,
    })  # fmt: skip
    truth = FUNDED - MOVED  # before the completion (the ledger less the request) as after it (the ledger alone)
    assert exact_read(container) == truth

    def complete() -> None:  # the ledger's debit first (indexer), then the request completes (relayer)
        make_final(container)
        work = WithdrawalWork(container, screener_for(container), EXCHANGE, [], notify=lambda wallet, message: None)
        work._complete_final()

    read = read_with(container, database_url, after, complete)
    with container.uow() as uow:
        request = uow.session.get(WithdrawalRequest, REQUEST_HASH)
        assert request is not None and request.status == WithdrawalStatus.COMPLETED
    assert read <= truth  # counted twice at worst (less available), never not at all
    assert exact_read(container) == truth


@pytest.mark.parametrize("after", STATEMENTS)
def test_a_blocked_deposit_frozen_during_the_read_is_never_counted_as_available(
    container: Container, database_url: str, after: int
) -> None:
    with container.uow() as uow:
        import_list(uow.session, SanctionsList("ofac-sdn", "test", frozenset({WALLET.lower()})))
        uow.commit()
    mined(container, "Deposited", {"wallet": WALLET, "token": TOKEN, "amount": str(MOVED)})
    truth = FUNDED  # before the deposit is final as after it (credited and frozen in one transaction)
    screening = DepositScreening(Screener(container.session_factory, [SanctionsListProvider(), DenyListProvider()]))

    read = read_with(container, database_url, after, lambda: make_final(container, screening))
    with container.uow() as uow:
        assert [f.amount for f in uow.session.scalars(select(FrozenFunds))] == [MOVED]
    assert read <= truth  # frozen twice at worst, never credited without its freeze
    assert exact_read(container) == truth
