"""Account views: `GET /v1/accounts/{address}/balances`, `/orders` and `/fills`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import HostDep, market_by_name
from backend.trading import queries
from backend.trading.accounts import checksum
from backend.trading.chain_sync import active_withdrawals, frozen_funds
from backend.trading.orders import TrackedOrder, parse_address
from backend.trading.publish import order_message
from backend.trading.restore import tracked_from_row

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
_ERRORS: dict[int | str, dict[str, Any]] = {status: {"description": "typed error"} for status in (404, 422, 503)}

Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(pattern="^[0-9]{1,18}$", description="opaque: `next` of the previous page")]


def _wallet(address: str) -> str:
    return checksum(parse_address(address, "address"))


@router.get("/{address}/balances", responses=_ERRORS)
async def balances(address: str, host: HostDep, container: ContainerDep) -> dict[str, Any]:
    """Per token: `balance` (the ledger: final on-chain), `reserved` (open orders + unsettled fills),
    `pendingWithdrawals` (withdrawal requests not yet final), `frozen` (deposits by a blocked address),
    `available` (balance - pending withdrawals - frozen - reserved) and `pendingDeposits` (deposits
    seen on-chain, not yet final)."""
    wallet = _wallet(address)
    chain_id = container.settings.chain_id

    def read() -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
        with container.uow() as uow:
            withdrawing: dict[str, int] = defaultdict(int)
            for _, token, amount in active_withdrawals(uow.session, [wallet]):
                withdrawing[token] += amount
            frozen: dict[str, int] = defaultdict(int)
            for _, token, amount in frozen_funds(uow.session, [wallet]):
                frozen[token] += amount
            return (
                queries.ledger_balances(uow.session, wallet),
                queries.pending_chain_amounts(uow.session, chain_id, wallet, "Deposited"),
                withdrawing,
                frozen,
            )

    ledger, deposits, withdrawals, frozen = await asyncio.to_thread(read)
    reserved = {token: amount for (w, token), amount in host.accounts.reserved.items() if w == wallet and amount}
    tokens = sorted(set(ledger) | set(reserved) | set(deposits) | set(withdrawals))

    def held(token: str) -> int:
        return withdrawals.get(token, 0) + frozen.get(token, 0) + reserved.get(token, 0)

    return {
        "address": wallet,
        "balances": [
            {
                "token": token,
                "balance": str(ledger.get(token, 0)),
                "reserved": str(reserved.get(token, 0)),
                "available": str(max(0, ledger.get(token, 0) - held(token))),
                "frozen": str(frozen.get(token, 0)),
                "pendingDeposits": str(deposits.get(token, 0)),
                "pendingWithdrawals": str(withdrawals.get(token, 0)),
            }
            for token in tokens
        ],
    }


@router.get("/{address}/orders", responses=_ERRORS)
async def orders(
    address: str,
    host: HostDep,
    container: ContainerDep,
    status: Literal["open", "closed", "all"] = "all",
    market: str | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The wallet's orders, newest first; `next` is the cursor of the following page (null at the end)."""
    wallet = _wallet(address)
    if market is not None:
        market_by_name(host, market)

    def read() -> list[TrackedOrder]:
        with container.uow() as uow:
            rows = queries.account_orders(
                uow.session, wallet, status, market, limit, None if cursor is None else int(cursor)
            )
            return [tracked_from_row(row, host.markets[row.market]) for row in rows]

    stored = await asyncio.to_thread(read)
    items = [order_message(host.orders.get(t.hash, t)) for t in stored]
    return {"orders": items, "next": str(stored[-1].seq) if len(stored) == limit else None}


@router.get("/{address}/fills", responses=_ERRORS)
async def fills(
    address: str,
    host: HostDep,
    container: ContainerDep,
    market: str | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The wallet's fills (maker or taker), newest first, with their settlement status."""
    wallet = _wallet(address)
    if market is not None:
        market_by_name(host, market)

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return queries.account_fills(uow.session, wallet, market, limit, None if cursor is None else int(cursor))

    items = await asyncio.to_thread(read)
    return {"fills": items, "next": items[-1]["id"] if len(items) == limit else None}
