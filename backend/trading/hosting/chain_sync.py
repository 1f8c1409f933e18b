"""What the engine host learns from the database every second, read off the loop, applied on it.

- On-chain cancels (`OrderCancelledByMaker`), nonce floors (`NonceFloorRaised`) and exits
  (`ExitRequested`, `ExitCancelled`) the indexer stored in `chain_events` (pending or final: each is
  acted on as soon as it is seen; an exiting wallet's orders are cancelled and it may not trade).
- Fills the relayer marked settled or failed: claimed here (`released = true`, in one
  transaction) so their holds are given back exactly once. An order whose trade the contract skipped for
  a reason that holds for good (its nonce spent by another order, a stop whose price source had not
  reached the trigger) is named, with the reason it leaves the book: every later trade of it would fail
  the same way, and fail its counterparty's fill too.
- Ledger balances of the wallets the host has loaded, market definitions and states (the
  `hdex market` commands write the database; the running engine follows) and markets' risk settings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, select, update
from sqlalchemy.orm import Session

from backend.db.models import (
    ChainEvent,
    DenyListEntry,
    Fill,
    FrozenFunds,
    LedgerBalance,
    OperatorTx,
    SettlementItem,
    WithdrawalRequest,
)
from backend.statuses import ChainEventStatus, FillStatus, WithdrawalStatus
from backend.trading.hosting.lease import Fence
from backend.trading.rules.markets import Market
from backend.trading.store.chain_events import exchange_events
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import load_market_risk
from backend.trading.store.settlement import DECIDED, TRADE_EVENTS

log = logging.getLogger(__name__)

CHAIN_NAMES = ("OrderCancelledByMaker", "NonceFloorRaised", "ExitRequested", "ExitCancelled")
# Why an order left the book because of an event the indexer saw (the order's `reason`).
ON_CHAIN_CANCEL_REASONS = {
    "OrderCancelledByMaker": "cancelled_on_chain",
    "NonceFloorRaised": "nonce_floor",
    "ExitRequested": "wallet_exiting",
}
# An order whose nonce its maker spent on-chain with another order before it traded: the contract settles none of it.
NONCE_SPENT_REASON = "nonce_used_on_chain"
# The skip reasons (the contract's errors, as the relayer records them on the settlement item) that rule an order
# out for good, with the argument naming it and the reason it leaves the book with. A stop whose source fell back
# could trigger again, but a fired stop-limit rests in the book for it meanwhile, failing every taker's fill.
RULED_OUT_BY_SKIP: dict[str, tuple[str, str]] = {
    "OrderNonceUsed": ("orderHash", NONCE_SPENT_REASON),
    "OrderCancelled": ("orderHash", ON_CHAIN_CANCEL_REASONS["OrderCancelledByMaker"]),
    "OrderNonceBelowFloor": ("orderHash", ON_CHAIN_CANCEL_REASONS["NonceFloorRaised"]),
    "StopNotTriggered": ("orderHash", "stop_not_triggered_on_chain"),
    "StopPriceSourceMissing": ("orderHash", "stop_not_triggered_on_chain"),
    # what the API checks at the door: seen here, the door and the contract disagree
    "InvalidSignature": ("digest", "refused_on_chain"),
    "OrderUnknownFlags": ("orderHash", "refused_on_chain"),
    "OrderMarketInvalid": ("orderHash", "refused_on_chain"),
}
EVENTS_PER_READ = 1_000
CLAIM_PAGE = 10_000  # unreleased fills a sync looks at (see `claim_resolved_fills`)
WITHDRAWAL_ENDED = (WithdrawalStatus.COMPLETED, WithdrawalStatus.FAILED)
Hold = tuple[str, str, int]


@dataclass
class SyncRead:
    """One read of everything the host follows."""

    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    balances: dict[str, dict[str, int]] = field(default_factory=dict)
    released_holds: list[Hold] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)
    risk: dict[str, dict[str, Any]] = field(default_factory=dict)  # market -> its `market_risk` overrides
    frozen: frozenset[str] = frozenset()  # the deny list (lower case): wallets compliance froze
    # (order hash in lower case, reason): orders the contract ruled out for good (`RULED_OUT_BY_SKIP`)
    ruled_out: list[tuple[str, str]] = field(default_factory=list)
    fill_cursor: int = 0  # where the next read's claim of resolved fills starts (see `claim_resolved_fills`)


def read_chain_events(
    session: Session, chain_id: int, exchange: str, after_id: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """Cancels, nonce floors and exits on `exchange` after `after_id`, oldest first (orphaned ones are ignored).
    Those of an Exchange recorded before this one (a database kept across a redeployment) are not this one's: a
    wallet that exited the old one to leave it is not exiting the new one."""
    rows = session.execute(
        select(ChainEvent.id, ChainEvent.name, ChainEvent.args)
        .where(
            *exchange_events(chain_id, exchange),
            ChainEvent.id > after_id,
            ChainEvent.name.in_(CHAIN_NAMES),
        )
        .order_by(ChainEvent.id)
        .limit(EVENTS_PER_READ)
    )
    return [(row.id, row.name, dict(row.args)) for row in rows]


def active_withdrawals(session: Session, wallets: list[str]) -> list[tuple[str, str, int]]:
    """(wallet, token, amount) of every unfinished withdrawal request of `wallets`."""
    rows = session.execute(
        select(WithdrawalRequest.wallet, WithdrawalRequest.token, WithdrawalRequest.amount).where(
            WithdrawalRequest.wallet.in_(wallets), WithdrawalRequest.status.not_in(WITHDRAWAL_ENDED)
        )
    )
    return [(wallet, token, amount) for wallet, token, amount in rows]


def frozen_funds(session: Session, wallets: list[str]) -> list[tuple[str, str, int]]:
    """(wallet, token, amount) of every unreleased freeze of `wallets` (deposits by blocked addresses) whose
    deposit is final: a freeze holds what its deposit credited, and a reorg deeper than the confirmations that
    orphans the deposit reverses that credit (mined again elsewhere, it is another event, frozen on its own)."""
    rows = session.execute(
        select(FrozenFunds.wallet, FrozenFunds.token, FrozenFunds.amount)
        .join(ChainEvent, ChainEvent.id == FrozenFunds.chain_event_id)
        .where(
            FrozenFunds.wallet.in_(wallets),
            FrozenFunds.released_at.is_(None),
            ChainEvent.status == ChainEventStatus.FINAL,
        )
    )
    return [(wallet, token, amount) for wallet, token, amount in rows]


def wallet_balances(session: Session, wallets: list[str]) -> dict[str, dict[str, int]]:
    """wallet -> token -> what trading may use: the ledger's final balance minus the amounts of the
    wallet's unfinished withdrawal requests (the relayer's; they hold until completed or failed)
    and of its frozen funds (compliance's). The balance `AccountBook.available` takes the holds from."""
    found: dict[str, dict[str, int]] = {wallet: defaultdict(int) for wallet in wallets}
    for start in range(0, len(wallets), 500):
        chunk = wallets[start : start + 500]
        # The order makes a change landing between the statements count twice (less available), never not at
        # all. Requests before the ledger: a withdrawal's debit is posted before its request completes.
        for wallet, token, amount in active_withdrawals(session, chunk):
            found[wallet][token] -= amount
        for row in session.scalars(select(LedgerBalance).where(LedgerBalance.account.in_(chunk))):
            found[row.account][row.token] += row.amount
        # Freezes after the ledger: a blocked deposit's freeze is written with its credit, in one transaction.
        for wallet, token, amount in frozen_funds(session, chunk):
            found[wallet][token] -= amount
    return {wallet: dict(balances) for wallet, balances in found.items()}


def fill_holds(fill: Fill, market: Market) -> list[Hold]:
    """What an unsettled fill holds: the seller's base and the buyer's quote."""
    seller, buyer = (fill.maker, fill.taker) if fill.maker_side == 1 else (fill.taker, fill.maker)
    return [(seller, market.base_token, fill.base_amount), (buyer, market.quote_token, fill.quote_amount)]


def claim_resolved_fills(
    session: Session, markets: dict[str, Market], after_id: int = 0, claims: list[int] | None = None
) -> tuple[list[Hold], list[tuple[str, str]], int]:
    """Mark as released the failed fills that never reached the chain, and the fills whose settlement
    transaction is final: settled (the ledger carries the trade: its TradeSettled is final) or skipped on-chain
    (its TradeSkipped is final: a reorg can no longer replay the transaction with the trade settling). Return
    their holds, the orders the contract ruled out for good in their skips (`RULED_OUT_BY_SKIP`: order hash,
    reason), and where the next claim starts; the ids claimed are added to `claims` (see `read_sync`). A mined
    fill waits until the relayer has compared its batch with
    the final chain (`final_check_due`, relayer.settlement `check_final`), which records the trades as the
    attempt the final chain holds ran them: so the holds end, and the orders a skip rules out go, as the final
    chain ran the batch. Any attempt's final events count (a reorg may take one out and mine a sibling, at the
    same nonce), also for a batch no check is due for. The caller commits.

    It looks at CLAIM_PAGE unreleased fills (settled or not) after `after_id`, oldest first (settlements become
    final in about that order); the next claim goes on after them, or starts over once none are left. So fills that wait
    longer (a deep finality, a settlement lost to a reorg) never keep the ones behind them from their turn."""
    # Through the partial index of unreleased fills alone (the statuses are sorted out here): with the status in the
    # query, SQLite, which keeps no statistics unless asked, reads every settled fill through ix_fills_status_id.
    page = session.scalars(
        select(Fill).where(Fill.released == false(), Fill.id > after_id).order_by(Fill.id).limit(CLAIM_PAGE)
    ).all()
    next_after = page[-1].id if len(page) == CLAIM_PAGE else 0
    candidates = [fill for fill in page if fill.status in DECIDED]
    # The attempt the relayer saw mined, and its siblings (the same nonce, other fees): a reorg may take the one
    # out and mine another, whose events are then the ones that become final.
    attempts: dict[str, set[str]] = {fill.tx_hash: {fill.tx_hash} for fill in candidates if fill.tx_hash}
    due: set[str] = set()  # batches the relayer has yet to compare with the final chain: their records may change
    if attempts:
        # the columns needed only: a transaction's row carries its calldata and signed bytes, read every sync otherwise
        for mined_hash, hashes, check_due in session.execute(
            select(OperatorTx.mined_hash, OperatorTx.hashes, OperatorTx.final_check_due).where(
                OperatorTx.mined_hash.in_(list(attempts))
            )
        ):
            attempts[str(mined_hash)].update(hashes)
            if check_due:
                due.add(str(mined_hash))
    every_attempt = set().union(*attempts.values())
    final_txs = set(
        session.scalars(
            select(ChainEvent.tx_hash).where(
                ChainEvent.tx_hash.in_(every_attempt),
                ChainEvent.name.in_(TRADE_EVENTS),
                ChainEvent.status == ChainEventStatus.FINAL,
            )
        )
        if every_attempt
        else ()
    )
    resolved = [
        fill
        for fill in candidates
        if (fill.tx_hash is not None and fill.tx_hash not in due and not attempts[fill.tx_hash].isdisjoint(final_txs))
        or (fill.tx_hash is None and fill.status == FillStatus.FAILED)
    ]
    if not resolved:
        return [], [], next_after
    claimed = session.execute(
        update(Fill)
        # as read: a fill the relayer put back in line meanwhile (its batch lost in a reorg) keeps its holds
        .where(
            Fill.id.in_([fill.id for fill in resolved]),
            Fill.released.is_(False),
            Fill.status.in_(DECIDED),
        )
        .values(released=True)
        .returning(Fill.id)
    ).scalars()
    ids = set(claimed)
    if claims is not None:
        claims.extend(ids)
    holds, ruled_out = _given_back(session, [fill for fill in resolved if fill.id in ids], markets)
    return holds, ruled_out, next_after


def claims_that_landed(
    session: Session, markets: dict[str, Market], unsure: Collection[int]
) -> tuple[list[Hold], list[tuple[str, str]]]:
    """What the fills of `unsure` (claimed by a read whose commit failed without saying whether it landed) give back
    that are released in the database: that commit landed, and the host never heard of it."""
    if not unsure:
        return [], []
    landed = session.scalars(select(Fill).where(Fill.id.in_(sorted(unsure)), Fill.released.is_(True))).all()
    return _given_back(session, landed, markets)


def _given_back(
    session: Session, fills: Sequence[Fill], markets: dict[str, Market]
) -> tuple[list[Hold], list[tuple[str, str]]]:
    """The holds of released `fills`, and the orders their skips ruled out."""
    holds = [hold for fill in fills for hold in fill_holds(fill, markets[fill.market])]
    # only a failed fill that reached the chain can have been skipped there: settled ones need no read
    skipped = [f.id for f in fills if f.tx_hash and f.status == FillStatus.FAILED]
    return holds, _ruled_out(session, SettlementItem.fill_id.in_(skipped)) if skipped else []


def ruled_out_by_released_skips(session: Session) -> list[tuple[str, str]]:
    """(order hash in lower case, reason) of each order a final skip ruled out for good (`RULED_OUT_BY_SKIP`), of
    every fill whose holds came back: a restart reads them again, for the orders a halted market kept."""
    return _ruled_out(session, SettlementItem.fill_id.in_(select(Fill.id).where(Fill.released.is_(True))))


def _ruled_out(session: Session, of_fills: ColumnElement[bool]) -> list[tuple[str, str]]:
    """(order hash in lower case, reason) of each order the skips of the fills `of_fills` selects ruled out."""
    query = select(SettlementItem.reason, SettlementItem.details).where(
        of_fills, SettlementItem.outcome == "skipped", SettlementItem.reason.in_(list(RULED_OUT_BY_SKIP))
    )
    ruled_out = []
    for error, details in session.execute(query):
        argument, reason = RULED_OUT_BY_SKIP[str(error)]
        order_hash = ((details or {}).get("arguments") or {}).get(argument)
        if order_hash is None:  # not as the relayer writes it: the skip cannot say which order
            log.warning("a skipped trade's record names no order", extra={"error": error, "details": details})
            continue
        ruled_out.append((str(order_hash).lower(), reason))
    return ruled_out


def read_sync(
    session: Session,
    chain_id: int,
    exchange: str,
    after_event_id: int,
    wallets: list[str],
    markets: dict[str, Market],
    fence: Fence,
    after_fill_id: int = 0,
    unsure: Collection[int] = (),
    claims: list[int] | None = None,
) -> SyncRead:
    """Everything the host follows, in one transaction that also claims resolved fills from `after_fill_id` on
    (after `fence`: only the engine lease's holder may claim them, as only its host gives their holds back).

    The ids it claims are added to `claims` before its commit: a commit can fail without saying whether it landed
    (a connection lost during COMMIT), and the next read, given them as `unsure`, gives back the holds of those
    released in the database."""
    fence(session)
    landed, landed_ruled_out = claims_that_landed(session, markets, unsure)  # before this read's own claim
    # before balances: they must be as new
    released, ruled_out, fill_cursor = claim_resolved_fills(session, markets, after_fill_id, claims)
    read = SyncRead(
        events=read_chain_events(session, chain_id, exchange, after_event_id),
        balances=wallet_balances(session, wallets),
        released_holds=landed + released,
        markets=load_markets(session),
        risk=load_market_risk(session),
        frozen=deny_list(session),
        ruled_out=landed_ruled_out + ruled_out,
        fill_cursor=fill_cursor,
    )
    session.commit()
    return read


def deny_list(session: Session) -> frozenset[str]:
    """The wallets compliance froze (lower case): they may not place orders, and their open orders go."""
    return frozenset(session.scalars(select(DenyListEntry.address)))


def nonce_floors(session: Session, chain_id: int, exchange: str) -> dict[str, int]:
    """wallet -> highest nonce floor seen on `exchange` (pending or final)."""
    floors: dict[str, int] = defaultdict(int)
    for args in session.scalars(
        select(ChainEvent.args).where(
            *exchange_events(chain_id, exchange),
            ChainEvent.name == "NonceFloorRaised",
        )
    ):
        wallet = str(args["wallet"])
        floors[wallet] = max(floors[wallet], int(args["nonceFloor"]))
    return dict(floors)


def cancelled_on_chain(session: Session, chain_id: int, exchange: str) -> tuple[set[str], set[tuple[str, int]]]:
    """What makers cancelled on `exchange` (pending or final): the order hashes (lower case), and the (maker,
    nonce) each cancel spent. The contract settles no trade of such an order, also of one never sent to HDEX, nor
    of another order of its maker with that nonce that had not traded on-chain yet."""
    hashes: set[str] = set()
    nonces: set[tuple[str, int]] = set()
    for args in session.scalars(
        select(ChainEvent.args).where(
            *exchange_events(chain_id, exchange),
            ChainEvent.name == "OrderCancelledByMaker",
        )
    ):
        hashes.add(str(args["orderHash"]).lower())
        if (nonce := spent_nonce(args)) is not None:
            nonces.add((str(args["maker"]), nonce))
    return hashes, nonces


def spent_nonce(cancel: dict[str, Any]) -> int | None:
    """The nonce an `OrderCancelledByMaker` spent; None in a record of an Exchange from before the event carried
    it (a database kept across a redeployment)."""
    nonce = cancel.get("nonce")
    return None if nonce is None else int(nonce)


def exiting_wallets(session: Session, chain_id: int, exchange: str) -> set[str]:
    """Wallets whose latest exit event on `exchange` (pending or final) is `ExitRequested`, not `ExitCancelled`."""
    latest: dict[str, str] = {}
    for name, args in session.execute(
        select(ChainEvent.name, ChainEvent.args)
        .where(
            *exchange_events(chain_id, exchange),
            ChainEvent.name.in_(("ExitRequested", "ExitCancelled")),
        )
        .order_by(ChainEvent.id)
    ):
        latest[str(args["wallet"])] = name
    return {wallet for wallet, name in latest.items() if name == "ExitRequested"}
