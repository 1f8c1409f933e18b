"""An API replica's /health: the engine process's answer with the replica's own part added, healthy only while the
engine process answers 200, the replica's own Redis answers and it reads the engine's answers (the engine's HTTP
and Redis faked at the edge; `tests/integration/scaleout/test_replicas.py` checks the same on real processes); and
its order entry, refused at once by a replica that no longer reads the answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.types import Message

from backend.api.replica import Replica
from backend.settings import load_settings
from backend.trading.usecases.command_stream import CommandStream

READING = {"answers": "reading"}  # the replica's answer reader runs
ENGINE_HEALTH: dict[str, Any] = {
    "status": "ok", "database": "ok", "chain": "ok", "redis": "ok", "engine": "running", "chain_id": 31337,
    "block_number": 12, "contracts": {"Exchange": "0x" + "e1" * 20}, "indexer": None,
}  # fmt: skip


class Redis:
    """The replica's Redis client, as far as /health and the answer reader use it. `answers`: whether it answers
    at all; `replies`: what each read of the answer stream gives (nothing new, by default, after a short wait)."""

    def __init__(self, answers: bool, replies: Any = None) -> None:
        self.answers = answers
        self.replies = replies
        self.read = asyncio.Event()  # set by each read, as it answers

    async def ping(self) -> bool:
        if not self.answers:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return True

    def register_script(self, _script: str) -> object:
        return object()

    async def xread(self, _streams: dict[str, str], count: int, block: int) -> Any:
        await asyncio.sleep(0.01)  # as a read waiting for new answers
        self.read.set()  # whoever waits for it runs once the reader took this answer in
        if not self.answers:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.replies

    async def aclose(self) -> None:
        return None


def engine(answer: httpx.Response | None) -> httpx.AsyncClient:
    """The replica's client to the engine process, answering /health with `answer` (None: nothing listens)."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/health"
        if answer is None:
            raise httpx.ConnectError("connection refused", request=request)
        return answer

    return httpx.AsyncClient(base_url="http://engine", transport=httpx.MockTransport(handle))


def health(
    engine_answer: httpx.Response | None, redis: Redis | None = None, order: dict[str, Any] | None = None
) -> httpx.Response:
    """GET /health of a replica started as a server starts it (its lifespan: the answer reader runs); POST /v1/orders
    of `order` instead, if given."""
    if order is None:
        return served(engine(engine_answer), redis, lambda client: client.get("/health"))
    return served(engine(engine_answer), redis, lambda client: client.post("/v1/orders", json=order))


def served(
    engine_client: httpx.AsyncClient,
    redis: Redis | None,
    call: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
) -> httpx.Response:
    """`call`'s request to a replica started as a server starts it, in front of `engine_client`."""
    settings = load_settings(_env_file=None, engine_url="http://engine", redis_url="redis://127.0.0.1:1/0")
    replica = Replica(settings)
    redis = redis or Redis(answers=True)
    replica.redis = redis  # type: ignore[assignment]
    replica.http = engine_client
    stream = replica.stream.reply_stream
    replica.stream = CommandStream(redis, stream, settings.command_stream_max_len)  # type: ignore[arg-type]

    async def get() -> httpx.Response:
        events: asyncio.Queue[Message] = asyncio.Queue()
        sent: asyncio.Queue[Message] = asyncio.Queue()
        await events.put({"type": "lifespan.startup"})
        lifespan = asyncio.create_task(replica({"type": "lifespan"}, events.get, sent.put))
        assert (await sent.get())["type"] == "lifespan.startup.complete"
        await redis.read.wait()  # the reader's first read
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=replica), base_url="http://replica") as client:
            answer = await call(client)
        await events.put({"type": "lifespan.shutdown"})
        await lifespan
        return answer

    return asyncio.run(get())


def test_a_replica_whose_engine_process_and_redis_are_well_answers_200_with_the_engine_s_health() -> None:
    answer = health(httpx.Response(200, json=ENGINE_HEALTH))

    assert answer.status_code == 200
    assert answer.json() == {**ENGINE_HEALTH, "replica": {"redis": "ok", "engine": "ok"} | READING}


def test_a_replica_cut_off_from_redis_answers_503_while_the_engine_process_is_well() -> None:
    answer = health(httpx.Response(200, json=ENGINE_HEALTH), Redis(answers=False))

    assert answer.status_code == 503
    own = {"redis": "error", "engine": "ok"} | READING
    assert answer.json() == {**ENGINE_HEALTH, "status": "degraded", "replica": own}


