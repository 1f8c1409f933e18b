"""`GET /health` (liveness of chain and database, deployed addresses) and `GET /metrics`."""

from __future__ import annotations

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
from backend.chain.deployments import load_deployments
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.db.models import ChainCursor
from backend.metrics import CHAIN_BLOCK, DATABASE_UP, ENGINE_HOST
from backend.trading.hosting.service import TradingService

router = APIRouter(tags=["health"])

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
    there is none; 503 with the same body if not, so a balancer sends nothing to a standing-by engine process."""
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
    chain_ok = chain_id == settings.chain_id
    redis_status = _redis_status(settings.redis_url)
    engine = _engine_status(getattr(request.app.state, "trading", None))
    body = Health(
        status="ok" if db_ok and chain_ok and redis_status != "error" and engine in ("running", "off") else "degraded",
        database="ok" if db_ok else "error",
        chain="ok" if chain_ok else "error",
        redis=redis_status,
        engine=engine,
        chain_id=chain_id,
        block_number=block_number,
        contracts=contracts,
        indexer=None
        if cursor is None
        else IndexerHealth(
            last_block=cursor.last_block,
            final_block=cursor.final_block,
            lag=None if block_number is None else max(0, block_number - cursor.last_block),
            reorgs=cursor.reorgs,
        ),
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)


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
