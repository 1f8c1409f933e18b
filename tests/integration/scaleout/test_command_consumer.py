"""The engine process's command consumer outlives the faults around it (real Redis, the engine host in process):
Redis restarted empty, an entry left unacknowledged by a deposed engine or by answers that could not be sent,
and a clean stop with a batch still being stored. Each command is answered and placed once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from backend.signing import Domain, order_digest
from backend.trading.hosting.commands import CancelOrder
from backend.trading.hosting.host import now_ms
from backend.trading.rules import checks
from backend.trading.rules.cancels import bulk_cancel_scope
from backend.trading.usecases import command_stream
from backend.trading.usecases.command_stream import (
    GROUP,
    SAMPLE_INTERVAL_S,
    STREAM,
    Answer,
    CommandConsumer,
    CommandStream,
    answers_entry,
    entry_answers,
    vouch,
)

from ..api.exchange_fixtures import MARKET, PRICE, QTY, Exchange, prepare, running, wallet
from ..api.signed_requests import cancel_signature
from ..api.test_engine_lease import eventually, let_the_lease_run_out, take_over_the_lease, wait_until_standing_by
from .cluster import DOMAIN
from .lost_cancel import LostCancel
from .test_replicas import REDIS_URL, redis_database

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")

CONSUMER = "engine-test"
REPLIES = "hdex:replies:test"
LEASE_S = 2.0  # an entry left unacknowledged this long is claimed again


def engine_settings(redis_url: str) -> dict[str, Any]:
    return {"redis_url": redis_url, "command_stream": True, "engine_consumer": CONSUMER, "engine_lease_s": LEASE_S}


def body(exchange: Exchange, key_index: int, nonce: int) -> str:
    return json.dumps(exchange.signed(exchange.order(key_index, nonce=nonce), key_index))


def add(client: redis.Redis, ticket: str, command: str) -> None:
    client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": command})


def answer(client: redis.Redis, ticket: str, timeout_s: float = 30) -> dict[str, Any]:
    """The engine's answer to `ticket` on the test's reply stream (it never comes: the test fails)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for _stream, entries in client.xread({REPLIES: "0-0"}, count=1_000, block=200) or ():
            for _entry_id, fields in entries:
                for found in entry_answers(fields):
                    if found.ticket == ticket:
                        return found.to_json()
    raise AssertionError(f"no answer to {ticket} within {timeout_s} s")


def orders_stored(exchange: Exchange) -> int:
    return len(exchange.state()["orders"])


def test_the_engine_recreates_the_stream_group_after_redis_restarted_empty(database_url: str, tmp_path: Path) -> None:
    redis_url = redis_database(12)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        add(client, "before", body(exchange, 5, 1))
        assert answer(client, "before")["order"]["status"] == "open"

        client.flushdb()  # what a Redis that keeps nothing on disk holds after a restart
        add(client, "after", body(exchange, 5, 2))

        assert answer(client, "after")["order"]["status"] == "open"
        assert orders_stored(exchange) == 2
    client.close()


@pytest.mark.parametrize("reader", ["engine-deposed", CONSUMER], ids=["a-deposed-engine", "unsent-answers"])
def test_an_entry_left_unacknowledged_while_the_engine_runs_is_claimed_and_answered_once(
    database_url: str, tmp_path: Path, reader: str
) -> None:
    """`engine-deposed`: read by an engine process that lost the lease before it could store it. The engine's own
    name: read, then its answers never sent (Redis went away at that moment). Either stays pending unanswered."""
    redis_url = redis_database(12)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        add(client, "first", body(exchange, 5, 1))
        answer(client, "first")  # the group exists and the engine reads new entries
        command = body(exchange, 6, 1)
        with client.pipeline(transaction=True) as pipe:  # one step: the engine's blocked read cannot take it first
            pipe.xadd(STREAM, {"id": "orphan", "ticket": "orphan", "reply": REPLIES, "body": command})
            pipe.xreadgroup(GROUP, reader, {STREAM: ">"}, count=1)
            pipe.execute()
        assert client.xpending(STREAM, GROUP)["consumers"] == [{"name": reader.encode(), "pending": 1}]

        answered = answer(client, "orphan")
        again = exchange.client.post("/v1/orders", content=command)  # the client's retry, straight to the engine

        assert (answered["order"]["status"], answered["replayed"]) == ("open", False), answered
        assert again.status_code == 409 and again.json()["error"]["code"] == "DUPLICATE_ORDER"
        assert client.xpending(STREAM, GROUP)["pending"] == 0
        assert orders_stored(exchange) == 2
    client.close()


def answers(client: redis.Redis, ticket: str) -> list[dict[str, Any]]:
    """Every answer to `ticket` on the test's reply stream so far."""
    found = (answer for _entry_id, fields in client.xrange(REPLIES) for answer in entry_answers(fields))
    return [answer.to_json() for answer in found if answer.ticket == ticket]


def lock_the_engine_lease(postgres_url: str) -> psycopg.Connection[Any]:
    """A connection holding the engine lease's row: every batch waits at its fence, as behind a slow database,
    until it rolls back."""
    blocker = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    blocker.execute("SELECT * FROM leases WHERE name = 'engine' FOR UPDATE")
    return blocker


def wait_until_placed(exchange: Exchange, orders: int) -> None:
    """Until the engine host's book holds `orders` orders (placed, whether or not stored yet)."""
    app: Any = exchange.client.app
    eventually(lambda: len(app.state.trading.host.orders) >= orders, "the engine placing the command")


@contextmanager
def slow_journal_writes(exchange: Exchange) -> Iterator[None]:
    """Every journal write of the engine host waits (a stalled disk) until the block ends, then goes through. The
    database stays free, so the engine lease is renewed all along, as it would be behind a slow disk."""
    app: Any = exchange.client.app
    journal = app.state.trading._journal
    written, disk_back = journal.flush, threading.Event()

    def stalled() -> None:
        disk_back.wait(60)
        written()

    journal.flush = stalled
    try:
        yield
    finally:
        disk_back.set()
        del journal.flush


