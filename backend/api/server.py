"""The uvicorn server `hdex up` serves the API with: its limits, and a hook for when it listens."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import struct
from collections.abc import Callable
from types import FrameType
from typing import cast

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from backend.settings import Settings


class _Config(uvicorn.Config):
    """uvicorn's settings and the three it lacks: how long a request's head, and then its body, may take to arrive,
    and how long its answer may wait for the client to take it."""

    def __init__(
        self, app: ASGIApp, head_timeout_s: float, body_timeout_s: float, write_timeout_s: float, **options: object
    ) -> None:
        super().__init__(app, **options)  # type: ignore[arg-type]
        self.head_timeout_s = head_timeout_s
        self.body_timeout_s = body_timeout_s
        self.write_timeout_s = write_timeout_s


# A body may take HDEX_HTTP_BODY_TIMEOUT_S and one second more for every this many bytes of it that arrived: a client
# sending at least this fast (64 kbit/s) is never cut off, whatever the body's size (a 10 MB KYC upload on a slow
# uplink), while one trickling it holds its connection for the timeout and hardly more.
BODY_MIN_BYTES_PER_S = 8_192
# Likewise an answer may wait HDEX_HTTP_WRITE_TIMEOUT_S for its client to take it, and a second more for every this
# many bytes the client took meanwhile: one downloading the dApp's bundle slowly is never cut off, while one that
# stopped reading (or reads a trickle) holds its connection, its answer's buffer and whatever the application
# holds while its `send` waits (a replica: a connection to the engine) for the timeout and hardly more.
ANSWER_MIN_BYTES_PER_S = BODY_MIN_BYTES_PER_S
# SO_LINGER on, for 0 s: closing sends a reset and discards what the kernel still holds for the client. Closed
# normally, the kernel would go on sending it (megabytes) to a client taking it as slowly as it likes.
LINGER_RESET = struct.pack("ii", 1, 0)
REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 41\r\n"
    b"connection: close\r\n\r\nthe request's body did not arrive in time"
)


class SlowClientProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing a connection whose request line and headers have not all arrived within
    `head_timeout_s` of connecting or of the request's first byte, or whose body has not all arrived within
    `body_timeout_s` of its headers (and a second more per BODY_MIN_BYTES_PER_S bytes received), answering 408 if
    nothing of the answer was sent yet, or whose client, while the server waits for it to take an answer, has not
    taken it within `write_timeout_s` of waiting (and a second more per ANSWER_MIN_BYTES_PER_S bytes taken). uvicorn
    itself waits for all three forever, so clients that trickle a request (slowloris), its body (slow POST), or
    that stop reading a large answer (slow read) could hold every connection; its keep-alive timeout covers only
    the quiet between requests.

    The body's is a deadline, not an idle timer reset as bytes arrive: a byte sent just before each timer ran out
    would hold the connection forever. Time the server itself makes the client wait does not count: reading paused
    while the application has not taken what arrived, or a client waiting for its `100 Continue`. The same holds for
    an answer: only the time uvicorn has paused writing it (the transport's buffer over its high-water mark) counts,
    not the time its application takes to produce it."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None
        self._body_started = 0.0  # when the body's time began (loop time)
        self._body_received = 0  # bytes of it since
        self._body_waited_on_us = False  # the last check found the server, not the client, holding the body up
        self._write_deadline: asyncio.TimerHandle | None = None
        self._write_cycle: RequestResponseCycle | None = None  # the request whose answer the write clock counts for
        self._write_waited = 0.0  # seconds the server waited for its client to take it, up to the last count
        self._write_taken = 0  # bytes the client took meanwhile
        self._write_counted_at = 0.0  # when the last count was (loop time)
        self._write_buffered = 0  # bytes waiting in the transport's buffer then
        self._arm_head_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head_deadline()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._head_deadline = _cancelled(self._head_deadline)
        super().on_headers_complete()
        if not (self.parser.should_upgrade() and self._should_upgrade()):  # a WebSocket's frames are not a body
            self._restart_body_clock()
            self._body_deadline = self.loop.call_later(self._body_timeout_s, self._body_too_slow)

    def on_body(self, body: bytes) -> None:
        if self._body_waited_on_us:  # the server reads again: the client's time starts from here
            self._restart_body_clock()
        self._body_received += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._body_deadline = _cancelled(self._body_deadline)
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_deadline = _cancelled(self._head_deadline)
        self._body_deadline = _cancelled(self._body_deadline)
        self._write_deadline = _cancelled(self._write_deadline)
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.cycle is not self._write_cycle:  # another request's answer (the last pause has ended): its own clock
            self._write_cycle, self._write_waited, self._write_taken = self.cycle, 0.0, 0
        self._write_counted_at, self._write_buffered = self.loop.time(), self.transport.get_write_buffer_size()
        self._write_deadline = _cancelled(self._write_deadline)
        self._write_deadline = self.loop.call_later(self._write_time_left(), self._answer_not_taken)

    def resume_writing(self) -> None:
        self._write_deadline = _cancelled(self._write_deadline)
        self._count_write_wait()
        super().resume_writing()

    @property
    def _body_timeout_s(self) -> float:
        return cast(_Config, self.config).body_timeout_s  # ApiServer builds its protocols with a _Config

    def _count_write_wait(self) -> None:
        """Add the time writing was paused since the last count, and the bytes the client took meanwhile."""
        now, buffered = self.loop.time(), self.transport.get_write_buffer_size()
        self._write_waited += now - self._write_counted_at
        self._write_taken += max(0, self._write_buffered - buffered)
        self._write_counted_at, self._write_buffered = now, buffered

    def _write_time_left(self) -> float:
        allowed = cast(_Config, self.config).write_timeout_s + self._write_taken / ANSWER_MIN_BYTES_PER_S
        return allowed - self._write_waited

    def _answer_not_taken(self) -> None:
        self._write_deadline = None
        if self.transport.get_protocol() is not self:  # upgraded to a WebSocket meanwhile: no longer ours to time
            return
        self._count_write_wait()
        remaining = self._write_time_left()
        if remaining > 0:
            self._write_deadline = self.loop.call_later(remaining, self._answer_not_taken)
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            _tell_client_gone(cycle)  # its pending `send` returns, freeing what it holds
        self.flow.resume_writing()  # wakes that `send`
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        self.transport.abort()  # close() would wait for the client to take what is buffered: forever

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is None:
            timeout = cast(_Config, self.config).head_timeout_s
            self._head_deadline = self.loop.call_later(timeout, self._head_too_slow)

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _restart_body_clock(self) -> None:
        self._body_started, self._body_received, self._body_waited_on_us = self.loop.time(), 0, False

    def _body_too_slow(self) -> None:
        self._body_deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue):
            self._body_waited_on_us = True  # not the client's fault: look again later
            self._body_deadline = self.loop.call_later(self._body_timeout_s, self._body_too_slow)
            return
        if self._body_waited_on_us:  # the server read again since the last check and nothing came: start from now
            self._restart_body_clock()
        allowed = self._body_timeout_s + self._body_received / BODY_MIN_BYTES_PER_S
        remaining = self._body_started + allowed - self.loop.time()
        if remaining > 0:
            self._body_deadline = self.loop.call_later(remaining, self._body_too_slow)
            return
        if cycle is not None and not cycle.response_started:
            self.transport.write(REQUEST_TIMEOUT)
        if cycle is not None and not cycle.response_complete:
            _tell_client_gone(cycle)  # it writes nothing after the 408
        self.transport.close()


def _cancelled(deadline: asyncio.TimerHandle | None) -> asyncio.TimerHandle | None:
    """Cancel `deadline` if one is armed; returns what to store in its place: no deadline."""
    if deadline is not None:
        deadline.cancel()
    return None


def _tell_client_gone(cycle: RequestResponseCycle) -> None:
    """Have the application read its client as gone: its waiting `receive` answers a disconnect, its `send`
    returns without writing."""
    cycle.disconnected = True
    cycle.message_event.set()


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
                settings.http_body_timeout_s,
                settings.http_write_timeout_s,
                http=SlowClientProtocol,
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
