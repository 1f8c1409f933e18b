"""Two API replicas (`hdex api`) and an engine process over PostgreSQL and Redis (issue 17): orders through
both replicas meet in one book; killing a replica or the engine mid-burst loses no acknowledged order and
places nothing twice; an engine killed with an order, a cancel or a cancel-replace applied and not yet stored
answers it once started again and ends in the same book, fills and answers as an uninterrupted run; a full
command stream answers 503 with Retry-After at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import redis
from sqlalchemy import select
from websockets.sync.client import connect as ws_connect

from backend.api.replica import DOMAIN_REREAD_S
from backend.chain.deployments import record_deployments
from backend.client.core import KEEPALIVE_EXPIRY_S
from backend.db.models import Fill
from backend.db.models import Order as OrderRow
from backend.signing import Domain, order_digest
from backend.trading.hosting.host import now_ms
from backend.trading.rules.cancels import bulk_cancel_scope
from backend.trading.rules.orders import parse_order_request
from backend.trading.usecases.command_stream import REDIS_READ_TIMEOUT_S

from ..api.exchange_fixtures import CHAIN_ID, MARKET, PRICE, TICK, USDC, WETH, prepare, wallet
from ..api.signed_requests import cancel_after_body, cancel_signature
from ..conftest import free_port
from .cluster import DOMAIN, Cluster, crossing_orders, signed_order

REDIS_URL = os.environ.get("HDEX_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")


def redis_database(number: int) -> str:
    """A Redis database of these tests' own (the command stream's keys are fixed), emptied."""
    assert REDIS_URL is not None
    url = REDIS_URL.rsplit("/", 1)[0] + f"/{number}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture(scope="module")
def cluster(
    postgres_server: Any, migrated_postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """One engine process and two replicas for the tests that kill nothing (each uses orders of its own)."""
    data_dir = tmp_path_factory.mktemp("cluster")
    with postgres_server.database(template=migrated_postgres_template) as url:
        prepare(url, data_dir).db_engine.dispose()
        running = Cluster(url, data_dir, redis_database(9))
        try:
            running.start()
            yield running
        finally:
            running.stop()


def stored(database_url: str) -> dict[str, Any]:
    """What the engine made durable, without times or row ids: each order's state and each fill."""
    from backend.bootstrap import bootstrap
    from backend.settings import load_settings

    container = bootstrap(load_settings(_env_file=None, database_url=database_url, redis_url=None))
    try:
        with container.uow() as uow:
            orders = sorted((o.hash, o.status, o.filled, o.reserved) for o in uow.session.scalars(select(OrderRow)))
            fills = sorted(
                (f.maker_order_hash, f.taker_order_hash, f.price, f.base_amount, f.quote_amount, f.maker_fee)
                for f in uow.session.scalars(select(Fill))
            )
        return {"orders": orders, "fills": fills}
    finally:
        container.db_engine.dispose()


def test_orders_through_both_replicas_match_in_one_book(cluster: Cluster) -> None:
    buy = signed_order(5, 0, PRICE, nonce=1)
    sell = signed_order(6, 1, PRICE, nonce=1)

    placed = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=buy)
    taken = httpx.post(f"{cluster.replica_url(1)}/v1/orders", json=sell)

    assert (placed.status_code, taken.status_code) == (201, 201), (placed.text, taken.text)
    assert taken.json()["status"] == "filled"
    # Reads pass through a replica to the engine process: the resting buy was filled by the other replica's sell.
    maker_view = httpx.get(f"{cluster.replica_url(1)}/v1/orders/{placed.json()['hash']}").json()
    assert (maker_view["status"], maker_view["filled"]) == ("filled", buy["order"]["baseAmount"])
    assert httpx.get(f"{cluster.replica_url(0)}/v1/markets/{MARKET}/book").status_code == 200


def test_the_websocket_through_a_replica_streams_an_order_placed_through_the_other_and_passes_every_frame(
    cluster: Cluster,
) -> None:
    url = cluster.replica_url(0).replace("http://", "ws://") + "/v1/ws"
    with ws_connect(url) as ws:
        ws.send(json.dumps({"op": "subscribe", "channel": "book", "market": MARKET}))
        assert json.loads(ws.recv(timeout=5)) == {"op": "subscribed", "channel": f"book:{MARKET}"}
        snapshot = json.loads(ws.recv(timeout=5))
        assert snapshot["type"] == "snapshot"
        price = PRICE - 20 * TICK  # below every other test's orders: a level of its own
        placed = httpx.post(f"{cluster.replica_url(1)}/v1/orders", json=signed_order(9, 0, price, nonce=5))
        assert placed.status_code == 201, placed.text

        delta = json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"op": "ping"}).encode())  # a binary frame reaches the engine, which refuses it
        refused = json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"op": "ping"}))
        assert json.loads(ws.recv(timeout=5)) == {"op": "pong"}  # and the socket stays open

    assert (refused["op"], refused["error"]["code"]) == ("error", "MALFORMED_JSON")
    assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
    assert (delta["side"], delta["price"], delta["qty"]) == ("buy", str(price), placed.json()["remaining"]), delta