def test_the_engine_takes_a_replicas_vouch_for_a_signature_and_checks_every_other_one(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    key = "consumer-tests-command-key-0123456789"
    recovered: list[bytes] = []
    recover = checks.recover_signer
    monkeypatch.setattr(checks, "recover_signer", lambda digest, sig: recovered.append(digest) or recover(digest, sig))
    settings = {**engine_settings(redis_url), "command_key": key}
    for exchange in running(prepare(database_url, tmp_path, **settings)):
        good = body(exchange, 5, 1)
        forged = json.dumps(exchange.signed(exchange.order(5, nonce=2), 6))  # wallet 5's order, signed by 6
        # signed by its maker, for the Exchange before a redeploy: the new one would refuse to settle it
        redeployed = Domain(exchange.domain.chain_id, "0x" + "e2" * 20)
        former = json.dumps(exchange.signed(exchange.order(5, nonce=3), 5, domain=redeployed))
        for ticket, command, mark in (
            ("vouched", good, vouch(key.encode(), exchange.domain, good.encode())),
            ("unmarked", forged, b""),
            ("marked by another key", forged, vouch(b"x" * 32, exchange.domain, forged.encode())),
            ("marked for another body", forged, vouch(key.encode(), exchange.domain, good.encode())),
            ("marked under another domain", former, vouch(key.encode(), redeployed, former.encode())),
        ):
            client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": command, "mac": mark})

        assert answer(client, "vouched")["order"]["status"] == "open"
        refused = ("unmarked", "marked by another key", "marked for another body", "marked under another domain")
        for ticket in refused:
            assert answer(client, ticket)["error"]["code"] == "SIGNER_NOT_MAKER", ticket
        assert len(recovered) == 4  # the vouched order's signature was not recovered again
        assert orders_stored(exchange) == 1
    client.close()


def add_cancel(client: redis.Redis, ticket: str, body: dict[str, str] | str) -> None:
    add_command(client, ticket, "cancel", body)


def add_command(client: redis.Redis, ticket: str, kind: str, body: dict[str, Any] | str) -> None:
    command = body if isinstance(body, str) else json.dumps(body)
    client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": command, "kind": kind})


def cancel_body(domain: Domain, hashes: list[str], index: int, signer: int = 5) -> dict[str, str]:
    """A cancel command for wallet 5's order `hashes[index]`, signed by `signer`."""
    return {"orderHash": hashes[index], "signature": cancel_signature(domain, hashes[index], 5, signer)}


def four_orders_placed(client: redis.Redis, exchange: Exchange) -> tuple[list[str], Callable[..., dict[str, str]]]:
    """Four orders of wallet 5 added to the stream (nonces 1 to 4): their hashes, and `cancel_body` for them."""
    orders = [exchange.order(5, nonce=n) for n in (1, 2, 3, 4)]
    for n, order in enumerate(orders):
        add(client, f"place-{n}", json.dumps(exchange.signed(order, 5)))
    hashes = ["0x" + order_digest(exchange.domain, order).hex() for order in orders]
    return hashes, partial(cancel_body, exchange.domain, hashes)


def test_a_cancel_command_is_applied_behind_the_orders_before_it_and_checked_as_the_engines_own_door_checks_it(
    database_url: str, tmp_path: Path
) -> None:
    """A replica cannot check a cancel's signature (the maker is not in the request): the engine checks it and the
    maker's rate limit, and answers each refusal as its own DELETE /v1/orders/{hash} does."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    settings = {**engine_settings(redis_url), "rate_limit_address": "2/minute"}
    for exchange in running(prepare(database_url, tmp_path, **settings)):
        hashes, cancel = four_orders_placed(client, exchange)
        # right behind the orders, before they are stored: applied after them, in stream order
        add_cancel(client, "cancel", cancel(0))
        add_cancel(client, "again", cancel(0))
        add_cancel(client, "not the maker's", cancel(1, signer=6))
        add_cancel(client, "unknown", {**cancel(0), "orderHash": "0x" + "ab" * 32})
        add_cancel(client, "garbled", "{not json")
        add_cancel(client, "no signature", {"orderHash": hashes[1]})
        add_cancel(client, "second", cancel(2))
        add_cancel(client, "past the limit", cancel(3))  # the maker's 3rd cancel in a minute (2/minute): the one
        # not signed by the maker, and the one of an order no longer open, did not count

        cancelled = answer(client, "cancel")
        second = answer(client, "second")
        refused = ("again", "not the maker's", "unknown", "garbled", "no signature", "past the limit")
        refusals = {ticket: answer(client, ticket)["error"]["code"] for ticket in refused}
        statuses = [exchange.client.get(f"/v1/orders/{order_hash}").json()["status"] for order_hash in hashes]

    assert (cancelled["order"]["hash"], cancelled["order"]["status"]) == (hashes[0], "cancelled")
    assert second["order"]["status"] == "cancelled"
    assert refusals == {
        "again": "ORDER_NOT_OPEN", "not the maker's": "SIGNER_NOT_MAKER", "unknown": "ORDER_NOT_FOUND",
        "garbled": "MALFORMED_JSON", "no signature": "INVALID_FIELD", "past the limit": "RATE_LIMITED",
    }  # fmt: skip
    assert statuses == ["cancelled", "open", "cancelled", "open"]
    client.close()


def test_an_order_a_deposed_host_read_is_applied_before_a_cancel_sent_while_the_process_stood_by(
    database_url: str, tmp_path: Path
) -> None:
    """The engine lease is taken over while the host reads an order: its batch is refused, the entry stays pending
    and the process stands by. When the lease is free again the process runs a new host, less than a term later,
    before any claim of idle entries would take the order: the cancel of it sent meanwhile is still applied after
    it, as sent, the order placed and then cancelled, each answered once."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    container = prepare(database_url, tmp_path, **{**engine_settings(redis_url), "engine_lease_s": 10.0})
    for exchange in running(container):
        order = exchange.order(5, nonce=1)
        order_hash = "0x" + order_digest(exchange.domain, order).hex()
        take_over_the_lease(container)
        add(client, "order", json.dumps(exchange.signed(order, 5)))
        wait_until_standing_by(exchange)  # the order's batch met the fence: its host stopped and was let go
        add_cancel(client, "cancel", cancel_body(exchange.domain, [order_hash], 0))
        let_the_lease_run_out(container)  # the other process stopped

        placed, cancelled = answer(client, "order"), answer(client, "cancel")
        status = exchange.client.get(f"/v1/orders/{order_hash}").json()["status"]
        pending = client.xpending(STREAM, GROUP)["pending"]

    assert "error" not in placed and (placed["order"]["hash"], placed["replayed"]) == (order_hash, False), placed
    assert cancelled.get("error") is None and cancelled["order"]["status"] == "cancelled", cancelled
    assert status == "cancelled"
    assert (len(answers(client, "order")), len(answers(client, "cancel")), pending) == (1, 1, 0)
    client.close()


def bulk_cancel_body(domain: Domain, market: str | None, timestamp: int, signer: int = 5) -> dict[str, Any]:
    """A bulk cancel of wallet 5's orders (in `market`, or all), signed by `signer`."""
    scope = bulk_cancel_scope(market, timestamp)
    return {"maker": wallet(5), "market": market, "timestamp": str(timestamp),
            "signature": cancel_signature(domain, scope, 5, signer)}  # fmt: skip


def test_a_bulk_cancel_command_cancels_the_orders_sent_before_it_and_is_checked_as_the_engines_own_door_checks_it(
    database_url: str, tmp_path: Path
) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        orders = [exchange.order(5, nonce=n) for n in (1, 2)]
        hashes = sorted("0x" + order_digest(exchange.domain, order).hex() for order in orders)
        stamp = now_ms()
        for n, order in enumerate(orders):
            add(client, f"place-{n}", json.dumps(exchange.signed(order, 5)))
        commands = {
            "bulk": bulk_cancel_body(exchange.domain, MARKET, stamp),
            "replayed": bulk_cancel_body(exchange.domain, MARKET, stamp),
            "not the maker's": bulk_cancel_body(exchange.domain, None, stamp + 1, signer=6),
            "unknown market": bulk_cancel_body(exchange.domain, "NOPE-USDC", stamp + 2),
            "no maker": {**bulk_cancel_body(exchange.domain, None, stamp + 3), "maker": None},
        }
        for ticket, command in commands.items():
            client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": json.dumps(command),
                                 "kind": "cancel-all"})  # fmt: skip

        bulk = answer(client, "bulk")
        refusals = {ticket: answer(client, ticket)["error"]["code"] for ticket in list(commands)[1:]}
        statuses = [exchange.client.get(f"/v1/orders/{order_hash}").json()["status"] for order_hash in hashes]

    assert sorted(bulk["result"]["cancelled"]) == hashes  # both orders, sent before it
    assert refusals == {
        "replayed": "CANCEL_EXPIRED", "not the maker's": "SIGNER_NOT_MAKER", "unknown market": "UNKNOWN_MARKET",
        "no maker": "INVALID_FIELD",
    }  # fmt: skip
    assert statuses == ["cancelled", "cancelled"]
    client.close()


