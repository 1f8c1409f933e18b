"""Every refusal of the accounts and KYC doors changes nothing: support opening a document, one wallet
reaching for another's data, a renamed executable, an oversized file, markup in text fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import AuditLogEntry, KycDocument, KycSubmission
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from .conftest import IDENTITY, MAX_UPLOAD, OTHER, PDF, PNG, USER, ClientFor, StaffBrowser, documents, signed_in_wallet
from .conftest import stored_files as files_in_store

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# a Windows executable's first bytes ("MZ" header and the DOS stub's message)
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
)


def _count(container: Container, model: type[object]) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _at_level_1(user: TestClient, staff: StaffBrowser) -> None:
    submission = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    assert staff.post(f"/v1/staff/kyc/submissions/{submission['id']}/approve", {}).status_code == 200


def test_support_may_list_submissions_but_opening_a_document_is_forbidden_and_changes_nothing(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    compliance, support = staff_as(Role.COMPLIANCE), staff_as(Role.SUPPORT)
    _at_level_1(user, compliance)
    document = user.post("/v1/account/kyc/level2", files=documents()).json()["documents"][0]
    assert support.client.get("/v1/staff/kyc/submissions").status_code == 200
    entries = _count(container, AuditLogEntry)

    opened = support.client.get(f"/v1/staff/kyc/documents/{document['id']}")
    assert opened.status_code == 403 and opened.json()["error"]["code"] == "STAFF_FORBIDDEN"
    assert PNG not in opened.content
    refused = support.post(f"/v1/staff/kyc/submissions/{document['id']}/approve", {})
    assert refused.status_code == 403
    assert _count(container, AuditLogEntry) == entries
    auditor = staff_as(Role.AUDITOR)
    assert auditor.client.get(f"/v1/staff/kyc/documents/{document['id']}").status_code == 403


def test_the_staff_kyc_routes_need_a_staff_session_and_csrf(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    submission = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    assert user.get("/v1/staff/kyc/submissions").status_code == 401  # a wallet session is not a staff session
    compliance = staff_as(Role.COMPLIANCE)
    no_csrf = compliance.client.post(f"/v1/staff/kyc/submissions/{submission['id']}/approve", json={})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "STAFF_CSRF_FAILED"
    assert user.get("/v1/account/kyc").json()["level"] == 0


def test_a_wallet_reaches_only_its_own_account(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    user.put("/v1/account/profile", json={"email": "ada@example.com", "country": "GB"})
    user.post("/v1/account/kyc/level1", json=IDENTITY)
    other = client_for("other")
    signed_in_wallet(other, OTHER)

    assert other.get("/v1/account/profile").json()["address"] == wallet(OTHER)
    assert other.get("/v1/account/profile").json()["email"] is None
    assert other.get("/v1/account/kyc").json()["submissions"] == []
    export = other.get("/v1/account/export").json()
    assert (
        export["address"] == wallet(OTHER) and export["kycSubmissions"] == [] and "ada@example.com" not in str(export)
    )
    # No route takes an address: naming one is a query parameter nobody reads, or an unknown path.
    assert other.get("/v1/account/profile", params={"address": wallet(USER)}).json()["address"] == wallet(OTHER)
    assert other.get(f"/v1/account/{wallet(USER)}/profile").status_code == 404
    assert other.get("/v1/staff/kyc/submissions").status_code == 401

    anonymous = client_for("anonymous")
    for path in ("/v1/account/profile", "/v1/account/kyc", "/v1/account/export"):
        assert anonymous.get(path).json()["error"]["code"] == "NOT_SIGNED_IN"
    assert anonymous.post("/v1/account/deletion").status_code == 401
    assert user.get("/v1/account/profile").json()["email"] == "ada@example.com"


def test_an_upload_without_a_session_is_refused_before_its_body_is_read(client_for: ClientFor) -> None:
    """FastAPI reads `Form()` and `File()` parameters before it checks the session: a caller without one would
    have a body of up to the route's limit parsed before being told 401. A malformed body shows which came first."""
    anonymous = client_for("anonymous")
    malformed = {"content": b"--b\r\nnot a part", "headers": {"content-type": "multipart/form-data; boundary=b"}}
    for path, code in (
        ("/v1/support/tickets", "NOT_SIGNED_IN"),
        ("/v1/support/tickets/1/replies", "NOT_SIGNED_IN"),
        ("/v1/account/kyc/level2", "NOT_SIGNED_IN"),
        ("/v1/staff/support/tickets/1/messages", "STAFF_NOT_SIGNED_IN"),
    ):
        answer = anonymous.post(path, **malformed)  # type: ignore[arg-type]
        assert (answer.status_code, answer.json()["error"]["code"]) == (401, code), (path, answer.text)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain's page: SameSite=Strict lets the cookie through
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},  # the browser's word comes first
        {"Origin": "https://blog.testserver"},  # an older browser: no Sec-Fetch-Site, an Origin of another host
        {"Origin": "http://testserver:8443"},  # another port is another origin
        {"Origin": "null"},  # a sandboxed frame or a data: page
    ],
    ids=["same-site", "cross-site", "sec-fetch-first", "other-host", "other-port", "null-origin"],
)
def test_a_signed_in_change_sent_from_another_origin_is_refused_and_changes_nothing(
    user: TestClient, container: Container, headers: dict[str, str]
) -> None:
    user.put("/v1/account/profile", json={"email": "ada@example.com", "country": "GB"})
    threads = user.get("/v1/forum/threads").json()

    for method, path, body in (
        ("PUT", "/v1/account/profile", {"email": "mallory@example.com"}),
        ("POST", "/v1/account/deletion", None),
        ("POST", "/v1/account/kyc/level1", IDENTITY),
        ("POST", "/v1/forum/threads", {"category": "general", "title": "spam", "body": "spam"}),
    ):
        refused = user.request(method, path, json=body, headers=headers)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "CROSS_ORIGIN_REQUEST"

    profile = user.get("/v1/account/profile", headers=headers)  # a read is answered: no other page can read it
    assert profile.status_code == 200 and profile.json()["email"] == "ada@example.com"
    assert user.get("/v1/account/kyc").json()["submissions"] == []
    assert user.get("/v1/forum/threads").json() == threads


