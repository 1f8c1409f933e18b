"""Account views: `GET /v1/accounts/{address}/balances`, `/orders`, `/fills`, `/deposits`, `/withdrawals`, `/fees`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import ClientOrderIdPath, HostDep
from backend.api.routes.pagination import (
    Cursor,
    IdCursor,
    Limit,
    TimeCursor,
    before,
    before_time,
    next_cursor,
    time_key,
)
from backend.api.schemas import (
    ERROR,
    AccountWithdrawalList,
    Balances,
    DepositList,
    Fees,
    FillList,
    OrderList,
    OrderView,
    documented,
)
from backend.errors import ErrorCode, HdexError
from backend.trading.hosting.chain_sync import active_withdrawals, frozen_funds
from backend.trading.hosting.restore import tracked_from_row
from backend.trading.rules.accounts import available, checksum
from backend.trading.rules.markets import FEE_RATE_SCALE, MAX_FEE_RATE
from backend.trading.rules.orders import TrackedOrder, parse_address, parse_client_order_id
from backend.trading.rules.tokens import token_directory, token_fields
from backend.trading.usecases.order_entry import market_by_name
from backend.trading.views import queries, transfers
from backend.trading.views.publish import order_message

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
_ERRORS: dict[int | str, dict[str, Any]] = {status: ERROR for status in (404, 422, 503)}
ClientOrderId = Annotated[
    str | None, Query(alias="clientOrderId", pattern="^[A-Za-z0-9_-]{1,36}$", description="only this client order id")
]


def _wallet(address: str) -> str:
    return checksum(parse_address(address, "address"))


@router.get(
    "/{address}/balances",
    response_model=None,
    responses={**documented(Balances, "per token: balance, holds, pending"), **_ERRORS},
)
async def balances(address: str, host: HostDep, container: ContainerDep) -> dict[str, Any]:
    """Per token (`token` address, `symbol` and `decimals`, null for a token no market lists): `balance`
    (the ledger: final on-chain), `reserved` (open orders + unsettled fills),
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
    tokens_known = token_directory(host.markets.values())

    def held(token: str) -> tuple[int, int, int]:
        return withdrawals.get(token, 0), frozen.get(token, 0), reserved.get(token, 0)

    return {
        "address": wallet,
        "balances": [
            {
                **token_fields(tokens_known, token),
                "balance": str(ledger.get(token, 0)),
                "reserved": str(reserved.get(token, 0)),
                "available": str(available(ledger.get(token, 0), *held(token))),
                "frozen": str(frozen.get(token, 0)),
                "pendingDeposits": str(deposits.get(token, 0)),
                "pendingWithdrawals": str(withdrawals.get(token, 0)),
            }
            for token in tokens
        ],
    }


@router.get(
    "/{address}/orders",
    response_model=None,
    responses={**documented(OrderList, "newest first"), **_ERRORS},
)
async def orders(
    address: str,
    host: HostDep,
    container: ContainerDep,
    status: Literal["open", "closed", "all"] = "all",
    market: str | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    client_order_id: ClientOrderId = None,
) -> dict[str, Any]:
    """The wallet's orders, newest first; `next` is the cursor of the following page (null at the end).
    With `clientOrderId`, only the order that carries it (none or one)."""
    wallet = _wallet(address)
    if market is not None:
        market_by_name(host, market)

    def read() -> list[TrackedOrder]:
        with container.uow() as uow:
            rows = queries.account_orders(uow.session, wallet, status, market, limit, before(cursor), client_order_id)
            return [tracked_from_row(row, host.markets[row.market]) for row in rows]

    stored = await asyncio.to_thread(read)
    items = [order_message(host.orders.get(t.hash, t)) for t in stored]
    return {"orders": items, "next": next_cursor(stored, limit, lambda t: str(t.seq))}


