"""Rate limits per IP and per address answer 429 with Retry-After and X-RateLimit-* headers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from backend.trading.hosting.host import now_ms
from backend.trading.rules.cancels import bulk_cancel_scope

from .exchange_fixtures import prepare, running, wallet
from .signed_requests import cancel_after_body, cancel_signature


@pytest.fixture(params=["memory", "redis"])
def limits_storage(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    url = os.environ.get("HDEX_REDIS_URL")
    if not url:
        pytest.skip("no Redis configured (HDEX_REDIS_URL)")
    return url


def test_the_per_ip_limit_refuses_with_429_and_headers(
    sqlite_url: str, tmp_path: Path, limits_storage: str | None
) -> None:
    container = prepare(sqlite_url, tmp_path, rate_limit_ip="3/minute", redis_url=limits_storage)
    for exchange in running(container, client_ip=f"client-{uuid.uuid4().hex}"):  # a fresh key per run
        answers = [exchange.client.get("/v1/markets") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["X-RateLimit-Limit"] == "3"
        assert answers[0].headers["X-RateLimit-Remaining"] == "2"
        refused = answers[3]
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["Retry-After"]) >= 1
        assert int(refused.headers["X-RateLimit-Reset"]) > 0
        assert exchange.client.get("/health").status_code != 429  # health and metrics are never limited


def test_the_per_address_limit_refuses_signed_writes_and_changes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_address="2/minute")):
        assert exchange.place(5).status_code == 201
        assert exchange.place(5).status_code == 201
        before = exchange.state()
        refused = exchange.place(5)
        assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")
        assert "Retry-After" in refused.headers
        assert exchange.state() == before
        assert exchange.place(6).status_code == 201  # another wallet is not limited


def test_requests_the_wallet_did_not_sign_do_not_spend_its_limit(sqlite_url: str, tmp_path: Path) -> None:
    """Only writes the wallet's own signature vouches for count against its limit: else anyone naming a market
    maker's wallet in forged requests would keep its cancels refused, or a bot's cancel-after heartbeat (then its
    orders are all cancelled)."""
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_address="2/minute")):
        resting = exchange.place(5).json()["hash"]  # the first of two
        domain, stamp = exchange.domain, now_ms()
        forged_cancel = {"orderHash": resting, "signature": cancel_signature(domain, resting, 5, signer_index=6)}
        bulk_scope = bulk_cancel_scope(None, stamp)
        forged = [
            ("POST", "/v1/orders", exchange.signed(exchange.order(5, nonce=9), 6)),
            ("DELETE", f"/v1/orders/{resting}", {"signature": forged_cancel["signature"]}),
            ("POST", "/v1/orders/cancel", {"maker": wallet(5), "market": None, "timestamp": str(stamp),
                                           "signature": cancel_signature(domain, bulk_scope, 5, signer_index=6)}),
            ("POST", "/v1/orders/cancel-after", cancel_after_body(domain, 5, 60_000, None, stamp, signer_index=6)),
            ("POST", "/v1/orders/replace", {"cancel": forged_cancel, **exchange.signed(exchange.order(5, nonce=9), 6)}),
        ]  # fmt: skip
        answers = [exchange.client.request(method, path, json=body) for method, path, body in forged * 2]
        heartbeat = exchange.client.post("/v1/orders/cancel-after", json=cancel_after_body(domain, 5, 60_000))

    assert {(answer.status_code, answer.json()["error"]["code"]) for answer in answers} == {(401, "SIGNER_NOT_MAKER")}
    assert heartbeat.status_code == 200, heartbeat.text
