"""The back office over a trading exchange: the API exchange (one market, funded dev traders 5..9, the
default tier limits) seen from 203.0.113.7, staff of any role signed in, and the state a refused staff
request must leave as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.audit_log import AuditEntry, AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import DenyListEntry, FrozenFunds, LimitOverride, Market
from backend.staff.roles import Role

from ..api.exchange_fixtures import Exchange, prepare, running
from ..limits.conftest import DEFAULT_LIMITS
from .conftest import make_staff, sign_in

STAFF_IP = "203.0.113.7"


def running_staff_exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running(prepare(database_url, tmp_path, **DEFAULT_LIMITS), client_ip=STAFF_IP)


def signed_in(exchange: Exchange, role: Role, email: str | None = None) -> dict[str, str]:
    """A member of staff of `role`, signed in (password, TOTP) in the exchange's client; the CSRF header."""
    member = make_staff(exchange.container, email or f"{role.value}@hdex.example", role)
    return {"X-CSRF-Token": sign_in(exchange.client, member)}


def audit_entries(container: Container, action: str) -> list[AuditEntry]:
    """The audit log's entries of `action`, newest first."""
    with container.uow() as uow:
        return list_entries(uow.session, AuditFilter(action=action), 100)


def back_office_state(container: Container) -> dict[str, Any]:
    """What staff changes: the audit log (its head), overrides, the deny-list, market states, frozen deposits."""
    with container.uow() as uow:
        session = uow.session
        return {
            "audit": [e.seq for e in list_entries(session, AuditFilter(), 1_000)],
            "overrides": [
                (o.wallet, o.withdrawal_daily, o.max_order_notional) for o in session.scalars(select(LimitOverride))
            ],
            "deny": [(d.address, d.reason) for d in session.scalars(select(DenyListEntry))],
            "markets": [(m.name, m.state) for m in session.scalars(select(Market))],
            "frozen": [(f.id, f.released_at, f.released_by) for f in session.scalars(select(FrozenFunds))],
        }
