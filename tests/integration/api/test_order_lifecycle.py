"""Accepted orders hold funds; fills move the holds to the fill until settlement; cancels give them back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.compliance.store import deny
from backend.db.models import ChainEvent, Fill, OperatorTx, SettlementItem
from backend.engine import MarketState
from backend.errors import ErrorCode, HdexError
from backend.signing import Cancel, cancel_digest, order_digest, sign_digest
from backend.trading.rules.accounts import checksum
from backend.trading.rules.cancels import bulk_cancel_scope
from backend.trading.store import settlement
from backend.trading.usecases import order_entry

from .exchange_fixtures import (
    CHAIN_ID,
    EXCHANGE,
    MARKET,
    PRICE,
    QTY,
    TICK,
    USDC,
    WETH,
    Exchange,
    prepare,
    running,
    wallet,
)
from .test_cancel_after import set_state

BUYER, SELLER = 5, 6


def reserved(exchange: Exchange, key_index: int, token: str) -> int:
    balances = exchange.client.get(f"/v1/accounts/{wallet(key_index)}/balances").json()["balances"]
    row = next((b for b in balances if b["token"] == checksum(token)), None)
    return 0 if row is None else int(row["reserved"])


def cancel_body(exchange: Exchange, order_hash: str, key_index: int) -> dict[str, str]:
    digest = cancel_digest(exchange.domain, Cancel(wallet(key_index), bytes.fromhex(order_hash[2:])))
    return {"signature": "0x" + sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest).hex()}


def test_a_crossing_order_trades_at_the_makers_price_and_records_an_unsettled_fill(exchange: Exchange) -> None:
    maker = exchange.place(SELLER, side=1).json()
    taker = exchange.place(BUYER, side=0, limitPrice=PRICE + 100 * TICK).json()
    assert (maker["status"], taker["status"]) == ("open", "filled")
    exchange.client.get("/v1/markets")  # the maker's update is in the same durable batch
    with exchange.container.uow() as uow:
        (fill,) = uow.session.query(Fill).all()
        assert (fill.maker_order_hash, fill.taker_order_hash) == (maker["hash"], taker["hash"])
        assert (fill.price, fill.base_amount, fill.quote_amount) == (PRICE, QTY, QTY * PRICE // 10**18)
        assert fill.maker_fee == fill.quote_amount * 1_000 // 10**6  # the seller (maker) receives quote
        assert fill.taker_fee == QTY * 2_000 // 10**6  # the buyer (taker) receives base
        assert (fill.status, fill.maker_side) == ("unsettled", 1)
    # the taker's hold at its limit price shrank to what the fill pays at the maker's price
    assert reserved(exchange, BUYER, USDC) == QTY * PRICE // 10**18
    assert reserved(exchange, SELLER, WETH) == QTY
    assert exchange.client.get(f"/v1/orders/{maker['hash']}").json()["status"] == "filled"


def final_event(exchange: Exchange, name: str, tx_hash: str) -> None:
    """The indexer's record of `name` in `tx_hash`, its block final."""
    with exchange.container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=9, block_hash="0x" + "cd" * 32, tx_hash=tx_hash,
                log_index=0, contract=EXCHANGE, name=name, args={}, status="final",
            )
        )  # fmt: skip
        uow.commit()


def test_a_fill_failed_before_reaching_the_chain_gives_its_holds_back_at_the_next_sync(exchange: Exchange) -> None:
    exchange.place(SELLER, side=1)
    exchange.place(BUYER, side=0)
    with exchange.container.uow() as uow:
        (fill,) = (f.id for f in settlement.unsettled(uow.session, limit=10))
        settlement.fail(uow.session, fill, "blocked_by_screening:maker", "not settled")
        uow.commit()
    exchange.sync()
    assert reserved(exchange, SELLER, WETH) == 0
    assert reserved(exchange, BUYER, USDC) == 0