def test_a_replica_refuses_a_bad_signature_without_a_command(cluster: Cluster) -> None:
    before = stored(cluster.database_url)
    forged = signed_order(5, 0, PRICE, nonce=2)
    forged["order"]["maker"] = signed_order(6, 0, PRICE, nonce=2)["order"]["maker"]

    answer = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=forged)

    assert answer.json()["error"]["code"] == "SIGNER_NOT_MAKER", answer.text
    assert cluster.outstanding() == 0
    assert stored(cluster.database_url) == before


def bad_order_bodies() -> Iterator[tuple[str, bytes]]:
    """Order bodies every door must refuse: not JSON, not an order, each field missing or of a wrong kind."""
    good = signed_order(5, 0, PRICE, nonce=90)
    yield "empty", b""
    yield "not JSON", b"{not json"
    yield "not UTF-8", b'{"order": "\xff"}'
    yield "an array", b"[]"
    yield "nested past any order", b"[" * 50_000 + b"]" * 50_000
    yield "no signature", json.dumps({"order": good["order"]}).encode()
    for field in good["order"]:
        missing = {k: v for k, v in good["order"].items() if k != field}
        yield f"no {field}", json.dumps({**good, "order": missing}).encode()
        for wrong in (None, -1, "abc", 1.5, [], "9" * 90):
            yield f"{field}={wrong!r:.12}", json.dumps({**good, "order": {**good["order"], field: wrong}}).encode()
    for wrong in ("0x", "0x" + "ff" * 65, 5, "0x" + "00" * 64 + "1b"):
        yield f"signature={wrong!r:.12}", json.dumps({**good, "signature": wrong}).encode()
    yield "timeInForce unknown", json.dumps({**good, "timeInForce": "XYZ"}).encode()
    yield "clientOrderId too long", json.dumps({**good, "clientOrderId": "x" * 500}).encode()


def test_a_replica_refuses_a_bad_order_as_the_engine_process_does_without_a_command(cluster: Cluster) -> None:
    """A replica is a door of its own: each body is refused with the error the engine process's own door gives
    it (the same typed code and status), and nothing reaches the stream or the database."""
    before = stored(cluster.database_url)
    differences = []
    with httpx.Client(timeout=30, headers={"content-type": "application/json"}) as http:
        for name, body in bad_order_bodies():
            answers = []
            for base in (cluster.replica_url(0), cluster.engine_url):
                answer = http.post(f"{base}/v1/orders", content=body)
                assert 400 <= answer.status_code < 500, (name, answer.text)
                answers.append((answer.status_code, answer.json()["error"]["code"]))
            if answers[0] != answers[1]:
                differences.append((name, *answers))

    assert differences == []
    assert cluster.outstanding() == 0
    assert stored(cluster.database_url) == before


def test_a_cancel_through_a_replica_takes_the_stream_and_is_answered_as_the_engine_process_answers_it(
    cluster: Cluster,
) -> None:
    placed = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(6, 1, PRICE + 30 * TICK, nonce=40))
    assert placed.status_code == 201, placed.text
    order_hash = placed.json()["hash"]
    cancels_before = commands_taken(cluster, "cancelled")

    def both(path: str, body: Any) -> list[tuple[int, str]]:
        return refusals_of_both(cluster, "DELETE", path, body)

    signed = {"signature": cancel_signature(DOMAIN, order_hash, 6)}
    assert both(f"/v1/orders/{order_hash}", {"signature": cancel_signature(DOMAIN, order_hash, 6, 7)}) == [
        (401, "SIGNER_NOT_MAKER")
    ] * 2
    assert both(f"/v1/orders/{'0x' + 'cd' * 32}", signed) == [(404, "ORDER_NOT_FOUND")] * 2
    assert both("/v1/orders/0x12", signed) == [(422, "INVALID_FIELD")] * 2
    assert both(f"/v1/orders/{order_hash}", None) == [(422, "INVALID_FIELD")] * 2
    cancelled = httpx.request("DELETE", f"{cluster.replica_url(1)}/v1/orders/{order_hash}", json=signed)
    assert both(f"/v1/orders/{order_hash}", signed) == [(409, "ORDER_NOT_OPEN")] * 2

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["hash"], cancelled.json()["status"]) == (order_hash, "cancelled")
    assert (order_hash, "cancelled") in {(o[0], o[1]) for o in stored(cluster.database_url)["orders"]}
    assert commands_taken(cluster, "cancelled") == cancels_before + 1
    assert replica_answered(cluster, "DELETE", "/v1/orders/{orderHash}", 200) == 1