def test_a_replace_command_replaces_an_order_sent_before_it_and_its_new_order_is_placed_once(
    database_url: str, tmp_path: Path
) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        old, new = exchange.order(5, nonce=1), exchange.order(5, nonce=2)
        old_hash, new_hash = ("0x" + order_digest(exchange.domain, order).hex() for order in (old, new))
        cancel = {"orderHash": old_hash, "signature": cancel_signature(exchange.domain, old_hash, 5)}
        replace = json.dumps({"cancel": cancel, **exchange.signed(new, 5)})
        add(client, "place", json.dumps(exchange.signed(old, 5)))
        for ticket in ("replace", "replace again"):  # right behind the order, before it is stored
            client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": replace, "kind": "replace"})
        add(client, "the new order sent as an order", json.dumps(exchange.signed(new, 5)))

        replaced = answer(client, "replace")
        again = answer(client, "replace again")
        copy = answer(client, "the new order sent as an order")
        statuses = [exchange.client.get(f"/v1/orders/{h}").json()["status"] for h in (old_hash, new_hash)]

    assert replaced["status"] == 201
    assert (replaced["result"]["cancelled"]["status"], replaced["result"]["order"]["hash"]) == ("cancelled", new_hash)
    assert again["error"]["code"] == "ORDER_NOT_OPEN"
    assert (copy["order"]["hash"], copy["replayed"]) == (new_hash, True)  # placed once, by the replace
    assert statuses == ["cancelled", "open"]
    client.close()


def delivered_unanswered(client: redis.Redis, ticket: str, kind: str, body: dict[str, Any]) -> None:
    """A command the engine read and whose answer it never sent (it died first, or Redis went away): pending for
    the engine's consumer, claimed and applied again after a lease term."""
    with client.pipeline(transaction=True) as pipe:  # one step: the engine's blocked read cannot take it first
        pipe.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": json.dumps(body), "kind": kind})
        pipe.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=1)
        pipe.execute()