def test_fills_skipped_or_settled_on_chain_hold_until_their_transaction_is_final(exchange: Exchange) -> None:
    """A transaction that skipped a trade can be reorged out and mined again with the trade settling: until its
    block is final, the fill's payment stays held, as a settled one's does until the ledger carries it."""
    exchange.place(SELLER, side=1)
    exchange.place(BUYER, side=0)
    exchange.place(SELLER, side=1)
    exchange.place(BUYER, side=0)
    skipped_tx, settled_tx = "0x" + "ef" * 32, "0x" + "ab" * 32
    with exchange.container.uow() as uow:
        first, second = (f.id for f in settlement.unsettled(uow.session, limit=10))
        assert settlement.claim(uow.session, [first, second])
        assert not settlement.claim(uow.session, [first])  # already settling
        settlement.fail(uow.session, first, "skipped_on_chain:InsufficientBalance", "not settled", skipped_tx)
        settlement.settle(uow.session, second, settled_tx)
        uow.commit()
    exchange.sync()
    assert reserved(exchange, SELLER, WETH) == 2 * QTY  # both mined, neither final

    final_event(exchange, "TradeSkipped", skipped_tx)
    exchange.sync()
    assert reserved(exchange, SELLER, WETH) == QTY  # only the settled fill still holds

    final_event(exchange, "TradeSettled", settled_tx)
    exchange.sync()
    assert reserved(exchange, SELLER, WETH) == 0
    assert reserved(exchange, BUYER, USDC) == 0


def test_a_settled_fill_whose_batch_a_reorg_mined_as_another_attempt_gives_its_holds_back_once_final(
    exchange: Exchange,
) -> None:
    """The relayer recorded attempt A mined (one confirmation); a reorg took A out and mined the fee-bumped
    attempt B of the same nonce instead, whose TradeSettled became final: the fill's hold must end with it."""
    exchange.place(SELLER, side=1)
    exchange.place(BUYER, side=0)
    first, replacement = "0x" + "a1" * 32, "0x" + "b2" * 32
    with exchange.container.uow() as uow:
        (fill,) = (f.id for f in settlement.unsettled(uow.session, limit=10))
        assert settlement.claim(uow.session, [fill])
        tx = OperatorTx(
            chain_id=CHAIN_ID, kind="settle", reference="settle:reorged", sender=EXCHANGE, nonce=0, to=EXCHANGE,
            data="0x", gas_limit=1, max_fee_per_gas=1, max_priority_fee_per_gas=1, raw_tx="0x",
            tx_hash=replacement, hashes=[first, replacement], status="confirmed", mined_hash=first,
        )  # fmt: skip
        uow.session.add(tx)
        uow.session.flush()
        uow.session.add(SettlementItem(operator_tx_id=tx.id, trade_index=0, fill_id=fill, outcome="settled"))
        settlement.settle(uow.session, fill, first)
        uow.commit()
    final_event(exchange, "TradeSettled", replacement)
    exchange.sync()
    assert reserved(exchange, SELLER, WETH) == 0
    assert reserved(exchange, BUYER, USDC) == 0