def test_a_bulk_cancel_through_a_replica_takes_the_stream_and_is_answered_as_the_engine_process_answers_it(
    cluster: Cluster,
) -> None:
    hashes = set()
    for n in range(2):
        placed = httpx.post(f"{cluster.replica_url(0)}/v1/orders",
                            json=signed_order(6, 1, PRICE + (31 + n) * TICK, nonce=41 + n))  # fmt: skip
        assert placed.status_code == 201, placed.text
        hashes.add(placed.json()["hash"])
    cancels_before = commands_taken(cluster, "cancelled")
    stamp = now_ms()

    def bulk(market: str | None, timestamp: int, signer: int = 6) -> dict[str, Any]:
        signature = cancel_signature(DOMAIN, bulk_cancel_scope(market, timestamp), 6, signer)
        return {"maker": wallet(6), "market": market, "timestamp": str(timestamp), "signature": signature}

    def both(body: dict[str, Any]) -> list[tuple[int, str]]:
        return refusals_of_both(cluster, "POST", "/v1/orders/cancel", body)

    assert both(bulk(MARKET, stamp, signer=7)) == [(401, "SIGNER_NOT_MAKER")] * 2
    assert both(bulk("NOPE-USDC", stamp)) == [(404, "UNKNOWN_MARKET")] * 2
    assert both({**bulk(MARKET, stamp), "timestamp": "soon"}) == [(422, "INVALID_FIELD")] * 2
    cancelled = httpx.post(f"{cluster.replica_url(1)}/v1/orders/cancel", json=bulk(MARKET, stamp))
    assert both(bulk(MARKET, stamp)) == [(422, "CANCEL_EXPIRED")] * 2  # its timestamp is used

    assert cancelled.status_code == 200, cancelled.text
    assert hashes <= set(cancelled.json()["cancelled"])
    assert {o[1] for o in stored(cluster.database_url)["orders"] if o[0] in hashes} == {"cancelled"}
    assert commands_taken(cluster, "cancelled") == cancels_before + 1


def test_a_replace_through_a_replica_takes_the_stream_and_is_answered_as_the_engine_process_answers_it(
    cluster: Cluster,
) -> None:
    def place(key_index: int, side: int, ticks: int, nonce: int) -> str:
        placed = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(key_index, side,
                                                                                      PRICE + ticks * TICK, nonce))
        assert placed.status_code == 201, placed.text
        return str(placed.json()["hash"])

    def replace_body(key_index: int, old: str, new: dict[str, Any], signer: int | None = None) -> dict[str, Any]:
        return {"cancel": {"orderHash": old, "signature": cancel_signature(DOMAIN, old, key_index, signer)}, **new}

    def both(body: dict[str, Any]) -> list[tuple[int, str]]:
        return refusals_of_both(cluster, "POST", "/v1/orders/replace", body)

    old = place(7, 0, -50, nonce=60)
    ask = place(8, 1, 60, nonce=62)  # what a post-only bid at PRICE + 60 ticks would cross
    replaced_before = commands_taken(cluster, "replaced")

    moved = httpx.post(f"{cluster.replica_url(1)}/v1/orders/replace",
                       json=replace_body(7, old, signed_order(7, 0, PRICE - 51 * TICK, nonce=61)))  # fmt: skip
    assert moved.status_code == 201, moved.text
    new = moved.json()["order"]["hash"]
    crossing = signed_order(7, 0, PRICE + 60 * TICK, nonce=64, flags=4)  # post-only
    partly = httpx.post(f"{cluster.replica_url(1)}/v1/orders/replace", json=replace_body(7, new, crossing))
    again = signed_order(7, 0, PRICE - 52 * TICK, nonce=65)
    assert both(replace_body(7, old, again)) == [(409, "ORDER_NOT_OPEN")] * 2
    assert both(replace_body(8, ask, signed_order(8, 1, PRICE + 61 * TICK, nonce=63), signer=9)) == [
        (401, "SIGNER_NOT_MAKER")
    ] * 2
    assert both(replace_body(8, ask, signed_order(9, 1, PRICE + 61 * TICK, nonce=63))) == [(422, "INVALID_FIELD")] * 2

    assert (moved.json()["cancelled"]["hash"], moved.json()["cancelled"]["status"]) == (old, "cancelled")
    assert moved.json()["order"]["status"] == "open"
    assert partly.status_code == 409, partly.text
    assert (partly.json()["error"]["code"], partly.json()["refused"]["code"]) == (
        "REPLACE_PARTLY_FAILED", "POST_ONLY_WOULD_CROSS"
    )
    assert (partly.json()["cancelled"]["hash"], partly.json()["cancelled"]["status"]) == (new, "cancelled")
    statuses = {o[0]: o[1] for o in stored(cluster.database_url)["orders"]}
    assert (statuses[old], statuses[new], statuses[ask]) == ("cancelled", "cancelled", "open")
    assert commands_taken(cluster, "replaced") == replaced_before + 1
    assert replica_answered(cluster, "POST", "/v1/orders/replace", 201) == 1


