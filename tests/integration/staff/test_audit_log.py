"""Every staff and operator action lands in the hash-chained audit log; `hdex audit-log verify` finds the
first edited or deleted entry."""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from backend.audit_log import AuditFilter, list_entries, record_action, verify_log
from backend.bootstrap import Container
from backend.cli import main
from backend.db.models import AuditLogEntry
from backend.settings import get_settings

from .conftest import Member, sign_in


@pytest.fixture
def cli(container: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("HDEX_DATABASE_URL", container.settings.effective_database_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return [e.action for e in reversed(list_entries(uow.session, AuditFilter(), 500))]


def _record(container: Container, count: int) -> None:
    with container.uow() as uow:
        for n in range(count):
            record_action(uow.session, actor="cli:test", action="test.step", target=f"n:{n}", after={"n": n})
        uow.commit()


def test_sign_ins_and_staff_changes_are_recorded_with_who_and_where(
    client: TestClient, container: Container, admin: Member
) -> None:
    client.post("/v1/staff/auth/login", json={"email": admin.email, "password": "a wrong password"})
    csrf = sign_in(client, admin)
    new = {"email": "new@hdex.example", "role": "auditor"}
    client.post("/v1/staff/staff", json=new, headers={"X-CSRF-Token": csrf})
    page = client.get("/v1/staff/audit-log", params={"actor": "staff:admin@hdex.example"}).json()["entries"]
    assert [e["action"] for e in page] == ["staff.create", "staff.sign_in", "staff.sign_in_failed"]
    assert page[0]["after"] == {"email": "new@hdex.example", "role": "auditor"} and page[0]["ip"] == "203.0.113.7"
    assert page[0]["prevHash"] == page[1]["hash"]
    assert client.get("/v1/staff/audit-log", params={"action": "staff.sign_in", "limit": 1}).json()["next"]


def test_verify_passes_an_intact_log(cli: CliRunner, container: Container) -> None:
    _record(container, 3)
    result = cli.invoke(main, ["audit-log", "verify"])
    assert result.exit_code == 0, result.output
    assert "3 entries" in result.output


def test_an_address_longer_than_its_column_is_cut_not_a_failed_commit(container: Container) -> None:
    """A proxy forwards whatever X-Forwarded-For says: on PostgreSQL a longer value failed the commit, and with it
    the sign-in failure it recorded (a lock-out never counted)."""
    with container.uow() as uow:
        record_action(uow.session, actor="staff:a@hdex.example", action="staff.login_failed", ip="1" * 300)
        uow.commit()
    with container.uow() as uow:
        [entry] = list_entries(uow.session, AuditFilter(action="staff.login_failed"), 10)
        assert entry.ip == "1" * 64
        assert verify_log(uow.session).broken is None


def test_verify_passes_while_another_writer_appends_during_the_walk(container: Container) -> None:
    _record(container, 3)
    with container.uow() as uow:
        session = uow.session
        read = session.execute

        def read_then_another_writer_appends(*args: Any, **kwargs: Any) -> Any:
            answer = read(*args, **kwargs)  # the head, as it was
            session.execute = read  # type: ignore[method-assign]
            _record(container, 1)  # committed by another writer before the entries are read
            return answer

        session.execute = read_then_another_writer_appends  # type: ignore[method-assign]
        verified = verify_log(session)
    assert (verified.broken, verified.entries, verified.head_seq) == (None, 3, 3)


def test_verify_finds_an_entry_added_past_the_head(container: Container) -> None:
    _record(container, 2)
    with container.uow() as uow:
        [last] = list_entries(uow.session, AuditFilter(), 1)
        uow.session.add(AuditLogEntry(
            seq=3, at_ms=last.at_ms, actor="cli:intruder", action="test.step", target=None, before="null",
            after="null", ip=None, prev_hash=last.hash, hash="00" * 32,
        ))  # fmt: skip
        uow.commit()
    with container.uow() as uow:
        broken = verify_log(uow.session).broken
    assert broken is not None and broken.seq == 3 and "past the recorded head" in broken.problem


def test_verify_finds_an_edited_entry(cli: CliRunner, container: Container) -> None:
    _record(container, 4)
    with container.uow() as uow:
        uow.session.execute(update(AuditLogEntry).where(AuditLogEntry.seq == 2).values(after='{"n":99}'))
        uow.commit()
    result = cli.invoke(main, ["audit-log", "verify"])
    assert result.exit_code == 1
    assert "entry 2 was edited" in result.output


def test_verify_finds_a_deleted_entry_in_the_middle_and_at_the_end(cli: CliRunner, container: Container) -> None:
    _record(container, 4)
    with container.uow() as uow:
        uow.session.execute(delete(AuditLogEntry).where(AuditLogEntry.seq == 4))
        uow.commit()
    assert "entries 4 to 4 were deleted" in cli.invoke(main, ["audit-log", "verify"]).output
    with container.uow() as uow:
        uow.session.execute(delete(AuditLogEntry).where(AuditLogEntry.seq == 2))
        uow.commit()
    result = cli.invoke(main, ["audit-log", "verify"])
    assert result.exit_code == 1
    assert "entry 2 was deleted" in result.output


def test_cli_staff_create_list_disable_and_operator_actions_are_recorded(cli: CliRunner, container: Container) -> None:
    created = cli.invoke(main, ["staff", "create", "--email", "root@hdex.example", "--role", "admin"],
                         input="a long enough password\na long enough password\n")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "otpauth://totp/HDEX:root%40hdex.example" in created.output
    cli.invoke(main, ["staff", "create", "--email", "two@hdex.example", "--role", "support",
                      "--password", "another long password"])  # fmt: skip
    assert "two@hdex.example support active" in cli.invoke(main, ["staff", "list"]).output
    assert cli.invoke(main, ["staff", "disable", "two@hdex.example", "--reason", "left"]).exit_code == 0
    # the shell's user, whatever the environment claims (USER and LOGNAME are anyone's to set)
    claimed = {"USER": "alice", "LOGNAME": "alice"}
    assert cli.invoke(main, ["compliance", "deny", "0x" + "ab" * 20, "--reason", "fraud"], env=claimed).exit_code == 0
    assert cli.invoke(main, ["compliance", "allow", "0x" + "ab" * 20]).exit_code == 2  # a reason, as staff give
    for reason, why in (("  ", "must say why"), ("r" * 501, "at most 500 characters")):  # as the back office's door
        for command in (
            ["compliance", "allow", "0x" + "ab" * 20], ["compliance", "deny", "0x" + "cd" * 20],
            ["staff", "disable", "two@hdex.example"], ["staff", "reset-totp", "two@hdex.example"],
        ):  # fmt: skip
            refused = cli.invoke(main, [*command, "--reason", reason])
            assert (refused.exit_code, why in refused.output, "--reason" in refused.output) == (2, True, True), command
    assert cli.invoke(main, ["compliance", "allow", "0x" + "ab" * 20, "--reason", "cleared"]).exit_code == 0
    assert _actions(container) == [
        "staff.create", "staff.create", "staff.disable", "denylist.add", "denylist.remove",
    ]  # fmt: skip
    shell_user = f"cli:{pwd.getpwuid(os.getuid()).pw_name}"
    with container.uow() as uow:
        assert {e.actor for e in list_entries(uow.session, AuditFilter(), 10)} == {shell_user}
    assert cli.invoke(main, ["audit-log", "verify"]).exit_code == 0


def test_cli_reset_totp_sends_the_account_back_to_totp_setup_and_is_recorded(
    cli: CliRunner, container: Container
) -> None:
    cli.invoke(main, ["staff", "create", "--email", "lost@hdex.example", "--role", "support",
                      "--password", "another long password"])  # fmt: skip
    reset = cli.invoke(main, ["staff", "reset-totp", "lost@hdex.example", "--reason", "lost phone"])
    assert reset.exit_code == 0, reset.output
    assert "lost@hdex.example support active totp-pending" in cli.invoke(main, ["staff", "list"]).output
    assert _actions(container)[-1] == "staff.totp_reset"
    unknown = cli.invoke(main, ["staff", "reset-totp", "nobody@hdex.example", "--reason", "x"])
    assert unknown.exit_code == 2
    assert _actions(container)[-1] == "staff.totp_reset"


def _found(client: TestClient, **params: str) -> list[tuple[str, str, str | None]]:
    """(actor, action, target) of the audit log's entries the API finds for `params`, leaving out sign-ins."""
    entries = client.get("/v1/staff/audit-log", params=params).json()["entries"]
    return [(e["actor"], e["action"], e["target"]) for e in entries if not e["action"].startswith("staff.sign_in")]


@pytest.fixture
def logged(client: TestClient, container: Container, admin: Member) -> TestClient:
    """`client` signed in as the admin, over a log holding a few entries to filter."""
    with container.uow() as uow:
        for actor, action, target in [
            ("staff:compliance.ux@hdex.example", "case.open", "case:1"),
            ("staff:compliance.ux@hdex.example", "case.assign", "case:12"),
            ("cli:ops", "cases.export", "case:1"),
            ("cli:ops", "test.a_b", "staff:compliance.ux@hdex.example"),
            ("cli:ops", "test.axb", None),
        ]:
            record_action(uow.session, actor=actor, action=action, target=target)
        uow.commit()
    sign_in(client, admin)
    return client


def test_the_audit_log_takes_a_bare_e_mail_as_the_member_of_staff_who_acted(logged: TestClient) -> None:
    assert [a for _, a, _ in _found(logged, actor="Compliance.UX@hdex.example")] == ["case.assign", "case.open"]
    bare = _found(logged, actor="compliance.ux@hdex.example")
    assert bare == _found(logged, actor="staff:compliance.ux@hdex.example")
    assert [a for _, a, _ in _found(logged, actor="cli:ops")] == ["test.axb", "test.a_b", "cases.export"]


def test_the_audit_log_finds_every_action_under_the_first_parts_of_its_name(logged: TestClient) -> None:
    assert [a for _, a, _ in _found(logged, action="case")] == ["case.assign", "case.open"]  # not cases.export
    assert [a for _, a, _ in _found(logged, action="case.")] == ["case.assign", "case.open"]
    assert [a for _, a, _ in _found(logged, action="case.open")] == ["case.open"]
    assert _found(logged, action="cas") == []  # whole parts only


def test_the_audit_log_treats_like_wildcards_in_an_action_as_characters(logged: TestClient) -> None:
    assert [a for _, a, _ in _found(logged, action="test.a_b")] == ["test.a_b"]  # not test.axb
    for pattern in ("%", "test.%", "test.a%", "_", "test"):
        found = [a for _, a, _ in _found(logged, action=pattern)]
        assert found == ([] if pattern != "test" else ["test.axb", "test.a_b"]), pattern


def test_the_audit_log_filters_by_target_exactly_and_a_bare_e_mail_names_a_member_of_staff(logged: TestClient) -> None:
    assert [a for _, a, _ in _found(logged, target="case:1")] == ["cases.export", "case.open"]  # not case:12
    assert [a for _, a, _ in _found(logged, target="compliance.ux@hdex.example")] == ["test.a_b"]
    assert _found(logged, target="case:") == []
    refused = logged.get("/v1/staff/audit-log", params={"target": "x" * 321})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "INVALID_FIELD"
