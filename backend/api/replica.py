"""`hdex api`: a stateless API replica in front of an engine process (issue 17).

Any number of replicas run behind any HTTP balancer. A replica serves order entry itself: it parses the
order, checks its signature and the per-IP and per-wallet rate limits (shared through Redis), and hands
the order to the engine process over the command stream (`backend.trading.usecases.command_stream`),
answering once the engine has stored it. That is where one process ran out of core: HTTP and signature
work now spread over the replicas, and the engine sees ready orders in batches. Cancels (one order,
`DELETE /v1/orders/{hash}`, all of a maker's, `POST /v1/orders/cancel`, and the dead-man switch, `POST
/v1/orders/cancel-after`) take the stream too, behind the orders sent before them; their signatures and the
maker's rate limit are the engine's to check (a single cancel's request names no maker). So does a
cancel-replace (`POST /v1/orders/replace`): its new order is checked here as an order is, its cancel's
signature by the engine. Every other request, and
the WebSocket, is passed to the engine process (`HDEX_ENGINE_URL`) unchanged (a request once its body is
all here), with the client's address in X-Forwarded-For (the engine's server trusts it from the addresses in
FORWARDED_ALLOW_IPS, by default 127.0.0.1), except `GET /metrics`: the replica's own, and `GET /health`: the
engine process's with the replica's own part added. A replica holds no state: killing one loses only the
requests it had not answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import IO, Any, cast

import httpx
from redis.exceptions import BusyLoadingError, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import CloseCode
from websockets.protocol import State

from backend.api.client_ip import client_key
from backend.api.errors import error_response
from backend.api.observe import MetricsMiddleware, metrics_response
from backend.api.ratelimit import BodySizeLimitMiddleware, RateLimiter, request_weight
from backend.api.routes.account_kyc import level2_max_body
from backend.api.routes.dependencies import json_body
from backend.api.routes.orders import BATCH_PATH, batch_answer, order_entry_body_limits, order_entry_max_body
from backend.api.routes.support import tickets_max_body
from backend.api.routes.ws import TOO_SLOW, close_socket, receive_frame
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings
from backend.signing import Domain
from backend.trading.rules.cancels import (
    CANCEL_BODY,
    parse_bulk_cancel_request,
    parse_cancel_after_request,
    parse_cancel_request,
    parse_replace_request,
)
from backend.trading.rules.checks import verify_order_signature
from backend.trading.rules.orders import OrderRequest, batch_items, parse_order_request
from backend.trading.usecases.command_stream import (
    CANCEL_AFTER,
    CANCEL_ALL,
    REPLACE,
    REPLY_STREAM_PREFIX,
    Answer,
    CommandStream,
    command_key,
    stream_client,
)

log = logging.getLogger(__name__)

ORDERS_PATH = "/v1/orders"
CANCEL_ROUTE = ORDERS_PATH + "/{orderHash}"  # DELETE: one order cancelled
CANCEL_ALL_ROUTE = ORDERS_PATH + "/cancel"  # POST: every open order of a maker cancelled
REPLACE_ROUTE = ORDERS_PATH + "/replace"  # POST: an order cancelled and another placed in one step
CANCEL_AFTER_ROUTE = ORDERS_PATH + "/cancel-after"  # POST: a maker's dead-man switch armed or refreshed
METRICS_PATH = "/metrics"  # the replica's own; every other path is the engine process's
HEALTH_PATH = "/health"  # the engine process's, with the replica's own part added (`Replica._health`)
HEALTH_TIMEOUT_S = 5.0  # a balancer's check must not hang on a Redis or an engine process that does not answer
# Per-connection headers (RFC 9110 7.6.1) are not passed on; the proxy's own connection has its own.
HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)
BUSY_RETRY_AFTER_S = 1
RETRY_SHORTLY = {"Retry-After": str(BUSY_RETRY_AFTER_S)}  # every 503 here: Redis or the engine is busy or down
# What a client is told when its order may or may not have been taken: resending it is safe
MAY_STAND = (
    "the order may stand: send the same signed order again (it is placed at most once) or read GET /v1/orders/{hash}"
)
CANCEL_MAY_STAND = (
    "the cancel may have been applied: read GET /v1/orders/{hash}, or send the same cancel again (once applied,"
    " it is answered 409 ORDER_NOT_OPEN)"
)
REPLACE_MAY_STAND = (
    "the replace may have been applied: read GET /v1/orders/{hash} of the new order, or send the same request"
    " again (once applied, it is answered 409 ORDER_NOT_OPEN)"
)
CANCEL_AFTER_MAY_STAND = (
    "the cancel-after may have been armed: sign it again with a new timestamp (each call replaces the deadline)"
)
BULK_CANCEL_MAY_STAND = (
    "the cancel may have been applied: read GET /v1/accounts/{maker}/orders?status=open, or sign it again with a"
    " new timestamp"
)
# Order entry through a replica whose answer reader ended would only time out: refused at once, sent nowhere.
READER_STOPPED = "this replica no longer reads the engine's answers (see its log); send the request to another"
# The engine answers a close at once; one whose frames we stopped reading (a stalled client) is not waited on longer.
UPSTREAM_CLOSE_TIMEOUT_S = 1.0
# Codes a close frame may carry (RFC 6455 7.4): 1005, 1006 and 1015 only report, they are never sent.
SENDABLE_CLOSE_CODES = frozenset(range(1000, 1004)) | frozenset(range(1007, 1015)) | frozenset(range(3000, 5000))
ABNORMAL_UPSTREAM_END = "the engine process's connection ended abnormally: reconnect and resubscribe"
# A signature that recovers to another address than its maker may be one made for an Exchange redeployed since the
# domain was read (the engine process restarted on it): the domain is read again, at most this often.
DOMAIN_REREAD_S = 5.0
# Connections to the engine process for everything passed on (httpx's default, stated), and how long a request
# waits for one of them before 503: a request holds one only once its body is all here (`_forward`), so they are
# taken by the engine's work, not by clients sending slowly, and when all are busy a client hears so at once.
ENGINE_CONNECTIONS = 100
ENGINE_POOL_TIMEOUT_S = 5.0
SPOOL_CHUNK_BYTES = 65_536


def order_entry_route(scope: Scope) -> str | None:
    """The route of an order entry the replica hands to the engine over the stream (an order, a cancel, a bulk
    cancel, a cancel-replace, a cancel-after), as the engine's router names it; None for every other request
    (passed on)."""
    if scope["type"] != "http":
        return None
    path, method = scope["path"], scope["method"]
    if method == "POST" and path in (ORDERS_PATH, BATCH_PATH, CANCEL_ALL_ROUTE, REPLACE_ROUTE, CANCEL_AFTER_ROUTE):
        return str(path)
    order_hash = path.removeprefix(ORDERS_PATH + "/")
    if method == "DELETE" and order_hash != path and order_hash and "/" not in order_hash:
        return CANCEL_ROUTE
    return None


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Replica:
    """The replica's ASGI application (wrapped by `create_replica_app`)."""

    def __init__(self, settings: Settings) -> None:
        if settings.engine_url is None or settings.redis_url is None:
            raise ValueError("hdex api needs HDEX_ENGINE_URL and HDEX_REDIS_URL")
        self.settings = settings
        self.engine_url = settings.engine_url
        self.limiter = RateLimiter(settings)
        self.redis = stream_client(settings.redis_url)
        self.stream = CommandStream(
            self.redis, f"{REPLY_STREAM_PREFIX}{uuid.uuid4().hex}", settings.command_stream_max_len,
            command_key(settings),
        )  # fmt: skip
        self.http = httpx.AsyncClient(
            base_url=self.engine_url, timeout=httpx.Timeout(60.0, connect=5.0, pool=ENGINE_POOL_TIMEOUT_S),
            # an idle connection is dropped before the engine's keep-alive (the same setting) closes it: one reused
            # as the engine closes it would fail the request passed on unanswered
            limits=httpx.Limits(max_connections=ENGINE_CONNECTIONS, max_keepalive_connections=20,
                                keepalive_expiry=settings.http_keep_alive_s / 2),
        )  # fmt: skip
        self._forward_limited = BodySizeLimitMiddleware(self._forward, forwarded_body_limit(settings))
        self._order_entry = {
            ORDERS_PATH: self._place, BATCH_PATH: self._place_batch, CANCEL_ROUTE: self._cancel,
            CANCEL_ALL_ROUTE: self._cancel_all, REPLACE_ROUTE: self._replace, CANCEL_AFTER_ROUTE: self._cancel_after,
        }  # fmt: skip
        # what each order entry weighs against the IP's limit, read once (a batch more): not matched per request
        self._weights = {route: request_weight(route) for route in self._order_entry}
        self._domain: Domain | None = None
        self._domain_read_at = -DOMAIN_REREAD_S
        self._reader: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await self._forward_websocket(WebSocket(scope, receive, send))
        elif scope["type"] == "http" and scope["path"] == HEALTH_PATH and scope["method"] == "GET":
            await (await self._health())(scope, receive, send)
        elif (route := order_entry_route(scope)) is not None:
            limits: dict[str, str] = {}  # a refusal by the IP limit itself carries that limit's headers
            try:
                if not self.reading_answers:
                    raise HdexError(ErrorCode.UNAVAILABLE, READER_STOPPED, None, RETRY_SHORTLY)
                ip = client_key(client_ip(scope))
                limits = await self.limiter.hit("ip", ip, self.limiter.ip_limits, self._weights[route])
                response: Response = await self._order_entry[route](Request(scope, receive))
            except HdexError as error:
                response = error_response(error)
            response.headers.update(limits)  # on every answer, as the engine's middleware puts them on the rest
            await response(scope, receive, send)
        else:
            await self._forward_limited(scope, receive, send)

    # order entry: placing and cancelling, over the command stream

    async def _place(self, request: Request) -> Response:
        """Check what needs no account state, then let the engine place the order: 201 with the order once
        stored, 200 with it when this signed order had been placed before (a retry places it only once)."""
        order_request = parse_order_request(await json_body(request))
        domain, digest = await self._verified(order_request)
        await self.limiter.hit_address(order_request.order.maker.lower())
        ticket = uuid.uuid4().hex
        raw = await request.body()  # read once
        answer = await self._answer_to(ticket, self.stream.submit("0x" + digest.hex(), ticket, raw, domain), MAY_STAND)
        return JSONResponse(answer.order, status_code=200 if answer.replayed else 201)

    async def _place_batch(self, request: Request) -> Response:
        """Check each order of a batch as `_place` does, add those that pass to the stream in one round trip, in
        the request's order, and answer once the engine has answered every one: 200 with each order's outcome
        (`batch_answer`), one refused refusing no other, as the engine process's own door answers."""
        outcomes: list[tuple[int, dict[str, Any]] | HdexError | None] = []
        commands = []
        for item in batch_items(await json_body(request)):
            try:
                order_request = parse_order_request(item)
                domain, digest = await self._verified(order_request)
                await self.limiter.hit_address(order_request.order.maker.lower())
            except HdexError as refusal:
                outcomes.append(refusal)
                continue
            outcomes.append(None)  # the engine's answer, below
            body = json.dumps(item, separators=(",", ":")).encode()
            commands.append(("0x" + digest.hex(), uuid.uuid4().hex, body, domain))
        if commands:
            added = asyncio.ensure_future(self.stream.submit_orders(commands))
            answers = iter(await asyncio.gather(
                *(self._batch_outcome(ticket, added, n) for n, (_id, ticket, _b, _d) in enumerate(commands))
            ))  # fmt: skip
            outcomes = [next(answers) if outcome is None else outcome for outcome in outcomes]
        return JSONResponse(batch_answer(cast("list[tuple[int, dict[str, Any]] | HdexError]", outcomes)))

    async def _batch_outcome(
        self, ticket: str, added: asyncio.Future[list[asyncio.Future[Answer] | None]], n: int
    ) -> tuple[int, dict[str, Any]] | HdexError:
        """The `n`th command of a batch `added` to the stream: its status and order, or its refusal."""

        async def submitted() -> asyncio.Future[Answer] | None:
            return (await added)[n]

        try:
            answer = await self._answer_to(ticket, submitted(), MAY_STAND)
        except HdexError as refusal:
            return refusal
        assert answer.order is not None  # a place command's answer
        return 200 if answer.replayed else 201, answer.order

    async def _cancel(self, request: Request) -> Response:
        """Let the engine cancel one order (it checks the signature: the maker is not in the request): 200 with
        the order, cancelled, once stored; refused as the engine process's own door refuses it."""
        order_hash = request.scope["path"].removeprefix(ORDERS_PATH + "/")
        cancel = parse_cancel_request(order_hash, await json_body(request, CANCEL_BODY))
        ticket = uuid.uuid4().hex
        answer = await self._answer_to(ticket, self.stream.submit_cancel(ticket, cancel), CANCEL_MAY_STAND)
        return JSONResponse(answer.order)

    async def _replace(self, request: Request) -> Response:
        """Check the new order's signature as for an order, then let the engine cancel the old one and place it
        in one step (it checks the cancel's signature): 201 with both once stored, 409 REPLACE_PARTLY_FAILED when
        the cancel stands and the new order was refused, or the refusal of the engine process's own door."""
        replace = parse_replace_request(await json_body(request))
        domain, digest = await self._verified(replace.order)
        await self.limiter.hit_address(replace.order.order.maker.lower())
        ticket = uuid.uuid4().hex
        submitted = self.stream.submit(f"replace:0x{digest.hex()}", ticket, await request.body(), domain, REPLACE)
        answer = await self._answer_to(ticket, submitted, REPLACE_MAY_STAND)
        return JSONResponse(answer.result, status_code=answer.status)

    async def _cancel_all(self, request: Request) -> Response:
        """Let the engine cancel every open order of a maker (in a market, or all): 200 with their hashes once
        stored. Its signature, timestamp and market are the engine's to check, as its own door checks them."""
        cancel = parse_bulk_cancel_request(await json_body(request))
        return await self._signed(request, CANCEL_ALL, cancel.maker, cancel.timestamp_ms, BULK_CANCEL_MAY_STAND)

    async def _cancel_after(self, request: Request) -> Response:
        """Let the engine arm, refresh or turn off a maker's cancel-after: 200 with its deadline once stored,
        checked as the engine's own door checks it."""
        switch = parse_cancel_after_request(await json_body(request))
        return await self._signed(request, CANCEL_AFTER, switch.maker, switch.timestamp_ms, CANCEL_AFTER_MAY_STAND)

    async def _signed(self, request: Request, kind: str, maker: str, timestamp_ms: int, may_stand: str) -> Response:
        """Hand a signed command the engine checks whole to the engine; 200 with its answer."""
        ticket = uuid.uuid4().hex
        submitted = self.stream.submit_signed(kind, ticket, await request.body(), maker, timestamp_ms)
        return JSONResponse((await self._answer_to(ticket, submitted, may_stand)).result)

    async def _answer_to(
        self, ticket: str, submitted: Awaitable[asyncio.Future[Answer] | None], may_stand: str
    ) -> Answer:
        """The engine's answer to the command `submitted` adds to the stream, or the refusal: 503 ENGINE_BUSY (the
        stream full), 503 UNAVAILABLE (Redis refused it, or its connection failed: then, as for 504 ENGINE_TIMEOUT,
        it may have been applied and `may_stand` says what the client does)."""
        try:
            answer_of = await submitted
        except RedisTimeoutError:  # sent, and no reply: Redis may have taken the command, and the engine applied it
            message = f"the command stream (Redis) did not answer in time; {may_stand}"
            raise HdexError(ErrorCode.ENGINE_TIMEOUT, message) from None
        # Redis refused it (out of memory; loading, which redis-py raises as a ConnectionError): it was not taken
        except (ResponseError, BusyLoadingError) as exc:
            message = f"the command stream (Redis) refused the command: {exc}"
            raise HdexError(ErrorCode.UNAVAILABLE, message, None, RETRY_SHORTLY) from None
        except (OSError, RedisError) as exc:
            # The connection failed, perhaps once the command was on its way: Redis may have taken it.
            message = f"the command stream (Redis) is not answering: {exc}; {may_stand}"
            raise HdexError(ErrorCode.UNAVAILABLE, message, None, RETRY_SHORTLY) from None
        if answer_of is None:
            raise HdexError(
                ErrorCode.ENGINE_BUSY,
                "the engine has as many commands waiting as it takes; send the request again shortly",
                None,
                RETRY_SHORTLY,
            )
        try:
            async with asyncio.timeout(self.settings.replica_answer_timeout_s):
                answer = await answer_of
        except TimeoutError:
            self.stream.forget(ticket)
            raise HdexError(ErrorCode.ENGINE_TIMEOUT, f"the engine did not answer in time; {may_stand}") from None
        if answer.error is not None:
            raise answer.error
        return answer

    async def _verified(self, order_request: OrderRequest) -> tuple[Domain, bytes]:
        """The domain the order's signature recovers to its maker under, and the order's digest there; else the
        refusal. The domain is the engine process's, read once, and read again when a signature recovers to
        another address and the last read is DOMAIN_REREAD_S old: after a redeploy of the Exchange, orders
        signed for the new one are taken without restarting the replica."""
        domain = self._domain or await self._read_domain()
        try:
            return domain, verify_order_signature(domain, order_request)
        except HdexError as refusal:
            recently_read = time.monotonic() - self._domain_read_at < DOMAIN_REREAD_S
            if refusal.code is not ErrorCode.SIGNER_NOT_MAKER or recently_read:
                raise
            current = await self._read_domain()
            if current.separator == domain.separator:
                raise
        return current, verify_order_signature(current, order_request)

    async def _read_domain(self) -> Domain:
        """The Exchange's EIP-712 domain, as the engine process serves it now."""
        self._domain_read_at = time.monotonic()  # before the request: requests meanwhile do not read it too
        try:
            answer = await self.http.get("/v1/eip712")
        except httpx.TransportError:
            raise HdexError(ErrorCode.UNAVAILABLE, "the engine process is not answering", None, RETRY_SHORTLY) from None
        if answer.status_code != 200:
            message = f"the engine process answers {answer.status_code}"
            raise HdexError(ErrorCode.UNAVAILABLE, message, None, RETRY_SHORTLY)
        domain = answer.json()["domain"]
        self._domain = Domain(int(domain["chainId"]), domain["verifyingContract"])
        return self._domain

    # everything else: passed to the engine process

    def _forwarded_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """The request's headers for the engine process, X-Forwarded-For being the client's address only (as
        for a WebSocket): this replica's server already took it from the proxies it trusts, and a client's own
        X-Forwarded-For passed on would choose its IP (and escape the per-IP limits) wherever the engine
        process trusts more than the last address. The body's length is the one `_forward` received."""
        dropped = HOP_BY_HOP | {b"x-forwarded-for", b"content-length"}
        headers = [(name, value) for name, value in scope["headers"] if name.lower() not in dropped]
        return [*headers, (b"x-forwarded-for", client_ip(scope).encode())]

    @property
    def reading_answers(self) -> bool:
        """Whether this replica's reader of the engine's answers runs (from its start until a fault ends it)."""
        return self._reader is not None and not self._reader.done()

    async def _health(self) -> Response:
        """The engine process's /health with `replica` added: whether this replica's Redis answers (`redis`),
        whether the engine process does (`engine`: ok or unreachable) and whether this replica still reads the
        engine's answers (`answers`: reading or stopped). 503 unless the engine process answered 200, this
        replica's Redis answers and its answer reader runs, so a balancer checking replicas takes out one that
        cannot hand orders on (its Redis away) or would leave every order waiting for an answer it never reads
        (its reader ended by a fault) while the engine process is well."""
        reading = self.reading_answers
        own = {"redis": "ok", "engine": "ok", "answers": "reading" if reading else "stopped"}
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                await self.redis.ping()
        except (OSError, RedisError, TimeoutError):
            own["redis"] = "error"
        try:
            answer = await self.http.get(HEALTH_PATH, timeout=HEALTH_TIMEOUT_S)
            body, engine_ok = answer.json(), answer.status_code == 200
            if not isinstance(body, dict):
                raise ValueError("not the engine's /health")
        except (httpx.HTTPError, ValueError):
            body, engine_ok, own["engine"] = {}, False, "unreachable"
        healthy = engine_ok and own["redis"] == "ok" and reading
        return JSONResponse({**body, "status": "ok" if healthy else "degraded", "replica": own},
                            status_code=200 if healthy else 503)  # fmt: skip

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a request to the engine process once its body is all here, and its answer back. A body streamed
        on would hold a connection to the engine for as long as its client takes to send it: a hundred clients
        sending slowly (their server cuts each off after HDEX_HTTP_BODY_TIMEOUT_S) would leave every other
        request waiting for one. Bodies stay in memory up to HDEX_MAX_BODY_BYTES (every JSON request), an upload
        past that in a temporary file (its writes are small and go to the page cache)."""
        with tempfile.SpooledTemporaryFile(max_size=self.settings.max_body_bytes) as spool:
            try:
                async for chunk in Request(scope, receive).stream():
                    spool.write(chunk)
            except ClientDisconnect:
                return  # nobody to answer
            body_bytes = spool.tell()
            spool.seek(0)
            content = spooled(spool) if body_bytes > self.settings.max_body_bytes else spool.read() or None
            target = scope["path"] + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
            length = [(b"content-length", str(body_bytes).encode())] if body_bytes else []
            headers = [*self._forwarded_headers(scope), *length]
            upstream = self.http.build_request(scope["method"], target, headers=headers, content=content)
            try:
                answer = await self.http.send(upstream, stream=True)
            except httpx.PoolTimeout:
                busy = "every connection to the engine process is busy; send the request again shortly"
                await error_response(HdexError(ErrorCode.UNAVAILABLE, busy, None, RETRY_SHORTLY))(scope, receive, send)
                return
            except (httpx.ConnectError, httpx.ConnectTimeout):  # never reached it: nothing was done
                down = HdexError(ErrorCode.UNAVAILABLE, "the engine process is not answering", None, RETRY_SHORTLY)
                await error_response(down)(scope, receive, send)
                return
            except httpx.TransportError:
                await error_response(_lost_answer(scope["method"]))(scope, receive, send)
                return
        try:
            headers = [(k, v) for k, v in answer.headers.raw if k.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
            async for chunk in answer.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await answer.aclose()

    async def _forward_websocket(self, client: WebSocket) -> None:
        """Pass a WebSocket through to the engine process's, frame by frame, until either side closes or the
        client stops reading (a frame not taken within HDEX_WS_SEND_TIMEOUT_S: closed with 1013, as the engine
        closes its own slow readers, so that no replica holds a stalled connection and its backlog)."""
        url = "ws" + self.engine_url.removeprefix("http") + client.url.path
        if client.url.query:
            url += "?" + client.url.query
        forwarded = {"X-Forwarded-For": client_ip(client.scope)}
        try:
            upstream = await ws_connect(
                # The engine's frames are its own (a deep book snapshot passes the request-body cap); what clients
                # send was capped by this server already.
                url, additional_headers=forwarded, max_size=None, close_timeout=UPSTREAM_CLOSE_TIMEOUT_S,
            )  # fmt: skip
        except (OSError, InvalidHandshake):
            await client.close(code=1013, reason="the engine process is not answering")
            return
        # From here on every way out closes the engine's side: left open (a client gone before its accept, this
        # task cancelled), keepalive would hold it for good, counted against the client's IP by the engine.
        try:
            await self._pass_frames(client, upstream)
        finally:
            await upstream.close()
        with contextlib.suppress(RuntimeError):  # already closed by the other side
            await client.close()

    async def _pass_frames(self, client: WebSocket, upstream: ClientConnection) -> None:
        """Accept the client and pass frames both ways until either side ends (the caller closes both)."""
        await client.accept()  # raises if the client is gone already

        async def to_engine() -> None:
            with contextlib.suppress(WebSocketDisconnect, ConnectionClosed):
                while True:
                    await upstream.send(await receive_frame(client))  # binary too: the engine answers it

        async def to_client() -> None:
            send_timeout_s = self.settings.ws_send_timeout_s
            with contextlib.suppress(WebSocketDisconnect, ConnectionClosed, RuntimeError):
                async for message in upstream:
                    text = message if isinstance(message, str) else message.decode()
                    try:  # as the engine's own sender: a client that stops reading is dropped, not buffered for
                        async with asyncio.timeout(send_timeout_s):  # not wait_for: see routes.ws forward
                            await client.send_text(text)
                    except TimeoutError:
                        await close_socket(client, *TOO_SLOW)
                        return
            # The engine's side ended, normally (the loop ran out) or not (it raised ConnectionClosedError, e.g. a
            # 1013 or a dropped connection): the client gets that close, not the 1000 our own close would send.
            if upstream.state is State.CLOSED:
                with contextlib.suppress(RuntimeError):  # the client is gone already
                    await client.close(*passed_on_close(upstream))

        tasks = [asyncio.create_task(to_engine()), asyncio.create_task(to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    # start and stop

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message: Message = await receive()
        assert message["type"] == "lifespan.startup"
        self._reader = asyncio.create_task(self.stream.read_answers(), name="replica-answers")
        self._reader.add_done_callback(reader_ended)
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        assert message["type"] == "lifespan.shutdown"
        self._reader.cancel()
        await asyncio.wait([self._reader])  # cancelled here, or ended by a fault already told (`reader_ended`)
        await self.http.aclose()
        await self.redis.aclose()
        await self.limiter.close()
        await send({"type": "lifespan.shutdown.complete"})


def passed_on_close(upstream: ClientConnection) -> tuple[int, str]:
    """The close code and reason a client gets when the engine's side of its WebSocket ended: the engine's own
    (1013 too slow, 1011, 1012 restarting, ...), so that a client takes an abnormal end for one and resubscribes
    instead of reading a frozen stream as a finished one; 1011 when the connection ended without a close frame
    (1006, which no endpoint may send); 1000 for a close frame without a code (1005)."""
    code, reason = upstream.close_code, upstream.close_reason or ""
    if code == CloseCode.NO_STATUS_RCVD:
        return 1000, ""
    if code is None or code not in SENDABLE_CLOSE_CODES:
        return 1011, ABNORMAL_UPSTREAM_END
    return code, reason


def _lost_answer(method: str) -> HdexError:
    """What a client is told when the engine process took its request and its answer never came (it died, or went
    past the read timeout). A read is safe to send again; a change (a ticket, a reply, a post, a staff action) may
    have been applied, and sent again it would be applied twice."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return HdexError(ErrorCode.UNAVAILABLE, "the engine process did not answer", None, RETRY_SHORTLY)
    return HdexError(
        ErrorCode.ENGINE_TIMEOUT,
        "the engine process took the request and did not answer: it may have been applied; look before sending it "
        "again",
    )