def test_a_cancel_after_through_a_replica_takes_the_stream_and_is_answered_as_the_engine_process_answers_it(
    cluster: Cluster,
) -> None:
    stamp = now_ms()
    switched_before = commands_taken(cluster, "cancelled")

    def both(body: dict[str, Any]) -> list[tuple[int, str]]:
        return refusals_of_both(cluster, "POST", "/v1/orders/cancel-after", body)

    armed = httpx.post(f"{cluster.replica_url(1)}/v1/orders/cancel-after",
                       json=cancel_after_body(DOMAIN, 9, 60_000, MARKET, stamp))  # fmt: skip
    assert both(cancel_after_body(DOMAIN, 9, 60_000, MARKET, stamp + 1, signer_index=8)) == [
        (401, "SIGNER_NOT_MAKER")
    ] * 2
    assert both(cancel_after_body(DOMAIN, 9, 1_000, MARKET, stamp + 2)) == [(422, "TIMEOUT_OUT_OF_RANGE")] * 2
    assert both(cancel_after_body(DOMAIN, 9, 60_000, "NOPE-USDC", stamp + 3)) == [(404, "UNKNOWN_MARKET")] * 2
    assert both(cancel_after_body(DOMAIN, 9, 60_000, MARKET, stamp)) == [(422, "CANCEL_EXPIRED")] * 2
    off = httpx.post(f"{cluster.replica_url(0)}/v1/orders/cancel-after",
                     json=cancel_after_body(DOMAIN, 9, 0, MARKET, stamp + 4))  # fmt: skip

    assert armed.status_code == 200, armed.text
    assert (armed.json()["maker"], armed.json()["market"], armed.json()["timeoutMs"]) == (wallet(9), MARKET, 60_000)
    assert stamp + 60_000 <= armed.json()["deadline"] <= now_ms() + 60_000
    assert (off.status_code, off.json()["deadline"]) == (200, None), off.text
    assert commands_taken(cluster, "cancelled") == switched_before + 2


def refusals_of_both(cluster: Cluster, method: str, path: str, body: Any) -> list[tuple[int, str]]:
    """What a replica and the engine process's own door answer the same refused request: (status, code) each."""
    answers = [httpx.request(method, f"{base}{path}", json=body) for base in (cluster.replica_url(1),
                                                                               cluster.engine_url)]
    return [(answer.status_code, answer.json()["error"]["code"]) for answer in answers]


def commands_taken(cluster: Cluster, outcome: str) -> float:
    """How many commands the engine process took from the stream with this outcome: one that did not count a
    request was passed on over HTTP."""
    return metric(cluster.engine_url, f'hdex_command_stream_commands_total{{outcome="{outcome}"}}')


def replica_answered(cluster: Cluster, method: str, route: str, status: int) -> float:
    """How many requests replica 1 answered on `route` with `status`, counted under the engine router's route."""
    labels = f'method="{method}",route="{route}",status="{status}"'
    return metric(cluster.replica_url(1), f"hdex_http_requests_total{{{labels}}}")


def metric(base_url: str, sample: str) -> float:
    """One sample of a process's /metrics (0 before it is first counted)."""
    for line in httpx.get(f"{base_url}/metrics").text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_replica_s_order_answers_carry_the_rate_limit_headers_as_every_other_answer(cluster: Cluster) -> None:
    placed = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(8, 0, PRICE - 30 * TICK, nonce=11))
    refused = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json={"order": {}})
    passed_on = httpx.get(f"{cluster.replica_url(0)}/v1/markets/{MARKET}/ticker")  # answered by the engine process

    for answer in (placed, refused, passed_on):
        assert answer.headers.get("X-RateLimit-Limit") == "1000000", (answer.request.url, answer.headers)
        assert answer.headers["X-RateLimit-Weight"] == "1"
        assert int(answer.headers["X-RateLimit-Remaining"]) < 1_000_000
    assert (placed.status_code, refused.status_code) == (201, 422), (placed.text, refused.text)