def test_a_signed_in_change_from_this_sites_own_pages_or_from_no_browser_goes_through(
    user: TestClient, container: Container
) -> None:
    for headers in (
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},  # the dApp in a current browser
        {"Sec-Fetch-Site": "none"},  # typed into the address bar or a bookmark: the user's own act
        {"Origin": "http://testserver"},  # the dApp in an older browser
        {},  # a script with the cookie: not a browser another page can drive
    ):
        changed = user.put("/v1/account/profile", json={"country": "DE"}, headers=headers)
        assert changed.status_code == 200 and changed.json()["country"] == "DE", headers
        user.put("/v1/account/profile", json={"country": "GB"})


def test_a_nul_character_is_refused_at_every_door_it_reached_and_nothing_is_stored(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    """No field of HDEX can hold a NUL (PostgreSQL cannot store or compare one: these were 500s there, and
    SQLite stored the e-mail): refused as INVALID_FIELD naming the field, before anything is read or written."""
    user.put("/v1/account/profile", json={"email": "ada@example.com"})
    refused = user.put("/v1/account/profile", json={"email": "ada\u0000@example.com"})
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "email")
    assert user.get("/v1/account/profile").json()["email"] == "ada@example.com"

    anonymous = client_for("anonymous")
    entries = _count(container, AuditLogEntry)
    for path, body in (
        ("/v1/staff/auth/login", {"email": "admin\u0000@hdex.example", "password": "x"}),
        ("/v1/staff/auth/password-reset", {"email": "admin\u0000@hdex.example"}),
    ):
        answer = anonymous.post(path, json=body)
        assert (answer.status_code, answer.json()["error"]) == (
            422, {"code": "INVALID_FIELD", "message": "email cannot hold the NUL character", "field": "email"}
        ), path  # fmt: skip
    assert _count(container, AuditLogEntry) == entries  # not even a failed sign-in to log

    admin = staff_as(Role.ADMIN)
    for path, name in (
        ("/v1/staff/users", "q"), ("/v1/staff/audit-log", "actor"), ("/v1/staff/audit-log", "action"),
        ("/v1/staff/alerts", "kind"), ("/v1/staff/alerts", "subject"), ("/v1/staff/cases", "assignee"),
        ("/v1/staff/support/tickets", "assignee"), ("/v1/staff/help/articles", "q"), ("/v1/forum/search", "q"),
    ):  # fmt: skip
        answer = admin.client.get(path, params={name: "x\x00y"})
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"] == {
            "code": "INVALID_FIELD", "message": "a query parameter cannot hold a NUL character", "field": name,
        }  # fmt: skip


