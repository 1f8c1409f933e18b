"""Re-screening after a sanctions list import or update: every active wallet is screened again, and a wallet
that is newly blocked is frozen, its open orders cancelled, and a critical SANCTIONED_WALLET alert raised.

The freeze is a deny-list entry (`backend.trading.usecases.deny_list.deny_address`, audit-logged). Why that
and not `FrozenFunds`: a frozen-funds row holds one deposit (it names its chain event), while the deny-list
holds the wallet. Every door screens against it: the API refuses the wallet's withdrawals (and withdrawals
to it), the relayer relays none of them and settles none of its fills, and the engine hosts, which follow
the deny list at every sync, refuse its new orders and cancel its open ones. It also outlives the list entry
that caused it: if a later version of the list drops the address, the wallet stays frozen until compliance
staff take it off the deny-list.

"Active": a wallet with a positive ledger balance, an open order, or an account profile. "Newly blocked":
blocked by a list or the oracle now, and not already on the deny-list.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity, raise_alert
from backend.bootstrap import Container
from backend.compliance.factory import screener_for
from backend.compliance.screening import Decision
from backend.db.models import AccountProfile, DenyListEntry, LedgerBalance, SanctionsList
from backend.db.models import Order as OrderRow
from backend.db.models.risk import MonitorCursor
from backend.ledger.service import balances as ledger_balances
from backend.monitoring.leased_pass import LeaseFence
from backend.statuses import OrderStatus
from backend.trading.rules.accounts import checksum
from backend.trading.usecases.deny_list import deny_address

log = logging.getLogger(__name__)

ACTOR = "system:rescreen"  # the deny-list entries' and audit log's actor
LISTS_CURSOR = "rescreen.lists"  # the newest sanctions list import the last complete re-screening saw


@dataclass(frozen=True, slots=True)
class FrozenWallet:
    """A wallet this re-screening froze: EIP-55, why (the screening hits), its open orders then."""

    wallet: str
    reasons: list[str]
    open_orders: list[str]


@dataclass(frozen=True, slots=True)
class Rescreening:
    """What one re-screening did: wallets screened, wallets frozen, wallets that could not be screened (a
    provider was down: the re-screening is not complete and runs again)."""

    screened: int
    frozen: list[FrozenWallet] = field(default_factory=list)
    unavailable: int = 0


def active_wallets(session: Session) -> list[str]:
    """Every wallet with a positive ledger balance, an open order or an account profile (lower case)."""
    balances = session.execute(
        select(LedgerBalance.account, LedgerBalance.amount).where(LedgerBalance.account.like("0x%"))
    )
    wallets = {account.lower() for account, amount in balances if amount > 0}  # amounts are text on SQLite
    wallets |= {a.lower() for a in session.scalars(select(OrderRow.maker).where(OrderRow.status == OrderStatus.OPEN))}
    wallets |= {a.lower() for a in session.scalars(select(AccountProfile.address))}
    return sorted(wallets)


def rescreen_active_wallets(
    container: Container, fence: LeaseFence, *, actor: str = ACTOR, now_ms: int | None = None
) -> Rescreening:
    """Screen every active wallet again; freeze (deny-list, audit-logged) each newly blocked one and raise its
    SANCTIONED_WALLET alert, in one unit of work, committed only while the `aml` lease is still this process's
    (`fence`). The screening decisions land in the screening audit (context "rescreen")."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    with container.uow() as uow:  # read, then let go: the screener writes its audit on its own connection
        wallets = active_wallets(uow.session)
    if not wallets:
        return Rescreening(0)
    screener = screener_for(container)
    screener.invalidate()  # decisions cached before the import must not answer for the new list
    decisions = screener.screen(wallets, actor=actor, context="rescreen")
    frozen: list[FrozenWallet] = []
    with container.uow() as uow:
        session = uow.session
        denied = set(session.scalars(select(DenyListEntry.address)))
        for address, decision in sorted(decisions.items()):
            if decision.result == "blocked" and address not in denied:
                frozen.append(_freeze(session, decision, actor, now))
        fence(session)
        uow.commit()
    unavailable = sum(1 for d in decisions.values() if d.result == "error")
    if frozen or unavailable:
        log.warning(
            "sanctions re-screening",
            extra={"screened": len(wallets), "frozen": [f.wallet for f in frozen], "unavailable": unavailable},
        )
    return Rescreening(len(wallets), frozen, unavailable)


def _freeze(session: Session, decision: Decision, actor: str, now_ms: int) -> FrozenWallet:
    wallet = checksum(decision.address)
    reasons = [f"{hit.reason} ({hit.list_version})" for hit in decision.hits]
    open_orders = list(
        session.scalars(
            select(OrderRow.hash).where(
                func.lower(OrderRow.maker) == decision.address, OrderRow.status == OrderStatus.OPEN
            )
        )
    )
    deny_address(session, decision.address, f"sanctions re-screening: {'; '.join(reasons)}"[:500], actor=actor)
    balances = {token: str(amount) for (_, token), amount in ledger_balances(session, wallet).items()}
    raise_alert(
        session,
        AlertKind.SANCTIONED_WALLET,
        Severity.CRITICAL,
        f"{wallet} is newly listed ({'; '.join(reasons)}): frozen, {len(open_orders)} open orders cancelled",
        subject=f"wallet:{wallet}",
        details={
            "wallet": wallet,
            "hits": [{"provider": h.provider, "version": h.list_version, "reason": h.reason} for h in decision.hits],
            "listVersions": dict(decision.list_versions),
            "openOrders": open_orders,
            "balances": balances,
            "freeze": "deny-list",
        },
        dedup_key=f"aml:sanctioned_wallet:{wallet}",
        now_ms=now_ms,
    )
    return FrozenWallet(wallet, reasons, open_orders)


def rescreen_if_lists_changed(
    container: Container, fence: LeaseFence, *, now_ms: int | None = None
) -> Rescreening | None:
    """Re-screen when a sanctions list was imported since the last complete re-screening (whatever imported
    it: `hdex compliance import`, the bundled list at start, a scheduled refresh); None if none was. Under the
    `aml` lease, each write fenced by `fence` (`backend.monitoring.aml`)."""
    with container.uow() as uow:
        newest = uow.session.scalar(select(func.max(SanctionsList.id))) or 0
        row = uow.session.get(MonitorCursor, LISTS_CURSOR)
        seen = 0 if row is None else row.value
    if newest <= seen:
        return None
    result = rescreen_active_wallets(container, fence, now_ms=now_ms)
    if result.unavailable:  # not complete: the next pass tries again
        return result
    with container.uow() as uow:
        row = uow.session.get(MonitorCursor, LISTS_CURSOR)
        if row is None:
            uow.session.add(MonitorCursor(name=LISTS_CURSOR, value=newest))
        else:
            row.value = max(row.value, newest)
        fence(uow.session)
        uow.commit()
    return result