def test_a_replica_without_redis_answers_503_and_places_nothing(cluster: Cluster) -> None:
    before = stored(cluster.database_url)
    cut_off = cluster.start_replica(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    answer = httpx.post(f"{cluster.replica_url(cut_off)}/v1/orders", json=signed_order(8, 0, PRICE - TICK, nonce=4))

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "UNAVAILABLE"
    assert "Redis" in answer.json()["error"]["message"]
    assert stored(cluster.database_url) == before


def test_a_replica_s_health_is_the_engine_process_s_with_its_own_redis_and_engine_connection(cluster: Cluster) -> None:
    """A balancer checking replicas must take out one that cannot hand orders on, whatever the engine process says
    (here 503 itself: the cluster runs without a chain)."""
    cut_off = cluster.start_replica(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    orphan = cluster.start_replica(engine_url=f"http://127.0.0.1:{free_port()}")

    engine = httpx.get(f"{cluster.engine_url}/health", timeout=10)
    well, no_redis, no_engine = (httpx.get(f"{cluster.replica_url(i)}/health", timeout=10)
                                 for i in (0, cut_off, orphan))  # fmt: skip

    reading = {"answers": "reading"}  # each replica's answer reader runs
    assert (well.status_code, well.json()["replica"]) == (engine.status_code, {"redis": "ok", "engine": "ok"} | reading)
    passed_on = ("status", "database", "chain", "redis", "engine", "contracts")
    assert {key: well.json()[key] for key in passed_on} == {key: engine.json()[key] for key in passed_on}
    assert (no_redis.status_code, no_redis.json()["status"]) == (503, "degraded"), no_redis.text
    assert no_redis.json()["replica"] == {"redis": "error", "engine": "ok"} | reading
    assert (no_redis.json()["engine"], no_redis.json()["redis"]) == ("running", "ok")  # the engine process's own
    assert no_engine.status_code == 503, no_engine.text
    assert no_engine.json() == {"status": "degraded", "replica": {"redis": "ok", "engine": "unreachable"} | reading}


class WithholdingProxy:
    """A TCP proxy to Redis that can stop passing Redis's replies on (`withhold`), as when Redis stalls after
    taking a command or its answers are lost on the way: a client then cannot tell whether its command was taken."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.passing = threading.Event()
        self.passing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def withhold(self) -> None:
        self.passing.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, self.passing), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, gate: threading.Event | None) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if gate is not None and not gate.is_set():
                    continue  # lost on the way
                sink.sendall(data)

    def close(self) -> None:
        self.listener.close()


def test_a_replica_that_cannot_tell_whether_redis_took_an_order_says_it_may_stand(cluster: Cluster) -> None:
    """Redis took the command but its reply never came back: the order is placed, so the client must not be told
    the exchange is unavailable as if nothing happened, but that the order may stand and resending is safe."""
    parts = urlsplit(cluster.redis_url)
    proxy = WithholdingProxy((parts.hostname or "127.0.0.1", parts.port or 6379))
    try:
        withheld = cluster.start_replica(redis_url=f"redis://127.0.0.1:{proxy.port}{parts.path}")
        warm = signed_order(8, 0, PRICE - 71 * TICK, nonce=31)  # its connections to Redis made: the next order is sent
        assert httpx.post(f"{cluster.replica_url(withheld)}/v1/orders", json=warm, timeout=30).status_code == 201
        body = signed_order(8, 0, PRICE - 70 * TICK, nonce=30)
        proxy.withhold()

        answer = httpx.post(f"{cluster.replica_url(withheld)}/v1/orders", json=body, timeout=30)
        again = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=body, timeout=30)  # the client's retry
    finally:
        proxy.close()

    assert (answer.status_code, answer.json()["error"]["code"]) == (504, "ENGINE_TIMEOUT"), answer.text
    assert "may stand" in answer.json()["error"]["message"]
    assert again.status_code == 200, again.text  # it had been placed: placed once, answered as placed
    assert [o[0] for o in stored(cluster.database_url)["orders"]].count(again.json()["hash"]) == 1


def test_a_duplicated_command_places_once(cluster: Cluster) -> None:
    body = signed_order(7, 0, PRICE - 10 * TICK, nonce=3)

    async def send_everywhere() -> list[httpx.Response]:
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(
                *(client.post(f"{cluster.replica_url(i % 2)}/v1/orders", json=body) for i in range(6))
            )

    answers = asyncio.run(send_everywhere())

    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 200, 201], [a.text for a in answers]
    order_hash = answers[0].json()["hash"]
    assert {a.json()["hash"] for a in answers} == {order_hash}
    assert [o[0] for o in stored(cluster.database_url)["orders"]].count(order_hash) == 1


def test_a_batch_through_a_replica_places_each_order_once_in_its_order_and_refuses_only_the_bad_ones(
    cluster: Cluster,
) -> None:
    buy = signed_order(8, 0, PRICE - 50 * TICK, nonce=200)
    forged = signed_order(8, 0, PRICE - 51 * TICK, nonce=201)
    forged["order"]["maker"] = wallet(9)
    sell = signed_order(9, 1, PRICE - 50 * TICK, nonce=200)  # crosses `buy`, sent before it in the batch
    not_an_order = {"order": {"maker": "0x12"}}

    batch = {"orders": [buy, forged, not_an_order, sell, buy]}
    answer = httpx.post(f"{cluster.replica_url(0)}/v1/orders/batch", json=batch)

    assert answer.status_code == 200, answer.text
    assert answer.headers["X-RateLimit-Weight"] == "10"  # as the engine process's own door weighs a batch
    results = answer.json()["results"]
    assert [(r["status"], (r["error"] or {}).get("code")) for r in results] == [
        (201, None), (401, "SIGNER_NOT_MAKER"), (422, "INVALID_FIELD"), (201, None), (200, None),
    ]  # fmt: skip
    assert results[3]["order"]["status"] == "filled"  # the buy before it was placed first
    assert results[4]["order"]["hash"] == results[0]["order"]["hash"]  # the same order again: placed once
    assert [o[0] for o in stored(cluster.database_url)["orders"]].count(results[0]["order"]["hash"]) == 1
    assert cluster.outstanding() == 0


def test_a_replica_refuses_a_batch_that_is_not_one_as_the_engine_process_does_without_a_command(
    cluster: Cluster,
) -> None:
    before = stored(cluster.database_url)
    one = signed_order(8, 0, PRICE - 60 * TICK, nonce=210)
    bodies: list[Any] = [{"orders": []}, {"orders": [one] * 21}, {"orders": one}, [one], {"order": one}]
    answers = [refusals_of_both(cluster, "POST", "/v1/orders/batch", body) for body in bodies]
    assert answers == [[(422, "INVALID_FIELD")] * 2] * len(bodies)
    too_big = {"orders": [{**one, "clientOrderId": "x" * 100_000}]}
    assert refusals_of_both(cluster, "POST", "/v1/orders/batch", too_big) == [(413, "BODY_TOO_LARGE")] * 2
    assert cluster.outstanding() == 0
    assert stored(cluster.database_url) == before


def test_an_engine_and_a_replica_stalled_past_the_redis_read_timeout_take_orders_again_once_resumed(
    cluster: Cluster,
) -> None:
    """A stalled VM or a long pause: each process's Redis read in flight times out when it wakes (the client's
    read timeout, `REDIS_READ_TIMEOUT_S`). The engine's stream reader and the replica's answer reader must read
    on, and the order sent meanwhile through the other replica must be placed once the engine wakes."""
    assert cluster.engine is not None

    def place(index: int, nonce: int) -> httpx.Response:
        body = signed_order(9, 0, PRICE - (40 + nonce) * TICK, nonce)
        return httpx.post(f"{cluster.replica_url(index)}/v1/orders", json=body, timeout=30)

    for index, nonce in ((0, 20), (1, 21)):  # both replicas running (each has the engine's EIP-712 domain)
        assert place(index, nonce).status_code == 201
    stalled = [cluster.engine, cluster.replicas[0][1]]
    for process in stalled:
        process.send_signal(signal.SIGSTOP)
    waking = threading.Timer(REDIS_READ_TIMEOUT_S + 1, lambda: [p.send_signal(signal.SIGCONT) for p in stalled])
    waking.start()
    try:
        meanwhile = place(1, 22)
    finally:
        waking.join()
    after = place(0, 23)

    assert meanwhile.status_code == 201, meanwhile.text
    assert after.status_code == 201, after.text
    assert {meanwhile.json()["hash"], after.json()["hash"]} <= {o[0] for o in stored(cluster.database_url)["orders"]}


def test_a_replica_takes_orders_for_a_redeployed_exchange_once_the_engine_runs_on_it(
    postgres_url: str, tmp_path: Path
) -> None:
    """The Exchange redeployed and the engine process restarted on it: a replica that read the former domain
    reads it again when a signature does not recover to its maker under it, instead of refusing every order
    for the new Exchange until it is restarted; an order signed for the former one is then refused."""
    prepare(postgres_url, tmp_path).db_engine.dispose()
    cluster = Cluster(postgres_url, tmp_path, redis_database(10))
    cluster.start(replicas=1)
    url = f"{cluster.replica_url(0)}/v1/orders"
    try:
        assert httpx.post(url, json=signed_order(5, 0, PRICE - TICK, nonce=1), timeout=30).status_code == 201
        domain_read = time.monotonic()  # by the replica, for that order
        cluster.kill_engine()
        redeployed = Domain(CHAIN_ID, "0x" + "e2" * 20)
        record_exchange(postgres_url, redeployed.verifying_contract)
        cluster.start_engine()
        time.sleep(max(0.0, DOMAIN_REREAD_S - (time.monotonic() - domain_read)))  # not read again sooner

        new = httpx.post(url, json=signed_order(5, 0, PRICE - TICK, nonce=2, domain=redeployed), timeout=30)
        former = httpx.post(url, json=signed_order(5, 0, PRICE - TICK, nonce=3), timeout=30)
    finally:
        cluster.stop()

    assert new.status_code == 201, new.text
    assert (former.status_code, former.json()["error"]["code"]) == (401, "SIGNER_NOT_MAKER"), former.text
    assert len(stored(postgres_url)["orders"]) == 2


def record_exchange(database_url: str, exchange: str) -> None:
    """What a redeploy of the Exchange records (the tokens stay where they were)."""
    from backend.bootstrap import bootstrap
    from backend.settings import load_settings

    container = bootstrap(load_settings(_env_file=None, database_url=database_url, redis_url=None))
    try:
        with container.uow() as uow:
            record_deployments(uow.session, CHAIN_ID, {"Exchange": exchange, "WETH": WETH, "USDC": USDC}, 1)
            uow.commit()
    finally:
        container.db_engine.dispose()


def test_killing_a_replica_mid_burst_loses_no_acknowledged_order(postgres_url: str, tmp_path: Path) -> None:
    prepare(postgres_url, tmp_path).db_engine.dispose()
    cluster = Cluster(postgres_url, tmp_path, redis_database(10))
    cluster.start()
    try:
        kill_a_replica_mid_burst(cluster)
    finally:
        cluster.stop()


def kill_a_replica_mid_burst(cluster: Cluster) -> None:
    orders = crossing_orders(240)
    acknowledged: dict[str, dict[str, Any]] = {}
    target = cluster.replica_url(0)

    async def client(batch: list[dict[str, Any]]) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            for body in batch:
                try:
                    answer = await http.post(f"{target}/v1/orders", json=body)
                except httpx.TransportError:
                    return  # the replica died under this request
                assert answer.status_code in (200, 201), answer.text
                acknowledged[answer.json()["hash"]] = answer.json()
                if len(acknowledged) == 60:
                    cluster.kill_replica(0)

    async def burst() -> None:
        await asyncio.gather(*(client(orders[i::8]) for i in range(8)))

    asyncio.run(burst())

    assert 60 <= len(acknowledged) < len(orders)
    kept = {row[0]: row for row in stored(cluster.database_url)["orders"]}
    assert set(acknowledged) <= set(kept)  # every order a client was told about stands
    # Sending everything again through the surviving replica places the rest, and nothing twice.
    with httpx.Client(timeout=10) as http:
        for body in orders:
            answer = http.post(f"{cluster.replica_url(1)}/v1/orders", json=body)
            assert answer.status_code in (200, 201), answer.text
    assert len(stored(cluster.database_url)["orders"]) == len(orders)


Request = tuple[str, str, dict[str, Any]]  # method, path, JSON body


def order_hash(body: dict[str, Any]) -> str:
    return "0x" + order_digest(DOMAIN, parse_order_request(body).order).hex()


def trading_session(count: int) -> list[Request]:
    """`count` crossing orders, with a maker's cancel of its order from three orders back after every sixth and
    a cancel-replace of the order before after every tenth (a new order further from the mid); some of these
    find their order filled already and are refused, the same way in every run."""
    orders = crossing_orders(count)
    requests: list[Request] = []
    for i, body in enumerate(orders):
        requests.append(("POST", "/v1/orders", body))
        if i % 6 == 5:
            old, key = orders[i - 3], 5 + (i - 3) % 5
            signature = cancel_signature(DOMAIN, order_hash(old), key)
            requests.append(("DELETE", f"/v1/orders/{order_hash(old)}", {"signature": signature}))
        if i % 10 == 9:
            old, key = orders[i - 1], 5 + (i - 1) % 5
            side = int(old["order"]["side"])
            new = signed_order(key, side, PRICE + (20 if side else -20) * TICK, nonce=5_000 + i)
            cancel = {"orderHash": order_hash(old), "signature": cancel_signature(DOMAIN, order_hash(old), key)}
            requests.append(("POST", "/v1/orders/replace", {"cancel": cancel, **new}))
    return requests


def run_sequentially(cluster: Cluster, requests: list[Request], kill_at: int | None = None) -> list[tuple[int, Any]]:
    """Send `requests` one after another through both replicas and return each one's (status, error code).

    With `kill_at`, the engine dies with request `kill_at` applied and not stored (`engine_killed_while_storing`);
    the engine started again must answer it, through the replica still waiting, as if nothing had happened."""
    answers = []
    # connections idle while the engine restarts are dropped before the replicas' keep-alive closes them
    with httpx.Client(timeout=60, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)) as http:
        for i, (method, path, body) in enumerate(requests):
            with engine_killed_while_storing(cluster) if i == kill_at else contextlib.nullcontext():
                answer = http.request(method, f"{cluster.replica_url(i % 2)}{path}", json=body)
            assert answer.status_code in (200, 201, 409), answer.text
            answers.append((answer.status_code, answer.json().get("error", {}).get("code")))
    return answers


@contextlib.contextmanager
def engine_killed_while_storing(cluster: Cluster) -> Iterator[None]:
    """While the block sends a command: lock the `orders` table; once the engine's batch waits on the lock, kill the
    engine, release the lock and start the engine again (from a thread: the block waits for its answer)."""
    lock = psycopg.connect(cluster.database_url.replace("+psycopg", ""))
    lock.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
    restarted = threading.Event()

    def kill_and_restart() -> None:
        while not lock.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'orders'::regclass AND NOT granted"
        ).fetchone()[0]:  # type: ignore[index]
            threading.Event().wait(0.01)
        cluster.kill_engine()
        lock.rollback()
        lock.close()
        cluster.start_engine()
        restarted.set()

    threading.Thread(target=kill_and_restart).start()
    yield
    assert restarted.wait(60)


def test_an_engine_killed_mid_burst_ends_in_the_same_book_and_fills_as_an_uninterrupted_run(
    postgres_server: Any, migrated_postgres_template: str, tmp_path: Path
) -> None:
    requests = trading_session(120)

    def run(name: str, kill_at: int | None) -> tuple[dict[str, Any], list[Any]]:
        with postgres_server.database(template=migrated_postgres_template) as url:
            data_dir = tmp_path / name
            data_dir.mkdir()
            prepare(url, data_dir).db_engine.dispose()
            # a replica waits for the engine started again (no resend: a command lost would show as a 504)
            cluster = Cluster(url, data_dir, redis_database(10), answer_timeout_s=45.0)
            try:
                cluster.start()
                answers = run_sequentially(cluster, requests, kill_at)
                book = httpx.get(f"{cluster.replica_url(0)}/v1/markets/{MARKET}/book?depth=100").json()
            finally:
                cluster.stop()
            return {**stored(url), "bids": book["bids"], "asks": book["asks"]}, answers

    uninterrupted, answered = run("uninterrupted", None)
    assert uninterrupted["fills"], "the session crosses: there are trades to compare"
    kinds = [(method, path.count("/")) for method, path, _body in requests]
    taken = list(zip(kinds, answered, strict=True))
    # cancels and replaces took effect and were refused (their order filled): both ways are compared
    for kind, ok in ((("DELETE", 3), 200), (("POST", 3), 201)):
        assert {(kind, (ok, None)), (kind, (409, "ORDER_NOT_OPEN"))} <= set(taken), kind
    # the engine dies with an order, a cancel and a cancel-replace applied and not stored, each in a run of its own
    for kill in ((("POST", 2), (201, None)), (("DELETE", 3), (200, None)), (("POST", 3), (201, None))):
        kill_at = taken.index(kill, 40)
        assert run(f"killed at {kill_at}", kill_at) == (uninterrupted, answered), kill_at


def test_a_full_command_stream_answers_503_with_retry_after(postgres_url: str, tmp_path: Path) -> None:
    prepare(postgres_url, tmp_path).db_engine.dispose()
    # a database of its own: the module's cluster still runs on 9 (and would take these commands)
    cluster = Cluster(postgres_url, tmp_path, redis_database(14), max_len=2)
    try:
        cluster.start(replicas=1)
        url = f"{cluster.replica_url(0)}/v1/orders"
        assert httpx.post(url, json=signed_order(5, 0, PRICE - TICK, nonce=10)).status_code == 201
        assert cluster.engine is not None
        cluster.engine.send_signal(signal.SIGSTOP)  # the engine stops taking commands

        async def three_orders() -> list[httpx.Response]:
            async with httpx.AsyncClient(timeout=30) as client:
                waiting = [
                    asyncio.create_task(client.post(url, json=signed_order(5, 0, PRICE - 2 * TICK, nonce=n)))
                    for n in (11, 12)
                ]
                while cluster.outstanding() < 2:
                    await asyncio.sleep(0.02)
                refused = await client.post(url, json=signed_order(5, 0, PRICE - 2 * TICK, nonce=13))
                cluster.engine.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
                return [refused, *await asyncio.gather(*waiting)]

        refused, *waited = asyncio.run(three_orders())

        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "ENGINE_BUSY"
        assert refused.headers["Retry-After"] == "1"
        assert [a.status_code for a in waited] == [201, 201]  # the waiting ones were kept, not dropped
        assert len(stored(postgres_url)["orders"]) == 3
        # what Prometheus scrapes from each process: the replica's own order entry, the engine's stream
        served = httpx.get(f"{cluster.replica_url(0)}/metrics").text
        assert 'hdex_http_requests_total{method="POST",route="/v1/orders",status="503"} 1.0' in served
        assert 'hdex_http_requests_total{method="POST",route="/v1/orders",status="201"} 3.0' in served
        assert "hdex_command_stream_max_len 2.0" in httpx.get(f"{cluster.engine_url}/metrics").text
    finally:
        if cluster.engine is not None and cluster.engine.poll() is None:
            cluster.engine.send_signal(signal.SIGCONT)
        cluster.stop()
