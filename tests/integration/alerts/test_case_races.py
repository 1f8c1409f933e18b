"""PostgreSQL, READ COMMITTED: two staff changing one case (or one alert) at once. Each change reads, checks and
writes the row; without its lock the second passed the check on what it had read before the first committed (a case
closed and escalated at once ended escalated with a close reason; one alert went into two cases). The first is held
open, not committed; the second must wait for the row, then see the first's change and refuse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.alerts import AlertKind, Severity, cases, raise_alert
from backend.bootstrap import Container
from backend.db.models import Alert, Case

from ..staff.conftest import Inbox, build_container, outcome_behind_locks

A, B = "staff:a@hdex.example", "staff:b@hdex.example"


@pytest.fixture
def container(postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(postgres_url, tmp_path, inbox[1])
    yield built
    built.db_engine.dispose()


def alert(container: Container, n: int) -> int:
    with container.uow() as uow:
        row = raise_alert(uow.session, AlertKind.STRUCTURING, Severity.CRITICAL, f"structuring {n}",
                          subject=f"wallet:0x{n:040x}")  # fmt: skip
        assert row is not None
        uow.commit()
        return row.id


def in_a_unit(container: Container, change: Callable[..., object], *args: object, **kwargs: object) -> None:
    with container.uow() as uow:
        change(uow.session, *args, **kwargs)
        uow.commit()


def test_a_close_and_an_escalation_at_once_leave_the_case_closed(container: Container) -> None:
    with container.uow() as uow:
        case_id = cases.open_case(uow.session, [alert(container, 1)], "t", actor=A, ip=None, now_ms=1).id
        uow.commit()
    with container.session_factory() as held:  # A closes it: begun, not committed
        cases.change_status(held, case_id, "closed", "cleared", actor=A, ip=None, now_ms=2)
        held.flush()
        escalate = (cases.change_status, case_id, "escalated", None)
        outcome = outcome_behind_locks(
            container, held, lambda: in_a_unit(container, *escalate, actor=B, ip=None, now_ms=3)
        )
    assert outcome == "CASE_TRANSITION_INVALID"
    with container.uow() as uow:
        case = uow.session.get_one(Case, case_id)
        assert (case.status, case.close_reason) == ("closed", "cleared")


def test_one_alert_put_in_two_cases_at_once_lands_in_the_first_only(container: Container) -> None:
    alert_id = alert(container, 2)
    with container.session_factory() as held:  # A opens a case over it: begun, not committed
        first = cases.open_case(held, [alert_id], "first", actor=A, ip=None, now_ms=1)
        held.flush()
        second = (cases.open_case, [alert_id], "second")
        outcome = outcome_behind_locks(
            container, held, lambda: in_a_unit(container, *second, actor=B, ip=None, now_ms=2)
        )
    assert outcome == "CASE_TRANSITION_INVALID"
    with container.uow() as uow:
        assert uow.session.get_one(Alert, alert_id).case_id == first.id
        assert len(uow.session.scalars(select(Case)).all()) == 1