def test_fills_pay_no_more_than_the_exchanges_fee_schedule_when_the_market_asks_more(exchange: Exchange) -> None:
    """The market charges 1,000 / 2,000 millionths; the Exchange's schedule (its latest FeeScheduleSet, changed
    by Custody) allows 500 / 800: the contract refuses a fee above it, so a fill at the market's rates would be
    skipped on-chain."""
    with exchange.container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=9, block_hash="0x" + "cd" * 32, tx_hash="0x" + "fe" * 32,
                log_index=0, contract=EXCHANGE, name="FeeScheduleSet",
                args={"makerFeeRate": 500, "takerFeeRate": 800}, status="pending",
            )
        )  # fmt: skip
        uow.commit()
    exchange.sync()
    market = next(m for m in exchange.client.get("/v1/markets").json()["markets"] if m["name"] == MARKET)
    assert (market["makerFeeRate"], market["takerFeeRate"]) == (500, 800)
    exchange.place(SELLER, side=1)  # the maker sells
    exchange.place(BUYER, side=0)  # the taker buys: pays its fee in the WETH it receives
    with exchange.container.uow() as uow:
        (fill,) = settlement.unsettled(uow.session, limit=10)
    assert (fill.maker_fee, fill.taker_fee) == (QTY * PRICE // 10**18 * 500 // 10**6, QTY * 800 // 10**6)


def test_a_resting_order_pays_no_more_than_its_signed_max_fee_when_the_rates_rise_after_it_was_placed(
    exchange: Exchange,
) -> None:
    """The seller signed maxFeeRate 800 during a fee promotion (schedule 500 / 800); the promotion ends (back to
    the market's 1,000 / 2,000) while the order rests. The contract charges a party min(its signed max, the
    schedule): a fill at the new rate would be skipped on-chain (FeeTooHigh), and so would every later one."""

    def schedule(block: int, maker: int, taker: int) -> None:
        with exchange.container.uow() as uow:
            uow.session.add(
                ChainEvent(
                    chain_id=CHAIN_ID, block_number=block, block_hash="0x" + f"{block:064x}", tx_hash="0x" + "fe" * 32,
                    log_index=0, contract=EXCHANGE, name="FeeScheduleSet",
                    args={"makerFeeRate": maker, "takerFeeRate": taker}, status="pending",
                )
            )  # fmt: skip
            uow.commit()
        exchange.sync()

    schedule(9, 500, 800)
    assert exchange.place(SELLER, side=1, maxFeeRate=800).status_code == 201  # rests: the maker sells
    schedule(10, 1_000, 2_000)
    market = next(m for m in exchange.client.get("/v1/markets").json()["markets"] if m["name"] == MARKET)
    assert (market["makerFeeRate"], market["takerFeeRate"]) == (1_000, 2_000)
    assert exchange.place(BUYER, side=0).json()["status"] == "filled"  # the taker signed 2,000
    with exchange.container.uow() as uow:
        (fill,) = settlement.unsettled(uow.session, limit=10)
    assert (fill.maker_fee, fill.taker_fee) == (QTY * PRICE // 10**18 * 800 // 10**6, QTY * 2_000 // 10**6)


def test_a_requeued_fill_is_unsettled_again(exchange: Exchange) -> None:
    exchange.place(SELLER, side=1)
    exchange.place(BUYER, side=0)
    with exchange.container.uow() as uow:
        (fill,) = settlement.unsettled(uow.session, limit=10)
        settlement.claim(uow.session, [fill.id])
        settlement.requeue(uow.session, [fill.id])
        uow.commit()
        assert [f.id for f in settlement.unsettled(uow.session, limit=10)] == [fill.id]


def test_a_signed_cancel_takes_the_order_out_and_releases_its_hold(exchange: Exchange) -> None:
    order = exchange.place(BUYER).json()
    assert reserved(exchange, BUYER, USDC) == QTY * PRICE // 10**18
    wrong = exchange.client.request(
        "DELETE", f"/v1/orders/{order['hash']}", json=cancel_body(exchange, order["hash"], SELLER)
    )
    assert wrong.json()["error"]["code"] == "SIGNER_NOT_MAKER"
    response = exchange.client.request(
        "DELETE", f"/v1/orders/{order['hash']}", json=cancel_body(exchange, order["hash"], BUYER)
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("cancelled", "cancelled_by_user")
    assert reserved(exchange, BUYER, USDC) == 0
    again = exchange.client.request(
        "DELETE", f"/v1/orders/{order['hash']}", json=cancel_body(exchange, order["hash"], BUYER)
    )
    assert again.json()["error"]["code"] == "ORDER_NOT_OPEN"
    unknown = "0x" + "00" * 32
    assert (
        exchange.client.request(
            "DELETE", f"/v1/orders/{unknown}", json=cancel_body(exchange, unknown, BUYER)
        ).status_code
        == 404
    )


def bulk_cancel(exchange: Exchange, key_index: int, market: str | None, timestamp: int) -> Any:
    digest = cancel_digest(exchange.domain, Cancel(wallet(key_index), bulk_cancel_scope(market, timestamp)))
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest)
    body = {"maker": wallet(key_index).lower(), "market": market, "timestamp": str(timestamp),
            "signature": "0x" + signature.hex()}  # fmt: skip
    return exchange.client.post("/v1/orders/cancel", json=body)


def test_a_bulk_cancel_takes_out_every_open_order_of_the_wallet_once(exchange: Exchange) -> None:
    hashes = {exchange.place(BUYER, limitPrice=PRICE - i * TICK).json()["hash"] for i in range(3)}
    other = exchange.place(7).json()["hash"]
    now = time.time_ns() // 1_000_000
    response = bulk_cancel(exchange, BUYER, MARKET, now)
    assert set(response.json()["cancelled"]) == hashes
    assert reserved(exchange, BUYER, USDC) == 0
    assert exchange.client.get(f"/v1/orders/{other}").json()["status"] == "open"
    assert bulk_cancel(exchange, BUYER, MARKET, now).json()["error"]["code"] == "CANCEL_EXPIRED"  # replay
    assert bulk_cancel(exchange, BUYER, None, now - 120_000).json()["error"]["code"] == "CANCEL_EXPIRED"


def test_a_bulk_cancel_replayed_after_a_restart_is_refused_and_cancels_nothing_placed_since(
    database_url: str, tmp_path: Path
) -> None:
    """The previous bulk cancel's timestamp is stored with its batch: a captured signature replayed within its 60 s
    window (or a command stream's entry delivered again) after the engine process restarted or another took over
    must not take out the orders the wallet placed since."""
    container = prepare(database_url, tmp_path)
    now = time.time_ns() // 1_000_000
    for exchange in running(container):
        exchange.place(BUYER)
        assert len(bulk_cancel(exchange, BUYER, None, now).json()["cancelled"]) == 1
        since = exchange.place(BUYER, limitPrice=PRICE - TICK).json()["hash"]
    for exchange in running(container):
        replayed = bulk_cancel(exchange, BUYER, None, now)
        later = bulk_cancel(exchange, BUYER, MARKET, now + 1)  # a new request: above the stored timestamp

        assert (replayed.status_code, replayed.json()["error"]["code"]) == (422, "CANCEL_EXPIRED"), replayed.text
        assert later.json()["cancelled"] == [since]


def test_a_bulk_cancel_a_halted_market_refused_passes_when_sent_again_after_it_reopens(exchange: Exchange) -> None:
    """A refused request changes nothing: its timestamp is not spent, so the same signed request works later."""
    order = exchange.place(BUYER).json()["hash"]
    now = time.time_ns() // 1_000_000
    set_state(exchange, MarketState.HALTED)
    refused = bulk_cancel(exchange, BUYER, MARKET, now)
    set_state(exchange, MarketState.OPEN)

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "MARKET_HALTED", refused.text
    assert bulk_cancel(exchange, BUYER, MARKET, now).json()["cancelled"] == [order]


def test_a_bulk_cancel_of_every_market_answers_the_orders_a_halted_market_kept_open(exchange: Exchange) -> None:
    """A halted market refuses every command, cancels too. A cancel of all markets cancels what it can and lists the
    rest under `kept`, rather than answering as though they were gone: they still hold funds and trade once it
    reopens, so the wallet must cancel them again then, with a new request (its timestamp is spent: replayed, the
    same signature could cancel orders placed since)."""
    kept = exchange.place(BUYER).json()["hash"]
    set_state(exchange, MarketState.HALTED)
    answer = bulk_cancel(exchange, BUYER, None, time.time_ns() // 1_000_000)
    set_state(exchange, MarketState.OPEN)

    assert (answer.status_code, answer.json()) == (200, {"cancelled": [], "kept": [kept]}), answer.text
    assert exchange.client.get(f"/v1/orders/{kept}").json()["status"] == "open"
    assert reserved(exchange, BUYER, USDC) == QTY * PRICE // 10**18
    assert bulk_cancel(exchange, BUYER, None, time.time_ns() // 1_000_000 + 1).json() == {
        "cancelled": [kept], "kept": []
    }


def test_an_order_sent_again_is_told_it_is_placed_whatever_changed_since(exchange: Exchange) -> None:
    """A client retrying (or a command delivered again) must learn that its order stands, not a refusal a new order
    would meet now: here its market halted since. The command stream answers DUPLICATE_ORDER with the order."""
    signed = exchange.signed(exchange.order(BUYER, nonce=5), BUYER)
    assert exchange.client.post("/v1/orders", json=signed).status_code == 201
    set_state(exchange, MarketState.HALTED)

    again = exchange.client.post("/v1/orders", json=signed)

    assert (again.status_code, again.json()["error"]["code"]) == (409, "DUPLICATE_ORDER"), again.text


def freeze(exchange: Exchange, key_index: int) -> None:
    """Compliance puts the wallet on the deny list (the engine host follows at its next sync)."""
    with exchange.container.uow() as uow:
        deny(uow.session, wallet(key_index), "test", "compliance@test")
        uow.commit()


def test_a_wallet_compliance_froze_is_refused_from_the_first_order_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    """The deny list is the host's from its start, not from its first sync an interval later: a restarted engine
    process, or one taking over with commands waiting in the stream, takes no order of a frozen wallet meanwhile."""
    container = prepare(database_url, tmp_path)  # its sync interval: a minute, run by hand here
    for exchange in running(container):
        freeze(exchange, BUYER)
        exchange.sync()
    for exchange in running(container):
        refused = exchange.place(BUYER)

        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ADDRESS_BLOCKED"), refused.text


def test_an_order_of_a_frozen_wallet_a_halted_market_kept_is_cancelled_when_it_reopens_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        order = exchange.place(BUYER).json()["hash"]
        set_state(exchange, MarketState.HALTED)
        freeze(exchange, BUYER)
        exchange.sync()  # frozen; the market refuses the cancel of its order, tried again at each sync
        assert exchange.client.get(f"/v1/orders/{order}").json()["status"] == "open"
    for exchange in running(container):
        set_state(exchange, MarketState.OPEN)  # with its sync: the market reopens, then the freeze's cancels go

        assert order_state(exchange, order) == ("cancelled", "compliance_freeze")


def seen_on_chain(
    exchange: Exchange, name: str, args: dict[str, Any], log_index: int = 1, contract: str = EXCHANGE
) -> None:
    """An Exchange event as the indexer stores it (pending), then one sync of the engine host."""
    with exchange.container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=7, block_hash="0x" + "33" * 32, tx_hash="0x" + "44" * 32,
                log_index=log_index, contract=contract, name=name, args=args, status="pending",
            )
        )  # fmt: skip
        uow.commit()
    exchange.sync()


def order_state(exchange: Exchange, order_hash: str) -> tuple[str, str | None]:
    exchange.drain()  # the sync's cancels are written before the order is read back
    body = exchange.client.get(f"/v1/orders/{order_hash}").json()
    return body["status"], body["reason"]


def cancel_args(key_index: int, order_hash: str, nonce: int | str) -> dict[str, str]:
    """An `OrderCancelledByMaker` event's arguments as the indexer stores them."""
    return {"maker": wallet(key_index), "orderHash": order_hash, "nonce": str(nonce)}


def test_an_on_chain_cancel_seen_by_the_indexer_cancels_the_order(exchange: Exchange) -> None:
    order = exchange.place(BUYER).json()
    seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, order["hash"], order["order"]["nonce"]))
    assert order_state(exchange, order["hash"]) == ("cancelled", "cancelled_on_chain")
    assert reserved(exchange, BUYER, USDC) == 0


