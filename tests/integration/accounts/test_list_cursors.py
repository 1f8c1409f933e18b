"""A page cursor no list could have issued is refused as INVALID_FIELD "cursor", on SQLite and PostgreSQL alike:
lists keyed by a table's 32-bit id refuse a key past 2^31 - 1 (PostgreSQL refused to compare, a 500), the audit
log, keyed by a 64-bit sequence, takes any key of up to 18 digits (the account lists: test_account_history)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.staff.roles import Role

from .conftest import StaffBrowser

PAST_ANY_ROW_ID = str(2**31)  # ten digits: the patterns took it, the 32-bit columns cannot hold it
STAFF_LISTS = (
    "/v1/staff/alerts", "/v1/staff/cases", "/v1/staff/announcements", "/v1/staff/forum/reports",
    "/v1/staff/kyc/submissions", "/v1/staff/support/tickets",
)  # fmt: skip


def test_a_cursor_past_any_row_id_is_refused_by_every_list_keyed_by_one(
    user: TestClient, client_for: Callable[[str], TestClient], staff_as: Callable[[Role], StaffBrowser]
) -> None:
    admin = staff_as(Role.ADMIN)
    anonymous = client_for("anonymous")
    lists = [
        (anonymous, "/v1/forum/threads/1/posts"),
        (anonymous, f"/v1/forum/threads?cursor=0-1-{PAST_ANY_ROW_ID}"),
        (user, "/v1/support/tickets"),
        *((admin.client, path) for path in STAFF_LISTS),
    ]
    for client, path in lists:
        url = path if "cursor=" in path else f"{path}?cursor={PAST_ANY_ROW_ID}"
        refused = client.get(url)
        assert refused.status_code == 422, (path, refused.text)
        assert refused.json()["error"]["code"] == "INVALID_FIELD" and refused.json()["error"]["field"] == "cursor"
        last_id = url.replace(PAST_ANY_ROW_ID, str(2**31 - 1))
        assert client.get(last_id).status_code in (200, 404), last_id  # the largest id is a cursor


def test_the_audit_log_keyed_by_a_64_bit_sequence_takes_a_cursor_past_32_bits(
    staff_as: Callable[[Role], StaffBrowser],
) -> None:
    assert staff_as(Role.ADMIN).client.get(f"/v1/staff/audit-log?cursor={10**18 - 1}").status_code == 200