def test_a_renamed_executable_is_refused_and_nothing_is_stored(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    _at_level_1(user, staff_as(Role.COMPLIANCE))
    files = documents(identity=EXECUTABLE, names=("passport.png", "bill.pdf"))
    refused = user.post("/v1/account/kyc/level2", files=files)
    assert refused.status_code == 415
    assert refused.json()["error"] == {
        "code": "UPLOAD_TYPE_REFUSED",
        "message": "a document is a PDF, PNG or JPEG file (checked by content)",
        "field": "identityDocument",
    }
    html = user.post("/v1/account/kyc/level2", files=documents(proof=b"<html><script>alert(1)</script>"))
    assert html.status_code == 415 and html.json()["error"]["field"] == "proofOfAddress"
    assert files_in_store(container) == [] and _count(container, KycDocument) == 0
    assert _count(container, KycSubmission) == 1  # level 1 only


def test_an_oversized_upload_is_refused_and_nothing_is_stored(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    _at_level_1(user, staff_as(Role.COMPLIANCE))
    too_large = PDF + b"0" * (MAX_UPLOAD - len(PDF) + 1)
    refused = user.post("/v1/account/kyc/level2", files=documents(proof=too_large))
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
    assert refused.json()["error"]["field"] == "proofOfAddress"
    # Far past the limit, the body itself is refused before any of it is parsed.
    huge = user.post("/v1/account/kyc/level2", files=documents(proof=b"%PDF" + b"0" * (3 * MAX_UPLOAD)))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "BODY_TOO_LARGE"
    assert files_in_store(container) == [] and _count(container, KycDocument) == 0
    at_limit = PDF + b"0" * (MAX_UPLOAD - len(PDF))
    assert user.post("/v1/account/kyc/level2", files=documents(proof=at_limit)).status_code == 201


def test_markup_in_every_text_field_is_kept_as_text_and_returned_as_json_strings(
    user: TestClient, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    identity = {
        "legalName": MARKUP,
        "dateOfBirth": "1990-01-01",
        "country": "GB",
        "address": {"line1": MARKUP, "line2": MARKUP, "city": MARKUP, "postalCode": "<b>1</b>", "region": MARKUP},
    }
    submission = user.post("/v1/account/kyc/level1", json=identity)
    assert submission.status_code == 201
    compliance = staff_as(Role.COMPLIANCE)
    rejected = compliance.post(f"/v1/staff/kyc/submissions/{submission.json()['id']}/reject", {"reason": MARKUP})
    for response in (rejected, compliance.client.get(f"/v1/staff/kyc/submissions/{submission.json()['id']}")):
        assert response.headers["content-type"] == "application/json"
        data = response.json()["data"]
        assert data["legalName"] == MARKUP and data["address"]["line1"] == MARKUP
        assert data["address"]["postalCode"] == "<b>1</b>" and response.json()["reason"] == MARKUP
    seen = user.get("/v1/account/kyc")
    assert seen.headers["content-type"] == "application/json" and seen.json()["submissions"][0]["reason"] == MARKUP
    refused_email = user.put("/v1/account/profile", json={"email": "<script>@x.io"})
    assert refused_email.status_code == 422 and refused_email.json()["error"]["field"] == "email"
    with container.uow() as uow:
        entry = list_entries(uow.session, AuditFilter(action="kyc.reject"), 1)[0]
    assert entry.after["reason"] == MARKUP


def test_bad_identity_data_is_refused_with_the_field_named(user: TestClient, container: Container) -> None:
    cases = {
        "dateOfBirth": {**IDENTITY, "dateOfBirth": "1990-02-30"},
        "country": {**IDENTITY, "country": "XX"},
        "legalName": {**IDENTITY, "legalName": "   "},
        "address.city": {**IDENTITY, "address": {**IDENTITY["address"], "city": "Lon\u202edon"}},
    }
    for field, body in cases.items():
        response = user.post("/v1/account/kyc/level1", json=body)
        assert response.status_code == 422 and response.json()["error"]["field"] == field, (field, response.text)
    minor = user.post("/v1/account/kyc/level1", json={**IDENTITY, "dateOfBirth": "2020-01-01"})
    assert minor.status_code == 422 and "18" in minor.json()["error"]["message"]
    assert _count(container, KycSubmission) == 0


def test_stored_documents_are_never_served_outside_the_staff_route(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    _at_level_1(user, staff_as(Role.COMPLIANCE))
    user.post("/v1/account/kyc/level2", files=documents())
    stored = files_in_store(container)
    data_dir = container.settings.data_dir
    anyone = client_for("anyone")
    for path in stored:
        relative = path.relative_to(data_dir).as_posix()  # documents/kyc/<random>
        for url in (f"/{relative}", f"/{relative.removeprefix('documents/')}", f"/assets/../{relative}",
                    f"/var/{relative}", f"/%2e%2e/{relative}"):  # fmt: skip
            response = anyone.get(url)
            assert path.read_bytes() not in response.content, url