def test_an_order_its_maker_cancelled_on_chain_before_sending_it_is_refused_also_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    """A signed order that leaked (or was never sent) and that its maker cancelled on-chain: the contract settles no
    trade of it, so the engine must not match it, before or after a restart (the chain event is behind its cursor
    by then)."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        order = exchange.order(BUYER, nonce=77)
        order_hash = "0x" + order_digest(exchange.domain, order).hex()
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, order_hash, 77))
        before = exchange.client.post("/v1/orders", json=exchange.signed(order, BUYER))
    for exchange in running(container):
        after = exchange.client.post("/v1/orders", json=exchange.signed(order, BUYER))

    assert [(r.status_code, r.json()["error"]["code"]) for r in (before, after)] == [(409, "DUPLICATE_ORDER")] * 2


def test_an_on_chain_cancel_spends_its_nonce_so_the_makers_order_with_it_goes_and_the_nonce_is_refused(
    exchange: Exchange,
) -> None:
    """The contract spends a cancelled order's nonce: no other order of the maker with it settles. A cancel of an
    order never sent to HDEX takes out the maker's order that carries the same nonce, and the nonce is refused
    at the door and skipped by `GET /v1/nonce`, so that no order is accepted that could never settle."""
    order = exchange.place(BUYER, nonce=40).json()
    seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, "0x" + "ab" * 32, 40))
    seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, "0x" + "cd" * 32, 41), log_index=2)
    assert order_state(exchange, order["hash"]) == ("cancelled", "nonce_used_on_chain")
    assert reserved(exchange, BUYER, USDC) == 0
    refused = exchange.place(BUYER, nonce=41)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "NONCE_USED")
    assert exchange.client.get("/v1/nonce", params={"maker": wallet(BUYER)}).json()["nonce"] == "42"


@pytest.mark.parametrize("placed_before", [False, True], ids=["wallet-unseen", "wallet-loaded"])
def test_a_nonce_spent_by_an_on_chain_cancel_is_refused_whether_or_not_the_host_knew_the_wallet(
    database_url: str, tmp_path: Path, placed_before: bool
) -> None:
    """The host learns a wallet's used nonces when it first sees the wallet (from the database: its orders and
    its on-chain cancels), then from each sync: either way a nonce spent on-chain is refused, also after a
    restart."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        if placed_before:
            assert exchange.place(SELLER, side=1, nonce=1).status_code == 201
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(SELLER, "0x" + "ef" * 32, 90))
        assert exchange.client.get("/v1/nonce", params={"maker": wallet(SELLER)}).json()["nonce"] == "91"
        before = exchange.place(SELLER, side=1, nonce=90)
    for exchange in running(container):
        after = exchange.place(SELLER, side=1, nonce=90)
        assert exchange.client.get("/v1/nonce", params={"maker": wallet(SELLER)}).json()["nonce"] == "91"

    assert [(r.status_code, r.json()["error"]["code"]) for r in (before, after)] == [(409, "NONCE_USED")] * 2


