"""Alert fixtures: a migrated SQLite database, mail received by a real SMTP server (aiosmtpd), a real HTTP
webhook receiver on a free port that can be told to fail, and staff of each role signed in to the API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.staff.roles import Role

from ..staff.conftest import Inbox, build_container, inbox, make_staff, sign_in

__all__ = ["inbox"]  # the SMTP server fixture, shared with the staff tests
WEBHOOK_SECRET = "alert-webhook-secret"
STAFF_IP = "203.0.113.7"


@dataclass
class WebhookReceiver:
    """Every POST received (headers, body), answered with `status` (set it to 500 to fail deliveries), or 413 for a
    body holding `too_large` (a receiver that refuses one alert, whatever is sent again)."""

    url: str = ""
    status: int = 200
    too_large: bytes | None = None
    calls: list[tuple[Message, bytes]] = field(default_factory=list)  # headers by any case of their names


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.calls.append((self.headers, body))
            refused = receiver.too_large is not None and receiver.too_large in body
            self.send_response(413 if refused else receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/hdex"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def container(
    sqlite_url: str, tmp_path: Path, inbox: tuple[Inbox, int], webhook: WebhookReceiver
) -> Iterator[Container]:
    built = build_container(
        sqlite_url, tmp_path, inbox[1], alert_email_to="ops@hdex.example,mlro@hdex.example",
        alert_email_min_severity="warning", alert_webhook_url=webhook.url, alert_webhook_secret=WEBHOOK_SECRET,
        alert_webhook_timeout_s=2.0, alert_stream_poll_s=0.02,
    )  # fmt: skip
    yield built
    built.db_engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), client=(STAFF_IP, 50000)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Desk:
    """A member of staff signed in: the headers of their requests (session cookie and CSRF token)."""

    email: str
    headers: dict[str, str]


def desk(client: TestClient, container: Container, role: Role, email: str | None = None) -> Desk:
    """A member of staff of `role`, signed in through `client`; their session travels in `Desk.headers`, so
    several members share one client."""
    member = make_staff(container, email or f"{role.value}@hdex.example", role)
    csrf = sign_in(client, member)
    token = client.cookies.get("hdex_staff")
    client.cookies.clear()
    return Desk(member.email, {"X-CSRF-Token": csrf, "Cookie": f"hdex_staff={token}"})