@router.get(
    "/{address}/orders/by-client-id/{clientOrderId}",
    response_model=None,
    responses={**documented(OrderView, "the order"), **_ERRORS},
)
async def order_by_client_id(
    address: str, client_order_id: ClientOrderIdPath, host: HostDep, container: ContainerDep
) -> dict[str, Any]:
    """The wallet's order that carries `client_order_id` (set when it was placed), any status."""
    wanted = parse_client_order_id(client_order_id)
    found = await orders(address, host, container, limit=1, client_order_id=wanted)
    if not found["orders"]:
        raise HdexError(ErrorCode.ORDER_NOT_FOUND, "this wallet has no order with this clientOrderId", "clientOrderId")
    order: dict[str, Any] = found["orders"][0]
    return order


@router.get(
    "/{address}/fills",
    response_model=None,
    responses={**documented(FillList, "newest first"), **_ERRORS},
)
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
            return queries.account_fills(uow.session, wallet, dict(host.markets), market, limit, before(cursor))

    items = await asyncio.to_thread(read)
    return {"fills": items, "next": next_cursor(items, limit, lambda f: str(f["id"]))}


@router.get(
    "/{address}/deposits",
    response_model=None,
    responses={**documented(DepositList, "newest first"), **_ERRORS},
)
async def deposits(
    address: str, host: HostDep, container: ContainerDep, limit: Limit = 100, cursor: IdCursor = None
) -> dict[str, Any]:
    """The wallet's deposits as the indexer saw them, newest first: `status` pending (not yet final),
    confirmed (credited), frozen (credited, held by compliance) or orphaned (reorganised away)."""
    wallet = _wallet(address)
    tokens = token_directory(host.markets.values())

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return transfers.account_deposits(
                uow.session, container.settings.chain_id, wallet, tokens, limit, before(cursor)
            )

    items = await asyncio.to_thread(read)
    return {"deposits": items, "next": next_cursor(items, limit, lambda d: str(d["id"]))}


@router.get(
    "/{address}/withdrawals",
    response_model=None,
    responses={**documented(AccountWithdrawalList, "newest first"), **_ERRORS},
)
async def withdrawals(
    address: str, host: HostDep, container: ContainerDep, limit: Limit = 100, cursor: TimeCursor = None
) -> dict[str, Any]:
    """The wallet's withdrawal requests, newest first: `status` accepted, relaying, relayed (mined),
    completed (final in the ledger) or failed (`failure` says why; the amount is available again)."""
    wallet = _wallet(address)
    tokens = token_directory(host.markets.values())

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return transfers.account_withdrawals(
                uow.session, container.settings.chain_id, wallet, tokens, limit, before_time(cursor)
            )

    items = await asyncio.to_thread(read)
    return {"withdrawals": items, "next": next_cursor(items, limit, lambda w: time_key(w["createdAt"], w["hash"]))}


@router.get(
    "/{address}/fees",
    response_model=None,
    responses={**documented(Fees, "fee rates"), **_ERRORS},
)
async def fees(address: str, host: HostDep, container: ContainerDep) -> dict[str, Any]:
    """The wallet's fee rates, in millionths (`feeRateScale`) of the amount received, charged in the
    token received (a buyer pays in base, a seller in quote). Per market: `makerFeeRate` when the order
    rested in the book, `takerFeeRate` when it took liquidity; an order must sign `maxFeeRate` at least
    the rate it may pay (post-only: the maker rate), and the contract never lets a fee exceed the signed
    rate or `maxFeeRate` (its hard cap). `withdrawalFeeRate`: millionths of a withdrawal's amount, in the
    withdrawn token (a withdrawal signs `maxFee` at least that)."""
    wallet = _wallet(address)
    return {
        "address": wallet,
        "feeRateScale": FEE_RATE_SCALE,
        "maxFeeRate": MAX_FEE_RATE,
        "markets": [
            {"market": m.name, "makerFeeRate": m.maker_fee_rate, "takerFeeRate": m.taker_fee_rate}
            for m in sorted(host.markets.values(), key=lambda m: m.name)
        ],
        "withdrawalFeeRate": container.settings.withdrawal_fee_rate,
    }