def test_a_cancel_recorded_without_its_nonce_still_cancels_by_hash_and_breaks_nothing_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    """A database kept across a redeployment holds cancels of an Exchange whose event did not carry the nonce: they
    cancel by hash as before, and neither a restart, the wallet's loading nor `GET /v1/nonce` fails on them."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        order = exchange.place(BUYER, nonce=5).json()
        seen_on_chain(exchange, "OrderCancelledByMaker", {"maker": wallet(BUYER), "orderHash": order["hash"]})
        assert order_state(exchange, order["hash"]) == ("cancelled", "cancelled_on_chain")
    for exchange in running(container):
        assert exchange.client.get("/v1/nonce", params={"maker": wallet(BUYER)}).json()["nonce"] == "6"
        assert exchange.place(BUYER, nonce=6).status_code == 201


def test_an_order_that_traded_is_not_taken_out_by_a_cancel_of_another_order_with_its_nonce(
    exchange: Exchange,
) -> None:
    """An order that traded has its own fill counter on-chain and trades on after another order with its nonce is
    cancelled there: only an untraded one is ruled out."""
    traded = exchange.place(SELLER, side=1, baseAmount=2 * QTY, nonce=60).json()
    untraded = exchange.place(SELLER, side=1, nonce=61, limitPrice=PRICE + TICK).json()
    exchange.place(BUYER, side=0)  # takes half of the first
    seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(SELLER, "0x" + "ab" * 32, 60))
    seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(SELLER, "0x" + "cd" * 32, 61), log_index=2)
    assert order_state(exchange, traded["hash"]) == ("open", None)
    assert order_state(exchange, untraded["hash"]) == ("cancelled", "nonce_used_on_chain")


def skipped_on_chain(exchange: Exchange, error: str, arguments: dict[str, str]) -> None:
    """The relayer's record of the one unsettled fill's trade, skipped on-chain with `error`, its TradeSkipped
    final (no other chain event: the skip alone says why)."""
    tx_hash = "0x" + "5a" * 32
    with exchange.container.uow() as uow:
        (fill,) = settlement.unsettled(uow.session, limit=10)
        assert settlement.claim(uow.session, [fill.id])
        tx = OperatorTx(
            chain_id=CHAIN_ID, kind="settle", reference="settle:skipped", sender=EXCHANGE, nonce=0, to=EXCHANGE,
            data="0x", gas_limit=1, max_fee_per_gas=1, max_priority_fee_per_gas=1, raw_tx="0x",
            tx_hash=tx_hash, hashes=[tx_hash], status="confirmed", mined_hash=tx_hash,
        )  # fmt: skip
        uow.session.add(tx)
        uow.session.flush()
        details = {"error": error, "arguments": arguments, "message": "not settled"}
        uow.session.add(SettlementItem(operator_tx_id=tx.id, trade_index=0, fill_id=fill.id, outcome="skipped",
                                       reason=error, details=details))  # fmt: skip
        settlement.fail(uow.session, fill.id, f"skipped_on_chain:{error}", "not settled", tx_hash)
        uow.commit()
    final_event(exchange, "TradeSkipped", tx_hash)


@pytest.mark.parametrize(
    ("error", "arguments", "state"),
    [
        ("OrderNonceUsed", {"orderHash": "{maker}", "maker": wallet(SELLER), "nonce": "7"},
         ("cancelled", "nonce_used_on_chain")),
        ("InvalidSignature", {"signer": wallet(SELLER), "digest": "{maker}"}, ("cancelled", "refused_on_chain")),
        ("StopPriceSourceMissing", {"orderHash": "{maker}", "baseToken": WETH, "quoteToken": USDC},
         ("cancelled", "stop_not_triggered_on_chain")),
        # may pass another time: the order stays
        ("InsufficientBalance", {"wallet": wallet(SELLER), "token": WETH, "balance": "0", "needed": "1"},
         ("open", None)),
        ("OrderNonceUsed", {"orderHash": "{taker}", "maker": wallet(BUYER), "nonce": "7"}, ("open", None)),
    ],
    ids=["nonce-used", "signature", "stop-source-missing", "balance", "the-other-order"],
)  # fmt: skip
def test_an_order_a_final_skip_rules_out_for_good_leaves_the_book(
    exchange: Exchange, error: str, arguments: dict[str, str], state: tuple[str, str | None]
) -> None:
    """A trade the contract skipped for a reason that holds for good names the order: every later trade of it
    would be skipped too (failing its counterparty's fill), so once the skip is final the order's rest goes."""
    maker = exchange.place(SELLER, side=1, baseAmount=2 * QTY).json()["hash"]
    taker = exchange.place(BUYER, side=0, limitPrice=PRICE + TICK).json()["hash"]
    named = {k: v.format(maker=maker, taker=taker) for k, v in arguments.items()}
    skipped_on_chain(exchange, error, named)
    exchange.sync()
    assert order_state(exchange, maker) == state


def test_an_order_a_final_skip_ruled_out_while_its_market_was_halted_goes_once_it_reopens_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    """The skip is read once, by the sync that gives the fill's holds back; a halted market keeps the order until
    it reopens, and a restart in between must not forget it."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        maker = exchange.place(SELLER, side=1, baseAmount=2 * QTY).json()["hash"]
        exchange.place(BUYER, side=0)
        set_state(exchange, MarketState.HALTED)
        skipped_on_chain(exchange, "OrderNonceUsed", {"orderHash": maker, "maker": wallet(SELLER), "nonce": "7"})
        exchange.sync()
        assert order_state(exchange, maker) == ("open", None)
    for exchange in running(container):
        set_state(exchange, MarketState.OPEN)
        assert order_state(exchange, maker) == ("cancelled", "nonce_used_on_chain")


@pytest.mark.parametrize("restarted", [False, True], ids=["running", "restarted"])
def test_an_order_the_chain_ruled_out_while_its_market_was_halted_is_cancelled_once_it_reopens(
    database_url: str, tmp_path: Path, restarted: bool
) -> None:
    """A halted market refuses every cancel: an order its maker cancelled on-chain, or put below a raised nonce
    floor, or of a wallet requesting an exit, must still go when the market reopens (the contract settles none of
    its trades), also after a restart in between (the chain events are behind the cursor by then)."""
    container = prepare(database_url, tmp_path)

    def reopen(exchange: Exchange) -> list[tuple[str, str | None]]:
        set_state(exchange, MarketState.OPEN)  # with a sync
        return [order_state(exchange, h) for h in hashes]

    for exchange in running(container):
        hashes = [
            exchange.place(BUYER, nonce=10).json()["hash"],
            exchange.place(BUYER, nonce=3, limitPrice=PRICE - TICK).json()["hash"],
            exchange.place(SELLER, side=1, limitPrice=PRICE + TICK).json()["hash"],
            exchange.place(BUYER, nonce=12, limitPrice=PRICE - 2 * TICK).json()["hash"],
        ]
        set_state(exchange, MarketState.HALTED)
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, hashes[0], 10))
        seen_on_chain(exchange, "NonceFloorRaised", {"wallet": wallet(BUYER), "nonceFloor": 5}, log_index=2)
        seen_on_chain(exchange, "ExitRequested", {"wallet": wallet(SELLER), "availableAt": 2**40}, log_index=3)
        # another order with the last one's nonce, never sent to HDEX
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, "0x" + "ab" * 32, 12), log_index=4)
        assert [order_state(exchange, h)[0] for h in hashes] == ["open"] * 4
        states = None if restarted else reopen(exchange)
    for exchange in running(container) if restarted else ():
        states = reopen(exchange)

    reasons = ["cancelled_on_chain", "nonce_floor", "wallet_exiting", "nonce_used_on_chain"]
    assert states == [("cancelled", reason) for reason in reasons]


