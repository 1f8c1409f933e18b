"""Every route of the back office and of the account pages checks, on the server, who calls it: one table names
each route with its guard (the README's role table), and the tests call every route of it, for real, as each
caller that must be refused: nobody signed in, a wallet session (of another wallet, where the route serves one),
each staff role without the route's permission, a disabled, expired or idle staff session, a request from
another origin. Each refusal answers the documented code and changes nothing: no row, no audit entry, no mail.
Each role holding the permission gets past the guard, and each staff change it makes is in the audit log.

The table must name every route the API serves under these doors (`test_the_table_names_every_route`): a new
route without a row fails the suite before it can ship unguarded."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select, update

from backend.alerts import AlertKind, Severity, raise_alert
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import Base, ChainEvent, FrozenFunds, StaffAccount, StaffSession
from backend.risk.withdrawal_pause import pause_withdrawals
from backend.staff.roles import PERMISSIONS, Permission, Role
from backend.trading.usecases.deny_list import deny_address

from ..api.exchange_fixtures import CHAIN_ID, EXCHANGE, MARKET, USDC, Exchange, wallet
from ..web_kit import PDF, PNG, signed_in_wallet
from .conftest import Member, make_staff, sign_in
from .exchange_staff import running_staff_exchange

ANYONE = "anyone"  # no session: public reads, sign-in steps, signed writes (the signature is the authority)
VENDOR = "vendor"  # the KYC vendor's webhook: its HMAC, not a session
WALLET = "wallet"  # a wallet session (SIWE); serves that wallet's own data only
OWN_WALLET = "own wallet"  # a wallet session of the very wallet the path names
STAFF = "staff"  # any live staff session
Guard = Permission | str

OWNER, OTHER, BANNED = 5, 6, 9  # dev wallets
DOORS = ("/v1/staff", "/v1/account", "/v1/support", "/v1/forum", "/v1/stats", "/v1/kyc", "/v1/withdrawals")
# rows that a refused request may touch without changing anything: sessions (their last activity), leases, cursors
NOT_STATE = {"auth_nonces", "auth_sessions", "staff_sessions", "leases", "chain_cursors", "trading_cursors",
             "stats_cursors", "monitor_cursors", "candles"}  # fmt: skip
# staff writes that change nothing here, so log nothing: the Markdown preview; ending the halt of a market that has
# none (its audit entry when there is one: test_staff_market_risk)
NOTHING_TO_LOG = {("POST", "/v1/staff/help/preview"), ("DELETE", "/v1/staff/markets/{market}/halt")}
# staff reads that hand out what the log must record: documents, files, reports, exports (identity data of a
# submission: tests/integration/accounts/test_kyc_review.py)
LOGGED_READS = {
    ("GET", "/v1/staff/kyc/documents/{documentId}"),
    ("GET", "/v1/staff/support/attachments/{attachmentId}"),
    ("GET", "/v1/staff/cases/{caseId}/report"),
    ("GET", "/v1/staff/stats/{table}"),
}
# every staff read that writes the audit log: one from another origin would put on record, in the member's name,
# a reading they never made (an <img> on a sibling subdomain's page carries the SameSite=Strict cookie)
RECORDED_READS = LOGGED_READS | {
    ("GET", "/v1/staff/kyc/submissions/{submissionId}"),
    ("GET", "/v1/staff/withdrawals/{withdrawalHash}/travel-rule"),
}


@dataclass(frozen=True)
class Route:
    """One route: its method and OpenAPI path, who may call it, and a request to it in the seeded world (`path`
    with {placeholders} of `World.ids`; the template when None)."""

    method: str
    template: str
    guard: Guard
    path: str | None = None
    body: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.template

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


P = Permission
REASON = {"reason": "a test"}
ROUTES: list[Route] = [
    # staff sign-in and the member's own session
    Route("POST", "/v1/staff/auth/login", ANYONE, body={"email": "nobody@hdex.example", "password": "x" * 12}),
    Route("POST", "/v1/staff/auth/totp", ANYONE, body={"challenge": "nope", "code": "000000"}),
    Route("GET", "/v1/staff/auth/session", STAFF),
    Route("POST", "/v1/staff/auth/logout", STAFF),
    Route("POST", "/v1/staff/auth/password-reset", ANYONE, body={"email": "nobody@hdex.example"}),
    Route("POST", "/v1/staff/auth/password-reset/confirm", ANYONE, body={"token": "nope", "password": "x" * 12}),
    Route("GET", "/v1/staff/me", STAFF),
    # staff accounts and the audit log
    Route("GET", "/v1/staff/audit-log", P.AUDIT_READ),
    Route("GET", "/v1/staff/staff", P.STAFF_READ),
    Route("POST", "/v1/staff/staff", P.STAFF_MANAGE, body={"email": "new@hdex.example", "role": "admin"}),
    Route("POST", "/v1/staff/staff/{staffId}/invitation", P.STAFF_MANAGE, "/v1/staff/staff/{invited}/invitation"),
    Route("POST", "/v1/staff/staff/{staffId}/disable", P.STAFF_MANAGE, "/v1/staff/staff/{target}/disable", REASON),
    Route("POST", "/v1/staff/staff/{staffId}/role", P.STAFF_MANAGE, "/v1/staff/staff/{target}/role",
          {"role": "admin", "reason": "a test"}),
    Route("POST", "/v1/staff/staff/{staffId}/totp-reset", P.STAFF_MANAGE, "/v1/staff/staff/{target}/totp-reset",
          REASON),
    # users, limits, the deny-list, frozen deposits, markets and their risk
    Route("GET", "/v1/staff/users", P.USERS_READ, "/v1/staff/users?q=example"),
    Route("GET", "/v1/staff/users/{address}", P.USERS_READ, "/v1/staff/users/{owner}"),
    Route("PUT", "/v1/staff/users/{address}/limits", P.LIMITS_OVERRIDE, "/v1/staff/users/{owner}/limits",
          {"maxOrderNotional": "1", "reason": "a test"}),
    Route("GET", "/v1/staff/denylist", P.DENYLIST_READ),
    Route("POST", "/v1/staff/denylist", P.DENYLIST_MANAGE, body={"address": "0x" + "11" * 20, "reason": "a test"}),
    Route("POST", "/v1/staff/denylist/{address}/remove", P.DENYLIST_MANAGE, "/v1/staff/denylist/{listed}/remove",
          REASON),
    Route("GET", "/v1/staff/frozen", P.FROZEN_READ),
    Route("POST", "/v1/staff/frozen/{frozen_id}/release", P.FROZEN_RELEASE, "/v1/staff/frozen/{frozen}/release",
          REASON),
    Route("POST", "/v1/staff/markets/{market}/state", P.MARKET_STATE, f"/v1/staff/markets/{MARKET}/state",
          {"state": "halted", "reason": "a test"}),
    Route("GET", "/v1/staff/markets/{market}/risk", P.RISK_MANAGE, f"/v1/staff/markets/{MARKET}/risk"),
    Route("PUT", "/v1/staff/markets/{market}/risk", P.RISK_MANAGE, f"/v1/staff/markets/{MARKET}/risk",
          {"bandBps": 500}),
    Route("DELETE", "/v1/staff/markets/{market}/halt", P.RISK_MANAGE, f"/v1/staff/markets/{MARKET}/halt"),
    Route("GET", "/v1/staff/risk/withdrawals", P.ALERTS_READ),
    Route("POST", "/v1/staff/risk/withdrawals/resume", P.RISK_MANAGE, body=REASON),
    Route("GET", "/v1/staff/withdrawals/{withdrawalHash}/travel-rule", P.KYC_DOCUMENTS_READ,
          "/v1/staff/withdrawals/0x" + "ab" * 32 + "/travel-rule"),
    # KYC review
    Route("GET", "/v1/staff/kyc/submissions", P.KYC_READ),
    Route("GET", "/v1/staff/kyc/submissions/{submissionId}", P.KYC_READ, "/v1/staff/kyc/submissions/{submission}"),
    Route("GET", "/v1/staff/kyc/documents/{documentId}", P.KYC_DOCUMENTS_READ, "/v1/staff/kyc/documents/{document}"),
    Route("POST", "/v1/staff/kyc/submissions/{submissionId}/approve", P.KYC_REVIEW,
          "/v1/staff/kyc/submissions/{submission}/approve", {}),
    Route("POST", "/v1/staff/kyc/submissions/{submissionId}/reject", P.KYC_REVIEW,
          "/v1/staff/kyc/submissions/{submission}/reject", REASON),
    # alerts and cases
    Route("GET", "/v1/staff/alerts", P.ALERTS_READ),
    Route("GET", "/v1/staff/alerts/stream", P.ALERTS_READ),
    Route("POST", "/v1/staff/alerts/{alertId}/close", P.CASES_MANAGE, "/v1/staff/alerts/{lone_alert}/close", REASON),
    Route("POST", "/v1/staff/cases", P.CASES_MANAGE, body={"alertIds": ["{new_alert}"], "title": "a test"}),
    Route("GET", "/v1/staff/cases", P.ALERTS_READ),
    Route("GET", "/v1/staff/cases/assignees", P.CASES_MANAGE),
    Route("GET", "/v1/staff/cases/{caseId}", P.ALERTS_READ, "/v1/staff/cases/{case}"),
    Route("POST", "/v1/staff/cases/{caseId}/assign", P.CASES_MANAGE, "/v1/staff/cases/{case}/assign",
          {"assignee": "admin-seed@hdex.example"}),
    Route("POST", "/v1/staff/cases/{caseId}/notes", P.CASES_MANAGE, "/v1/staff/cases/{case}/notes", {"body": "x"}),
    Route("POST", "/v1/staff/cases/{caseId}/status", P.CASES_MANAGE, "/v1/staff/cases/{case}/status",
          {"status": "investigating"}),
    Route("GET", "/v1/staff/cases/{caseId}/report", P.ALERTS_READ, "/v1/staff/cases/{case}/report"),
    # statistics
    Route("GET", "/v1/staff/stats/{table}", P.STATS_READ, "/v1/staff/stats/markets?format=csv"),
    # the support desk and the help center
    Route("GET", "/v1/staff/support/tickets", P.SUPPORT_MANAGE),
    Route("GET", "/v1/staff/support/tickets/{ticketId}", P.SUPPORT_MANAGE, "/v1/staff/support/tickets/{ticket}"),
    Route("POST", "/v1/staff/support/tickets/{ticketId}/assign", P.SUPPORT_MANAGE,
          "/v1/staff/support/tickets/{ticket}/assign", {"assignee": "admin-seed@hdex.example"}),
    Route("POST", "/v1/staff/support/tickets/{ticketId}/messages", P.SUPPORT_MANAGE,
          "/v1/staff/support/tickets/{ticket}/messages", {"body": "an answer", "internal": False}),
    Route("POST", "/v1/staff/support/tickets/{ticketId}/status", P.SUPPORT_MANAGE,
          "/v1/staff/support/tickets/{ticket}/status", {"status": "resolved"}),
    Route("GET", "/v1/staff/support/attachments/{attachmentId}", P.SUPPORT_MANAGE,
          "/v1/staff/support/attachments/{attachment}"),
    Route("GET", "/v1/staff/support/assignees", P.SUPPORT_MANAGE),
    Route("GET", "/v1/staff/support/saved-replies", P.SUPPORT_MANAGE),
    Route("POST", "/v1/staff/support/saved-replies", P.SUPPORT_MANAGE, body={"title": "t", "body": "b"}),
    Route("PUT", "/v1/staff/support/saved-replies/{savedReplyId}", P.SUPPORT_MANAGE,
          "/v1/staff/support/saved-replies/{saved}", {"title": "t2", "body": "b2"}),
    Route("DELETE", "/v1/staff/support/saved-replies/{savedReplyId}", P.SUPPORT_MANAGE,
          "/v1/staff/support/saved-replies/{saved}"),
    Route("GET", "/v1/staff/support/stats", P.SUPPORT_MANAGE),
    Route("GET", "/v1/staff/help/articles", P.SUPPORT_MANAGE),
    Route("GET", "/v1/staff/help/articles/{articleId}", P.SUPPORT_MANAGE, "/v1/staff/help/articles/{article}"),
    Route("POST", "/v1/staff/help/articles", P.SUPPORT_MANAGE,
          body={"slug": "new-one", "title": "t", "body": "b", "published": False}),
    Route("PUT", "/v1/staff/help/articles/{articleId}", P.SUPPORT_MANAGE, "/v1/staff/help/articles/{article}",
          {"slug": "seeded", "title": "t2", "body": "b2", "published": True}),
    Route("PUT", "/v1/staff/help/articles/{articleId}/translations/{language}", P.SUPPORT_MANAGE,
          "/v1/staff/help/articles/{article}/translations/zh-CN", {"title": "标题", "body": "正文"}),
    Route("DELETE", "/v1/staff/help/articles/{articleId}/translations/{language}", P.SUPPORT_MANAGE,
          "/v1/staff/help/articles/{article}/translations/zh-CN"),  # the translation the route above wrote
    Route("DELETE", "/v1/staff/help/articles/{articleId}", P.SUPPORT_MANAGE, "/v1/staff/help/articles/{article}"),
    Route("POST", "/v1/staff/help/preview", P.SUPPORT_MANAGE, body={"body": "**x**"}),
    # announcements and the forum
    Route("GET", "/v1/staff/announcements", P.ANNOUNCEMENTS_MANAGE),
    Route("POST", "/v1/staff/announcements", P.ANNOUNCEMENTS_MANAGE, body={
        "title": "t", "body": "b", "severity": "info", "placement": "banner", "startsAt": 0, "endsAt": 10**13}),
    Route("PUT", "/v1/staff/announcements/{announcementId}", P.ANNOUNCEMENTS_MANAGE,
          "/v1/staff/announcements/{announcement}", {
              "title": "t2", "body": "b", "severity": "info", "placement": "banner", "startsAt": 0,
              "endsAt": 10**13}),
    Route("POST", "/v1/staff/announcements/{announcementId}/withdraw", P.ANNOUNCEMENTS_MANAGE,
          "/v1/staff/announcements/{announcement}/withdraw"),
    Route("GET", "/v1/staff/forum/reports", P.FORUM_MODERATE),
    Route("POST", "/v1/staff/forum/reports/{reportId}/dismiss", P.FORUM_MODERATE,
          "/v1/staff/forum/reports/{report}/dismiss"),
    Route("POST", "/v1/staff/forum/posts/{postId}/{action}", P.FORUM_MODERATE, "/v1/staff/forum/posts/{post}/hide"),
    Route("GET", "/v1/staff/forum/threads", P.FORUM_MODERATE),
    Route("POST", "/v1/staff/forum/threads/{threadId}/{action}", P.FORUM_MODERATE,
          "/v1/staff/forum/threads/{thread}/lock"),
    Route("GET", "/v1/staff/forum/bans", P.FORUM_MODERATE),
    Route("POST", "/v1/staff/forum/bans", P.FORUM_MODERATE, body={"wallet": "0x" + "22" * 20, "reason": "a test"}),
    Route("POST", "/v1/staff/forum/bans/{wallet}/unban", P.FORUM_MODERATE, "/v1/staff/forum/bans/{banned}/unban", {}),
    Route("GET", "/v1/staff/forum/categories", P.FORUM_MODERATE),
    Route("POST", "/v1/staff/forum/categories", P.FORUM_MODERATE,
          body={"slug": "new-one", "name": "New", "description": ""}),
    Route("PUT", "/v1/staff/forum/categories/{slug}", P.FORUM_MODERATE, "/v1/staff/forum/categories/feedback",
          {"name": "Feedback", "description": "Ideas", "translations": {"zh-CN": {"name": "反馈"}}}),
    Route("POST", "/v1/staff/forum/categories/{slug}/move", P.FORUM_MODERATE,
          "/v1/staff/forum/categories/feedback/move", {"direction": "up"}),
    Route("DELETE", "/v1/staff/forum/categories/{slug}", P.FORUM_MODERATE, "/v1/staff/forum/categories/feedback"),
    # the signed-in wallet's own account, KYC, tickets and posts
    Route("GET", "/v1/account/profile", WALLET),
    Route("PUT", "/v1/account/profile", WALLET, body={"country": "DE"}),
    Route("POST", "/v1/account/email/verify", WALLET, body={"token": "nope"}),
    Route("GET", "/v1/account/export", WALLET),
    Route("POST", "/v1/account/deletion", WALLET),
    Route("GET", "/v1/account/kyc", WALLET),
    Route("POST", "/v1/account/kyc/level1", WALLET, body={
        "legalName": "Mallory", "dateOfBirth": "1990-01-01", "country": "GB",
        "address": {"line1": "1 Road", "city": "London", "postalCode": "N1"}}),
    Route("POST", "/v1/account/kyc/level2", WALLET, body={}),
    Route("GET", "/v1/accounts/{address}/limits", OWN_WALLET, "/v1/accounts/{owner}/limits"),
    Route("GET", "/v1/support/tickets", WALLET),
    Route("POST", "/v1/support/tickets", WALLET, body={"category": "other", "subject": "s", "message": "m"}),
    Route("GET", "/v1/support/tickets/{ticketId}", WALLET, "/v1/support/tickets/{ticket}"),
    Route("GET", "/v1/support/tickets/{ticketId}/attachments/{attachmentId}", WALLET,
          "/v1/support/tickets/{ticket}/attachments/{attachment}"),
    Route("POST", "/v1/support/tickets/{ticketId}/replies", WALLET, "/v1/support/tickets/{ticket}/replies",
          {"body": "mine now"}),
    Route("POST", "/v1/support/tickets/{ticketId}/close", WALLET, "/v1/support/tickets/{ticket}/close"),
    Route("POST", "/v1/forum/threads", WALLET, body={"category": "general", "title": "a title", "message": "m"}),
    Route("POST", "/v1/forum/threads/{threadId}/posts", WALLET, "/v1/forum/threads/{thread}/posts", {"message": "m"}),
    Route("POST", "/v1/forum/posts/{postId}/report", WALLET, "/v1/forum/posts/{post}/report", {"reason": "spam"}),
    # public: market data of any wallet (all of it on-chain), the forum's reads, statistics, signed withdrawals
    Route("GET", "/v1/accounts/{address}/balances", ANYONE),
    Route("GET", "/v1/accounts/{address}/orders", ANYONE),
    Route("GET", "/v1/accounts/{address}/orders/by-client-id/{clientOrderId}", ANYONE),
    Route("GET", "/v1/accounts/{address}/fills", ANYONE),
    Route("GET", "/v1/accounts/{address}/deposits", ANYONE),
    Route("GET", "/v1/accounts/{address}/withdrawals", ANYONE),
    Route("GET", "/v1/accounts/{address}/fees", ANYONE),
    Route("GET", "/v1/forum/categories", ANYONE),
    Route("GET", "/v1/forum/threads", ANYONE),
    Route("GET", "/v1/forum/threads/{threadId}", ANYONE),
    Route("GET", "/v1/forum/threads/{threadId}/posts", ANYONE),
    Route("GET", "/v1/forum/search", ANYONE),
    Route("GET", "/v1/stats/markets", ANYONE),
    Route("GET", "/v1/stats/volume", ANYONE),
    Route("POST", "/v1/stats/events", ANYONE),
    Route("POST", "/v1/withdrawals", ANYONE),
    Route("GET", "/v1/withdrawals/quote", ANYONE),
    Route("GET", "/v1/withdrawals/{withdrawalHash}", ANYONE),
    Route("POST", "/v1/kyc/vendor/webhook", VENDOR),
]  # fmt: skip
STAFF_ROUTES = [r for r in ROUTES if r.guard == STAFF or isinstance(r.guard, Permission)]
WALLET_ROUTES = [r for r in ROUTES if r.guard in (WALLET, OWN_WALLET)]
CHANGES = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass
class World:
    """The exchange with something behind every id the table names, and browsers to call it from."""

    exchange: Exchange
    ids: dict[str, Any] = field(default_factory=dict)
    _ips: Iterator[int] = field(default_factory=lambda: itertools.count(20))

    @property
    def container(self) -> Container:
        return self.exchange.container

    def browser(self) -> TestClient:
        """A browser of its own: cookies and a client address of its own (rate limits count per address)."""
        client = TestClient(self.exchange.client.app, client=(f"198.51.100.{next(self._ips)}", 50000))
        client.portal = self.exchange.client.portal  # the app's event loop: the engine host changes only on it
        return client

    def staff(self, role: Role, email: str | None = None) -> tuple[TestClient, dict[str, str], Member]:
        """A new member of `role`, signed in in a browser of their own; the CSRF header and the member."""
        member = make_staff(self.container, email or f"{role.value}-{next(self._ips)}@hdex.example", role)
        client = self.browser()
        return client, {"X-CSRF-Token": sign_in(client, member)}, member

    def wallet(self, signer: int) -> TestClient:
        client = self.browser()
        signed_in_wallet(client, signer)
        return client

    def call(self, client: TestClient, route: Route, headers: dict[str, str] | None = None) -> Response:
        path = (route.path or route.template).format(**self.ids)
        body = None if route.body is None else _filled(route.body, self.ids)
        answer: Response = client.request(route.method, path, json=body, headers=headers or {})
        return answer

    def state(self) -> dict[str, Any]:
        """Every row that is state (not a session's activity), and the mails written."""
        with self.container.uow() as uow:
            rows = {
                table.name: sorted(map(repr, uow.session.execute(select(table)).all()))
                for table in Base.metadata.sorted_tables
                if table.name not in NOT_STATE
            }
        mail = self.container.settings.data_dir / "mail"
        return {**rows, "mail": sorted(p.name for p in mail.iterdir()) if mail.exists() else []}

    def audit_head(self) -> int:
        with self.container.uow() as uow:
            entries = list_entries(uow.session, AuditFilter(), 1)
            return entries[0].seq if entries else 0


def _filled(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def _seed(world: World) -> None:
    """Something real behind every id: a ticket with a file, a KYC submission with documents, a thread with a
    reported post, a ban, alerts and a case, an announcement, an article, a saved reply, a deny-list entry, a
    frozen deposit, a withdrawal pause, a member to act on and one invited."""
    container, ids = world.container, world.ids
    ids.update(owner=wallet(OWNER), banned=wallet(BANNED), listed="0x" + "5e" * 20, frozen=900)
    admin, admin_csrf, _ = world.staff(Role.ADMIN, "admin-seed@hdex.example")

    owner = world.wallet(OWNER)
    opened = owner.post("/v1/support/tickets", data={"category": "other", "subject": "s", "message": "m"},
                        files={"attachment": ("shot.png", io.BytesIO(PNG), "image/png")})  # fmt: skip
    assert opened.status_code == 201, opened.text
    ids["ticket"] = opened.json()["ticket"]["id"]
    ids["attachment"] = opened.json()["messages"][0]["attachments"][0]["id"]
    level1 = owner.post("/v1/account/kyc/level1", json=_filled(_route("POST", "/v1/account/kyc/level1").body, ids))
    assert level1.status_code == 201, level1.text
    approved = admin.post(f"/v1/staff/kyc/submissions/{level1.json()['id']}/approve", json={}, headers=admin_csrf)
    assert approved.status_code == 200, approved.text
    level2 = owner.post("/v1/account/kyc/level2", files={
        "identityDocument": ("id.png", io.BytesIO(PNG), "image/png"),
        "proofOfAddress": ("bill.pdf", io.BytesIO(PDF), "application/pdf"),
    })  # fmt: skip
    assert level2.status_code == 201, level2.text
    ids["submission"], ids["document"] = level2.json()["id"], level2.json()["documents"][0]["id"]
    made = owner.post("/v1/forum/threads", json={"category": "general", "title": "a title", "message": "m"})
    assert made.status_code == 201, made.text
    ids["thread"], ids["post"] = made.json()["thread"]["id"], made.json()["post"]["id"]
    reported = world.wallet(OTHER).post(f"/v1/forum/posts/{ids['post']}/report", json={"reason": "spam"})
    assert reported.status_code in (200, 201), reported.text
    ids["report"] = reported.json()["id"]

    def staff_post(path: str, body: dict[str, Any], method: str = "POST") -> Any:
        answer = admin.request(method, path, json=body, headers=admin_csrf)
        assert answer.status_code in (200, 201), (path, answer.text)
        return answer.json()

    staff_post("/v1/staff/forum/bans", {"wallet": ids["banned"], "reason": "seed"})
    with container.uow() as uow:
        new_alert, lone_alert, case_alert = (
            raise_alert(uow.session, kind, Severity.WARNING, "seed", subject=ids["owner"])
            for kind in (AlertKind.STRUCTURING,) * 3
        )
        assert new_alert and lone_alert and case_alert
        ids.update(new_alert=new_alert.id, lone_alert=lone_alert.id)
        case_alert_id = case_alert.id
        pause_withdrawals(uow.session, "seed", {})
        deny_address(uow.session, ids["listed"], "seed", actor="cli:test")
        uow.commit()
    with container.uow() as uow:  # a deposit held from a wallet that now screens clear
        uow.session.add(ChainEvent(
            id=ids["frozen"], chain_id=CHAIN_ID, block_number=1, block_hash="0x" + "01" * 32, tx_hash="0x" + "02" * 32,
            log_index=0, contract=EXCHANGE, name="Deposited", args={}, status="final",
        ))  # fmt: skip
        uow.session.flush()
        uow.session.add(FrozenFunds(id=ids["frozen"], chain_event_id=ids["frozen"], wallet=wallet(7), token=USDC,
                                    amount=1, reason="since delisted"))  # fmt: skip
        uow.commit()
    ids["case"] = staff_post("/v1/staff/cases", {"alertIds": [case_alert_id], "title": "seed"})["id"]
    announcement = _filled(_route("POST", "/v1/staff/announcements").body, ids)
    ids["announcement"] = staff_post("/v1/staff/announcements", announcement)["id"]
    article = {"slug": "seeded", "title": "t", "body": "b", "published": False}
    ids["article"] = staff_post("/v1/staff/help/articles", article)["id"]
    ids["saved"] = staff_post("/v1/staff/support/saved-replies", {"title": "t", "body": "b"})["id"]
    ids["target"] = make_staff(container, "target@hdex.example", Role.SUPPORT).id
    ids["invited"] = staff_post("/v1/staff/staff", {"email": "invited@hdex.example", "role": "support"})["id"]


def _route(method: str, template: str) -> Route:
    return next(r for r in ROUTES if r.key == (method, template))


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    for exchange in running_staff_exchange(database_url, tmp_path):
        seeded = World(exchange)
        _seed(seeded)
        yield seeded


# a call: the route, the browser it is sent from, its headers, and the (status, error code) it must answer
Call = tuple[Route, TestClient, dict[str, str], tuple[int, str]]


def _refusals(world: World, calls: list[Call]) -> list[str]:
    """Make each call; what differs from its expected (status, code), and any call after which state changed."""
    wrong = []
    before = world.state()
    for route, client, headers, expected in calls:
        answer = world.call(client, route, headers)
        got = (answer.status_code, answer.json().get("error", {}).get("code") if _is_json(answer) else None)
        after = world.state()  # the next call's before: a snapshot reads every table, once per call is enough
        if got != expected:
            wrong.append(f"{route}: {got} != {expected}: {answer.text[:200]}")
        elif after != before:
            wrong.append(f"{route}: refused {got} but state changed")
        before = after
    return wrong


def _is_json(answer: Response) -> bool:
    return str(answer.headers.get("content-type", "")).startswith("application/json")


def _needs_session(route: Route) -> tuple[int, str]:
    return (401, "STAFF_NOT_SIGNED_IN") if route in STAFF_ROUTES else (401, "NOT_SIGNED_IN")


def test_the_table_names_every_route(world: World) -> None:
    served = {
        (method.upper(), path)
        for path, item in world.exchange.client.get("/openapi.json").json()["paths"].items()
        if path.startswith(DOORS)
        for method in item
    }
    assert served == {r.key for r in ROUTES}
    permissions = {r.guard for r in STAFF_ROUTES}
    assert permissions == set(Permission) | {STAFF}, "every permission guards a route, and only those"


def test_every_guarded_route_refuses_a_caller_without_a_session_and_changes_nothing(world: World) -> None:
    nobody = world.browser()
    calls: list[Call] = [(r, nobody, {}, _needs_session(r)) for r in STAFF_ROUTES + WALLET_ROUTES if r.key != LOGOUT]
    assert _refusals(world, calls) == []


LOGOUT = ("POST", "/v1/staff/auth/logout")
STREAM = ("GET", "/v1/staff/alerts/stream")


def test_a_signed_out_logout_clears_the_cookie_and_changes_nothing(world: World) -> None:
    """The one staff route a caller without a session may call: it clears this site's cookie."""
    before = world.state()
    assert world.call(world.browser(), _route(*LOGOUT)).json() == {"signedOut": True}
    assert world.state() == before


def test_a_wallet_session_is_no_staff_session_and_a_staff_session_no_wallet_session(world: World) -> None:
    wallet_user = world.wallet(OTHER)
    staff_client, csrf, _ = world.staff(Role.ADMIN)
    calls: list[Call] = [(r, wallet_user, {}, (401, "STAFF_NOT_SIGNED_IN")) for r in STAFF_ROUTES if r.key != LOGOUT]
    calls += [(r, staff_client, csrf, (401, "NOT_SIGNED_IN")) for r in WALLET_ROUTES]
    assert _refusals(world, calls) == []


def test_another_wallet_never_reaches_the_owners_ticket_file_or_limits(world: World) -> None:
    """IDOR: the ids and the address are the owner's; the session is another wallet's."""
    other = world.wallet(OTHER)
    calls: list[Call] = [
        (r, other, {}, (403, "ACCOUNT_FORBIDDEN") if r.guard == OWN_WALLET else (404, "TICKET_NOT_FOUND"))
        for r in WALLET_ROUTES
        if "{ticketId}" in r.template or r.guard == OWN_WALLET
    ]
    assert len(calls) == 5
    assert _refusals(world, calls) == []
    mine = other.get("/v1/account/export").json()
    assert mine["supportTickets"] == [] and mine["kycSubmissions"] == [] and mine["supportAttachments"] == []


def test_every_role_without_a_routes_permission_is_refused_and_changes_nothing(world: World) -> None:
    members = {role: world.staff(role) for role in Role}
    calls: list[Call] = [
        (r, members[role][0], members[role][1], (403, "STAFF_FORBIDDEN"))
        for r in STAFF_ROUTES
        if isinstance(r.guard, Permission)
        for role in Role
        if r.guard not in PERMISSIONS[role]
    ]
    assert _refusals(world, calls) == []


def test_a_disabled_an_expired_and_an_idle_session_are_refused_everywhere_and_change_nothing(world: World) -> None:
    """Admins, so that no permission is what refuses them. `disabled` keeps its session row: the account's flag
    alone must end it (as it does when a disable and a request cross)."""
    idle_ms = world.container.settings.staff_session_idle_s * 1000
    sessions = {name: world.staff(Role.ADMIN) for name in ("disabled", "expired", "idle", "disabled by an admin")}
    now = time.time_ns() // 1_000_000
    of = {name: StaffSession.staff_id == member.id for name, (_, _, member) in sessions.items()}
    with world.container.uow() as uow:
        uow.session.execute(update(StaffAccount).where(StaffAccount.id == sessions["disabled"][2].id).values(
            disabled=True))  # fmt: skip
        uow.session.execute(update(StaffSession).where(of["expired"]).values(expires_at_ms=now))
        uow.session.execute(update(StaffSession).where(of["idle"]).values(last_seen_at_ms=now - idle_ms))
        uow.commit()
    admin, csrf, _ = world.staff(Role.ADMIN)
    disabled = admin.post(f"/v1/staff/staff/{sessions['disabled by an admin'][2].id}/disable", json=REASON,
                          headers=csrf)  # fmt: skip
    assert disabled.status_code == 200, disabled.text

    calls: list[Call] = [
        (r, client, headers, (401, "STAFF_NOT_SIGNED_IN"))
        for client, headers, _ in sessions.values()
        for r in STAFF_ROUTES
        if r.key != LOGOUT
    ]
    assert _refusals(world, calls) == []


@pytest.mark.parametrize("site", ["same-site", "cross-site"])
def test_a_change_from_another_origin_is_refused_and_changes_nothing(world: World, site: str) -> None:
    """A page of another origin (a sibling subdomain's included, whose requests carry the SameSite=Strict cookies)
    cannot read the staff session's CSRF token: every staff change without it is 403 STAFF_CSRF_FAILED, with
    another session's token too; a staff read that the audit log records and every wallet change are 403
    CROSS_ORIGIN_REQUEST by the browser's word."""
    staff_client, _, _ = world.staff(Role.ADMIN)
    _, others_csrf, _ = world.staff(Role.ADMIN)
    owner = world.wallet(OWNER)
    from_there = {"Sec-Fetch-Site": site}
    changes = [r for r in STAFF_ROUTES if r.method in CHANGES and r.key != LOGOUT]
    calls: list[Call] = [(r, staff_client, from_there, (403, "STAFF_CSRF_FAILED")) for r in changes]
    calls += [(r, staff_client, {**others_csrf, **from_there}, (403, "STAFF_CSRF_FAILED")) for r in changes]
    calls += [(r, owner, from_there, (403, "CROSS_ORIGIN_REQUEST")) for r in WALLET_ROUTES if r.method in CHANGES]
    calls += [(r, staff_client, from_there, (403, "CROSS_ORIGIN_REQUEST")) for r in STAFF_ROUTES
              if r.key in RECORDED_READS]  # fmt: skip
    assert _refusals(world, calls) == []


def test_each_role_holding_a_routes_permission_gets_past_its_guard_and_every_change_is_audit_logged(
    world: World,
) -> None:
    """The table's permission is the route's own (every role holding it is let through), and the first change
    that went through (the next ones may find nothing left to change: assigned, hidden, locked already), or a read
    of a document, a file, a report or an export, is in the audit log as the member who made it."""
    problems = []
    members: dict[Role, tuple[TestClient, dict[str, str], Member]] = {}  # one signed-in member per role
    for route in STAFF_ROUTES:
        if route.key == STREAM:  # answers as long as the session lives; its guard: tests/integration/alerts
            continue
        logged = route.key not in NOTHING_TO_LOG and (route.method in CHANGES or route.key in LOGGED_READS)
        for role in [role for role in Role if route.guard == STAFF or route.guard in PERMISSIONS[role]]:
            # a member of their own after a logout, which ends the session
            client, csrf, member = members[role] = members.get(role) or world.staff(role)
            if route.key == LOGOUT:
                del members[role]
            head = world.audit_head()
            answer = world.call(client, route, csrf)
            code = answer.json().get("error", {}).get("code") if _is_json(answer) else None
            if answer.status_code == 401 or code in ("STAFF_FORBIDDEN", "STAFF_CSRF_FAILED"):
                problems.append(f"{route} as {role}: {answer.status_code} {code}")
            if logged and answer.status_code < 300:
                with world.container.uow() as uow:
                    new = [e for e in list_entries(uow.session, AuditFilter(), 50) if e.seq > head]
                if not any(e.actor == f"staff:{member.email}" for e in new):
                    problems.append(f"{route} as {role}: {answer.status_code} and no audit entry")
                logged = route.method not in CHANGES  # a read is logged every time
    assert problems == [], "\n".join(problems)
