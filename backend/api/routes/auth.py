"""Sign-in with Ethereum (EIP-4361): `GET /v1/auth/nonce`, `POST /v1/auth/siwe`, `GET /v1/auth/session`,
`POST /v1/auth/logout`, `POST /v1/auth/logout-all`.

A session is a cookie: HttpOnly (scripts never see it), SameSite=Strict (no other site's request carries
it) and Secure outside development; a change made with it must also come from this origin's own pages
(`backend.api.deps.current_session`). Trading stays signed per order: bots need no session.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from backend.api.deps import (
    ContainerDep,
    CurrentSession,
    SessionsDep,
    limited,
    refuse_cross_origin,
    session_cookie,
)
from backend.api.schemas import ERROR, Address, EpochMs, Input, Signature, documented
from backend.auth.sessions import SessionView
from backend.auth.siwe import MAX_MESSAGE_CHARS
from backend.settings import Settings

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class Nonce(BaseModel):
    nonce: str = Field(description="put it in the message's `Nonce:` line; single use, valid for 10 minutes")


class SignInRequest(Input):
    message: str = Field(
        max_length=MAX_MESSAGE_CHARS,
        description="the EIP-4361 message: this host as domain, a URI on it, the exchange's chain id, a nonce "
        "from GET /v1/auth/nonce",
    )
    signature: Signature = Field(description="the wallet's personal_sign (EIP-191) of the message")


class SignedInWallet(BaseModel):
    address: Address = Field(description="the signed-in wallet")
    chainId: int
    expiresAt: EpochMs = Field(description="when the session ends, unless signed out before")


class SignedOut(BaseModel):
    signedOut: bool = Field(description="always true: the session, if any, is revoked")


class SignedOutEverywhere(BaseModel):
    signedOut: bool = Field(description="always true: every session of the wallet is revoked")
    sessionsEnded: int = Field(description="how many sessions ended, this one included")


def _session_json(session: SessionView) -> dict[str, Any]:
    return {"address": session.address, "chainId": session.chain_id, "expiresAt": session.expires_at_ms}


@router.get("/nonce", response_model=None, dependencies=[limited("auth")], responses={
    **documented(Nonce, "a fresh nonce for one sign-in message"), 429: ERROR,
})  # fmt: skip
async def nonce(sessions: SessionsDep) -> dict[str, str]:
    """A random nonce, stored server-side: a sign-in message must carry it, and it works once."""
    return {"nonce": await asyncio.to_thread(sessions.issue_nonce)}


@router.post("/siwe", response_model=None, dependencies=[limited("auth")], responses={
    **documented(SignedInWallet, "signed in: the session cookie is set"), 401: ERROR, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def sign_in(
    body: SignInRequest, request: Request, response: Response, sessions: SessionsDep, container: ContainerDep
) -> dict[str, Any]:
    """Checks the message (domain: one of `HDEX_SIWE_DOMAINS`, else this request's host; URI on that
    domain; chain id; expiry and not-before; a nonce we handed out, now used up) and its signature, then
    starts a session for the signer and sets its cookie."""
    settings = container.settings
    domains = settings.siwe_domains or [request.headers.get("host", "")]
    new = await asyncio.to_thread(sessions.sign_in, body.message, body.signature, domains)
    response.set_cookie(
        session_cookie(settings),
        new.token,
        max_age=max(1, (new.view.expires_at_ms - time.time_ns() // 1_000_000) // 1000),
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return _session_json(new.view)


@router.get("/session", response_model=None, responses={
    **documented(SignedInWallet, "the signed-in wallet"), 401: ERROR,
})  # fmt: skip
async def session(current: CurrentSession) -> dict[str, Any]:
    """The wallet this browser is signed in as; 401 NOT_SIGNED_IN without a live session."""
    return _session_json(current)


@router.post("/logout", response_model=None, responses={**documented(SignedOut, "signed out"), 403: ERROR})
async def logout(
    request: Request, response: Response, sessions: SessionsDep, container: ContainerDep
) -> dict[str, bool]:
    """Revokes the session on the server (its cookie is worthless from now on) and clears the cookie; from another
    origin of the site, refused (403 CROSS_ORIGIN_REQUEST), as every signed-in change is."""
    refuse_cross_origin(request)
    name = session_cookie(container.settings)
    token = request.cookies.get(name)  # whichever it is, even beside a second one: signing out is the way out
    if token:
        await asyncio.to_thread(sessions.revoke, token)
    clear_session_cookie(response, container.settings)
    return {"signedOut": True}


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to drop the wallet session cookie (its session is revoked already)."""
    response.delete_cookie(session_cookie(settings), path="/", secure=settings.secure_cookies, httponly=True,
                           samesite="strict")  # fmt: skip


@router.post("/logout-all", response_model=None, responses={
    **documented(SignedOutEverywhere, "every session of the wallet ended"), 401: ERROR, 403: ERROR,
})  # fmt: skip
async def logout_all(
    current: CurrentSession, response: Response, sessions: SessionsDep, container: ContainerDep
) -> dict[str, Any]:
    """Revokes every session of the signed-in wallet, on every device and browser (a lost or shared one), and
    clears this browser's cookie; 401 NOT_SIGNED_IN without a live session, 403 CROSS_ORIGIN_REQUEST from another
    origin of the site (as every signed-in change is)."""
    ended = await asyncio.to_thread(sessions.revoke_all, current.address)
    clear_session_cookie(response, container.settings)
    return {"signedOut": True, "sessionsEnded": ended}