def test_an_exit_request_cancels_the_wallets_orders_and_refuses_new_ones_until_it_is_cancelled(
    exchange: Exchange,
) -> None:
    mine = exchange.place(BUYER).json()
    theirs = exchange.place(SELLER, side=1, limitPrice=PRICE + TICK).json()
    seen_on_chain(exchange, "ExitRequested", {"wallet": wallet(BUYER), "availableAt": 2**40})
    assert order_state(exchange, mine["hash"]) == ("cancelled", "wallet_exiting")
    assert order_state(exchange, theirs["hash"]) == ("open", None)  # another wallet's order stays
    assert reserved(exchange, BUYER, USDC) == 0
    refused = exchange.place(BUYER)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "WALLET_EXITING")
    seen_on_chain(exchange, "ExitCancelled", {"wallet": wallet(BUYER)}, log_index=2)
    assert exchange.place(BUYER).status_code == 201


def test_a_wallet_that_exited_an_exchange_recorded_before_trades_on_this_one(sqlite_url: str, tmp_path: Any) -> None:
    """A database kept across a redeployment holds the former Exchange's events: a wallet that left it through the
    exit hatch, a nonce floor or a cancel there are not this Exchange's, now or after a restart."""
    from .exchange_fixtures import prepare, running

    former = "0x" + "f0" * 20
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        seen_on_chain(exchange, "ExitRequested", {"wallet": wallet(BUYER), "availableAt": 2**40}, contract=former)
        seen_on_chain(exchange, "NonceFloorRaised", {"wallet": wallet(BUYER), "nonceFloor": 2**60}, 2, former)
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(BUYER, "0x" + "cd" * 32, 5), 3, former)
        assert exchange.place(BUYER, nonce=5).status_code == 201  # that cancel spent nonce 5 there, not here
    for exchange in running(container):
        placed = exchange.place(BUYER, nonce=6, limitPrice=PRICE - TICK)
        assert placed.status_code == 201, placed.text


