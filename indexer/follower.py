"""Follows the Exchange's events into the database and the ledger, safely across reorgs.

One poll:
1. Reorg check: the hash of the last scanned block must still be the chain's. If not, walk back
   through the hashes we stored (range ends and blocks with events) to the highest one the chain
   still has: the common ancestor. Every event above it is orphaned; an orphaned event that was
   already final gets a reversing ledger transaction and an alert (never a silent delete). A node
   that does not have the last scanned block yet (behind, e.g. another backend of a load balancer)
   is waited for: that is no evidence of a reorg.
2. Scan from the cursor to the head with eth_getLogs over ranges that halve when the node refuses
   a range and grow back after successes; the newest `EXACT_SCAN_DEPTH` blocks one at a time, by
   block hash: a node behind the one that answered the headers (another backend of a load balancer)
   answers a block-number range with the logs it has, silently missing the newest, but refuses a
   block hash it does not know: the scan waits at that block (a node that answers an unknown hash with
   no logs instead is warned about once). A range is stored only if, read after its logs, it joins
   the stored chain: the last scanned block's stored hash, the range end's hash read before the
   logs and each log's block hash are all still canonical; else a reorg happened during the poll,
   and the next poll's reorg check handles it. Each range commits its events, block hashes and the
   cursor in one transaction, so a restart resumes without double counting.
3. Finality: pending events with enough confirmations become final and post to the ledger, in
   chain order, in one transaction. Ledger references are keyed by (chain id, tx hash, log index,
   block hash), so a re-inclusion in another block is another event, credited once. An orphaned
   event seen again in the same block (a fork flip, A -> B -> A) is the same event: pending
   again, then final again, and a credit reversed when it was orphaned is posted again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.jsonrpc import Header, JsonRpcClient, RangeTooLarge, RpcError, WrongChain
from backend.db.models import Alert, ChainBlock, ChainCursor, ChainEvent, FrozenFunds, LedgerTransaction
from backend.db.models.base import Base
from backend.db.session import UnitOfWork
from backend.ledger import service as ledger
from backend.ledger.postings import REASONS, postings_for
from backend.statuses import ChainEventStatus
from indexer.decode import EventDecoder

log = logging.getLogger(__name__)

_UNKNOWN_BLOCK_WORDS = ("unknown block", "not found", "does not exist", "no block", "missing")
EXACT_SCAN_DEPTH = 16
"""The newest blocks read one at a time by block hash (see the module docs); older ones go by ranges, for speed."""


# Called with (id, name, args) of the events about to become final, outside any transaction; the
# rows it returns are written in the transaction that makes them final (e.g. frozen funds). It may
# raise to keep them pending.
BeforeFinal = Callable[[Sequence[tuple[int, str, dict[str, Any]]]], Sequence[Base]]


@dataclass(frozen=True)
class FollowerConfig:
    chain_id: int
    exchange: str
    start_block: int
    confirmations: int
    initial_range: int = 2_000
    max_range: int = 50_000
    grow_after: int = 3  # successful ranges in a row before the range doubles again


@dataclass(frozen=True)
class PollResult:
    head: int
    last_block: int
    final_block: int
    new_events: int
    finalized: int
    orphaned: int
    reorgs: int  # undone since the indexer started following this contract
    booked: tuple[Booking, ...] = ()  # the wallets' deposits and exit withdrawals this poll made final, in chain order


# The final events that move a wallet's exchange balance without the engine, by their notice's type: the engine
# announces balances only of the wallets it follows (those that traded) and books neither of these itself.
WALLET_EVENTS = {"Deposited": "deposit", "ExitWithdrawn": "exit"}


@dataclass(frozen=True)
class Booking:
    """A deposit (credited, or frozen by compliance) or an escape-hatch withdrawal made final: what its wallet is
    told, as `kind` ("deposit" or "exit")."""

    kind: str
    wallet: str
    token: str
    amount: int
    tx_hash: str


def event_reference(chain_id: int, tx_hash: str, log_index: int, block_hash: str) -> str:
    """The idempotency key of one log in one block (ledger transaction reference)."""
    return f"{chain_id}:{tx_hash}:{log_index}:{block_hash}"


class Follower:
    """Reads the chain with `reader`, writes through `session_factory`. One instance per chain."""

    def __init__(
        self,
        reader: JsonRpcClient,
        decoder: EventDecoder,
        session_factory: sessionmaker[Session],
        config: FollowerConfig,
        before_final: BeforeFinal | None = None,
    ) -> None:
        self.reader = reader
        self.decoder = decoder
        self.session_factory = session_factory
        self.config = config
        self.before_final = before_final
        self.range = config.initial_range
        self._successes = 0
        self._hash_refusal_checked = False

    def poll_once(self, keep: Callable[[], None] = lambda: None) -> PollResult:
        """Check for a reorg, scan to the head, promote what has enough confirmations. `keep()` runs before a
        reorg is undone, before each range is stored and before promoting: the caller's lease renewed, or the poll
        stopped (catching up a backlog on a slow node can outlast the lease, and only one indexer may write).
        WrongChain, reading nothing, from a node of another chain (a wrong or failed-over HDEX_RPC_URL): its blocks
        would match none of ours, and the reorg check would take every credit back."""
        served = self.reader.chain_id()
        if served != self.config.chain_id:
            raise WrongChain(
                f"the node serves chain {served}, not chain {self.config.chain_id} (HDEX_CHAIN_ID): nothing read; "
                "point HDEX_RPC_URL at a node of the configured chain"
            )
        head = self.reader.block_number()
        orphaned = self._undo_reorg(head, keep)
        new_events, moved = self._scan_to(head, keep)
        # If the chain moved during the scan, `head` may be of a fork the node has left: promote nothing on its
        # word before the next poll's reorg check.
        keep()
        finalized, booked, (last_block, final_block, reorgs) = self._finalize(None if moved else head, keep)
        return PollResult(head, last_block, final_block, new_events, finalized, orphaned, reorgs, booked)

    # ------------------------------------------------------------------ cursor

    def _cursor(self, session: Session) -> ChainCursor:
        cursor = session.scalar(
            select(ChainCursor).where(
                ChainCursor.chain_id == self.config.chain_id, ChainCursor.contract == self.config.exchange
            )
        )
        if cursor is None:
            before_start = self.config.start_block - 1
            cursor = ChainCursor(
                chain_id=self.config.chain_id,
                contract=self.config.exchange,
                last_block=before_start,
                final_block=before_start,
                reorgs=0,
            )
            session.add(cursor)
            session.flush()
        return cursor

    # ------------------------------------------------------------------ reorgs

    def _undo_reorg(self, head: int, keep: Callable[[], None]) -> int:
        with UnitOfWork(self.session_factory) as uow:
            session = uow.session
            cursor = self._cursor(session)
            stored = self._stored_hash(session, cursor.last_block)
            if stored is None:
                uow.commit()
                return 0
            header = self.reader.header(cursor.last_block)
            if header is None:
                # The node does not have that block: it is behind (wait for it rather than orphan), or it serves
                # a chain that got shorter (a dev chain reset, a node restarted from older state), which no wait
                # brings back. The highest block we stored that the node does have tells which (with none stored
                # that low, nothing does: it waits, as for a node behind). A head at or past the block means the
                # answers came from different backends (a load balancer), the headers' one behind: it waits too.
                behind = self._highest_stored_at_or_below(session, head)
                if head >= cursor.last_block or behind is None or self._node_agrees(*behind):
                    uow.commit()
                    return 0
            elif header.hash == stored:
                uow.commit()
                return 0
            ancestor = self._common_ancestor(session, cursor.last_block)
            # The undo writes (credits taken back, the cursor moved) after a header per stored block: only while
            # this poll still holds the lease, or it would undo, on its node's word, what the holder is promoting.
            keep()
            orphaned = self._orphan_above(session, ancestor)
            session.execute(
                delete(ChainBlock).where(ChainBlock.chain_id == self.config.chain_id, ChainBlock.number > ancestor)
            )
            depth = cursor.last_block - ancestor
            cursor.last_block = ancestor
            cursor.final_block = min(cursor.final_block, ancestor)
            cursor.reorgs += 1
            uow.commit()
        log.warning("reorg undone", extra={"ancestor": ancestor, "depth": depth, "orphaned": orphaned})
        return orphaned

    def _highest_stored_at_or_below(self, session: Session, number: int) -> tuple[int, str] | None:
        row = session.execute(
            select(ChainBlock.number, ChainBlock.hash)
            .where(ChainBlock.chain_id == self.config.chain_id, ChainBlock.number <= number)
            .order_by(ChainBlock.number.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def _node_agrees(self, number: int, block_hash: str) -> bool:
        header = self.reader.header(number)
        return header is not None and header.hash == block_hash

    def _stored_hash(self, session: Session, number: int) -> str | None:
        return session.scalar(
            select(ChainBlock.hash).where(ChainBlock.chain_id == self.config.chain_id, ChainBlock.number == number)
        )

    def _common_ancestor(self, session: Session, below_or_at: int) -> int:
        stored = session.execute(
            select(ChainBlock.number, ChainBlock.hash)
            .where(ChainBlock.chain_id == self.config.chain_id, ChainBlock.number <= below_or_at)
            .order_by(ChainBlock.number.desc())
        )
        for number, block_hash in stored:
            if self._node_agrees(number, block_hash):
                return int(number)
        return self.config.start_block - 1

    def _orphan_above(self, session: Session, ancestor: int) -> int:
        events = session.scalars(
            select(ChainEvent)
            .where(
                ChainEvent.chain_id == self.config.chain_id,
                ChainEvent.block_number > ancestor,
                ChainEvent.status != ChainEventStatus.ORPHANED,
            )
            .order_by(ChainEvent.block_number.desc(), ChainEvent.log_index.desc())
        ).all()
        for event in events:
            if event.status == ChainEventStatus.FINAL:
                self._reverse_final(session, event)
            event.status = ChainEventStatus.ORPHANED
        return len(events)

    def _reverse_final(self, session: Session, event: ChainEvent) -> None:
        # The event's posting that stands: its first, or its re-post after an earlier flip (`ledger.post`).
        reversed_ids = select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.is_not(None))
        standing = session.scalar(
            select(LedgerTransaction).where(
                LedgerTransaction.chain_event_id == event.id, LedgerTransaction.id.not_in(reversed_ids)
            )
        )
        if standing is not None:
            ledger.reverse(session, standing, f"reversal:{standing.reference}")
        details: dict[str, Any] = {
            "event": event.name,
            "block_number": event.block_number,
            "block_hash": event.block_hash,
            "tx_hash": event.tx_hash,
            "event_args": event.args,
        }
        message = f"reorg deeper than {self.config.confirmations} confirmations removed final {event.name}"
        session.add(Alert(kind="deep_reorg", severity="critical", message=message, details=details))
        log.error(message, extra=details)

    # ------------------------------------------------------------------ scanning

    def _scan_to(self, head: int, keep: Callable[[], None]) -> tuple[int, bool]:
        """Store ranges up to `head`; returns how many events are new, and whether the chain moved under us."""
        new_events = 0
        while True:
            with UnitOfWork(self.session_factory) as uow:
                last_block = self._cursor(uow.session).last_block
                uow.commit()
            if last_block >= head:
                return new_events, False
            from_block = last_block + 1
            exact = from_block > head - EXACT_SCAN_DEPTH
            to_block = from_block if exact else min(head - EXACT_SCAN_DEPTH, from_block + self.range - 1)
            end = self.reader.header(to_block)
            if exact:
                if end is None:
                    return new_events, True  # the chain got shorter under us
                logs, moved = self._logs_at(end)
                if logs is None:
                    return new_events, moved
                if not self._joins_stored_chain(last_block, end, logs):
                    return new_events, True
                keep()
                new_events += self._store_range(from_block, to_block, end.hash, logs)
                continue
            try:
                logs = self.reader.get_logs(self.config.exchange, from_block, to_block)
            except RangeTooLarge:
                if self.range == 1:
                    raise
                self.range = max(1, self.range // 2)
                self._successes = 0
                log.info("log range shrunk", extra={"range": self.range, "from_block": from_block})
                continue
            if end is None or not self._joins_stored_chain(last_block, end, logs):
                return new_events, True  # the chain moved under us; the next poll's reorg check sorts it out
            keep()
            new_events += self._store_range(from_block, to_block, end.hash, logs)
            self._grow_range()

    def _logs_at(self, block: Header) -> tuple[list[dict[str, Any]] | None, bool]:
        """The logs of `block` by its hash, and whether the chain moved: (None, True) if it left the block
        meanwhile; (None, False) if the node refused the hash of a block still canonical: its logs are behind its
        headers (another backend of a load balancer), and the scan waits there while what is below is promoted
        (a node stuck so shows as the indexer's lag)."""
        self._check_hash_refusal()
        try:
            return self.reader.get_logs_at(self.config.exchange, block.hash), False
        except RpcError as exc:
            now = self.reader.header(block.number)
            if now is None or now.hash != block.hash:
                return None, True
            log.warning("the node has no logs yet for a block it has; waiting", extra={
                "block": block.number, "error": exc.message,
            })  # fmt: skip
            return None, False

    def _check_hash_refusal(self) -> None:
        """Once: warn if the node answers an unknown block hash with no logs instead of refusing it, as some node
        versions do. Then a log backend behind its headers goes unseen, as with block ranges."""
        if self._hash_refusal_checked:
            return
        try:
            self.reader.get_logs_at(self.config.exchange, "0x" + "00" * 32)
        except RpcError as exc:
            # a refusal settles it; another failure (a timeout) says nothing: asked again at the next scan
            self._hash_refusal_checked = any(word in exc.message.lower() for word in _UNKNOWN_BLOCK_WORDS)
            return
        self._hash_refusal_checked = True
        log.warning(
            "the node answers eth_getLogs for an unknown block hash with no logs: a log backend behind the one "
            "answering headers cannot be told from a block without deposits (use a node that refuses unknown hashes)"
        )

    def _joins_stored_chain(self, last_block: int, end: Header, logs: list[dict[str, Any]]) -> bool:
        """Whether, read now (after the logs), the stored hash of `last_block`, the range end's hash `end`
        (read before the logs) and the block hash of each log are all the chain's: then the logs are of
        one chain that extends what we stored, whenever during the poll a reorg may have happened."""
        with UnitOfWork(self.session_factory) as uow:
            stored = self._stored_hash(uow.session, last_block)
        expected = {end.number: end.hash}
        if stored is not None:  # None only before the first range
            expected[last_block] = stored
        for entry in logs:
            if entry.get("removed"):
                continue
            number = int(entry["blockNumber"], 16)
            if expected.setdefault(number, entry["blockHash"]) != entry["blockHash"]:
                return False  # two hashes for one block in one answer
        for number, block_hash in expected.items():
            header = self.reader.header(number)
            if header is None or header.hash != block_hash:
                return False
        return True

    def _grow_range(self) -> None:
        self._successes += 1
        if self._successes >= self.config.grow_after and self.range < self.config.max_range:
            self.range = min(self.config.max_range, self.range * 2)
            self._successes = 0

    def _store_range(self, from_block: int, to_block: int, end_hash: str, logs: list[dict[str, Any]]) -> int:
        chain_id = self.config.chain_id
        with UnitOfWork(self.session_factory) as uow:
            session = uow.session
            existing = {
                (e.tx_hash, e.log_index, e.block_hash): e
                for e in session.scalars(
                    select(ChainEvent).where(
                        ChainEvent.chain_id == chain_id,
                        ChainEvent.block_number.between(from_block, to_block),
                    )
                )
            }
            block_hashes = {to_block: end_hash}
            rows = []
            seen = set()  # a node may repeat a log within one answer
            revived = 0
            for entry in logs:
                if entry.get("removed"):
                    continue
                decoded = self.decoder.decode(entry)
                if decoded is None:
                    continue
                key = (entry["transactionHash"], int(entry["logIndex"], 16), entry["blockHash"])
                if key in seen:
                    continue
                seen.add(key)
                number = int(entry["blockNumber"], 16)
                block_hashes[number] = entry["blockHash"]
                stored = existing.get(key)
                if stored is not None:
                    if stored.status == ChainEventStatus.ORPHANED:
                        # Back in the very block it was orphaned from: confirmations and finality start over.
                        stored.status = ChainEventStatus.PENDING
                        revived += 1
                    continue
                rows.append(
                    ChainEvent(
                        chain_id=chain_id,
                        block_number=number,
                        block_hash=key[2],
                        tx_hash=key[0],
                        log_index=key[1],
                        contract=self.config.exchange,
                        name=decoded.name,
                        args=decoded.args,
                        status=ChainEventStatus.PENDING,
                    )
                )
            session.add_all(rows)
            known = set(
                session.scalars(
                    select(ChainBlock.number).where(
                        ChainBlock.chain_id == chain_id, ChainBlock.number.in_(list(block_hashes))
                    )
                )
            )
            session.add_all(
                ChainBlock(chain_id=chain_id, number=number, hash=block_hash)
                for number, block_hash in block_hashes.items()
                if number not in known
            )
            self._cursor(session).last_block = to_block
            uow.commit()
        return len(rows) + revived

    # ------------------------------------------------------------------ finality

    def _finalize(
        self, head: int | None, keep: Callable[[], None]
    ) -> tuple[int, tuple[Booking, ...], tuple[int, int, int]]:
        """Promote what has enough confirmations at `head` (nothing if None); returns how many, the wallets'
        deposits and exit withdrawals among them, and the cursor's (last block, final block, reorgs) as committed."""
        # An event in block b has head - b + 1 confirmations. No event is below the start block.
        final_height = self.config.start_block - 1 if head is None else head - self.config.confirmations + 1
        with UnitOfWork(self.session_factory) as uow:
            final_height = min(final_height, self._cursor(uow.session).last_block)
            due = [(e.id, e.name, dict(e.args)) for e in self._pending_up_to(uow.session, final_height)]
        extra_rows = self.before_final(due) if self.before_final is not None and due else []
        if due:
            keep()  # screening (a provider's answers per wallet) may have outlasted the lease
        with UnitOfWork(self.session_factory) as uow:
            session = uow.session
            cursor = self._cursor(session)
            events = [e for e in self._pending_up_to(session, final_height) if e.id in {d[0] for d in due}]
            transactions = []
            for event in events:
                event.status = ChainEventStatus.FINAL
                reason = REASONS.get(event.name)
                if reason is None:
                    continue
                transactions.append(
                    ledger.NewTransaction(
                        reason=reason,
                        reference=event_reference(event.chain_id, event.tx_hash, event.log_index, event.block_hash),
                        postings=postings_for(event.name, event.args),
                        chain_event_id=event.id,
                    )
                )
            ledger.post(session, transactions)
            session.add_all(self._not_yet_frozen(session, extra_rows))
            if len(events) == len(due):
                cursor.final_block = max(cursor.final_block, final_height)
            booked = tuple(
                Booking(
                    WALLET_EVENTS[e.name], str(e.args["wallet"]), str(e.args["token"]), int(e.args["amount"]), e.tx_hash
                )
                for e in events
                if e.name in WALLET_EVENTS
            )
            uow.commit()
            # Read while the session is open: works whether or not the factory expires on commit.
            state = (cursor.last_block, cursor.final_block, cursor.reorgs)
        return len(events), booked, state

    def _not_yet_frozen(self, session: Session, rows: Sequence[Base]) -> list[Base]:
        """`rows` without the freezes of events frozen already: an event final once before (orphaned, then
        back in the same block) keeps the one freeze it got then, released or not."""
        ids = [r.chain_event_id for r in rows if isinstance(r, FrozenFunds)]
        if not ids:
            return list(rows)
        frozen = set(session.scalars(select(FrozenFunds.chain_event_id).where(FrozenFunds.chain_event_id.in_(ids))))
        return [r for r in rows if not (isinstance(r, FrozenFunds) and r.chain_event_id in frozen)]

    def _pending_up_to(self, session: Session, height: int) -> Sequence[ChainEvent]:
        # this Exchange's only: on a database kept across a redeploy, another's pending events are no longer
        # checked against the chain (a reorg may have taken them out), and are never final
        return session.scalars(
            select(ChainEvent)
            .where(
                ChainEvent.chain_id == self.config.chain_id,
                ChainEvent.contract == self.config.exchange,
                ChainEvent.status == ChainEventStatus.PENDING,
                ChainEvent.block_number <= height,
            )
            .order_by(ChainEvent.block_number, ChainEvent.log_index)
        ).all()
