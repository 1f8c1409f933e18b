"""`GET /v1/time`: the server's clock, for bots that sign expiries and timestamps, and the chain's head.

The chain part is read at most once a second (a bot may poll this often) with a short timeout, and
is `null` while the node does not answer: the server's time never waits on, or fails with, the chain.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request

from backend.api.deps import ContainerDep
from backend.api.schemas import ServerTime, documented
from backend.chain.jsonrpc import RpcError, rpc_call

router = APIRouter(prefix="/v1", tags=["time"])

CHAIN_TTL_S = 1.0
RPC_TIMEOUT_S = 1.0


@dataclass
class ChainHead:
    """The latest block as last read, and when (monotonic seconds)."""

    read_at: float = float("-inf")
    head: dict[str, int] | None = None

    def fresh(self) -> bool:
        return time.monotonic() - self.read_at < CHAIN_TTL_S


def _latest_block(rpc_url: str) -> dict[str, int] | None:
    try:
        block = rpc_call(rpc_url, "eth_getBlockByNumber", ["latest", False], timeout=RPC_TIMEOUT_S)
        return {"blockNumber": int(block["number"], 16), "blockTimestamp": int(block["timestamp"], 16)}
    except (RpcError, KeyError, TypeError, ValueError):
        return None


@router.get("/time", response_model=None, responses=documented(ServerTime, "the server's clock and the chain's head"))
async def server_time(request: Request, container: ContainerDep) -> dict[str, Any]:
    """`serverTime`: milliseconds since the epoch. `chain`: `chainId`, `blockNumber` and `blockTimestamp`
    (seconds, as the chain says) of the latest block, read at most a second ago; `null` when the node
    does not answer."""
    cache: ChainHead | None = getattr(request.app.state, "chain_head", None)
    if cache is None:
        cache = request.app.state.chain_head = ChainHead()
    if not cache.fresh():
        cache.head = await asyncio.to_thread(_latest_block, container.settings.effective_rpc_url)
        cache.read_at = time.monotonic()
    chain = None if cache.head is None else {"chainId": container.settings.chain_id, **cache.head}
    return {"serverTime": time.time_ns() // 1_000_000, "chain": chain}
