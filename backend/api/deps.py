"""FastAPI dependencies: the container built at start-up, the signed-in wallet, per-endpoint rate limits."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Cookie, Depends, Request

from backend.api.ratelimit import RateLimiter
from backend.auth.sessions import Sessions, SessionView
from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError

SESSION_COOKIE = "hdex_session"


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_sessions(container: ContainerDep) -> Sessions:
    return Sessions(container)


SessionsDep = Annotated[Sessions, Depends(get_sessions)]
SessionToken = Annotated[str | None, Cookie(alias=SESSION_COOKIE, description="set by POST /v1/auth/siwe (HttpOnly)")]


async def current_session(sessions: SessionsDep, token: SessionToken = None) -> SessionView:
    """The session of the request's cookie, or 401 NOT_SIGNED_IN."""
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
        limiter: RateLimiter = request.app.state.limiter
        await limiter.hit_scope(scope, request.client.host if request.client else "unknown")

    return Depends(count)
