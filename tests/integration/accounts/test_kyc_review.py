"""A wallet submits level 1 and level 2, staff review with password + TOTP sessions, and the level
changes at once; a rejection carries its reason and the wallet submits again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.accounts import kyc
from backend.accounts.identity import IdentityData, PostalAddress
from backend.accounts.levels import current_level
from backend.accounts.review import KycReview
from backend.accounts.service import Accounts
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.staff.roles import Role

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
from .races import race


def _level(container: Container) -> int:
    with container.uow() as uow:
        return current_level(uow.session, wallet(USER))


def _actions(container: Container, action: str) -> list[Any]:
    with container.uow() as uow:
        return [entry.after for entry in list_entries(uow.session, AuditFilter(action=action), 100)]


def test_a_wallet_reaches_level_2_as_soon_as_staff_approve_each_submission(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    compliance = staff_as(Role.COMPLIANCE)
    assert user.get("/v1/account/kyc").json() == {"level": 0, "submissions": []}

    level1 = user.post("/v1/account/kyc/level1", json=IDENTITY)
    assert level1.status_code == 201, level1.text
    assert level1.json()["status"] == "pending" and level1.json()["level"] == 1
    queue = compliance.client.get("/v1/staff/kyc/submissions", params={"status": "pending"}).json()
    assert [s["id"] for s in queue["submissions"]] == [level1.json()["id"]]
    assert queue["submissions"][0]["address"] == wallet(USER)
    assert "data" not in queue["submissions"][0] and "Ada Lovelace" not in str(queue)  # no bulk reading
    assert _actions(container, "kyc.submission_view") == []
    opened = compliance.client.get(f"/v1/staff/kyc/submissions/{level1.json()['id']}").json()
    assert opened["data"]["legalName"] == "Ada Lovelace"
    [viewed] = _actions(container, "kyc.submission_view")  # who read her identity data is on record
    assert viewed == {"submission": level1.json()["id"]}

    for role in (Role.SUPPORT, Role.AUDITOR):  # KYC status, not a person's details: those are for compliance
        seen = staff_as(role).client.get(f"/v1/staff/kyc/submissions/{level1.json()['id']}")
        assert seen.status_code == 200 and seen.json()["data"] is None and "Ada Lovelace" not in seen.text
        assert seen.json()["status"] == "pending"
    assert len(_actions(container, "kyc.submission_view")) == 1  # no identity data read, nothing to record

    approved = compliance.post(f"/v1/staff/kyc/submissions/{level1.json()['id']}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["reviewer"] == "staff:compliance@hdex.example"
    assert _level(container) == 1 and user.get("/v1/account/profile").json()["level"] == 1

    level2 = user.post("/v1/account/kyc/level2", files=documents())
    assert level2.status_code == 201, level2.text
    kinds = {d["kind"]: d for d in level2.json()["documents"]}
    assert kinds["identity"]["contentType"] == "image/png" and kinds["identity"]["size"] == len(PNG)
    assert kinds["proof_of_address"]["contentType"] == "application/pdf"
    assert len(stored_files(container)) == 2

    document = compliance.client.get(f"/v1/staff/kyc/documents/{kinds['identity']['id']}")
    assert document.status_code == 200 and document.content == PNG
    compliance.post(f"/v1/staff/kyc/submissions/{level2.json()['id']}/approve", {"reason": "documents match"})
    assert _level(container) == 2
    status = user.get("/v1/account/kyc").json()
    assert status["level"] == 2 and [s["level"] for s in status["submissions"]] == [2, 1]
    assert status["submissions"][0]["reason"] is None  # the approval's note is staff's: the audit log keeps it
    with container.uow() as uow:  # an approval stored with its note before notes went to the audit log alone
        uow.session.get(kyc.KycSubmission, level2.json()["id"]).reason = "INTERNAL: looks fine"  # type: ignore[union-attr]
        uow.commit()
    assert "INTERNAL" not in user.get("/v1/account/kyc").text
    assert "INTERNAL" not in user.get("/v1/account/export").text
    assert [after["level"] for after in _actions(container, "account.level")] == [2, 1]
    assert [after["reason"] for after in _actions(container, "kyc.approve")] == ["documents match", None]
    assert len(_actions(container, "kyc.document_view")) == 1


def test_the_review_queue_pages_newest_first_and_shows_each_wallets_own_email_and_documents(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser]
) -> None:
    compliance = staff_as(Role.COMPLIANCE)
    assert user.put("/v1/account/profile", json={"email": "ada@example.com"}).status_code == 200
    first = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    second = other.post("/v1/account/kyc/level1", json=IDENTITY).json()
    compliance.post(f"/v1/staff/kyc/submissions/{first['id']}/approve", {})
    third = user.post("/v1/account/kyc/level2", files=documents()).json()

    page = compliance.client.get("/v1/staff/kyc/submissions", params={"limit": 2}).json()
    assert [s["id"] for s in page["submissions"]] == [third["id"], second["id"]]
    assert [(s["address"], s["email"]) for s in page["submissions"]] == [
        (wallet(USER), "ada@example.com"),
        (wallet(OTHER), None),
    ]
    assert [d["kind"] for d in page["submissions"][0]["documents"]] == ["identity", "proof_of_address"]
    assert page["submissions"][1]["documents"] == []
    last = compliance.client.get("/v1/staff/kyc/submissions", params={"limit": 2, "cursor": page["next"]}).json()
    assert [s["id"] for s in last["submissions"]] == [first["id"]] and last["next"] is None
    assert last["submissions"][0]["email"] == "ada@example.com"


def test_a_rejection_carries_its_reason_and_the_wallet_submits_again(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    compliance = staff_as(Role.COMPLIANCE)
    first = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    assert user.post("/v1/account/kyc/level1", json=IDENTITY).json()["error"]["code"] == "KYC_ALREADY_PENDING"

    no_reason = compliance.post(f"/v1/staff/kyc/submissions/{first['id']}/reject", {})
    assert no_reason.status_code == 422
    rejected = compliance.post(f"/v1/staff/kyc/submissions/{first['id']}/reject", {"reason": "name is blurred"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "name is blurred"
    again = compliance.post(f"/v1/staff/kyc/submissions/{first['id']}/approve", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "KYC_NOT_PENDING"
    assert _level(container) == 0

    seen = user.get("/v1/account/kyc").json()["submissions"][0]
    assert seen["status"] == "rejected" and seen["reason"] == "name is blurred" and seen["reviewedAt"] is not None
    assert "reviewer" not in seen and "data" not in seen  # staff-only fields
    second = user.post("/v1/account/kyc/level1", json={**IDENTITY, "legalName": "Augusta Ada King"})
    assert second.status_code == 201
    compliance.post(f"/v1/staff/kyc/submissions/{second.json()['id']}/approve", {})
    assert _level(container) == 1
    assert _actions(container, "kyc.reject") == [
        {"submission": first["id"], "level": 1, "status": "rejected", "reason": "name is blurred"}
    ]


def test_level_2_needs_an_approved_level_1_and_stores_nothing_before(user: TestClient, container: Container) -> None:
    refused = user.post("/v1/account/kyc/level2", files=documents())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "KYC_LEVEL_REQUIRED"
    assert stored_files(container) == []


def test_a_declared_restricted_country_cannot_pass_level_0(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    refused = user.post("/v1/account/kyc/level1", json={**IDENTITY, "country": "KP"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "JURISDICTION_RESTRICTED"
    assert user.get("/v1/account/kyc").json()["submissions"] == []

    pending = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    profile = user.put("/v1/account/profile", json={"country": "ir"}).json()
    assert profile["country"] == "IR" and profile["countryRestricted"] is True
    approve = staff_as(Role.COMPLIANCE).post(f"/v1/staff/kyc/submissions/{pending['id']}/approve", {})
    assert approve.status_code == 403 and approve.json()["error"]["code"] == "JURISDICTION_RESTRICTED"
    assert _level(container) == 0
    assert user.post("/v1/account/kyc/level1", json=IDENTITY).json()["error"]["code"] == "JURISDICTION_RESTRICTED"


def test_declaring_a_restricted_country_drops_a_verified_wallet_to_level_0(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    submission = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    staff_as(Role.ADMIN).post(f"/v1/staff/kyc/submissions/{submission['id']}/approve", {})
    assert _level(container) == 1
    assert user.put("/v1/account/profile", json={"country": "KP"}).json()["level"] == 0
    assert _actions(container, "account.level")[0] == {"level": 0, "reason": "declared a restricted country"}


def test_a_level_2_submission_pending_when_the_wallet_dropped_to_level_0_cannot_be_approved(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    """Approving it raised the wallet straight from 0 to 2, without the level 1 it needs."""
    admin = staff_as(Role.ADMIN)
    admin.post(f"/v1/staff/kyc/submissions/{user.post('/v1/account/kyc/level1', json=IDENTITY).json()['id']}/approve",
               {})  # fmt: skip
    level2 = user.post("/v1/account/kyc/level2", files=documents()).json()
    assert user.put("/v1/account/profile", json={"country": "KP"}).json()["level"] == 0
    assert user.put("/v1/account/profile", json={"country": "GB"}).json()["level"] == 0  # no way back by itself
    refused = admin.post(f"/v1/staff/kyc/submissions/{level2['id']}/approve", {})
    assert refused.json()["error"]["code"] == "KYC_LEVEL_REQUIRED" and "reject this submission" in refused.text
    assert _level(container) == 0
    rejected = admin.post(f"/v1/staff/kyc/submissions/{level2['id']}/reject", {"reason": "level 1 lapsed"})
    assert rejected.status_code == 200, rejected.text


def test_the_document_download_is_inert_in_a_browser(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    compliance = staff_as(Role.COMPLIANCE)
    level1 = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    compliance.post(f"/v1/staff/kyc/submissions/{level1['id']}/approve", {})
    # An HTML name and a declared text/html type change nothing: the type comes from the bytes.
    files = documents(names=("<script>alert(1)</script>.html", "x.html"))
    files["identityDocument"] = ("<b>.html", files["identityDocument"][1], "text/html")
    level2 = user.post("/v1/account/kyc/level2", files=files).json()
    for document in level2["documents"]:
        response = compliance.client.get(f"/v1/staff/kyc/documents/{document['id']}")
        assert response.status_code == 200
        assert response.headers["content-type"] == document["contentType"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "sandbox"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"].startswith("inline; filename=")
        assert "<" not in response.headers["content-disposition"]
    assert {d["contentType"] for d in level2["documents"]} == {"image/png", "application/pdf"}
    assert compliance.client.get("/v1/staff/kyc/documents/999").json()["error"]["code"] == "KYC_DOCUMENT_NOT_FOUND"
    assert stored_files(container)[0].read_bytes() in (PNG, PDF)


ADA = IdentityData("Ada Lovelace", "1990-12-10", "GB", PostalAddress("12 St James's Square", "London", "SW1Y 4JH"))


def test_two_submissions_of_one_wallet_at_once_leave_one_pending(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = Accounts(container)
    accounts.profile(wallet(USER))  # made by a first read, as the dApp's
    first, second = race(
        kyc, "check_can_submit", monkeypatch,
        lambda: accounts.submit_identity(wallet(USER), ADA), lambda: accounts.submit_identity(wallet(USER), ADA),
    )  # fmt: skip
    assert second == "KYC_ALREADY_PENDING" and first.status == "pending"
    assert [s.status for s in accounts.kyc_status(wallet(USER)).submissions] == ["pending"]


def test_two_decisions_of_one_submission_at_once_leave_one_decided(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff reject a forged document while the vendor approves: the second to come is refused, never applied over
    the first (a rejected submission whose wallet kept the level its approval gave)."""
    submission = Accounts(container).submit_identity(wallet(USER), ADA)
    review = KycReview(container)
    rejected, approved = race(
        kyc, "record_action", monkeypatch,
        lambda: review.decide(submission.id, False, "document forged", "staff:bob@hdex.example", None),
        lambda: review.decide(submission.id, True, None, "vendor", None),
    )  # fmt: skip
    assert approved == "KYC_NOT_PENDING" and rejected.submission.status == "rejected"
    assert _level(container) == 0 and _actions(container, "kyc.approve") == []
