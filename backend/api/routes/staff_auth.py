"""Staff sign-in: `POST /v1/staff/auth/login` (password), `POST /v1/staff/auth/totp` (second factor, sets
the session cookie), `GET /v1/staff/auth/session`, `POST /v1/staff/auth/logout`, and password links
(`POST /v1/staff/auth/password-reset`, `POST /v1/staff/auth/password-reset/confirm`).

The staff cookie is its own: HttpOnly, SameSite=Strict, Secure outside development, sent to /v1/staff only.
CSRF: a per-session token, derived from the cookie's token, returned in the JSON of the sign-in and of
GET /session, and required in the X-CSRF-Token header of every state-changing staff request.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel, Field, model_validator

from backend.api.client_ip import client_key
from backend.api.deps import (
    CSRF_HEADER,
    ContainerDep,
    CsrfToken,
    CurrentStaff,
    StaffSignInDep,
    client_ip,
    cookie_count,
    limited,
    staff_cookie,
)
from backend.api.routes.staff_schemas import StaffOut, staff_json
from backend.api.schemas import ERROR, EpochMs, Input, documented
from backend.errors import ErrorCode, HdexError
from backend.mail.addresses import MAX_EMAIL_CHARS, normal_email
from backend.staff.credentials import MAX_PASSWORD_CHARS, csrf_matches, csrf_token
from backend.staff.signin import StaffSessionView

router = APIRouter(prefix="/v1/staff/auth", tags=["staff"])

Token = Field(min_length=1, max_length=128)


class LoginRequest(Input):
    email: str = Field(max_length=MAX_EMAIL_CHARS)
    password: str = Field(max_length=MAX_PASSWORD_CHARS)


class TotpSetupOut(BaseModel):
    uri: str = Field(description="otpauth:// provisioning URI (RFC 6238) for an authenticator app")
    qrSvg: str = Field(description="the URI as a QR code, an inline SVG document")
    secret: str = Field(description="the base32 secret, for typing into an app that cannot scan")


class ChallengeOut(BaseModel):
    challenge: str = Field(description="send it with a code to POST /v1/staff/auth/totp")
    expiresAt: EpochMs
    totpSetup: TotpSetupOut | None = Field(
        description="set when the account has no TOTP app yet: scan it, then send its first code"
    )


class TotpRequest(Input):
    challenge: str = Token
    code: str | None = Field(default=None, pattern="^[0-9]{6}$", description="the app's current code")
    recoveryCode: str | None = Field(default=None, max_length=32, description="instead of a code: a recovery code")

    @model_validator(mode="after")
    def _one_factor(self) -> TotpRequest:
        if (self.code is None) == (self.recoveryCode is None):
            raise ValueError("send either code or recoveryCode")
        return self


class SessionOut(BaseModel):
    staff: StaffOut
    csrfToken: str = Field(description=f"send it in the {CSRF_HEADER} header of every state-changing request")
    expiresAt: EpochMs = Field(description="the absolute end of the session")
    idleExpiresAt: EpochMs = Field(description="the end unless a request comes before")


class SignedInOut(SessionOut):
    recoveryCodes: list[str] | None = Field(
        description="set once, when this sign-in completed the TOTP set-up: each code works once instead of a code"
    )


class SignedOut(BaseModel):
    signedOut: bool


class ResetRequest(Input):
    email: str = Field(max_length=MAX_EMAIL_CHARS)


class ResetAccepted(BaseModel):
    accepted: bool = Field(description="always true: a mail goes out if the address is an active account's")


class ResetConfirm(Input):
    token: str = Token
    password: str = Field(max_length=MAX_PASSWORD_CHARS)


class PasswordChanged(BaseModel):
    passwordChanged: bool


def _session_json(view: StaffSessionView, token: str) -> dict[str, Any]:
    return {
        "staff": staff_json(view.member),
        "csrfToken": csrf_token(token),
        "expiresAt": view.expires_at_ms,
        "idleExpiresAt": view.idle_expires_at_ms,
    }


@router.post("/login", response_model=None, dependencies=[limited("auth")], responses={
    **documented(ChallengeOut, "the password is right: now the second factor"), 401: ERROR, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def login(body: LoginRequest, request: Request, sign_in: StaffSignInDep) -> dict[str, Any]:
    """The first step: e-mail and password. Repeated failures lock the account for the client that failed (its
    address; an IPv6 /64), for longer each time (429 STAFF_LOCKED with Retry-After)."""
    ip = client_ip(request)
    challenge = await asyncio.to_thread(sign_in.start, body.email, body.password, ip, client_key(ip))
    setup = challenge.totp_setup
    return {
        "challenge": challenge.token,
        "expiresAt": challenge.expires_at_ms,
        "totpSetup": None if setup is None else {"uri": setup.uri, "qrSvg": setup.qr_svg, "secret": setup.secret},
    }


@router.post("/totp", response_model=None, dependencies=[limited("auth")], responses={
    **documented(SignedInOut, "signed in: the staff session cookie is set"), 401: ERROR, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def totp(
    body: TotpRequest, request: Request, response: Response, sign_in: StaffSignInDep, container: ContainerDep
) -> dict[str, Any]:
    """The second step: the authenticator app's code (accepted once) or a recovery code (spent)."""
    ip = client_ip(request)
    new = await asyncio.to_thread(sign_in.finish, body.challenge, ip, body.code, body.recoveryCode, client_key(ip))
    name, path = staff_cookie(container.settings)
    response.set_cookie(
        name,
        new.token,
        max_age=container.settings.staff_session_max_s,
        path=path,
        secure=container.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return {**_session_json(new.view, new.token), "recoveryCodes": new.recovery_codes or None}


@router.get("/session", response_model=None, responses={
    **documented(SessionOut, "the signed-in member of staff and the session's CSRF token"), 401: ERROR,
})  # fmt: skip
async def session(staff: CurrentStaff) -> dict[str, Any]:
    """Who this browser is signed in as, with the CSRF token a reloaded page needs again."""
    return _session_json(staff.session, staff.token)


@router.post("/logout", response_model=None, responses={
    **documented(SignedOut, "signed out"), 403: ERROR,
})  # fmt: skip
async def logout(
    request: Request,
    response: Response,
    sign_in: StaffSignInDep,
    container: ContainerDep,
    csrf: CsrfToken = None,
) -> dict[str, bool]:
    """Ends the session on the server and clears the cookie; a live session needs its CSRF token (so no
    other site can sign staff out). It is the one way out of carrying two staff cookies (which no other door
    takes): which session is the member's cannot be told, so none is ended, and this site's cookie is cleared."""
    name, path = staff_cookie(container.settings)
    token = request.cookies.get(name) if cookie_count(request, name) == 1 else None
    view = None if not token else await asyncio.to_thread(sign_in.find, token)
    if view is not None and token is not None:
        if not csrf_matches(token, csrf):
            raise HdexError(ErrorCode.STAFF_CSRF_FAILED, f"send the session's csrfToken in {CSRF_HEADER}", CSRF_HEADER)
        await asyncio.to_thread(sign_in.sign_out, token, view.member, client_ip(request))
    response.delete_cookie(name, path=path, secure=container.settings.secure_cookies, httponly=True, samesite="strict")
    return {"signedOut": True}


@router.post("/password-reset", status_code=202, response_model=None, dependencies=[limited("auth")], responses={
    **documented(ResetAccepted, "a reset link is mailed if the address is an active account's", 202),
    422: ERROR, 429: ERROR,
})  # fmt: skip
async def password_reset(
    body: ResetRequest, request: Request, sign_in: StaffSignInDep, container: ContainerDep, later: BackgroundTasks
) -> dict[str, bool]:
    """Mails a single-use, expiring link (HDEX_STAFF_RESET_TTL_S). The answer never says whether the
    address is staff, nor does its timing: the link is made and mailed after the answer is sent, for every
    address alike (a mail sent within the request made a staff address's answer slower by the SMTP exchange)."""
    normal_email(body.email)  # a malformed address is still refused in the answer (INVALID_FIELD)
    base = container.settings.link_base(str(request.base_url))
    later.add_task(sign_in.request_reset, body.email, base, client_ip(request))
    return {"accepted": True}


@router.post("/password-reset/confirm", response_model=None, dependencies=[limited("auth")], responses={
    **documented(PasswordChanged, "the password is set; every session of the account has ended"),
    401: ERROR, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def password_reset_confirm(body: ResetConfirm, request: Request, sign_in: StaffSignInDep) -> dict[str, bool]:
    """Sets a new password with the link's token (from a reset or an invitation mail); the link works once."""
    await asyncio.to_thread(sign_in.confirm_reset, body.token, body.password, client_ip(request))
    return {"passwordChanged": True}
