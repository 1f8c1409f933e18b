"""The KYC vendor's webhook: a signed, fresh, first-seen event decides a submission; a forged, stale or
replayed one is refused and changes nothing."""

from __future__ import annotations

import json
import time

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.accounts.vendor import sign_webhook
from backend.bootstrap import Container
from backend.db.models import AuditLogEntry, KycWebhookEvent

from .conftest import IDENTITY, WEBHOOK_SECRET, ClientFor

PATH = "/v1/kyc/vendor/webhook"


def _post(
    client: TestClient, event: dict[str, object], secret: str = WEBHOOK_SECRET, at: int | None = None
) -> httpx.Response:
    body = json.dumps(event).encode()
    stamp = int(time.time()) if at is None else at
    headers = {
        "X-HDEX-Timestamp": str(stamp),
        "X-HDEX-Signature": sign_webhook(secret, stamp, body),
        "Content-Type": "application/json",
    }
    response: httpx.Response = client.post(PATH, content=body, headers=headers)
    return response


def pending_decision(
    user: TestClient, client_for: ClientFor, event_id: str, decision: str
) -> tuple[TestClient, dict[str, object]]:
    """The user's level-1 submission, pending; the vendor's client and its event deciding it."""
    submission = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    return client_for("vendor"), {"eventId": event_id, "submissionId": submission["id"], "decision": decision}


def _state(container: Container, user: TestClient) -> tuple[object, int, int]:
    with container.uow() as uow:
        events = uow.session.scalar(select(func.count()).select_from(KycWebhookEvent))
        entries = uow.session.scalar(select(func.count()).select_from(AuditLogEntry))
    return user.get("/v1/account/kyc").json(), int(events or 0), int(entries or 0)


def test_a_signed_fresh_event_approves_and_raises_the_level_at_once(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    vendor, event = pending_decision(user, client_for, "evt-1", "approved")
    response = _post(vendor, event)
    assert response.status_code == 200, response.text
    assert response.json() == {"submissionId": event["submissionId"], "status": "approved"}
    assert user.get("/v1/account/profile").json()["level"] == 1


def test_a_vendor_rejection_carries_its_reason_or_a_default_one(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    first = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    _post(client_for("vendor"), {"eventId": "e1", "submissionId": first["id"], "decision": "rejected"})
    second = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    _post(client_for("vendor"), {"eventId": "e2", "submissionId": second["id"], "decision": "rejected",
                                 "reason": "document expired"})  # fmt: skip
    reasons = [s["reason"] for s in user.get("/v1/account/kyc").json()["submissions"]]
    assert reasons == ["document expired", "rejected by the identity-verification service"]


def test_forged_stale_and_replayed_events_are_refused_and_change_nothing(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    vendor, event = pending_decision(user, client_for, "evt-7", "approved")
    before = _state(container, user)

    forged = _post(vendor, event, secret="not-the-secret")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    tampered_headers = {"X-HDEX-Timestamp": stamp, "X-HDEX-Signature": sign_webhook(WEBHOOK_SECRET, int(stamp), body)}
    tampered = vendor.post(PATH, content=body.replace(b"approved", b"rejected"), headers=tampered_headers)
    assert tampered.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    unsigned = vendor.post(PATH, content=body, headers={"X-HDEX-Timestamp": stamp})
    assert unsigned.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    # past the 300 s window with room to spare: a second may tick between stamping and the server's reading
    # (the window's exact edge is tested on a fixed clock, tests/unit)
    for skew in (-310, 310):
        stale = _post(vendor, event, at=int(time.time()) + skew)
        assert stale.status_code == 401 and stale.json()["error"]["code"] == "WEBHOOK_STALE"
    assert _state(container, user) == before

    assert _post(vendor, event).status_code == 200
    after = _state(container, user)
    replayed = _post(vendor, event)
    assert replayed.status_code == 409 and replayed.json()["error"]["code"] == "WEBHOOK_REPLAYED"
    other_decision = _post(vendor, {**event, "decision": "rejected"})
    assert other_decision.json()["error"]["code"] == "WEBHOOK_REPLAYED"
    assert _state(container, user) == after


def test_a_decision_on_a_decided_or_unknown_submission_is_refused_and_its_event_not_kept(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    submission = user.post("/v1/account/kyc/level1", json=IDENTITY).json()
    vendor = client_for("vendor")
    _post(vendor, {"eventId": "a", "submissionId": submission["id"], "decision": "approved"})
    late = _post(vendor, {"eventId": "b", "submissionId": submission["id"], "decision": "rejected", "reason": "x"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "KYC_NOT_PENDING"
    unknown = _post(vendor, {"eventId": "c", "submissionId": 9999, "decision": "approved"})
    assert unknown.status_code == 404
    malformed = _post(vendor, {"eventId": "d", "submissionId": "1", "decision": "maybe"})
    assert malformed.status_code == 422
    with container.uow() as uow:
        assert list(uow.session.scalars(select(KycWebhookEvent.event_id))) == ["a"]
    assert user.get("/v1/account/profile").json()["level"] == 1


def test_a_signed_body_the_vendor_got_wrong_is_a_typed_refusal_that_keeps_nothing(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    """Each of these was a 500 (or, with a NUL, one on PostgreSQL only) once its signature had passed."""
    vendor, event = pending_decision(user, client_for, "evt-9", "rejected")
    before = _state(container, user)
    for wrong, field in (
        ({**event, "eventId": "evt-\ud800"}, "eventId"),  # a lone surrogate: no UTF-8 to store
        ({**event, "reason": "forged\u0000"}, "reason"),  # PostgreSQL's text holds no NUL
        ({**event, "decision": ["rejected"]}, "decision"),
    ):
        refused = _post(vendor, wrong)
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, field), refused.text
    nested = b"[" * 100_000 + b"]" * 100_000
    stamp = int(time.time())
    headers = {"X-HDEX-Timestamp": str(stamp), "X-HDEX-Signature": sign_webhook(WEBHOOK_SECRET, stamp, nested)}
    deep = vendor.post(PATH, content=nested, headers={**headers, "Content-Type": "application/json"})
    assert (deep.status_code, deep.json()["error"]["code"]) == (400, "MALFORMED_JSON")
    assert _state(container, user) == before
