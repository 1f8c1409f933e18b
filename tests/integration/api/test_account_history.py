"""`GET /v1/accounts/{address}/deposits` and `/withdrawals`: a wallet's money in and out, newest first,
paged like its orders, each item saying its token's symbol and decimals and how far it has got.

Deposits are stored as the indexer stores them (a `Deposited` chain event per log, pending until
final, orphaned by a reorg, frozen by compliance); withdrawals are requested through the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.db.models import ChainCursor, ChainEvent, FrozenFunds, WithdrawalRequest
from backend.signing import Domain
from backend.trading.rules.accounts import checksum

from .exchange_fixtures import CHAIN_ID, EXCHANGE, USDC, WETH, Exchange, wallet


def chain_deposit(exchange: Exchange, key_index: int, token: str, amount: int, block: int, status: str) -> int:
    """A `Deposited` event as the indexer records it; returns its id."""
    with exchange.container.uow() as uow:
        event = ChainEvent(
            chain_id=CHAIN_ID, block_number=block, block_hash="0x" + f"{block:064x}",
            tx_hash="0x" + f"{block * 1000 + key_index:064x}", log_index=0, contract=EXCHANGE, name="Deposited",
            args={"wallet": wallet(key_index), "token": checksum(token), "amount": str(amount), "balance": "0"},
            status=status,
        )  # fmt: skip
        uow.session.add(event)
        uow.commit()
        return event.id


def deposits(exchange: Exchange, key_index: int = 5, **params: Any) -> Any:
    return exchange.client.get(f"/v1/accounts/{wallet(key_index).lower()}/deposits", params=params)


def withdrawals(exchange: Exchange, key_index: int = 5, **params: Any) -> Any:
    return exchange.client.get(f"/v1/accounts/{wallet(key_index)}/withdrawals", params=params)


def test_deposits_say_their_token_amount_block_and_how_final_they_are(exchange: Exchange) -> None:
    with exchange.container.uow() as uow:
        uow.session.add(ChainCursor(chain_id=CHAIN_ID, contract=EXCHANGE, last_block=110, final_block=105, reorgs=1))
        uow.commit()
    final = chain_deposit(exchange, 5, WETH, 2 * 10**18, block=100, status="final")
    orphaned = chain_deposit(exchange, 5, USDC, 7, block=101, status="orphaned")
    frozen = chain_deposit(exchange, 5, USDC, 5 * 10**6, block=102, status="final")
    with exchange.container.uow() as uow:
        uow.session.add(
            FrozenFunds(chain_event_id=frozen, wallet=wallet(5), token=checksum(USDC), amount=5 * 10**6, reason="test")
        )
        uow.commit()
    pending = chain_deposit(exchange, 5, USDC, 3 * 10**6, block=110, status="pending")
    chain_deposit(exchange, 6, WETH, 10**18, block=110, status="pending")  # someone else's

    response = deposits(exchange)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [d["id"] for d in page["deposits"]] == [str(pending), str(frozen), str(orphaned), str(final)]
    assert [d["status"] for d in page["deposits"]] == ["pending", "frozen", "orphaned", "confirmed"]
    assert page["next"] is None
    newest, oldest = page["deposits"][0], page["deposits"][-1]
    assert (newest["token"], newest["symbol"], newest["decimals"]) == (checksum(USDC), "USDC", 6)
    assert (newest["amount"], newest["blockNumber"], newest["confirmations"]) == ("3000000", 110, 1)
    assert newest["txHash"] == "0x" + f"{110 * 1000 + 5:064x}" and isinstance(newest["seenAt"], int)
    assert (oldest["symbol"], oldest["decimals"], oldest["amount"]) == ("WETH", 18, str(2 * 10**18))
    assert oldest["confirmations"] == 11 and page["deposits"][2]["confirmations"] == 0


def test_deposits_page_newest_first_with_an_opaque_cursor(sqlite_exchange: Exchange) -> None:
    ids = [chain_deposit(sqlite_exchange, 5, USDC, n + 1, block=200 + n, status="final") for n in range(5)]
    seen: list[str] = []
    cursor = None
    for _ in range(5):  # bounded: 5 items in pages of 2 is 3 pages
        page = deposits(sqlite_exchange, limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [d["id"] for d in page["deposits"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [str(i) for i in reversed(ids)]


def test_withdrawals_list_every_request_once_across_pages_even_within_one_millisecond(
    sqlite_exchange: Exchange,
) -> None:
    signer = Signer(DEV_KEYS[5], Domain(CHAIN_ID, EXCHANGE))
    hashes = []
    for amount in (1, 2, 3):
        _, body = signer.withdrawal_body(checksum(USDC), amount * 10**6, 0)
        response = sqlite_exchange.client.post("/v1/withdrawals", json=body)
        assert response.status_code == 202, response.text
        hashes.append(response.json()["hash"])
    with sqlite_exchange.container.uow() as uow:  # a fast bot: all three in the same millisecond
        uow.session.execute(update(WithdrawalRequest).values(created_at_ms=1_700_000_000_000))
        uow.session.execute(
            update(WithdrawalRequest).where(WithdrawalRequest.hash == hashes[0]).values(status="failed", failure="x")
        )
        uow.commit()

    first = withdrawals(sqlite_exchange, limit=2).json()
    second = withdrawals(sqlite_exchange, limit=2, cursor=first["next"]).json()
    listed = first["withdrawals"] + second["withdrawals"]
    assert sorted(w["hash"] for w in listed) == sorted(hashes)
    assert second["next"] is None
    by_hash = {w["hash"]: w for w in listed}
    assert by_hash[hashes[0]]["status"] == "failed" and by_hash[hashes[0]]["failure"] == "x"
    item = by_hash[hashes[2]]
    assert (item["status"], item["amount"], item["fee"]) == ("accepted", str(3 * 10**6), "0")
    assert (item["token"], item["symbol"], item["decimals"]) == (checksum(USDC), "USDC", 6)
    assert item["recipient"] == wallet(5) and item["txHash"] is None and item["blockNumber"] is None
    assert item["createdAt"] == 1_700_000_000_000
    assert withdrawals(sqlite_exchange, key_index=6).json() == {"withdrawals": [], "next": None}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("deposits", {"limit": 0}, "limit"),
        ("deposits", {"limit": 501}, "limit"),
        ("deposits", {"cursor": "abc"}, "cursor"),
        ("deposits", {"cursor": str(2**31)}, "cursor"),  # past any 32-bit event id (PostgreSQL: was a 500)
        ("withdrawals", {"limit": "x"}, "limit"),
        ("withdrawals", {"cursor": "12"}, "cursor"),
        ("withdrawals", {"cursor": "12-0xzz"}, "cursor"),
        ("orders", {"cursor": "-1"}, "cursor"),
        ("fills", {"limit": 0}, "limit"),
    ],
)
def test_bad_paging_is_refused_the_same_way_on_every_account_list(
    sqlite_exchange: Exchange, path: str, params: dict[str, Any], field: str
) -> None:
    response = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/{path}", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_FIELD"
    assert response.json()["error"]["field"] == field


def test_lists_keyed_by_a_64_bit_sequence_take_a_cursor_past_32_bits(exchange: Exchange) -> None:
    for path in ("orders", "fills"):
        page = exchange.client.get(f"/v1/accounts/{wallet(5)}/{path}", params={"cursor": str(10**18 - 1)})
        assert page.status_code == 200, page.text
    last_event = exchange.client.get(f"/v1/accounts/{wallet(5)}/deposits", params={"cursor": str(2**31 - 1)})
    assert last_event.status_code == 200, last_event.text


@pytest.mark.parametrize("path", ["deposits", "withdrawals"])
def test_a_malformed_address_is_refused(sqlite_exchange: Exchange, path: str) -> None:
    response = sqlite_exchange.client.get(f"/v1/accounts/0x12/{path}")
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "INVALID_FIELD", "message": response.json()["error"]["message"],
                                         "field": "address"}  # fmt: skip
