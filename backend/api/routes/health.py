"""`GET /health` (liveness of chain and database, deployed addresses) and `GET /metrics`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

import redis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from backend.api.deps import ContainerDep
from backend.api.observe import metrics_response
from backend.bootstrap import Container
from backend.chain.deployments import load_deployments
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.db.models import ChainCursor
from backend.metrics import CHAIN_BLOCK, DATABASE_UP, ENGINE_HOST
from backend.trading.hosting.service import TradingService

router = APIRouter(tags=["health"])
HEALTH_CACHE_S = 1.0  # a balancer checks every few seconds; a flood of checks asks the dependencies once a second
_CACHE_LOCK = threading.Lock()  # the route runs in the thread pool: concurrent checks ask once
clock = time.monotonic

Status = Literal["ok", "error"]


def _redis_status(redis_url: str | None) -> Literal["ok", "error", "disabled"]:
    if redis_url is None:
        return "disabled"
    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError:
        return "error"
    return "ok"


class IndexerHealth(BaseModel):
    last_block: int
    final_block: int
    lag: int | None
    reorgs: int


# This process's engine host: running; standby (another engine process holds the engine lease, this one takes
# over when it is free); stopped (a storage fault, or the lease lost: order entry refused until the next lease round
# lets the host go and the process stands by); off (no Exchange deployed yet, or no engine in this process).
EngineStatus = Literal["running", "standby", "stopped", "off"]
ENGINE_STATUSES: tuple[EngineStatus, ...] = ("running", "standby", "stopped", "off")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Status
    chain: Status
    redis: Literal["ok", "error", "disabled"]
    engine: EngineStatus
    chain_id: int | None
    block_number: int | None
    contracts: dict[str, str]
    indexer: IndexerHealth | None


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "database or chain unreachable, or the engine not running here"}},
)
def health(request: Request, container: ContainerDep) -> JSONResponse:
    """200 when database, chain (and Redis, if configured) answer and this process's engine host is running or
    there is none; 503 with the same body if not, so a balancer sends nothing to a standing-by engine process.
    The dependencies are asked at most once per HEALTH_CACHE_S per process (the engine's state is always
    fresh): /health is not rate limited, and each answer costs two RPC calls, a Redis connection and a query."""
    state = request.app.state
    cached: tuple[float, Externals] | None = getattr(state, "health_externals", None)
    with _CACHE_LOCK:
        if cached is None or clock() - cached[0] >= HEALTH_CACHE_S:
            cached = (clock(), _externals(container))
            state.health_externals = cached
    externals = cached[1]
    engine = _engine_status(getattr(state, "trading", None))
    body = externals.health(engine)
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)


@dataclass(frozen=True)
class Externals:
    """What /health asks the database, the chain and Redis."""

    db_ok: bool
    chain_ok: bool
    redis: Literal["ok", "error", "disabled"]
    chain_id: int | None
    block_number: int | None
    contracts: dict[str, str]
    cursor: tuple[int, int, int] | None  # the indexer's last block, final block, reorgs

    def health(self, engine: EngineStatus) -> Health:
        ok = self.db_ok and self.chain_ok and self.redis != "error" and engine in ("running", "off")
        return Health(
            status="ok" if ok else "degraded",
            database="ok" if self.db_ok else "error",
            chain="ok" if self.chain_ok else "error",
            redis=self.redis,
            engine=engine,
            chain_id=self.chain_id,
            block_number=self.block_number,
            contracts=self.contracts,
            indexer=None
            if self.cursor is None
            else IndexerHealth(
                last_block=self.cursor[0],
                final_block=self.cursor[1],
                lag=None if self.block_number is None else max(0, self.block_number - self.cursor[0]),
                reorgs=self.cursor[2],
            ),
        )


def _externals(container: Container) -> Externals:
    settings = container.settings
    contracts: dict[str, str] = {}
    cursor: ChainCursor | None = None
    try:
        with container.uow() as uow:
            contracts = load_deployments(uow.session, settings.chain_id)
            cursor = uow.session.scalar(select(ChainCursor).where(ChainCursor.chain_id == settings.chain_id))
        db_ok = True
    except SQLAlchemyError:  # unreachable, or not migrated: either way not usable
        db_ok = False
    DATABASE_UP.set(1 if db_ok else 0)
    chain_id: int | None = None
    block_number: int | None = None
    try:
        chain_id = int(str(rpc_call(settings.effective_rpc_url, "eth_chainId", timeout=2.0)), 16)
        block_number = int(str(rpc_call(settings.effective_rpc_url, "eth_blockNumber", timeout=2.0)), 16)
        CHAIN_BLOCK.set(block_number)
    except RpcError:
        pass
    return Externals(
        db_ok, chain_id == settings.chain_id, _redis_status(settings.redis_url), chain_id, block_number, contracts,
        None if cursor is None else (cursor.last_block, cursor.final_block, cursor.reorgs),
    )  # fmt: skip


def _engine_status(trading: TradingService | None) -> EngineStatus:
    if trading is None:
        return "off"
    if trading.host is not None:
        return "running" if trading.host.broken is None else "stopped"
    return "standby" if trading.standing_by else "off"


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    """Prometheus text format."""
    engine = _engine_status(getattr(request.app.state, "trading", None))  # read now: it changes by itself
    for status in ENGINE_STATUSES:
        ENGINE_HOST.labels(status).set(1 if status == engine else 0)
    return metrics_response()