def test_a_cancel_or_replace_applied_before_and_delivered_again_is_answered_as_applied(
    database_url: str, tmp_path: Path
) -> None:
    """Applied and stored, its answer never sent: delivered again, a cancel or a cancel-replace finds its order no
    longer open. It is answered as it was applied, not 409 ORDER_NOT_OPEN (a bot told its replace failed would
    place the new order again); the same cancel sent anew, and one delivered again that is not the maker's, are
    refused as the engine's own door refuses them."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        old, replaced, new = (exchange.order(5, nonce=n) for n in (1, 2, 3))
        hashes = ["0x" + order_digest(exchange.domain, o).hex() for o in (old, replaced, new)]
        old_hash, replaced_hash, new_hash = hashes
        for order in (old, replaced):
            assert exchange.client.post("/v1/orders", json=exchange.signed(order, 5)).status_code == 201
        cancel_of = partial(cancel_body, exchange.domain, [old_hash, replaced_hash])
        cancel, forged = cancel_of(0), cancel_of(0, signer=6)
        replace = {"cancel": cancel_of(1), **exchange.signed(new, 5)}
        # applied through the engine's own door: what the commands delivered before had done
        assert exchange.client.request("DELETE", f"/v1/orders/{old_hash}", json=cancel).status_code == 200
        assert exchange.client.post("/v1/orders/replace", json=replace).status_code == 201

        delivered_unanswered(client, "cancel", "cancel", cancel)
        delivered_unanswered(client, "replace", "replace", replace)
        delivered_unanswered(client, "not the maker's", "cancel", forged)
        add_cancel(client, "sent anew", cancel)

        cancelled, replaced_again = answer(client, "cancel"), answer(client, "replace")
        refusals = {ticket: answer(client, ticket)["error"]["code"] for ticket in ("not the maker's", "sent anew")}
        stored = orders_stored(exchange)
        pending = client.xpending(STREAM, GROUP)["pending"]

    assert cancelled.get("error") is None, cancelled
    assert (cancelled["order"]["hash"], cancelled["order"]["status"]) == (old_hash, "cancelled")
    assert replaced_again.get("error") is None and replaced_again["status"] == 201, replaced_again
    assert replaced_again["result"]["cancelled"]["hash"] == replaced_hash
    placed = replaced_again["result"]["order"]
    assert (placed["hash"], placed["status"]) == (new_hash, "open")
    assert refusals == {"not the maker's": "ORDER_NOT_OPEN", "sent anew": "ORDER_NOT_OPEN"}
    assert (stored, pending) == (3, 0)  # nothing placed twice
    client.close()


def test_a_partly_failed_replace_delivered_again_is_answered_409_as_then_and_an_unknown_kind_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    """A cancel-replace whose cancel stood and whose new order was refused (post-only would cross), its answer never
    sent: delivered again, it is answered 409 REPLACE_PARTLY_FAILED with the cancelled order, not ORDER_NOT_OPEN (a
    bot would take the old order for filled). A command of a kind this engine does not know is refused, not placed
    (a replace's body carries an order: placing it would leave the old one open beside it)."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        ask = exchange.order(6, side=1, nonce=1)
        resting, crossing = exchange.order(5, nonce=2, limitPrice=PRICE - 10**6), exchange.order(5, nonce=3, flags=4)
        kept, newer = exchange.order(5, nonce=4, limitPrice=PRICE - 2 * 10**6), exchange.order(5, nonce=5)
        hashes = ["0x" + order_digest(exchange.domain, o).hex() for o in (resting, kept, newer)]
        for order, key in ((ask, 6), (resting, 5), (kept, 5)):
            assert exchange.client.post("/v1/orders", json=exchange.signed(order, key)).status_code == 201
        cancel_of = partial(cancel_body, exchange.domain, hashes)
        partly = {"cancel": cancel_of(0), **exchange.signed(crossing, 5)}
        first = exchange.client.post("/v1/orders/replace", json=partly)  # through the engine's own door

        delivered_unanswered(client, "partly", "replace", partly)
        add_command(client, "newer kind", "replace-v2", {"cancel": cancel_of(1), **exchange.signed(newer, 5)})
        again, unknown = answer(client, "partly"), answer(client, "newer kind")
        statuses = [exchange.client.get(f"/v1/orders/{h}").json().get("status") for h in hashes]

    assert (first.status_code, first.json()["refused"]["code"]) == (409, "POST_ONLY_WOULD_CROSS"), first.text
    assert again["status"] == 409 and again["result"]["error"]["code"] == "REPLACE_PARTLY_FAILED", again
    assert (again["result"]["cancelled"]["hash"], again["result"]["cancelled"]["status"]) == (hashes[0], "cancelled")
    assert again["result"]["refused"] is None  # why is not kept: no code a bot would branch on
    assert unknown["error"]["code"] == "INVALID_FIELD" and "replace-v2" in unknown["error"]["message"]
    assert statuses == ["cancelled", "open", None]  # the newer kind's order not placed, nor its cancel applied
    client.close()


def test_a_cancel_delivered_again_is_not_counted_against_the_makers_limit_twice(
    database_url: str, tmp_path: Path
) -> None:
    """Read, counted and applied, then lost with an engine that died before storing it: delivered again, it must
    not be refused for the limit its first delivery spent, leaving the order open. It spends nothing: the maker's
    limit (2 a minute) still lets one fresh cancel through and refuses the next."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    settings = {**engine_settings(redis_url), "rate_limit_address": "2/minute"}
    for exchange in running(prepare(database_url, tmp_path, **settings)):
        _hashes, cancel = four_orders_placed(client, exchange)
        add_cancel(client, "counted", cancel(0))  # the maker's first cancel this minute
        assert answer(client, "counted").get("error") is None
        delivered_unanswered(client, "delivered again", "cancel", cancel(1))  # counted at its first delivery
        add_cancel(client, "second", cancel(2))
        add_cancel(client, "third", cancel(3))

        redelivered, second, third = (answer(client, ticket) for ticket in ("delivered again", "second", "third"))

    assert redelivered.get("error") is None, redelivered
    assert redelivered["order"]["status"] == "cancelled"
    assert second.get("error") is None, second
    assert third["error"]["code"] == "RATE_LIMITED"
    client.close()


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_show_the_streams_backlog_and_what_became_of_each_order(database_url: str, tmp_path: Path) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    outcomes = ("placed", "replayed", "refused")
    before = {outcome: metric("hdex_command_stream_commands_total", outcome=outcome) for outcome in outcomes}
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        signed = body(exchange, 5, 1)  # once: its expiry is read from the clock, which may tick between two
        add(client, "first", signed)
        add(client, "again", signed)  # a replica's retry of the same signed order
        add(client, "garbled", "{not json")
        for ticket in ("first", "again", "garbled"):
            answer(client, ticket)
        with slow_journal_writes(exchange):
            add(client, "slow", body(exchange, 6, 1))
            wait_until_placed(exchange, 2)
            eventually(lambda: metric("hdex_command_stream_pending") == 1, "one order read, not answered")
            assert metric("hdex_command_stream_length") == 1
        answer(client, "slow")
        eventually(lambda: metric("hdex_command_stream_length") == 0, "the stream read empty")
        served = exchange.client.get("/metrics").text
        assert "hdex_command_stream_max_len 10000.0" in served and "hdex_command_stream_pending 0.0" in served
    after = {outcome: metric("hdex_command_stream_commands_total", outcome=outcome) for outcome in outcomes}
    assert {outcome: after[outcome] - before[outcome] for outcome in outcomes} == {
        "placed": 2, "replayed": 1, "refused": 1
    }  # fmt: skip
    client.close()


def test_a_batch_is_answered_with_one_entry_per_replica(database_url: str, tmp_path: Path) -> None:
    """A reply-stream entry per answer cost the engine a Redis command and the replica an entry to read for each
    order: a batch's answers to one replica travel together."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    other = "hdex:replies:other"
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        with client.pipeline(transaction=True) as batch:  # one step: the engine's next read takes all three
            for ticket, reply, nonce in (("a", REPLIES, 1), ("b", other, 2), ("c", REPLIES, 3)):
                batch.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": reply, "body": body(exchange, 5, nonce)})
            batch.execute()
        answer(client, "c")
        assert [c["order"]["status"] for c in answers(client, "a") + answers(client, "c")] == ["open", "open"]
        assert [[a.ticket for a in entry_answers(f)] for _id, f in client.xrange(REPLIES)] == [["a", "c"]]
        assert [[a.ticket for a in entry_answers(f)] for _id, f in client.xrange(other)] == [["b"]]
    client.close()


def test_a_batch_stored_slower_than_a_lease_term_is_answered_once(database_url: str, tmp_path: Path) -> None:
    """The engine claims, every third of a term, the entries idle for a whole term; its own batch still being
    stored is among them and must not be answered twice."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        add(client, "first", body(exchange, 5, 1))
        answer(client, "first")
        with slow_journal_writes(exchange):
            add(client, "slow", body(exchange, 6, 1))
            wait_until_placed(exchange, 2)
            # claimed again while its batch waits: what must not answer it twice
            eventually(
                lambda: client.xpending_range(STREAM, GROUP, "-", "+", 1)[0]["times_delivered"] >= 2,
                "the engine claiming its idle entry",
            )

        answer(client, "slow")
        exchange.drain()
        assert [a["replayed"] for a in answers(client, "slow")] == [False]
        assert client.xpending(STREAM, GROUP)["pending"] == 0
    client.close()


def test_a_clean_stop_answers_the_batch_it_was_storing(postgres_url: str, tmp_path: Path) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    container = prepare(postgres_url, tmp_path, **engine_settings(redis_url))
    exchanges = running(container)
    exchange = next(exchanges)
    add(client, "first", body(exchange, 5, 1))
    answer(client, "first")
    stopped_reading = threading.Event()
    logger = logging.getLogger("backend.trading.usecases.command_stream")
    handler, level = _EventOnMessage("command stream stopped reading", stopped_reading), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    blocker = lock_the_engine_lease(postgres_url)
    stopping = threading.Thread(target=exchanges.close)
    try:
        add(client, "in-flight", body(exchange, 6, 1))
        wait_until_placed(exchange, 2)  # in the book, its batch not stored
        stopping.start()
        assert stopped_reading.wait(30), "the consumer did not wait for its batch in flight"
        blocker.rollback()  # the database answers again: the stop's drain stores the batch
        stopping.join(60)
        assert not stopping.is_alive()

        answered = answer(client, "in-flight", timeout_s=5)
        assert answered["order"]["status"] == "open", answered
        assert client.xpending(STREAM, GROUP)["pending"] == 0
        assert blocker.execute("SELECT count(*) FROM orders").fetchone() == (2,)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        blocker.close()  # the lock goes with it: a stop under way finishes
        if stopping.is_alive():
            stopping.join(60)
        elif stopping.ident is None:
            exchanges.close()
        client.close()


class _EventOnMessage(logging.Handler):
    """Sets `event` when a record whose message starts with `prefix` is logged (from any thread)."""

    def __init__(self, prefix: str, event: threading.Event) -> None:
        super().__init__()
        self._prefix, self._event = prefix, event

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self._prefix):
            self._event.set()


class Term:
    """What `EngineLease.time_left` answers, call by call: the values in turn, the last one from then on."""

    def __init__(self, *left: float) -> None:
        self.left = list(left)

    def __call__(self) -> float:
        return self.left.pop(0) if len(self.left) > 1 else self.left[0]


async def next_tickets(consumer: CommandConsumer) -> tuple[list[bytes], bool]:
    """The tickets of the entries the consumer takes next, and whether it takes them as delivered before."""
    rows, redelivered = await consumer._next_rows()
    return [fields[b"ticket"] for _id, fields in rows], redelivered


def test_a_consumer_whose_lease_term_ran_out_takes_no_entry_until_it_is_renewed() -> None:
    """A process paused past its term may have been deposed without knowing it yet: it reads nothing, and what a
    read it was paused in returns is left pending (not applied) until the lease is renewed; then it is read again
    from this consumer's pending list. Taken and applied, it would wait a whole term for the new holder's claim."""

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_database(13))
        term = Term(2.0)
        consumer = CommandConsumer(client, lambda: None, lambda _host, _hash: None, CONSUMER, 3600.0, term)
        try:
            assert (await next_tickets(consumer))[0] == []  # the group made, nothing pending: reading new entries now
            await client.xadd(STREAM, {"id": "o", "ticket": "o", "reply": REPLIES, "body": "{}"})

            term.left = [0.5]  # less than a read may wait
            assert (await next_tickets(consumer))[0] == []
            assert (await client.xpending(STREAM, GROUP))["pending"] == 0  # not taken

            term.left = [2.0, 0.0]  # the term runs out while the read waits
            assert (await next_tickets(consumer))[0] == []
            assert (await client.xpending(STREAM, GROUP))["consumers"] == [{"name": CONSUMER.encode(), "pending": 1}]

            term.left = [2.0]  # renewed
            assert await next_tickets(consumer) == ([b"o"], True)  # from the pending list
            await client.xadd(STREAM, {"id": "p", "ticket": "p", "reply": REPLIES, "body": "{}"})
            assert (await next_tickets(consumer))[0] == []  # the rest of the pending list
            assert await next_tickets(consumer) == ([b"p"], False)  # a new entry
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_consumer_that_may_not_read_still_shows_the_backlog_on_metrics() -> None:
    """Its lease not renewed (the database away): it takes nothing, and the orders waiting must show on /metrics, else
    HdexCommandStreamStalled keeps the last length read, perhaps none, and never fires."""

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_database(13))
        term = Term(2.0)
        consumer = CommandConsumer(client, lambda: None, lambda _host, _hash: None, CONSUMER, 3600.0, term)
        try:
            assert (await next_tickets(consumer))[0] == []  # the group made, the stream read empty
            assert metric("hdex_command_stream_length") == 0
            for ticket in ("a", "b"):
                await client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": "{}"})
            term.left = [0.5]
            await asyncio.sleep(SAMPLE_INTERVAL_S)

            assert (await next_tickets(consumer))[0] == []
            assert (await client.xpending(STREAM, GROUP))["pending"] == 0  # not taken
            assert metric("hdex_command_stream_length") == 2
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_process_standing_by_shows_no_orders_waiting_on_it_on_metrics() -> None:
    """Its host gone (deposed, or stopped by a storage fault) while orders waited: the process stands by and takes none,
    the one running the book shows the stream. Its last reading kept, HdexCommandStreamStalled would page for it (orders
    wait, it takes none) for as long as it stands by."""

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_database(13))
        term = Term(2.0)
        consumer = CommandConsumer(client, lambda: None, lambda _host, _hash: None, CONSUMER, 3600.0, term)
        running = None
        try:
            assert (await next_tickets(consumer))[0] == []  # the group made, the stream read empty
            for ticket in ("a", "b"):
                await client.xadd(STREAM, {"id": ticket, "ticket": ticket, "reply": REPLIES, "body": "{}"})
            term.left, consumer._next_sample = [0.5], 0.0  # its term running out: it samples, takes nothing
            assert (await next_tickets(consumer))[0] == []
            assert metric("hdex_command_stream_length") == 2

            running = asyncio.create_task(consumer.run())  # its host let go: standing by
            deadline = time.monotonic() + 30
            while metric("hdex_command_stream_length") and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert (metric("hdex_command_stream_length"), metric("hdex_command_stream_pending")) == (0, 0)
            assert await client.xlen(STREAM) == 2  # still waiting, for the process running the book
        finally:
            if running is not None:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            await client.aclose()

    asyncio.run(scenario())


class LosesOneReply(aioredis.Redis):
    """Redis whose first reply to a read that delivered entries is lost on the way (as when this process stalled
    past its read timeout): Redis counts them delivered to the consumer, the consumer never sees them."""

    lost = False

    async def xreadgroup(self, *args: Any, **kwargs: Any) -> Any:
        rows = await super().xreadgroup(*args, **kwargs)
        if any(entries for _stream, entries in rows or ()) and not self.lost:
            self.lost = True
            raise redis.TimeoutError("Timeout reading from 127.0.0.1:6379")
        return rows


def test_entries_delivered_in_a_lost_reply_are_read_again_at_once_not_after_a_lease_term() -> None:
    async def scenario() -> None:
        client = LosesOneReply.from_url(redis_database(13))
        consumer = CommandConsumer(client, lambda: None, lambda _host, _hash: None, CONSUMER, 3600.0, Term(3600.0))
        try:
            assert (await next_tickets(consumer))[0] == []  # the group made, nothing pending: reading new entries now
            await client.xadd(STREAM, {"id": "o", "ticket": "o", "reply": REPLIES, "body": "{}"})
            with pytest.raises(redis.TimeoutError):
                await consumer._next_rows()
            assert (await client.xpending(STREAM, GROUP))["consumers"] == [{"name": CONSUMER.encode(), "pending": 1}]

            assert await next_tickets(consumer) == ([b"o"], True)
        finally:
            await client.aclose()

    asyncio.run(scenario())


class AnswersACancel(aioredis.Redis):
    """Redis whose first blocking read loses its cancel (`LostCancel`: it waits until cancelled, then answers
    that nothing came). Later reads are Redis's own."""

    lost: LostCancel

    async def xread(self, *args: Any, **kwargs: Any) -> Any:
        return await self._read(super().xread, *args, **kwargs)

    async def xreadgroup(self, *args: Any, **kwargs: Any) -> Any:
        return await self._read(super().xreadgroup, *args, **kwargs)

    async def _read(self, read: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("block") is None or self.lost.swallowed:
            return await read(*args, **kwargs)
        return await self.lost.answer(None)


def answering_a_cancel(redis_url: str) -> AnswersACancel:
    client = AnswersACancel.from_url(redis_url)
    client.lost = LostCancel()
    return client


def test_a_replica_stops_reading_answers_when_redis_py_answers_its_cancel() -> None:
    """Else the replica's stop waits on its reader for good."""

    async def scenario() -> tuple[bool, bool]:
        client = answering_a_cancel(redis_database(13))
        reader = asyncio.create_task(CommandStream(client, REPLIES, max_len=10).read_answers())
        try:
            assert await asyncio.to_thread(client.lost.waiting.wait, 30)
            reader.cancel()
            await asyncio.wait([reader], timeout=10)
            return client.lost.swallowed, reader.cancelled()
        finally:
            reader.cancel()
            await client.aclose()

    assert asyncio.run(scenario()) == (True, True)


def test_an_engine_process_stops_when_redis_py_answers_the_cancel_of_its_command_reader(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else its stop (a restart, a deploy) waits on the command reader for good, the reader placing orders on."""
    clients: list[AnswersACancel] = []

    def stream_client(redis_url: str) -> AnswersACancel:
        clients.append(answering_a_cancel(redis_url))
        return clients[-1]

    monkeypatch.setattr(command_stream, "stream_client", stream_client)
    exchanges = running(prepare(database_url, tmp_path, **engine_settings(redis_database(12))))
    next(exchanges)
    stopping = threading.Thread(target=exchanges.close, daemon=True)  # daemon: a stop that hangs fails the test only
    try:
        assert clients[0].lost.waiting.wait(30), "the engine's command reader never waited for new commands"
        stopping.start()
        stopping.join(30)
        assert clients[0].lost.swallowed
        assert not stopping.is_alive()
    finally:
        if stopping.ident is None:
            exchanges.close()


def test_a_replica_skips_an_unreadable_answer_entry_and_reads_on() -> None:
    redis_url = redis_database(13)

    async def scenario() -> Answer:
        client = aioredis.Redis.from_url(redis_url)
        stream = CommandStream(client, REPLIES, max_len=10)
        waiting = await stream.submit("0x" + "ab" * 32, "t-1", b"{}", DOMAIN)
        assert waiting is not None
        await client.xadd(REPLIES, {"ticket": "t-1", "answer": "{}"})  # not an engine's (a stray writer's)
        await client.xadd(REPLIES, {"answers": "{not json"})
        await client.xadd(REPLIES, {"answers": "[" * 100_000 + "]" * 100_000})  # past the parser's depth
        await client.xadd(REPLIES, answers_entry([Answer("t-1", order={"hash": "0x01"})]))
        reader = asyncio.create_task(stream.read_answers())
        try:
            return await asyncio.wait_for(waiting, 30)
        finally:
            reader.cancel()
            await client.aclose()

    assert asyncio.run(scenario()).order == {"hash": "0x01"}


def test_a_replica_drops_the_answers_it_has_read_from_its_stream() -> None:
    """Only this replica reads its answer stream: answers handed out must not pile up in Redis's memory up to
    REPLY_STREAM_MAX_LEN batches (gigabytes for a busy replica). What it has not read yet stays."""
    redis_url = redis_database(13)

    async def scenario() -> tuple[int, Answer]:
        client = aioredis.Redis.from_url(redis_url)
        stream = CommandStream(client, REPLIES, max_len=10)
        for n in range(1_000):  # answers to requests that gave up waiting: read, and nothing to hand them to
            await client.xadd(REPLIES, answers_entry([Answer(f"gone-{n}", order={"hash": "0x01"})]))
        waiting = await stream.submit("0x" + "ab" * 32, "t-last", b"{}", DOMAIN)
        assert waiting is not None
        await client.xadd(REPLIES, answers_entry([Answer("t-last", order={"hash": "0x02"})]))
        reader = asyncio.create_task(stream.read_answers())
        try:
            last = await asyncio.wait_for(waiting, 30)
            for _ in range(300):  # the trim follows the read that handed the last answer out
                if await client.xlen(REPLIES) <= 100:
                    break
                await asyncio.sleep(0.01)
            return await client.xlen(REPLIES), last
        finally:
            reader.cancel()
            await client.aclose()

    left, last = asyncio.run(scenario())
    assert last.order == {"hash": "0x02"}
    assert left <= 100  # approximate: the stream's last node, at most 100 entries by Redis's default, may stay


def test_an_entry_that_is_no_command_is_dropped_and_the_commands_behind_it_are_placed(
    database_url: str, tmp_path: Path
) -> None:
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(database_url, tmp_path, **engine_settings(redis_url))):
        client.xadd(STREAM, {"junk": "anyone with access to Redis may write this"})
        add(client, "after", body(exchange, 5, 1))

        assert answer(client, "after")["order"]["status"] == "open"
        eventually(
            lambda: not client.xlen(STREAM) and not client.xpending(STREAM, GROUP)["pending"],
            "the stray entry dropped from the stream",
        )
    client.close()


def test_a_command_nested_past_any_parser_is_refused_and_the_commands_behind_it_are_placed(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Anyone with access to Redis may write a body too deep for Python's JSON parser (RecursionError, no ValueError):
    refused as malformed, it must not end the consumer, which would meet it again after every restart."""
    redis_url = redis_database(13)
    client = redis.Redis.from_url(redis_url)
    for exchange in running(prepare(sqlite_url, tmp_path, **engine_settings(redis_url))):
        add(client, "nested", "[" * 100_000 + "]" * 100_000)
        add(client, "after", body(exchange, 5, 1))

        assert answer(client, "nested")["error"]["code"] == "MALFORMED_JSON"
        assert answer(client, "after")["order"]["status"] == "open"
    client.close()


def test_an_unreadable_answer_fails_only_its_own_request_not_the_batch_it_came_in() -> None:
    """An engine process newer than the replica may refuse with a code the replica does not know: that request is
    told its command may stand; the order placed in the same batch is answered as placed."""
    redis_url = redis_database(13)

    async def scenario() -> tuple[Answer, Answer]:
        client = aioredis.Redis.from_url(redis_url)
        stream = CommandStream(client, REPLIES, max_len=10)
        placed = await stream.submit("0x" + "ab" * 32, "t-ok", b"{}", DOMAIN)
        refused = await stream.submit("0x" + "cd" * 32, "t-new", b"{}", DOMAIN)
        assert placed is not None and refused is not None
        unknown = {"error": {"code": "A_CODE_FROM_THE_FUTURE", "message": "no", "field": None}, "headers": {}}
        entry = {"t-ok": Answer("t-ok", order={"hash": "0x01"}).to_json(), "t-new": unknown}
        await client.xadd(REPLIES, {"answers": json.dumps(entry)})
        reader = asyncio.create_task(stream.read_answers())
        try:
            return await asyncio.wait_for(placed, 30), await asyncio.wait_for(refused, 30)
        finally:
            reader.cancel()
            await client.aclose()

    placed, refused = asyncio.run(scenario())
    assert placed.order == {"hash": "0x01"}
    assert refused.error is not None and refused.error.code.value == "ENGINE_TIMEOUT"
    assert "may stand" in refused.error.message


def test_a_refused_order_answered_while_a_reread_of_it_was_on_its_way_is_not_applied_again(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read fails after order B was placed, so the consumer reads its own pending list again; that reply holds B,
    whose batch is answered (INSUFFICIENT_BALANCE) and acknowledged before the reader gets the reply (a large reply
    takes several turns of the loop). Meanwhile order A, which held the funds, is cancelled: B applied again would
    now be placed, though its client was told it was refused. The interleaving is pinned with events."""
    redis_url = redis_database(12)
    client = redis.Redis.from_url(redis_url)
    state: dict[str, Any] = {"fail_read": False, "applied": []}
    reread, answered = threading.Event(), threading.Event()  # set and awaited on the engine's loop, in order
    real_read, real_store, real_outcome = (
        CommandConsumer._read, CommandConsumer._store_and_answer, CommandConsumer._outcome,
    )  # fmt: skip

    async def read(self: CommandConsumer, cursor: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
        if state.get("reread_returned"):
            state["reads_after"] = True  # the rows the re-read returned are dealt with
        if cursor == ">" and state["fail_read"]:
            state["fail_read"] = False
            raise redis.exceptions.ConnectionError("the reply was lost")
        rows = await real_read(self, cursor)
        if cursor == "0" and any(f.get(b"ticket") == b"B" for _i, f in rows):
            reread.set()  # the reply holds B, still pending
            while not answered.is_set():  # the reply is still being received while B's batch is answered
                await asyncio.sleep(0.01)
            host = self._host()
            assert host is not None
            host.handle(CancelOrder(host.orders[state["a"]]))  # A's funds are free again
            state["reread_returned"] = True
        return rows

    async def store(self: CommandConsumer, durable: asyncio.Future[None], placed: Any) -> None:
        if any(entry.ticket == "B" for entry, _outcome in placed):
            while not reread.is_set():
                await asyncio.sleep(0.01)
            await real_store(self, durable, placed)
            answered.set()
            return
        await real_store(self, durable, placed)

    async def outcome(self: CommandConsumer, host: Any, entry: Any) -> Any:
        result = await real_outcome(self, host, entry)
        state["applied"].append((entry.ticket, type(result).__name__))
        if entry.ticket == "B":
            state["fail_read"] = True
        return result

    monkeypatch.setattr(CommandConsumer, "_read", read)
    monkeypatch.setattr(CommandConsumer, "_store_and_answer", store)
    monkeypatch.setattr(CommandConsumer, "_outcome", outcome)
    for exchange in running(prepare(sqlite_url, tmp_path, **engine_settings(redis_url))):
        # wallet 7 holds 1,000,000 USDC: A (300 WETH at 3,000) holds 900,000 of it, so B (100 WETH) is refused
        command = json.dumps(exchange.signed(exchange.order(7, baseAmount=300 * QTY, nonce=1), 7))
        add(client, "A", command)
        state["a"] = answer(client, "A")["order"]["hash"]
        add(client, "B", json.dumps(exchange.signed(exchange.order(7, baseAmount=100 * QTY, nonce=2), 7)))
        assert answer(client, "B")["error"]["code"] == "INSUFFICIENT_BALANCE"
        eventually(lambda: state.get("reads_after", False), "the rows of the re-read dealt with")
        eventually(lambda: not client.xpending(STREAM, GROUP)["pending"], "B dropped from the pending list")
        exchange.drain()
        assert [ticket for ticket, _kind in state["applied"]] == ["A", "B"]
        assert orders_stored(exchange) == 1  # A only (cancelled): B was never placed
    client.close()


def test_an_answer_redis_refuses_leaves_its_command_pending_and_a_claim_answers_it(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis refuses the answer's XADD (out of memory) but would take the acknowledgement: the command must stay
    pending, or its answer is never sent. A claim after a lease term answers it (as placed before)."""
    redis_url = redis_database(12)
    client = redis.Redis.from_url(redis_url)
    refusals = {"left": 1}
    real_xadd = aioredis.client.Pipeline.xadd

    def xadd(self: Any, name: Any, fields: Any, *args: Any, **kwargs: Any) -> Any:
        if refusals["left"] and str(name).startswith("hdex:replies:"):
            refusals["left"] -= 1
            return self.execute_command("XADD", name)  # refused as it is queued, as XADD out of memory is
        return real_xadd(self, name, fields, *args, **kwargs)

    monkeypatch.setattr(aioredis.client.Pipeline, "xadd", xadd)
    for exchange in running(prepare(sqlite_url, tmp_path, **engine_settings(redis_url))):
        add(client, "lost-answer", body(exchange, 5, 1))
        found = answer(client, "lost-answer", timeout_s=60)  # after the claim, a lease term later
        assert found["order"]["status"] == "open" and found["replayed"] is True
        assert refusals["left"] == 0 and orders_stored(exchange) == 1
        eventually(lambda: not client.xpending(STREAM, GROUP)["pending"], "answered and acknowledged")
    client.close()
