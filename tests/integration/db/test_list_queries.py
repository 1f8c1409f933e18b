"""The queries behind the API's lists, on SQLite and PostgreSQL: newest first, one page below the cursor's key,
narrowed only by the filters given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.alerts import AlertKind, Severity, raise_alert
from backend.db.list_queries import newest_first, where_given
from backend.db.models import Alert
from backend.db.session import make_engine

ANN, BOB = "wallet:0x" + "0a" * 20, "wallet:0x" + "0b" * 20


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def alerts(session: Session, *subjects: str) -> list[int]:
    """Ids of one new alert per subject, oldest first."""
    rows = [raise_alert(session, AlertKind.VELOCITY, Severity.WARNING, "m", subject=subject) for subject in subjects]
    return [row.id for row in rows if row is not None]


def test_pages_run_newest_first_each_below_the_last_key_of_the_one_before(session: Session) -> None:
    ids = alerts(session, ANN, ANN, BOB, ANN, BOB)

    def page(below: int | None) -> list[int]:
        return list(session.scalars(newest_first(select(Alert.id), Alert.id, 2, below)))

    assert page(None) == [ids[4], ids[3]]
    assert page(ids[3]) == [ids[2], ids[1]]
    assert page(ids[1]) == [ids[0]]
    assert page(ids[0]) == []


def test_only_the_filters_given_narrow_the_rows(session: Session) -> None:
    ids = alerts(session, ANN, BOB, ANN)

    def matching(*column_values: tuple[InstrumentedAttribute[Any], object]) -> list[int]:
        return list(session.scalars(where_given(select(Alert.id), *column_values).order_by(Alert.id)))

    assert matching((Alert.subject, ANN), (Alert.kind, None)) == [ids[0], ids[2]]
    assert matching((Alert.subject, BOB), (Alert.kind, AlertKind.VELOCITY.value)) == [ids[1]]
    assert matching((Alert.subject, BOB), (Alert.kind, AlertKind.STRUCTURING.value)) == []
    assert matching((Alert.subject, None), (Alert.severity, None)) == ids
