"""The uvicorn server `hdex up` serves the API with: its limits, and a hook for when it listens."""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import cast

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from backend.settings import Settings


class _Config(uvicorn.Config):
    """uvicorn's settings and the one it lacks: how long a request's head may take to arrive."""

    def __init__(self, app: ASGIApp, head_timeout_s: float, **options: object) -> None:
        super().__init__(app, **options)  # type: ignore[arg-type]
        self.head_timeout_s = head_timeout_s


class HeadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing a connection whose request line and headers have not all arrived within
    `head_timeout_s` of connecting or of the request's first byte. uvicorn itself waits for them forever, so
    clients that trickle a request (slowloris) could hold every connection; its keep-alive timeout covers only
    the quiet between requests."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._arm_head_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head_deadline()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm_head_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is None:
            timeout = cast(_Config, self.config).head_timeout_s  # ApiServer builds its protocols with a _Config
            self._head_deadline = self.loop.call_later(timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


# CPython collects its oldest generation (every object of the process: some 300,000 once the app is loaded and a
# book of 20,000 orders rests) whenever a quarter as many objects again have survived two younger collections. With
# the default 700 allocations between young collections, enough of each request's short-lived objects were still
# alive at one (waiting for their batch to be stored) that this happened every 1,400 cancels or so, each time
# stopping the loop for 100-140 ms: the p99 of cancels in one process. Counting 10,000 before a young collection,
# they are freed by their reference counts first and almost nothing reaches the oldest generation; cycles are
# still collected.
GC_THRESHOLDS = (10_000, 10, 10)


def tune_garbage_collector() -> None:
    """The collector's thresholds for a serving process (see GC_THRESHOLDS)."""
    gc.set_threshold(*GC_THRESHOLDS)


class ApiServer(uvicorn.Server):
    """uvicorn on `settings.api_host:api_port`; `on_listening` runs once the app has started and
    the socket accepts connections (uvicorn's own startup ends there), so a log line it writes is true."""

    def __init__(self, app: ASGIApp, settings: Settings, on_listening: Callable[[], None]) -> None:
        super().__init__(
            _Config(
                app,
                settings.http_head_timeout_s,
                http=HeadTimeoutProtocol,
                host=settings.api_host,
                port=settings.api_port,
                log_config=None,
                lifespan="on",
                # WebSocket frames get the REST body cap: a larger frame closes the socket (1009)
                # before it is buffered. Smaller ones are refused by /v1/ws's own, lower limit.
                ws_max_size=settings.max_body_bytes,
                # Slow or idle clients hold no connection for long, and a flood past the concurrency
                # bound is answered 503 at once instead of queueing behind everyone else's requests.
                timeout_keep_alive=settings.http_keep_alive_s,
                limit_concurrency=settings.http_max_concurrency,
            )
        )
        self._on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        tune_garbage_collector()
        await super().startup(sockets)
        self._on_listening()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """A second stop signal forces the exit, whichever it is. uvicorn forces only on a SIGINT after
        another signal, but under `make run` make's forwarded SIGTERM and `watch_parent`'s SIGINT arrive
        in either order: with the SIGINT first, shutdown waited for open connections (a slow client's
        request: up to its timeout)."""
        if self.should_exit and sig in (signal.SIGINT, signal.SIGTERM):
            self.force_exit = True
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn skips the app's shutdown on a forced exit (a second stop signal), and one always comes
        under `make run` (make forwards SIGTERM, `watch_parent` sends SIGINT). Forcing may stop waiting
        for open connections, never the engine's clean stop (last batch, snapshot)."""
        await super().shutdown(sockets)
        if self.force_exit:
            await self.lifespan.shutdown()
