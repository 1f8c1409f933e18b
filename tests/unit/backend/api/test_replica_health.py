"""An API replica's /health: the engine process's answer with the replica's own part added, healthy only while the
engine process answers 200 and the replica's own Redis answers (the engine's HTTP and Redis faked at the edge;
`tests/integration/scaleout/test_replicas.py` checks the same on real processes)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from backend.api.replica import Replica
from backend.settings import load_settings

ENGINE_HEALTH: dict[str, Any] = {
    "status": "ok", "database": "ok", "chain": "ok", "redis": "ok", "engine": "running", "chain_id": 31337,
    "block_number": 12, "contracts": {"Exchange": "0x" + "e1" * 20}, "indexer": None,
}  # fmt: skip


class Redis:
    """The replica's Redis client, as far as /health uses it."""

    def __init__(self, answers: bool) -> None:
        self.answers = answers

    async def ping(self) -> bool:
        if not self.answers:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return True


def engine(answer: httpx.Response | None) -> httpx.AsyncClient:
    """The replica's client to the engine process, answering /health with `answer` (None: nothing listens)."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/health"
        if answer is None:
            raise httpx.ConnectError("connection refused", request=request)
        return answer

    return httpx.AsyncClient(base_url="http://engine", transport=httpx.MockTransport(handle))


def health(engine_answer: httpx.Response | None, redis_answers: bool = True) -> httpx.Response:
    settings = load_settings(_env_file=None, engine_url="http://engine", redis_url="redis://127.0.0.1:1/0")
    replica = Replica(settings)
    replica.http, replica.redis = engine(engine_answer), Redis(redis_answers)  # type: ignore[assignment]

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=replica), base_url="http://replica") as client:
            return await client.get("/health")

    return asyncio.run(get())


def test_a_replica_whose_engine_process_and_redis_are_well_answers_200_with_the_engine_s_health() -> None:
    answer = health(httpx.Response(200, json=ENGINE_HEALTH))

    assert answer.status_code == 200
    assert answer.json() == {**ENGINE_HEALTH, "replica": {"redis": "ok", "engine": "ok"}}


def test_a_replica_cut_off_from_redis_answers_503_while_the_engine_process_is_well() -> None:
    answer = health(httpx.Response(200, json=ENGINE_HEALTH), redis_answers=False)

    assert answer.status_code == 503
    assert answer.json() == {**ENGINE_HEALTH, "status": "degraded", "replica": {"redis": "error", "engine": "ok"}}


def test_a_replica_passes_an_unwell_engine_process_s_503_on() -> None:
    standby = {**ENGINE_HEALTH, "status": "degraded", "engine": "standby"}

    answer = health(httpx.Response(503, json=standby))

    assert answer.status_code == 503
    assert answer.json() == {**standby, "replica": {"redis": "ok", "engine": "ok"}}


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
    assert answer.json() == {"status": "degraded", "replica": {"redis": "ok", "engine": "unreachable"}}
