"""`POST /v1/withdrawals`: a signed withdrawal is accepted and holds its amount; bad ones change nothing."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from backend.chain.devkeys import DEV_KEYS
from backend.compliance.factory import screener_for
from backend.compliance.lists import BUNDLED_OFAC_LIST, parse_list_file
from backend.compliance.store import import_list
from backend.db.models import WithdrawalRequest
from backend.signing import Domain, sign_digest
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.trading.rules.accounts import checksum
from backend.trading.usecases import withdrawals as withdrawal_requests

from .exchange_fixtures import CHAIN_ID, EXCHANGE, FUNDED_USDC, USDC, Exchange, wallet

SANCTIONED = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"  # on the bundled OFAC list


def withdrawal(key_index: int = 5, **fields: Any) -> Withdrawal:
    values: dict[str, Any] = {
        "wallet": wallet(key_index), "token": checksum(USDC), "amount": 1_000 * 10**6, "maxFee": 0,
        "recipient": wallet(key_index), "nonce": time.time_ns(), "expiry": int(time.time()) + 3600,
    }  # fmt: skip
    values.update(fields)
    return Withdrawal(**values)


def body(w: Withdrawal, key_index: int = 5, domain: Domain | None = None) -> dict[str, Any]:
    digest = withdrawal_digest(domain or Domain(CHAIN_ID, EXCHANGE), w)
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest)
    message = {k: v if isinstance(v, str) else str(v) for k, v in w._asdict().items()}
    return {"withdrawal": message, "signature": "0x" + signature.hex()}


def requests(exchange: Exchange) -> list[tuple[str, str]]:
    with exchange.container.uow() as uow:
        return [(r.hash, r.status) for r in uow.session.scalars(select(WithdrawalRequest))]


def available_usdc(exchange: Exchange, key_index: int = 5) -> int:
    balances = exchange.client.get(f"/v1/accounts/{wallet(key_index)}/balances").json()
    row = next(b for b in balances["balances"] if b["token"].lower() == USDC.lower())
    return int(row["available"])


def test_a_signed_withdrawal_is_accepted_and_holds_its_amount(sqlite_exchange: Exchange) -> None:
    before = available_usdc(sqlite_exchange)
    response = sqlite_exchange.client.post("/v1/withdrawals", json=body(withdrawal()))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert available_usdc(sqlite_exchange) == before - 1_000 * 10**6
    assert sqlite_exchange.client.get(f"/v1/withdrawals/{accepted['hash']}").json()["status"] == "accepted"
    signed_once = body(withdrawal(nonce=0))  # one signed message sent twice: the second is the duplicate
    duplicate = sqlite_exchange.client.post("/v1/withdrawals", json=signed_once)
    assert duplicate.status_code == 202
    again = sqlite_exchange.client.post("/v1/withdrawals", json=signed_once)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "DUPLICATE_WITHDRAWAL"


SIGNED = body(withdrawal())
BAD: list[tuple[str, Any, int, str]] = [
    ("malformed json", b"{", 400, "MALFORMED_JSON"),
    ("missing withdrawal", {"signature": "0x" + "00" * 65}, 422, "INVALID_FIELD"),
    ("amount overflows uint256", {**SIGNED, "withdrawal": {**SIGNED["withdrawal"], "amount": str(2**256)}}, 422, "AMOUNT_OUT_OF_RANGE"),  # noqa: E501
    ("signed by another wallet", body(withdrawal(), key_index=6), 401, "SIGNER_NOT_WALLET"),
    ("bad signature bytes", {**body(withdrawal()), "signature": "0x" + "11" * 65}, 401, "INVALID_SIGNATURE"),
    ("other chain", body(withdrawal(), domain=Domain(1, EXCHANGE)), 401, "SIGNER_NOT_WALLET"),
    ("expired", body(withdrawal(expiry=int(time.time()) - 1)), 422, "WITHDRAWAL_EXPIRED"),
    ("zero amount", body(withdrawal(amount=0)), 422, "INVALID_FIELD"),
    ("more than available", body(withdrawal(amount=FUNDED_USDC + 1)), 422, "INSUFFICIENT_BALANCE"),
    ("sanctioned destination", body(withdrawal(recipient=SANCTIONED)), 403, "ADDRESS_BLOCKED"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "payload", "status", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_withdrawal_gets_its_error_code_and_changes_nothing(
    sqlite_exchange: Exchange, name: str, payload: Any, status: int, code: str
) -> None:
    with sqlite_exchange.container.uow() as uow:
        import_list(uow.session, parse_list_file(BUNDLED_OFAC_LIST))
        uow.commit()
    before = (sqlite_exchange.state(), requests(sqlite_exchange))
    if isinstance(payload, bytes):
        response = sqlite_exchange.client.post(
            "/v1/withdrawals", content=payload, headers={"content-type": "application/json"}
        )
    else:
        response = sqlite_exchange.client.post("/v1/withdrawals", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert (sqlite_exchange.state(), requests(sqlite_exchange)) == before


def test_an_unknown_withdrawal_is_not_found(sqlite_exchange: Exchange) -> None:
    response = sqlite_exchange.client.get("/v1/withdrawals/0x" + "ab" * 32)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_request_interrupted_while_its_row_is_stored_keeps_its_hold_until_the_store_ends(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request cancelled (a server shutting down, an outer timeout) while its row is being written: the thread
    writing it runs on and commits later. Before, the hold went at once, to be taken over by the database's word,
    and a sync reading before that commit saw no row: the amount was available twice until the next sync."""
    exchange = sqlite_exchange
    entered, gate = threading.Event(), threading.Event()
    store = withdrawal_requests._store

    def slow_store(*args: Any) -> Any:
        entered.set()
        assert gate.wait(30)
        return store(*args)

    monkeypatch.setattr(withdrawal_requests, "_store", slow_store)
    decided = threading.Event()  # the store's outcome reached the host (the callback runs on its loop)
    outcome = withdrawal_requests._store_outcome

    def told_outcome(*args: Any) -> Any:
        decided.set()
        return outcome(*args)

    monkeypatch.setattr(withdrawal_requests, "_store_outcome", told_outcome)
    request = withdrawal()
    signed = body(request)
    app: Any = exchange.client.app
    trading, container = app.state.trading, exchange.container

    def tradable() -> int:  # what the engine host lets orders and withdrawals take (read on its loop)
        return int(exchange.client.portal.call(lambda: trading.host.accounts.available(request.wallet, request.token)))

    before = FUNDED_USDC  # the wallet's balance, nothing held

    async def withdraw() -> Any:
        signature = bytes.fromhex(signed["signature"][2:])
        return await withdrawal_requests.request_withdrawal(
            trading.host, trading.fence, container, screener_for(container), request, signature
        )

    pending = exchange.client.portal.start_task_soon(withdraw)
    assert entered.wait(30)
    pending.cancel()  # the request is interrupted; its row is still being written
    try:
        exchange.sync()  # a balance read that begins before the row is committed
        assert tradable() == before - request.amount  # still held
    finally:
        gate.set()
    # Until the host hears the store ended, a read counting the row leaves the hold too (less available, never
    # more); the hold ends with the first read begun after that.
    assert decided.wait(30), "the store's outcome never reached the host"
    assert [status for _, status in requests(exchange)] == ["accepted"]
    exchange.sync()
    assert tradable() == before - request.amount  # held once: by the stored request
    assert available_usdc(exchange) == before - request.amount


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "rolled-back"])
def test_a_store_whose_commit_fails_without_saying_whether_it_landed_keeps_the_hold_until_the_database_says(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch, committed: bool
) -> None:
    """A connection lost during COMMIT raises whether or not the row landed. Before, the hold went at once: with
    the row stored, the amount was available to orders (and counted against the balance) twice until the next
    sync. The database decides, from the first balance read after the failure: held once either way, and given
    back if the row is not there."""
    exchange = sqlite_exchange
    store = withdrawal_requests._store

    def lost_commit(*args: Any) -> Any:
        if committed:
            store(*args)
        raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection unexpectedly"))

    monkeypatch.setattr(withdrawal_requests, "_store", lost_commit)
    request = withdrawal(amount=FUNDED_USDC)  # all of it: an order for any of it must be refused meanwhile
    app: Any = exchange.client.app
    trading = app.state.trading

    def tradable() -> int:
        return int(exchange.client.portal.call(lambda: trading.host.accounts.available(request.wallet, request.token)))

    response = exchange.client.post("/v1/withdrawals", json=body(request))
    assert response.status_code == 503, response.text
    assert tradable() == 0  # held: the row may be there
    exchange.sync()
    assert [status for _, status in requests(exchange)] == (["accepted"] if committed else [])
    assert tradable() == (0 if committed else FUNDED_USDC)  # once the database said
