"""FastAPI dependencies: the container built at start-up, the signed-in wallet, the signed-in member of staff
and their permissions, per-endpoint rate limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from backend.accounts.review import KycReview
from backend.accounts.service import Accounts
from backend.api.client_ip import client_key
from backend.api.ratelimit import RateLimiter
from backend.auth.sessions import Sessions, SessionView
from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings
from backend.staff.accounts import Actor, StaffAccounts, StaffMember
from backend.staff.credentials import csrf_matches
from backend.staff.roles import Permission
from backend.staff.signin import StaffSessionView, StaffSignIn
from backend.storage import DocumentStore, document_store_for
from backend.support.desk import SupportDesk

SESSION_COOKIE = "hdex_session"  # over HTTPS with the __Host- prefix: `session_cookie`
STAFF_COOKIE = "hdex_staff"  # apart from the wallet session: another door, other timeouts
STAFF_COOKIE_PATH = "/v1/staff"  # sent to the staff API only
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_sessions(container: ContainerDep) -> Sessions:
    return Sessions(container)


SessionsDep = Annotated[Sessions, Depends(get_sessions)]


def session_cookie(settings: Settings) -> str:
    """The wallet session cookie's name. Over HTTPS `__Host-hdex_session`: a browser takes a cookie of that name
    only from this very host (Secure, Path=/, no Domain), so a sibling subdomain (a hijacked blog.example beside
    hdex.example) can neither set one nor shadow the user's with its own session, under which what the user then
    sends (KYC documents) would be filed. Plain http (development) cannot carry the prefix."""
    return "__Host-" + SESSION_COOKIE if settings.secure_cookies else SESSION_COOKIE


def staff_cookie(settings: Settings) -> tuple[str, str]:
    """The staff session cookie's name and path. Over HTTPS `__Host-hdex_staff` on Path=/, which the prefix demands:
    no sibling subdomain can set or shadow it, as for the wallet's (`session_cookie`). Plain http (development):
    `hdex_staff`, sent to the staff API only."""
    return ("__Host-" + STAFF_COOKIE, "/") if settings.secure_cookies else (STAFF_COOKIE, STAFF_COOKIE_PATH)


def cookie_count(request: Request, name: str) -> int:
    """How many cookies named `name` the request carries (`request.cookies` keeps only one of each name)."""
    sent = [part.split("=", 1)[0].strip() for header in request.headers.getlist("cookie") for part in header.split(";")]
    return sent.count(name)


def only_cookie(request: Request, name: str, refused: ErrorCode) -> str | None:
    """The request's cookie `name`; `refused` (401) when it carries that cookie twice: one was set by another
    origin of the site (a sibling subdomain, which a browser sends after the user's own when its path is shorter),
    and which one the user signed in with, the server cannot tell."""
    if cookie_count(request, name) > 1:
        raise HdexError(
            refused,
            "this request carries two session cookies (one set by another site of this domain): sign out, clear "
            "this site's cookies, then sign in again",
        )
    return request.cookies.get(name) or None


def session_token(request: Request, container: ContainerDep) -> str | None:
    """The token of the request's wallet session cookie (set by POST /v1/auth/siwe, HttpOnly), never one of two."""
    return only_cookie(request, session_cookie(container.settings), ErrorCode.NOT_SIGNED_IN)


SessionToken = Annotated[str | None, Depends(session_token)]


def refuse_cross_origin(request: Request) -> None:
    """403 CROSS_ORIGIN_REQUEST for a request that changes state with the wallet session from another origin."""
    if request.method not in SAFE_METHODS and (why := cross_origin(request)) is not None:
        raise HdexError(
            ErrorCode.CROSS_ORIGIN_REQUEST,
            f"a signed-in change must come from this site's own pages ({why})",
        )


def cross_origin(request: Request) -> str | None:
    """Why a browser sent `request` from another origin, or None when it came from this one or from no browser.

    The wallet session's cookie is SameSite=Strict, which keeps other *sites* out but not a sibling subdomain
    (another origin of the same site, e.g. a hijacked blog.example beside hdex.example): for a request that
    changes state, the browser's own word decides. `Sec-Fetch-Site` (every current browser) first, else
    `Origin` against `Host` (older browsers); a request with neither came from no browser, which no other
    page can make carry the cookie."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return None if site in ("same-origin", "none") else f"Sec-Fetch-Site: {site}"
    origin = request.headers.get("origin")
    if origin is None:
        return None
    host = request.headers.get("host", "")
    return None if origin.partition("://")[2] == host else f"Origin {origin} is not this server ({host})"


async def current_session(request: Request, sessions: SessionsDep, token: SessionToken = None) -> SessionView:
    """The session of the request's cookie, or 401 NOT_SIGNED_IN; a request that changes state from another
    origin is refused (403 CROSS_ORIGIN_REQUEST) before the session is looked at."""
    refuse_cross_origin(request)
    session = None if not token else await asyncio.to_thread(sessions.find, token)
    if session is None:
        raise HdexError(
            ErrorCode.NOT_SIGNED_IN, "sign in with your wallet first: GET /v1/auth/nonce, then POST /v1/auth/siwe"
        )
    return session


CurrentSession = Annotated[SessionView, Depends(current_session)]


async def current_wallet(session: CurrentSession) -> str:
    return session.address


# The signed-in wallet (EIP-55) of a route that serves only its own data; 401 NOT_SIGNED_IN without a session.
CurrentWallet = Annotated[str, Depends(current_wallet)]


def limited(scope: str) -> Any:
    """A route dependency: one request of `scope` per client IP, on top of the per-IP limit of every request
    (`RateLimiter.scoped_limits`); 429 RATE_LIMITED past it."""

    async def count(request: Request) -> None:
        await spend_scope(request, scope)

    return Depends(count)


async def spend_scope(request: Request, scope: str) -> None:
    """Count one of `scope` for the request's client IP, where only some requests of a route spend it (an upload
    on a route that takes one or none); 429 RATE_LIMITED past its limit."""
    limiter: RateLimiter = request.app.state.limiter
    await limiter.hit_scope(scope, client_key(request.client.host if request.client else None))


def client_ip(request: Request) -> str:
    """The client's address as it connected, for logs and the audit log (limits count under its `client_key`)."""
    return request.client.host if request.client else "unknown"


