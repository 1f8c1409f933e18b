"""The engine host's durability, on its real parts: journal before publish, snapshot rotation,
and recovery on reopen across journal segments (`JournalStore`, `BatchWriter`, `recover_engine`, `TradingService`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.bootstrap import bootstrap
from backend.chain.deployments import record_deployments
from backend.db import migrate
from backend.db.models import Order
from backend.db.session import make_engine
from backend.engine import AddMarket, CancelOrder, Command, Engine, OrderType, PlaceOrder, Side, TimeInForce
from backend.engine.adapters.file_journal import FileJournal, read_journal
from backend.errors import HdexError
from backend.settings import load_settings
from backend.signing import Domain
from backend.trading.hosting.commands import RunEngine
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.journal import JournalStore
from backend.trading.hosting.lease import Fence
from backend.trading.hosting.persistence import BatchRows, BatchWriter
from backend.trading.hosting.restore import recover_engine
from backend.trading.hosting.service import TradingService
from backend.trading.rules.accounts import AccountBook
from backend.trading.rules.checks import Limits
from backend.trading.views.publish import Publication

MARKET = "ETH-USDC"


def order(order_id: str, side: Side, price: int, amount: int) -> PlaceOrder:
    return PlaceOrder(order_id, "alice" if side is Side.BUY else "bob", MARKET, side, OrderType.LIMIT, price,
                      amount, None, TimeInForce.GTC)  # fmt: skip


BATCHES: list[list[Command]] = [
    [AddMarket(MARKET, 1, 1, 0), order("b1", Side.BUY, 100, 5), order("b2", Side.BUY, 99, 5)],
    [order("s1", Side.SELL, 100, 2), CancelOrder("b2")],
    [order("s2", Side.SELL, 101, 1)],
]


@pytest.fixture
def session_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'hdex.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def hosted(
    session_factory: sessionmaker[Session],
    journal: FileJournal,
    published: list[tuple[list[int], list[Publication]]],
    fence: Fence = lambda _session: None,  # the only engine: no lease
) -> tuple[EngineHost, BatchWriter]:
    """A host whose publisher notes which commands the journal file held when it was called."""
    engine = Engine()
    engine.attach_journal(journal)
    writer = BatchWriter(session_factory, journal.flush, fence)

    def publish(publications: list[Publication]) -> None:
        published.append(([entry.seq for entry in read_journal(journal.path)], publications))

    host = EngineHost(engine, Domain(31337, "0x" + "ab" * 20), AccountBook(), writer, Limits(1_000, 60),
                      lambda _: {}, publish, lambda _: {}, lambda _: [])  # fmt: skip
    writer.start()
    return host, writer


def test_a_batch_is_published_only_once_its_commands_are_in_the_journal(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    published: list[tuple[list[int], list[Publication]]] = []
    journal = FileJournal(tmp_path / "journal.bin", fsync=False)
    host, writer = hosted(session_factory, journal, published)

    async def scenario() -> None:
        for command in BATCHES[0]:
            host.handle(RunEngine(command))
        await host.durable()

    asyncio.run(scenario())
    writer.stop()
    [(journaled, publications)] = published
    assert journaled == [1, 2, 3]
    assert [channel for channel, _ in publications] == [f"book:{MARKET}", f"book:{MARKET}"]


def test_a_batch_whose_journal_cannot_be_written_is_never_published(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    published: list[tuple[list[int], list[Publication]]] = []
    journal = FileJournal(tmp_path / "journal.bin", fsync=False)
    host, writer = hosted(session_factory, journal, published)

    async def scenario() -> int:
        host.handle(RunEngine(BATCHES[0][0]))
        await host.durable()
        journal.close()  # the disk is gone: the next flush fails
        for command in BATCHES[0][1:]:
            host.handle(RunEngine(command))
        with pytest.raises(HdexError):
            await host.durable()
        return len(published)

    before_the_fault = asyncio.run(scenario())
    writer.stop()
    assert len(published) == before_the_fault  # the two book deltas never went out
    assert host.broken is not None


def test_after_a_batch_that_could_not_be_stored_the_host_stores_nothing_more_and_answers_every_wait(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    """A later batch may hold what followed the lost one (a trade against an order never stored): it must not be
    written, even once the storage is back, and whoever waits for it hears so at once instead of never."""
    writes: list[int] = []

    def storage(_session: Session) -> None:  # first in every write: the second one meets a fault
        writes.append(len(writes) + 1)
        if len(writes) == 2:
            raise RuntimeError("disk full")

    journal = FileJournal(tmp_path / "journal.bin", fsync=False)
    host, writer = hosted(session_factory, journal, [], fence=storage)

    async def scenario() -> list[str]:
        host.handle(RunEngine(BATCHES[0][0]))
        await host.durable()
        host.handle(RunEngine(BATCHES[0][1]))
        lost = host.durable()
        await asyncio.sleep(0)  # its batch goes to the writer
        host.handle(RunEngine(BATCHES[0][2]))  # joins the next batch while the lost one is being written
        later = host.durable()
        results = await asyncio.gather(lost, later, return_exceptions=True)
        answers = [error.code.value if isinstance(error, HdexError) else repr(error) for error in results]
        host.handle(RunEngine(BATCHES[2][0]))  # the fault is over (the third write would pass)
        try:
            await asyncio.wait_for(host.durable(), 10)
        except HdexError as error:
            answers.append(error.code.value)
        return answers

    answers = asyncio.run(scenario())
    writer.stop()
    assert writes == [1, 2]  # nothing was written after the fault
    assert answers == ["UNAVAILABLE"] * 3
    assert host.broken is not None


def test_a_host_whose_write_failed_is_never_idle_so_no_snapshot_is_taken_ahead_of_the_database(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    """Its engine holds the lost batch's commands: a snapshot of it (the service takes one when the host is idle)
    would be ahead of the database, thrown away at the next start with the journal it replaced."""
    def storage(_session: Session) -> None:
        raise RuntimeError("database away")

    host, writer = hosted(session_factory, FileJournal(tmp_path / "journal.bin", fsync=False), [], fence=storage)

    async def scenario() -> None:
        host.handle(RunEngine(BATCHES[0][0]))
        with contextlib.suppress(HdexError):
            await host.durable()

    asyncio.run(scenario())
    writer.stop()
    assert host.broken is not None
    assert not host.idle


def test_a_rotation_writes_the_snapshot_and_starts_the_next_segment_after_it(tmp_path: Path) -> None:
    store = JournalStore(tmp_path, fsync=False)
    engine = Engine()
    engine.attach_journal(store.rotate(engine.snapshot()))
    for command in BATCHES[0]:
        engine.apply(command)
    store.rotate(engine.snapshot()).close()
    snapshot = store.snapshot()
    assert snapshot is not None and snapshot.command_seq == 3
    assert [first for first, _ in store.segments()] == [4]  # the covered segment is gone
    assert recover_engine(store, committed_seq=3).state_hash() == engine.state_hash()


def test_reopening_after_a_crash_recovers_the_same_state_and_carries_on(tmp_path: Path) -> None:
    reference = Engine()
    for batch in BATCHES:
        for command in batch:
            reference.apply(command)

    store = JournalStore(tmp_path, fsync=False)
    crashed = Engine()
    journal = store.rotate(crashed.snapshot())
    crashed.attach_journal(journal)
    for command in BATCHES[0]:
        crashed.apply(command)
    journal.flush()
    journal = store.rotate(crashed.snapshot())  # the periodic snapshot, taken while idle
    crashed.attach_journal(journal)
    for command in BATCHES[1]:
        crashed.apply(command)
    journal.flush()  # committed: the database's engine_seq is 5; then the process dies, no close()

    recovered = recover_engine(store, committed_seq=5)
    assert recovered.state_hash() == crashed.state_hash()
    journal = store.rotate(recovered.snapshot())  # as the host does at start
    recovered.attach_journal(journal)
    for command in BATCHES[2]:
        recovered.apply(command)
    journal.flush()
    assert recovered.state_hash() == reference.state_hash()
    assert recover_engine(store, committed_seq=6).state_hash() == reference.state_hash()


def test_the_service_snapshots_once_so_many_commands_are_committed_and_never_ahead_of_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hdex.db'}"
    migrate.upgrade(url)
    settings = load_settings(_env_file=None, database_url=url, data_dir=tmp_path, engine_snapshot_every=4,
                             engine_fsync=False)  # fmt: skip
    container = bootstrap(settings)
    with container.uow() as uow:
        record_deployments(uow.session, settings.chain_id, {"Exchange": "0x" + "ab" * 20}, 0)
        uow.commit()
    store = JournalStore(tmp_path / "engine" / str(settings.chain_id))
    service = TradingService(container, lambda _: None)

    async def snapshot_seqs() -> list[int]:
        seqs = []
        service.start()  # recovery writes the first snapshot, at seq 0
        host = service.host
        assert host is not None
        for command in BATCHES[0]:
            host.handle(RunEngine(command))  # seqs 1-3
        for _ in range(2):
            await host.drain()
            await service.sync_once()  # snapshots first if due, then a clock tick (one more command)
            snapshot = store.snapshot()
            assert snapshot is not None
            seqs.append(snapshot.command_seq)
        await service.stop()
        return seqs

    try:
        assert asyncio.run(snapshot_seqs()) == [0, 4]  # 3 commands: not yet; 4 (3 + a tick): due
    finally:
        container.db_engine.dispose()


@pytest.mark.parametrize("seen_late", [False, True], ids=["seen-at-once", "seen-after-the-retry-met-it"])
def test_a_batch_whose_commit_answer_was_lost_after_it_landed_is_durable_not_written_again(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, seen_late: bool
) -> None:
    """The connection drops while COMMIT's answer is on its way (OperationalError, though the batch is stored):
    written again, its order would be refused as a duplicate and the host stop as though nothing were stored. The
    batch may not be seen at once (a server still finishing the COMMIT): the retry's duplicate rows then say so."""
    commits: list[int] = []

    class AnswerLost(Session):
        def commit(self) -> None:
            super().commit()
            commits.append(1)
            if len(commits) == 1:
                raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    if seen_late:
        looks = iter([False])  # the first look misses it; the look after the retry's duplicates sees it
        real = BatchWriter._landed
        monkeypatch.setattr(BatchWriter, "_landed", lambda self, mark: next(looks, True) and real(self, mark))
    flaky = sessionmaker(session_factory.kw["bind"], class_=AnswerLost)
    row = {"hash": "0x" + "ab" * 32, "seq": 1, "market": MARKET, "maker": "0x" + "11" * 20, "side": 0,
           "base_amount": 10**18, "limit_price": 2 * 10**9, "trigger_price": 0, "max_fee_rate": 30, "nonce": 1,
           "expiry": 1_900_000_000, "expires_at": 1_900_000_000, "flags": 0, "signature": b"\x01" * 65,
           "client_order_id": None, "time_in_force": "GTC", "status": "open", "filled": 0, "filled_quote": 0,
           "reserved": 2 * 10**9, "reason": None, "triggered": False, "book_seq": 1, "created_at_ms": 1,
           "updated_at_ms": 1}  # fmt: skip
    outcome: list[BaseException | None] = []
    writer = BatchWriter(flaky, lambda: None, lambda _session: None)
    writer.start()
    writer.submit(BatchRows(new_orders=[row]), outcome.append)
    writer.stop()

    assert outcome == [None] and len(commits) == 1
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1