def test_an_exiting_wallet_stays_refused_after_a_restart(sqlite_url: str, tmp_path: Any) -> None:
    from .exchange_fixtures import prepare, running

    container = prepare(sqlite_url, tmp_path)
    for first in running(container):
        seen_on_chain(first, "ExitRequested", {"wallet": wallet(BUYER), "availableAt": 2**40})
        seen_on_chain(first, "ExitRequested", {"wallet": wallet(SELLER), "availableAt": 2**40}, log_index=2)
        seen_on_chain(first, "ExitCancelled", {"wallet": wallet(SELLER)}, log_index=3)
    for again in running(container):
        assert again.place(BUYER).json()["error"]["code"] == "WALLET_EXITING"
        assert again.place(SELLER, side=1).status_code == 201


def test_the_open_order_limit_per_wallet_is_enforced(sqlite_url: str, tmp_path: Any) -> None:
    from .exchange_fixtures import prepare, running

    for limited in running(prepare(sqlite_url, tmp_path, max_open_orders=2)):
        assert limited.place(BUYER, limitPrice=PRICE - TICK).status_code == 201
        assert limited.place(BUYER, limitPrice=PRICE - 2 * TICK).status_code == 201
        response = limited.place(BUYER, limitPrice=PRICE - 3 * TICK)
        assert response.json()["error"]["code"] == "TOO_MANY_OPEN_ORDERS"


