"""`GET /v1/scheduled-changes`: the calls the exchange's owners scheduled through the Custody timelock.

A change that can hurt users (fees, operators, the exit delay, the admin, price sources) waits out the timelock
before it runs, and the timelock outlasts the exit delay, so a user who disagrees can take their funds out first
(the exit hatch). That protects only users who hear of it: the dApp shows what this route reads from the chain.

The Custody read is the one the Exchange names as its admin now, not the one recorded at deployment: the owners
may hand the admin to a new Custody. An admin whose code is not our Custody's is said (`timelocked: false`): its
changes need wait for nothing, and users should know that first.

Read from the node (`Exchange.admin()`, the Custody's `CallScheduled` logs since the deployment at the first
reading and of the new blocks after, and `readyAt` of each), again only when the chain has a new block, and at
most every `CACHE_S` seconds: every dApp polls it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep
from backend.api.schemas import ERROR, Address, Amount, EpochMs, documented
from backend.chain.deployments import deployment_block, load_deployments
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.errors import ErrorCode, HdexError
from backend.paths import ARTIFACTS_DIR
from backend.settings import Settings

if TYPE_CHECKING:
    from backend.chain.treasury import Governance, GovernanceWatch, PendingOperation
    from custody.calls import KnownAbis

router = APIRouter(prefix="/v1", tags=["network"])

CACHE_S = 5.0
RPC_TIMEOUT_S = 5.0


class ChangeArgument(BaseModel):
    name: str
    value: str = Field(description="as the chain reads it: integers in base units, addresses, 0x-hex bytes")
    human: str | None = Field(description="in human units where its meaning is known (fee rates in %, delays)")


class ScheduledChange(BaseModel):
    id: str = Field(description="the operation's id (`Custody.hashOperation`), 0x-hex")
    target: Address
    value: Amount = Field(description="wei sent with the call")
    contract: str | None = Field(description="`Exchange`, `Custody`, `ERC20`; null: calldata no known ABI decodes")
    function: str | None = Field(examples=["setFeeSchedule"])
    arguments: list[ChangeArgument]
    description: str = Field(examples=["Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)"])
    readyAt: EpochMs = Field(description="from when anyone may run it (the chain's clock)")
    expiresAt: EpochMs = Field(description="after this nobody can run it any more (`Custody.GRACE_PERIOD`)")
    status: str = Field(description="`waiting` (before readyAt) or `due` (it may run at any moment)")


class ScheduledChanges(BaseModel):
    admin: Address | None = Field(description="the Exchange's admin now (`Exchange.admin()`); null: no Exchange")
    timelocked: bool = Field(
        description="whether the admin's code is HDEX's Custody, whose changes wait out its timelock; false: the "
        "admin is something else, whose changes may take effect without notice"
    )
    custody: Address | None = Field(
        description="the Custody whose scheduled calls are listed: the admin, if timelocked"
    )
    chainTime: EpochMs | None = Field(description="the latest block's time, which readyAt is compared with")
    changes: list[ScheduledChange] = Field(description="not yet run, cancelled nor expired; soonest first")


@dataclass
class _Reading:
    """The last reading: which Exchange and head block it was taken at, when (monotonic seconds), what it found."""

    head: str = ""
    chain_time_s: int = 0
    read_at: float = float("-inf")
    governance: Governance | None = None
    watch: GovernanceWatch | None = None  # the Exchange's admin and its calls, followed from reading to reading
    abis: KnownAbis | None = None  # the ABIs that decode the calls, read from the artifacts once
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@router.get(
    "/scheduled-changes",
    response_model=None,
    responses={**documented(ScheduledChanges, "the timelocked changes waiting to run"), 503: ERROR},
)
async def scheduled_changes(request: Request, container: ContainerDep) -> dict[str, Any]:
    """The calls scheduled through the timelock of the Custody that administers the Exchange that may still run,
    soonest first, each decoded (`Exchange.setFeeSchedule(...)`, with fee rates and delays in human units), with
    when it may run (`readyAt`) and until when (`expiresAt`); and whether the admin is such a Custody at all
    (`timelocked`). 503 `NODE_UNAVAILABLE` while the node does not answer."""
    settings = container.settings

    def deployment() -> tuple[str | None, int]:
        with container.uow() as uow:
            exchange = load_deployments(uow.session, settings.chain_id).get("Exchange")
            return exchange, deployment_block(uow.session, settings.chain_id) or 0

    exchange, start = await asyncio.to_thread(deployment)
    if exchange is None:
        return {"admin": None, "timelocked": False, "custody": None, "chainTime": None, "changes": []}
    reading: _Reading | None = getattr(request.app.state, "scheduled_changes", None)
    if reading is None:
        reading = request.app.state.scheduled_changes = _Reading()
    async with reading.lock:  # one reading at a time: the others wait for it and share it
        if time.monotonic() - reading.read_at >= CACHE_S:
            await asyncio.to_thread(_read, reading, settings, exchange, start)
    chain_now, abis, governance = reading.chain_time_s, reading.abis, reading.governance
    assert abis is not None and governance is not None  # set by the first reading
    changes = [_change_json(op, chain_now, abis) for op in governance.operations if not op.expired]
    return {
        "admin": governance.admin,
        "timelocked": governance.timelocked,
        "custody": governance.admin if governance.timelocked else None,
        "chainTime": chain_now * 1000,
        "changes": changes,
    }


def _read(reading: _Reading, settings: Settings, exchange: str, start: int) -> None:
    """Bring `reading` up to the chain's head: the admin and its operations are read again only if a block came
    since."""
    # Imported here: web3 costs the API's start over a second, and only this request needs it.
    from backend.chain.treasury import GovernanceWatch
    from custody.calls import KnownAbis
    from custody.errors import TreasuryError

    rpc_url = settings.effective_rpc_url
    try:
        block = rpc_call(rpc_url, "eth_getBlockByNumber", ["latest", False], timeout=RPC_TIMEOUT_S)
        head, chain_time_s = f"{exchange}@{block['hash']}", int(block["timestamp"], 16)  # a redeployment reads anew
        if head != reading.head:
            reading.abis = reading.abis or KnownAbis.from_artifacts(ARTIFACTS_DIR)
            reading.watch = GovernanceWatch.following(reading.watch, rpc_url, exchange, reading.abis, start)
            reading.governance = reading.watch.read(int(block["number"], 16), chain_time_s)
    except (RpcError, TreasuryError, KeyError, TypeError, ValueError) as exc:
        raise HdexError(
            ErrorCode.NODE_UNAVAILABLE, f"the chain's node did not answer, so scheduled changes are unknown: {exc}"
        ) from None
    reading.head, reading.chain_time_s, reading.read_at = head, chain_time_s, time.monotonic()


def _change_json(op: PendingOperation, chain_now: int, abis: KnownAbis) -> dict[str, Any]:
    from custody.review import human_value  # beside the reading's imports (see `_read`)

    call = op.call
    change: dict[str, Any] = {
        "id": f"0x{op.operation_id.hex()}",
        "target": call.target,
        "value": str(call.value),
        "contract": None,
        "function": None,
        "arguments": [],
        "description": abis.describe(call.data),
        "readyAt": op.ready_at * 1000,
        "expiresAt": op.expires_at * 1000,
        "status": "due" if chain_now >= op.ready_at else "waiting",
    }
    if call.data:
        decoded = abis.decode(call.data)
        if decoded.function is not None:
            change["contract"], change["function"] = decoded.function.contract, decoded.function.name
            change["arguments"] = [
                {"name": name, "value": word, "human": human_value(decoded, arg) or None}
                for (name, word), arg in zip(decoded.words(), decoded.args, strict=True)
            ]
    return change
