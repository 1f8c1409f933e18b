"""What a replica answers when adding a command to the stream fails: a refusal by Redis means the command was not
taken (503, nothing to look up), a connection that failed or timed out may have carried it to Redis first, so the
client is told how to find out, as for an engine that did not answer in time (Redis faked at the edge: the errors
are redis-py's own)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.api.replica import MAY_STAND, Replica
from backend.errors import ErrorCode, HdexError
from backend.settings import load_settings


def refusal(error: Exception) -> HdexError:
    """The error a replica answers an order with when its command's XADD raises `error`."""
    replica = Replica(load_settings(_env_file=None, engine_url="http://engine", redis_url="redis://127.0.0.1:1/0"))

    async def submitted() -> Any:
        raise error

    with pytest.raises(HdexError) as refused:
        asyncio.run(replica._answer_to("ticket", submitted(), MAY_STAND))
    return refused.value


@pytest.mark.parametrize(
    "error",
    [
        ResponseError("OOM command not allowed when used memory > 'maxmemory'."),
        # redis-py raises LOADING as a ConnectionError of its own, but Redis answered it: nothing was taken
        BusyLoadingError("Redis is loading the dataset in memory"),
    ],
    ids=["out-of-memory", "loading"],
)
def test_a_command_redis_refused_was_not_taken(error: Exception) -> None:
    refused = refusal(error)
    assert refused.code is ErrorCode.UNAVAILABLE
    assert "refused" in refused.message and "may stand" not in refused.message
    assert refused.headers == {"Retry-After": "1"}  # Redis out of memory: a hint to back off, not to hammer it


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RedisConnectionError("Connection closed by server."), ErrorCode.UNAVAILABLE),
        (ConnectionResetError(104, "Connection reset by peer"), ErrorCode.UNAVAILABLE),
        (RedisTimeoutError("Timeout reading from socket"), ErrorCode.ENGINE_TIMEOUT),
    ],
)
def test_a_command_whose_connection_failed_may_stand(error: Exception, code: ErrorCode) -> None:
    refused = refusal(error)
    assert refused.code is code
    assert refused.message.endswith(MAY_STAND)
    if code is ErrorCode.UNAVAILABLE:
        assert refused.headers == {"Retry-After": "1"}
