"""The engine host's one door: an order and a withdrawal are never both promised the same funds.

A wallet holds exactly B; each round it asks, at the same time, for an order that holds B and a
withdrawal of B, through the real API (the withdrawal stores from a worker thread, as it always
does). The withdrawal's storage is held at its flush until the order has been answered: the
schedule in which a balance check made outside the host's loop would let both through.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from backend.chain.devkeys import DEV_KEYS
from backend.db.models import WithdrawalRequest
from backend.signing import sign_digest
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.trading.hosting.commands import BeginBalanceRead
from backend.trading.hosting.host import EngineHost
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import quote_amount

from .exchange_fixtures import PRICE, QTY, USDC, Exchange, fund, wallet
from .signed_requests import cancel_signature

KEY = 4  # a dev wallet the fixtures leave empty
B = quote_amount(QTY, PRICE)  # what a buy of QTY at PRICE holds
ROUNDS = 12
BOUND_S = 10.0  # a bound on waiting, never a measured time


def host_of(exchange: Exchange) -> EngineHost:
    app: Any = exchange.client.app
    host: EngineHost = app.state.trading.host
    return host


def withdrawal_body(exchange: Exchange) -> dict[str, Any]:
    w = Withdrawal(
        wallet=wallet(KEY), token=checksum(USDC), amount=B, maxFee=B, recipient=wallet(KEY),
        nonce=time.time_ns(), expiry=int(time.time()) + 3600,
    )  # fmt: skip
    signature = sign_digest(bytes.fromhex(DEV_KEYS[KEY][2:]), withdrawal_digest(exchange.domain, w))
    return {"withdrawal": {k: str(v) for k, v in w._asdict().items()}, "signature": "0x" + signature.hex()}


@contextmanager
def storage_held_until(answered: threading.Event, reached: threading.Event) -> Iterator[None]:
    """Hold every withdrawal request's flush (after any check made before it) until `answered`."""

    def hold(session: Session, *_: Any) -> None:
        if any(isinstance(row, WithdrawalRequest) for row in session.new):
            reached.set()
            answered.wait(BOUND_S)

    event.listen(Session, "before_flush", hold)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", hold)


def wait_for(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND_S
    while not done() and time.monotonic() < deadline:
        time.sleep(0.001)


def one_round(exchange: Exchange, withdrawal_first: bool) -> tuple[Any, Any]:
    """(order response, withdrawal response) of one round of the module docs."""
    answered, reached = threading.Event(), threading.Event()
    with storage_held_until(answered, reached), ThreadPoolExecutor(2) as pool:
        post_withdrawal = lambda: exchange.client.post("/v1/withdrawals", json=withdrawal_body(exchange))  # noqa: E731
        if withdrawal_first:  # as far as it gets: its storage, or its answer
            withdrawal = pool.submit(post_withdrawal)
            wait_for(lambda: reached.is_set() or withdrawal.done())
            order = pool.submit(exchange.place, KEY)
        else:
            order = pool.submit(exchange.place, KEY)
            withdrawal = pool.submit(post_withdrawal)
        order_response = order.result(BOUND_S)
        answered.set()
        return order_response, withdrawal.result(BOUND_S)


def undo(exchange: Exchange, order_response: Any, withdrawal_response: Any) -> None:
    """Give the round's promises back: cancel the order, fail the withdrawal, let the host follow."""
    if order_response.status_code == 201:
        order_hash = order_response.json()["hash"]
        signature = cancel_signature(exchange.domain, order_hash, KEY)
        assert exchange.client.request("DELETE", f"/v1/orders/{order_hash}", json={"signature": signature}).is_success
    if withdrawal_response.status_code == 202:
        with exchange.container.uow() as uow:
            uow.session.execute(
                update(WithdrawalRequest)
                .where(WithdrawalRequest.hash == withdrawal_response.json()["hash"])
                .values(status="failed", failure="test")
            )
            uow.commit()
    exchange.sync()


def test_an_order_and_a_withdrawal_racing_for_the_same_funds_never_both_get_them(sqlite_exchange: Exchange) -> None:
    exchange, usdc = sqlite_exchange, checksum(USDC)
    fund(exchange.container, wallet(KEY), usdc, B)
    for number in range(ROUNDS):
        order_response, withdrawal_response = one_round(exchange, withdrawal_first=number % 2 == 0)
        accepted = [order_response.status_code == 201, withdrawal_response.status_code == 202]
        answers = f"round {number}: {order_response.text}; {withdrawal_response.text}"
        assert B * sum(accepted) <= B, f"{B} promised twice in {answers}"
        assert any(accepted), f"neither accepted in {answers}"
        for refused in (r for r in (order_response, withdrawal_response) if r.status_code not in (201, 202)):
            assert refused.json()["error"]["code"] == "INSUFFICIENT_BALANCE"
        undo(exchange, order_response, withdrawal_response)
        assert host_of(exchange).accounts.available(wallet(KEY), usdc) == B  # every hold given back


def test_the_host_refuses_a_change_from_another_thread(sqlite_exchange: Exchange) -> None:
    host = host_of(sqlite_exchange)
    with ThreadPoolExecutor(1) as pool, pytest.raises(RuntimeError, match="own event loop"):
        pool.submit(host.handle, BeginBalanceRead()).result(BOUND_S)