def forwarded_body_limit(settings: Settings) -> int:
    """The largest request body a replica takes in to pass on: the engine process's largest (two KYC documents
    of a level-2 request, a support ticket's attachment, with their framing), which then applies each path's
    own limit; larger ones are refused here with 413 BODY_TOO_LARGE."""
    return max(settings.max_body_bytes, level2_max_body(settings), tickets_max_body(settings))


async def spooled(spool: IO[bytes]) -> AsyncIterator[bytes]:
    """A received body kept in a temporary file, from where it stands, as the chunks httpx sends."""
    while chunk := spool.read(SPOOL_CHUNK_BYTES):
        yield chunk


def reader_ended(reader: asyncio.Task[None]) -> None:
    """The answer reader retries Redis faults for as long as the replica runs: ended otherwise, every order sent
    through this replica would wait for its answer in vain (504), so it is told at once; /health answers 503 and
    order entry 503 UNAVAILABLE until the replica is restarted."""
    if not reader.cancelled() and (fault := reader.exception()) is not None:
        log.error("the answer reader stopped: orders through this replica time out until it is restarted",
                  exc_info=fault)  # fmt: skip


def create_replica_app(settings: Settings) -> ASGIApp:
    """A replica with the order body's size limit in front (bodies passed on are limited by the engine, and here to
    the largest it takes: `forwarded_body_limit`) and its own `GET /metrics`: its order entry's counts and
    latencies (503 ENGINE_BUSY and 504 ENGINE_TIMEOUT included), which Prometheus scrapes from each replica as
    from the engine process."""
    replica = Replica(settings)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == METRICS_PATH and scope["method"] == "GET":
            await metrics_response()(scope, receive, send)
            return
        await (limited if order_entry_route(scope) is not None else replica)(scope, receive, send)

    limited = MetricsMiddleware(
        BodySizeLimitMiddleware(
            replica, order_entry_max_body(settings), order_entry_body_limits(settings)
        ),
        lambda scope: order_entry_route(scope) or "",
    )
    return app