def test_a_second_cancel_before_the_first_is_stored_is_told_the_order_is_no_longer_open(exchange: Exchange) -> None:
    """Between a cancel and its group commit the order is in neither the book nor the database: a second cancel
    then must hear ORDER_NOT_OPEN, as after the commit, not ORDER_NOT_FOUND (the database is not asked here)."""
    placed = exchange.place(BUYER).json()
    app: Any = exchange.client.app
    host = app.state.trading.host

    def cancel_then_look_again() -> ErrorCode:
        order_entry.apply_cancel(host, host.orders[placed["hash"]])  # its batch is not durable yet
        try:
            order_entry.open_order(host, placed["hash"], lambda _hash: False, "orderHash")
        except HdexError as refusal:
            return refusal.code
        raise AssertionError("the cancelled order is still open")

    assert exchange.client.portal.call(cancel_then_look_again) is ErrorCode.ORDER_NOT_OPEN  # type: ignore[union-attr]


@pytest.mark.parametrize("placed_before", [False, True], ids=["wallet-unseen", "wallet-loaded"])
def test_the_next_nonce_of_a_wallet_that_used_the_largest_uint64_is_its_lowest_unused_one(
    database_url: str, tmp_path: Path, placed_before: bool
) -> None:
    """Above 2**64 - 1 is no uint64 an order could carry: `GET /v1/nonce` gives the lowest unused nonce instead,
    read from the host (a wallet it knows) or from the database (one it does not)."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        seen_on_chain(exchange, "OrderCancelledByMaker", cancel_args(SELLER, "0x" + "ef" * 32, 2**64 - 1))
        if placed_before:
            assert exchange.place(SELLER, side=1, nonce=0).status_code == 201
        suggested = exchange.client.get("/v1/nonce", params={"maker": wallet(SELLER)}).json()["nonce"]
        assert suggested == ("1" if placed_before else "0")
        assert exchange.place(SELLER, side=1, nonce=int(suggested)).status_code == 201