def test_a_replica_passes_an_unwell_engine_process_s_503_on() -> None:
    standby = {**ENGINE_HEALTH, "status": "degraded", "engine": "standby"}

    answer = health(httpx.Response(503, json=standby))

    assert answer.status_code == 503
    assert answer.json() == {**standby, "replica": {"redis": "ok", "engine": "ok"} | READING}


@pytest.mark.parametrize(
    "engine_answer",
    [None, httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(200, json=["not", "health"])],
    ids=["nothing-listens", "not-json", "not-an-object"],
)
def test_a_replica_whose_engine_process_does_not_answer_its_health_answers_503_unreachable(
    engine_answer: httpx.Response | None,
) -> None:
    answer = health(engine_answer)

    assert answer.status_code == 503
    assert answer.json() == {"status": "degraded", "replica": {"redis": "ok", "engine": "unreachable"} | READING}


def test_a_replica_whose_answer_reader_ended_answers_503_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    """Not a Redis fault, which the reader outlives: a reply it cannot take apart ends it, and every order sent
    through the replica would wait for its answer in vain."""
    answer = health(httpx.Response(200, json=ENGINE_HEALTH), Redis(answers=True, replies=[(b"hdex:replies:x", None)]))

    assert answer.status_code == 503
    assert answer.json() == {**ENGINE_HEALTH, "status": "degraded",
                             "replica": {"redis": "ok", "engine": "ok", "answers": "stopped"}}  # fmt: skip
    assert "the answer reader stopped" in caplog.text


def test_a_replica_whose_answer_reader_ended_refuses_orders_at_once_instead_of_timing_out() -> None:
    """Refused before anything is sent: the fake Redis takes no command (its script is no script)."""
    stopped = Redis(answers=True, replies=[(b"hdex:replies:x", None)])

    answer = health(httpx.Response(200, json=ENGINE_HEALTH), stopped, order={"order": {}, "signature": "0x"})

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "UNAVAILABLE"
    assert "no longer reads the engine's answers" in answer.json()["error"]["message"]
    assert answer.headers["Retry-After"] == "1"


def test_the_engine_process_is_told_the_clients_address_and_not_what_the_client_claims() -> None:
    replica = Replica(load_settings(_env_file=None, engine_url="http://engine", redis_url="redis://127.0.0.1:1/0"))
    scope = {"type": "http", "client": ("203.0.113.9", 50000),
             "headers": [(b"x-forwarded-for", b"1.2.3.4"), (b"accept", b"*/*"), (b"connection", b"close")]}  # fmt: skip
    assert replica._forwarded_headers(scope) == [(b"accept", b"*/*"), (b"x-forwarded-for", b"203.0.113.9")]


@pytest.mark.parametrize(
    ("method", "failure", "status", "code"),
    [
        ("POST", httpx.ReadTimeout("no answer"), 504, "ENGINE_TIMEOUT"),
        ("POST", httpx.RemoteProtocolError("the engine process died mid-answer"), 504, "ENGINE_TIMEOUT"),
        ("POST", httpx.ConnectError("connection refused"), 503, "UNAVAILABLE"),
        ("GET", httpx.ReadTimeout("no answer"), 503, "UNAVAILABLE"),
    ],
    ids=["change-read-timeout", "change-cut-off", "change-never-reached", "read-timeout"],
)
def test_a_forwarded_request_whose_answer_was_lost_says_whether_it_may_have_been_applied(
    method: str, failure: httpx.TransportError, status: int, code: str
) -> None:
    """A ticket, a reply, a post or a staff action the engine process took and never answered for may stand: sent
    again on the strength of "not answering, retry in a second", it would be applied twice. One that never
    reached the engine process, or a read, may be sent again."""

    def handle(request: httpx.Request) -> httpx.Response:
        raise failure

    client = httpx.AsyncClient(base_url="http://engine", transport=httpx.MockTransport(handle))
    answer = served(client, None, lambda replica: replica.request(method, "/v1/support/tickets", json={}))

    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert ("may have been applied" in answer.json()["error"]["message"]) is (status == 504)
    assert ("Retry-After" in answer.headers) is (status == 503)
