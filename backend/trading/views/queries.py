"""The read side for account views: balances with holds and pending chain events, orders, fills."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.db.models import ChainEvent, Fill
from backend.db.models import Order as OrderRow
from backend.ledger import service as ledger
from backend.statuses import ChainEventStatus, OrderStatus
from backend.trading.rules.markets import Market
from backend.trading.store.chain_events import exchange_events
from backend.trading.views.publish import account_fill_message

OPEN_STATUSES = (OrderStatus.OPEN,)
CLOSED_STATUSES = (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED)


def pending_chain_amounts(session: Session, chain_id: int, wallet: str, name: str) -> dict[str, int]:
    """token -> total `amount` of the wallet's not-yet-final `name` events (Deposited, Withdrawn)."""
    totals: dict[str, int] = defaultdict(int)
    for args in session.scalars(
        select(ChainEvent.args).where(
            ChainEvent.chain_id == chain_id, ChainEvent.name == name, ChainEvent.status == ChainEventStatus.PENDING
        )
    ):
        if str(args.get("wallet")) == wallet:
            totals[str(args["token"])] += int(args["amount"])
    return dict(totals)


def ledger_balances(session: Session, wallet: str) -> dict[str, int]:
    """token -> the ledger's final balance of `wallet`."""
    return {token: amount for (_, token), amount in ledger.balances(session, wallet).items()}


def account_orders(
    session: Session,
    wallet: str,
    status: str,
    market: str | None,
    limit: int,
    before_seq: int | None,
    client_order_id: str | None = None,
) -> list[OrderRow]:
    """The wallet's orders, newest first: status `open`, `closed` or `all`; with `client_order_id`,
    only the order that carries it."""
    query = select(OrderRow).where(OrderRow.maker == wallet)
    if client_order_id is not None:
        query = query.where(OrderRow.client_order_id == client_order_id)
    if status == OrderStatus.OPEN:
        query = query.where(OrderRow.status.in_(OPEN_STATUSES))
    elif status == "closed":
        query = query.where(OrderRow.status.in_(CLOSED_STATUSES))
    if market is not None:
        query = query.where(OrderRow.market == market)
    if before_seq is not None:
        query = query.where(OrderRow.seq < before_seq)
    return list(session.scalars(query.order_by(OrderRow.seq.desc()).limit(limit)))


def client_order_ids(session: Session, wallet: str) -> dict[str, str]:
    """client order id -> order hash, over every order of `wallet` that carries one."""
    rows = session.execute(
        select(OrderRow.client_order_id, OrderRow.hash).where(
            OrderRow.maker == wallet, OrderRow.client_order_id.is_not(None)
        )
    )
    return {str(client_order_id): order_hash for client_order_id, order_hash in rows}


def order_nonces(session: Session, chain_id: int, exchange: str, wallet: str) -> list[int]:
    """The nonces `wallet` (EIP-55) can sign no other order with: that of every order it ever placed, whatever
    became of it (read on the maker index), and of every order it cancelled on `exchange`, also one never sent
    to HDEX (the contract spends a cancelled order's nonce; pending cancels count, as the host acts on them)."""
    placed = session.scalars(select(OrderRow.nonce).where(OrderRow.maker == wallet))
    spent = ChainEvent.args["nonce"].as_string()
    cancelled = session.scalars(
        select(spent).where(
            *exchange_events(chain_id, exchange),
            ChainEvent.name == "OrderCancelledByMaker",
            ChainEvent.args["maker"].as_string() == wallet,
            spent.is_not(None),  # an Exchange from before the event carried the nonce (`chain_sync.spent_nonce`)
        )
    )
    return [*placed, *(int(nonce) for nonce in cancelled)]


def account_fills(
    session: Session, wallet: str, markets: dict[str, Market], market: str | None, limit: int, before_id: int | None
) -> list[dict[str, Any]]:
    """The wallet's fills as maker or taker, newest first, each as the wallet sees it (its fee and fee token)."""
    query = select(Fill).where(or_(Fill.maker == wallet, Fill.taker == wallet))
    if market is not None:
        query = query.where(Fill.market == market)
    if before_id is not None:
        query = query.where(Fill.id < before_id)
    fills = list(session.scalars(query.order_by(Fill.id.desc()).limit(limit)))
    own_orders = [fill.maker_order_hash if fill.maker == wallet else fill.taker_order_hash for fill in fills]
    with_ids = select(OrderRow.hash, OrderRow.client_order_id).where(
        OrderRow.hash.in_(own_orders), OrderRow.client_order_id.is_not(None)
    )
    client_ids = {order_hash: client_order_id for order_hash, client_order_id in session.execute(with_ids)}
    columns = Fill.__table__.columns.keys()
    return [
        account_fill_message({c: getattr(fill, c) for c in columns}, markets[fill.market], wallet, client_ids.get(own))
        for fill, own in zip(fills, own_orders, strict=True)
    ]
