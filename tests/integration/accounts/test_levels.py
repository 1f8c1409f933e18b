"""`current_level` and `set_level`, the one read and the one write of a wallet's KYC level (the limits
read it): 0 without a profile, any address case, every change audit-logged with before and after."""

from __future__ import annotations

import pytest

from backend.accounts.levels import current_level, set_level
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.errors import HdexError

from ..api.exchange_fixtures import wallet

NOW = 1_800_000_000_000


def test_a_wallet_without_a_profile_is_level_0(container: Container) -> None:
    with container.uow() as uow:
        assert current_level(uow.session, wallet(5).lower()) == 0


def test_a_level_change_is_audit_logged_and_read_back_in_any_address_case(container: Container) -> None:
    with container.uow() as uow:
        before = set_level(uow.session, wallet(5).lower(), 2, actor="staff:x@hdex.example", now_ms=NOW, reason="r")
        assert before == 0
        assert set_level(uow.session, wallet(5), 2, actor="staff:x@hdex.example", now_ms=NOW) == 2  # no change
        uow.commit()
    with container.uow() as uow:
        assert current_level(uow.session, wallet(5).upper().replace("0X", "0x")) == 2
        entries = list_entries(uow.session, AuditFilter(action="account.level"), 10)
    assert [(e.actor, e.target, e.before, e.after) for e in entries] == [
        ("staff:x@hdex.example", wallet(5), {"level": 0}, {"level": 2, "reason": "r"})
    ]


@pytest.mark.parametrize("level", [-1, 3])
def test_a_level_outside_0_to_2_is_refused(container: Container, level: int) -> None:
    with container.uow() as uow, pytest.raises(HdexError) as refused:
        set_level(uow.session, wallet(5), level, actor="cli:test", now_ms=NOW)
    assert refused.value.code == "INVALID_FIELD"


def test_a_malformed_address_is_refused(container: Container) -> None:
    with container.uow() as uow, pytest.raises(HdexError) as refused:
        current_level(uow.session, "0x1234")
    assert refused.value.field == "address"
