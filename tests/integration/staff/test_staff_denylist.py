"""The deny-list in the back office: an address added blocks withdrawals to it at once, its removal lets
them through again, each change audit-logged with before and after, who and from where."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.staff.roles import Role
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import USDC, Exchange
from ..limits.conftest import USDC_UNIT
from .exchange_staff import STAFF_IP, audit_entries, back_office_state, running_staff_exchange, signed_in

SUSPECT = "0x" + "5e" * 20


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running_staff_exchange(database_url, tmp_path)


def withdraw_to(exchange: Exchange, recipient: str) -> int:
    _, body = Signer(DEV_KEYS[5], exchange.domain).withdrawal_body(
        checksum(USDC), 10 * USDC_UNIT, 0, recipient=checksum(recipient)
    )
    return exchange.client.post("/v1/withdrawals", json=body).status_code


def test_a_deny_listed_address_is_blocked_at_once_and_free_again_once_removed(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.COMPLIANCE)
    assert withdraw_to(exchange, SUSPECT) == 202  # screened clear, and cached so
    added = exchange.client.post("/v1/staff/denylist", json={"address": SUSPECT.upper().replace("0X", "0x"),
                                                             "reason": "phishing reports"}, headers=csrf)  # fmt: skip
    assert added.status_code == 201, added.text
    assert (added.json()["address"], added.json()["addedBy"]) == (checksum(SUSPECT), "staff:compliance@hdex.example")
    listed = exchange.client.get("/v1/staff/denylist").json()["entries"]
    assert [(e["address"], e["reason"]) for e in listed] == [(checksum(SUSPECT), "phishing reports")]
    assert withdraw_to(exchange, SUSPECT) == 403

    removed = exchange.client.post(
        f"/v1/staff/denylist/{SUSPECT}/remove", json={"reason": "reports withdrawn"}, headers=csrf
    )
    assert removed.json() == {"removed": checksum(SUSPECT)}
    assert withdraw_to(exchange, SUSPECT) == 202

    [add] = audit_entries(exchange.container, "denylist.add")
    assert (add.actor, add.target, add.ip, add.before) == ("staff:compliance@hdex.example", f"address:{SUSPECT}",
                                                          STAFF_IP, None)  # fmt: skip
    assert add.after == {"reason": "phishing reports", "added_by": "staff:compliance@hdex.example"}
    [remove] = audit_entries(exchange.container, "denylist.remove")
    assert remove.before == add.after and remove.after == {"reason": "reports withdrawn"}


def test_removing_an_address_that_is_not_listed_is_not_found_and_logs_nothing(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    before = back_office_state(exchange.container)
    answer = exchange.client.post(f"/v1/staff/denylist/{SUSPECT}/remove", json={"reason": "r"}, headers=csrf)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert back_office_state(exchange.container) == before


@pytest.mark.parametrize(
    "body",
    [
        {"address": "0x1234", "reason": "r"},
        {"address": SUSPECT, "reason": ""},
        {"address": SUSPECT},
        {"address": SUSPECT, "reason": "phishing\u0000"},  # PostgreSQL's text cannot hold it: was a 500
    ],
)
def test_a_malformed_addition_is_refused_and_changes_nothing(exchange: Exchange, body: dict[str, str]) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    before = back_office_state(exchange.container)
    answer = exchange.client.post("/v1/staff/denylist", json=body, headers=csrf)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "INVALID_FIELD")
    assert back_office_state(exchange.container) == before