def get_staff_sign_in(container: ContainerDep) -> StaffSignIn:
    return StaffSignIn(container)


def get_staff_accounts(container: ContainerDep) -> StaffAccounts:
    return StaffAccounts(container)


StaffSignInDep = Annotated[StaffSignIn, Depends(get_staff_sign_in)]
StaffAccountsDep = Annotated[StaffAccounts, Depends(get_staff_accounts)]


def staff_token(request: Request, container: ContainerDep) -> str | None:
    """The token of the request's staff session cookie (set by POST /v1/staff/auth/totp, HttpOnly), never one of
    two."""
    return only_cookie(request, staff_cookie(container.settings)[0], ErrorCode.STAFF_NOT_SIGNED_IN)


StaffToken = Annotated[str | None, Depends(staff_token)]
CsrfToken = Annotated[
    str | None,
    Header(alias=CSRF_HEADER, description="the session's `csrfToken`; required on every state-changing staff request"),
]


@dataclass(frozen=True)
class StaffPrincipal:
    """The member of staff behind a request, with their session's token (for sign-out) and IP (for the log)."""

    session: StaffSessionView
    token: str
    ip: str

    @property
    def member(self) -> StaffMember:
        return self.session.member

    @property
    def actor(self) -> Actor:
        return Actor(self.member.actor, self.ip)


BACKGROUND_HEADER = "X-Staff-Background"


async def current_staff(
    request: Request, sign_in: StaffSignInDep, token: StaffToken, csrf: CsrfToken = None
) -> StaffPrincipal:
    """The staff session of the request's cookie (401 STAFF_NOT_SIGNED_IN without a live one); a request
    that changes state must also carry its CSRF token in X-CSRF-Token (403 STAFF_CSRF_FAILED). A read the page
    makes by itself (a poll: `X-Staff-Background: 1`) is not the member's activity: the session's idling runs on,
    else a page left open on a polling tab never idled out."""
    background = request.method in SAFE_METHODS and request.headers.get(BACKGROUND_HEADER) == "1"
    session = None if not token else await asyncio.to_thread(sign_in.find, token, not background)
    if session is None or token is None:
        raise HdexError(
            ErrorCode.STAFF_NOT_SIGNED_IN,
            "sign in first: POST /v1/staff/auth/login, then POST /v1/staff/auth/totp (sessions end after idling)",
        )
    if request.method not in SAFE_METHODS and not csrf_matches(token, csrf):
        raise HdexError(
            ErrorCode.STAFF_CSRF_FAILED, f"send the session's csrfToken in the {CSRF_HEADER} header", CSRF_HEADER
        )
    return StaffPrincipal(session, token, client_ip(request))


CurrentStaff = Annotated[StaffPrincipal, Depends(current_staff)]


def requires(permission: Permission) -> Any:
    """A dependency: the signed-in member of staff (as `current_staff`), if their role holds `permission`;
    403 STAFF_FORBIDDEN otherwise. Use as `staff: Annotated[StaffPrincipal, requires(Permission.X)]`."""

    async def check(staff: CurrentStaff) -> StaffPrincipal:
        if permission not in staff.member.permissions:
            raise HdexError(
                ErrorCode.STAFF_FORBIDDEN, f"the {staff.member.role.value} role may not do this ({permission.value})"
            )
        return staff

    return Depends(check)


# accounts and KYC (issue 13), support attachments (issue 16): one document store per container (an S3
# client keeps its connection pool)
def _document_store(container: Container) -> DocumentStore:
    return document_store_for(container.settings)


def get_accounts(container: ContainerDep) -> Accounts:
    return Accounts(container, store=container.shared(_document_store))


def get_kyc_review(container: ContainerDep) -> KycReview:
    return KycReview(container, store=container.shared(_document_store))


def get_desk(container: ContainerDep) -> SupportDesk:
    return SupportDesk(container, store=container.shared(_document_store))


AccountsDep = Annotated[Accounts, Depends(get_accounts)]
KycReviewDep = Annotated[KycReview, Depends(get_kyc_review)]
SupportDeskDep = Annotated[SupportDesk, Depends(get_desk)]
