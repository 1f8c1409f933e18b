"""A wallet's export holds everything about it; a deletion erases the profile now and keeps KYC records
until the retention period ends, when the purge (function, CLI, schedule) removes rows and files."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.accounts.identity import IdentityData, PostalAddress
from backend.accounts.retention import start_purge_thread
from backend.accounts.service import Accounts
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.cli import main
from backend.db.models import AccountProfile, ChainEvent, KycDocument, KycSubmission
from backend.limits.store import save_overrides
from backend.limits.tiers import Overrides
from backend.staff.roles import Role
from backend.storage import LocalFolderStore

from ..api.exchange_fixtures import wallet
from .conftest import (
    IDENTITY,
    OTHER,
    PDF,
    PNG,
    USER,
    ClientFor,
    StaffBrowser,
    documents,
    signed_in_wallet,
    stored_files,
)

DAY_MS = 86_400_000
GRACE = IdentityData("Grace Hopper", "1950-01-01", "US", PostalAddress("1 Navy Way", "Arlington", "22201"))


def _verified_with_documents(user: TestClient, staff: StaffBrowser) -> dict[str, object]:
    user.put("/v1/account/profile", json={"email": "ada@example.com", "country": "GB"})
    level1 = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    staff.post(f"/v1/staff/kyc/submissions/{level1['id']}/approve", {})
    level2: dict[str, object] = user.post("/v1/account/kyc/level2", files=documents()).json()
    return level2


def _kyc_rows(container: Container) -> tuple[int, int]:
    with container.uow() as uow:
        submissions = uow.session.scalar(select(func.count()).select_from(KycSubmission)) or 0
        docs = uow.session.scalar(select(func.count()).select_from(KycDocument)) or 0
    return int(submissions), int(docs)


def _identity_country(container: Container) -> str | None:
    with container.uow() as uow:
        return uow.session.scalar(select(AccountProfile.identity_country).where(AccountProfile.address == wallet(USER)))


def test_the_export_is_a_json_attachment_of_everything_held(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser]
) -> None:
    compliance = staff_as(Role.COMPLIANCE)
    _verified_with_documents(user, compliance)
    response = user.get("/v1/account/export")
    assert response.status_code == 200
    assert compliance.email not in response.text  # who reviewed it is staff's: the user gets what and when
    assert response.headers["content-disposition"] == f'attachment; filename="hdex-export-{wallet(USER)}.json"'
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["address"] == wallet(USER)
    assert data["profile"]["email"] == "ada@example.com" and data["profile"]["level"] == 1
    assert data["profile"]["identityCountry"] == "GB"  # the approved identity data's, which the limits follow
    level2, level1 = data["kycSubmissions"]
    assert level1["data"]["legalName"] == "Ada Lovelace" and level1["status"] == "approved"
    contents = {d["kind"]: base64.b64decode(d["contentBase64"]) for d in level2["documents"]}
    assert contents == {"identity": PNG, "proof_of_address": PDF}
    assert "storage_key" not in level2["documents"][0]
    assert len(data["sessions"]) == 1 and "token_hash" not in data["sessions"][0]
    assert {"orders", "fills", "withdrawals", "balances"} <= data.keys()


def test_the_export_holds_the_wallet_s_tickets_forum_writing_and_events_but_not_staff_notes(
    user: TestClient, staff_as: Callable[..., StaffBrowser], client_for: ClientFor
) -> None:
    form = {"category": "deposit", "subject": "Deposit missing", "message": "Where is my **USDC**?"}
    ticket = user.post("/v1/support/tickets", data=form).json()["ticket"]
    desk = staff_as(Role.SUPPORT)
    path = f"/v1/staff/support/tickets/{ticket['id']}"
    assert desk.post(f"{path}/assign", {"assignee": desk.email}).status_code == 200
    assert desk.post(f"{path}/messages", {"body": "the user seems confused", "internal": True}).status_code == 201
    assert desk.post(f"{path}/messages", {"body": "It is credited now.", "internal": False}).status_code == 201
    thread = {"category": "general", "title": "Hello", "message": "My first post"}
    assert user.post("/v1/forum/threads", json=thread).status_code == 201
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    post = other.post("/v1/forum/threads", json={**thread, "title": "Buy my token"}).json()["post"]
    report = user.post(f"/v1/forum/posts/{post['id']}/report", json={"reason": "spam"}).json()
    moderator = staff_as(Role.ADMIN)
    assert moderator.post(f"/v1/staff/forum/reports/{report['id']}/dismiss", {}).status_code == 200
    connected = {"event": "wallet_connected", "wallet": wallet(USER)}
    assert user.post("/v1/stats/events", json=connected).status_code == 200

    data = user.get("/v1/account/export").json()
    [exported] = data["supportTickets"]
    assert (exported["subject"], "assignee" in exported) == ("Deposit missing", False)
    assert [(m["kind"], m["body"]) for m in exported["messages"]] == [
        ("user", "Where is my **USDC**?"), ("reply", "It is credited now."),
    ]  # fmt: skip
    assert "the user seems confused" not in str(data) and desk.email not in str(data)
    assert [(r["reason"], r["status"]) for r in data["forumReports"]] == [("spam", "dismissed")]
    assert moderator.email not in str(data)
    assert [t["title"] for t in data["forumThreads"]] == ["Hello"]
    assert [p["body_source"] for p in data["forumPosts"]] == ["My first post"]
    assert [e["event"] for e in data["behaviourEvents"]] == ["wallet_connected"]


def test_the_export_holds_the_wallet_s_mail_deposits_attachments_overrides_and_e_mail_links(
    user: TestClient, staff_as: Callable[..., StaffBrowser], container: Container
) -> None:
    assert user.put("/v1/account/profile", json={"email": "ada@example.com"}).status_code == 200  # a link mailed
    form = {"category": "deposit", "subject": "Deposit missing", "message": "see the screenshot"}
    files = {"attachment": ("shot.png", io.BytesIO(PNG), "image/png")}
    ticket = user.post("/v1/support/tickets", data=form, files=files).json()["ticket"]
    desk = staff_as(Role.SUPPORT)
    reply = {"body": "It is credited now.", "internal": False}
    assert desk.post(f"/v1/staff/support/tickets/{ticket['id']}/messages", reply).status_code == 201
    with container.uow() as uow:  # as the indexer and staff's limits page write them
        deposited = {"wallet": wallet(USER), "token": "0x" + "11" * 20, "amount": "5000000"}
        uow.session.add(ChainEvent(chain_id=31337, block_number=7, block_hash="0x" + "22" * 32, tx_hash="0x" +
                                   "33" * 32, log_index=0, contract="0x" + "44" * 20, name="Deposited",
                                   args=deposited, status="final"))  # fmt: skip
        save_overrides(uow.session, wallet(USER), Overrides(withdrawal_daily=7), "trusted", desk.email, 1)
        uow.commit()

    data = user.get("/v1/account/export").json()

    assert [(m["kind"], m["subject"], m["outcome"]) for m in data["accountMail"]] == [
        ("support", f"HDEX support: ticket #{ticket['id']}", None),
    ]  # fmt: skip
    assert "It is credited now." in data["accountMail"][0]["body"]
    assert [(d["name"], d["args"]["amount"], d["tx_hash"]) for d in data["deposits"]] == [
        ("Deposited", "5000000", "0x" + "33" * 32),
    ]  # fmt: skip
    [attachment] = data["supportAttachments"]
    assert (base64.b64decode(attachment["contentBase64"]), attachment["content_type"]) == (PNG, "image/png")
    assert "storage_key" not in attachment
    [override] = data["limitOverrides"]
    assert (override["withdrawal_daily"], override["reason"], "updated_by" in override) == ("7", "trusted", False)
    assert desk.email not in str(data)
    assert [link["email"] for link in data["emailLinks"]] == ["ada@example.com"]
    assert data["profile"]["emailVerified"] is False


def test_deletion_erases_the_profile_now_and_the_purge_removes_kyc_after_retention(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    _verified_with_documents(user, staff_as(Role.COMPLIANCE))
    assert len(stored_files(container)) == 2
    receipt = user.post("/v1/account/deletion").json()
    retention_ms = container.settings.kyc_retention_days * DAY_MS
    assert receipt["kycRetainedUntil"] == receipt["requestedAt"] + retention_ms
    signed_in_wallet(user, USER)  # the request ended its sessions

    profile = user.get("/v1/account/profile").json()
    assert profile["email"] is None and profile["country"] is None and profile["level"] == 0
    kyc = user.get("/v1/account/kyc").json()
    assert [s["status"] for s in kyc["submissions"]] == ["rejected", "approved"]  # the pending one withdrawn
    assert _kyc_rows(container) == (2, 2) and len(stored_files(container)) == 2  # kept by AML law
    assert _identity_country(container) == "GB"  # a KYC record as they are

    now = [receipt["kycRetainedUntil"] - 1]
    accounts = Accounts(container, clock=lambda: now[0])
    assert accounts.purge_expired().kyc_submissions == 0 and _kyc_rows(container) == (2, 2)
    now[0] += 1
    assert accounts.purge_expired().kyc_submissions == 2
    assert _kyc_rows(container) == (0, 0) and stored_files(container) == []
    assert _identity_country(container) is None  # gone with the identity data it was copied from
    assert accounts.purge_expired().kyc_submissions == 0
    assert user.get("/v1/account/kyc").json() == {"level": 0, "submissions": []}
    with container.uow() as uow:
        purge = list_entries(uow.session, AuditFilter(action="kyc.purge"), 10)
    assert [(e.actor, e.target) for e in purge] == [("system:retention", wallet(USER))]


def test_a_deletion_keeps_the_records_of_other_wallets(user: TestClient, container: Container) -> None:
    accounts = Accounts(container)
    accounts.submit_identity(wallet(7), GRACE)
    receipt = user.post("/v1/account/deletion").json()
    assert receipt["kycRetainedUntil"] is None  # nothing of USER's to keep
    far_future = [10**15]
    assert Accounts(container, clock=lambda: far_future[0]).purge_expired().kyc_submissions == 0
    assert _kyc_rows(container) == (1, 0)


def test_hdex_accounts_purge_expired_runs_the_purge(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    _verified_with_documents(user, staff_as(Role.COMPLIANCE))
    with container.uow() as uow:  # a deletion asked long ago: its retention ended yesterday
        for row in uow.session.scalars(select(KycSubmission)):
            row.retain_until_ms = 1
        uow.commit()
    settings = container.settings
    monkeypatch.setenv("HDEX_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(settings.data_dir))
    from backend.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["accounts", "purge-expired"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.output == "purged 2 expired KYC submissions and 0 travel-rule records\n"
    assert _kyc_rows(container) == (0, 0) and stored_files(container) == []


def test_the_scheduled_purge_runs_in_a_thread_until_stopped(user: TestClient, container: Container) -> None:
    user.post("/v1/account/kyc/level1", json=IDENTITY)
    user.post("/v1/account/deletion")
    with container.uow() as uow:
        for row in uow.session.scalars(select(KycSubmission)):
            row.retain_until_ms = 1
        uow.commit()
    stop = threading.Event()
    thread = start_purge_thread(Accounts(container, store=LocalFolderStore(container.settings.data_dir)), stop, 0.05)
    try:
        for _ in range(100):
            if _kyc_rows(container) == (0, 0):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert _kyc_rows(container) == (0, 0) and not thread.is_alive()
