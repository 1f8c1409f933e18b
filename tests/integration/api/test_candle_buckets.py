"""`GET /v1/markets/{market}/candles`: every candle answered holds all its interval's trades. A `start` or `end`
inside an interval (ccxt's `since` is any millisecond) widens to the whole interval rather than labelling part
of one as the full candle. Candles are stored as the engine host writes its fills (one transaction), so a candle
stays whole across batches and however many trades its interval holds; migration 0025 fills them in from the fills
stored before it."""

from __future__ import annotations

import random
from typing import Any

from backend.marketdata.candles import INTERVALS_MS, bucket
from backend.trading.hosting.persistence import BatchRows, write_batch

from .exchange_fixtures import MARKET, Exchange, wallet

HOUR = 3_600_000
MINUTE = 60_000
H = 1_699_999_200_000  # an hour's start, long past


def fill_row(n: int, time_ms: int, price: int, base: int = 0) -> dict[str, Any]:
    """Fill `n` of `MARKET` at `time_ms` and `price`, of `base` (default n + 1) base units, as the host writes it."""
    base = base or n + 1
    return {
        "id": 1_000 + n, "market": MARKET, "maker_order_hash": "0x" + "01" * 32, "taker_order_hash": "0x" + "02" * 32,
        "maker": wallet(5), "taker": wallet(6), "maker_side": 1, "price": price, "base_amount": base,
        "quote_amount": base * price, "maker_fee": 0, "taker_fee": 0, "status": "settled", "tx_hash": None,
        "failure": None, "failure_reason": None, "released": False, "created_at_ms": time_ms,
    }  # fmt: skip


def trades_at(exchange: Exchange, *at: tuple[int, int], first: int = 0) -> None:
    """Store a fill of `MARKET` at each (time ms, price) in one batch of the engine host's writer."""
    with exchange.container.session_factory() as session:
        write_batch(session, BatchRows(fills=[fill_row(first + n, t, p) for n, (t, p) in enumerate(at)]))
        session.commit()


def hourly(exchange: Exchange, start: int, end: int) -> list[dict[str, Any]]:
    answer = exchange.client.get(f"/v1/markets/{MARKET}/candles", params={"interval": "1h", "start": start, "end": end})
    assert answer.status_code == 200, answer.text
    candles: list[dict[str, Any]] = answer.json()["candles"]
    return candles


def test_a_start_and_an_end_inside_an_interval_answer_that_whole_interval(sqlite_exchange: Exchange) -> None:
    trades_at(sqlite_exchange, (H + 10 * MINUTE, 10), (H + 40 * MINUTE, 20), (H + 70 * MINUTE, 30),
              (H + 100 * MINUTE, 25))  # fmt: skip
    first, second = hourly(sqlite_exchange, start=H + 30 * MINUTE, end=H + 80 * MINUTE)
    assert (first["start"], first["open"], first["low"], first["close"], first["baseVolume"], first["trades"]) == (
        H, "10", "10", "20", "3", 2,
    )  # fmt: skip
    assert (second["start"], second["open"], second["close"], second["trades"]) == (H + HOUR, "30", "25", 2)


def test_a_candle_written_over_several_batches_is_whole(sqlite_exchange: Exchange) -> None:
    trades_at(sqlite_exchange, (H + 10 * MINUTE, 10), (H + 20 * MINUTE, 30))
    trades_at(sqlite_exchange, (H + 30 * MINUTE, 5), first=2)
    trades_at(sqlite_exchange, (H + 50 * MINUTE, 20), (H + 70 * MINUTE, 40), first=3)
    first, second = hourly(sqlite_exchange, start=H, end=H + 2 * HOUR)
    assert (first["open"], first["high"], first["low"], first["close"], first["baseVolume"], first["trades"]) == (
        "10", "30", "5", "20", str(1 + 2 + 3 + 4), 4,
    )  # fmt: skip
    assert (second["open"], second["close"], second["quoteVolume"], second["trades"]) == ("40", "40", "200", 1)


def test_every_interval_agrees_with_its_fills_written_in_many_batches(exchange: Exchange) -> None:
    """Batches of fills through a day, the daily candle included: each interval's candles are exactly those of its
    fills, counted one by one (amounts past 64 bits, as 18-decimal tokens have)."""
    rng = random.Random(7)
    fills, n = [], 0
    for batch in range(40):
        rows = []
        for at in sorted(H + batch * 35 * MINUTE + rng.randrange(35 * MINUTE) for _ in range(rng.randint(1, 60))):
            rows.append(fill_row(n, at, rng.randint(90, 110), rng.randint(1, 10**20)))
            n += 1
        with exchange.container.session_factory() as session:
            write_batch(session, BatchRows(fills=rows))
            session.commit()
        fills += rows
    for interval, size in INTERVALS_MS.items():
        expected: dict[int, list[int]] = {}
        for fill in fills:  # id order, as the trades happened
            at, price = bucket(fill["created_at_ms"], size), fill["price"]
            c = expected.setdefault(at, [price, price, price, price, 0, 0, 0])
            c[1], c[2], c[3] = max(c[1], price), min(c[2], price), price
            c[4], c[5], c[6] = c[4] + fill["base_amount"], c[5] + fill["quote_amount"], c[6] + 1
        answer = exchange.client.get(
            f"/v1/markets/{MARKET}/candles", params={"interval": interval, "start": H, "end": H + 40 * 35 * MINUTE}
        )
        got = {
            c["start"]: [int(c["open"]), int(c["high"]), int(c["low"]), int(c["close"]), int(c["baseVolume"]),
                         int(c["quoteVolume"]), c["trades"]]
            for c in answer.json()["candles"]
        }  # fmt: skip
        assert got == expected, interval


def test_a_window_is_at_most_1500_intervals_apart_so_at_most_1501_whole_ones(sqlite_exchange: Exchange) -> None:
    """Widened to whole intervals, a window 1,500 intervals apart mid-interval covers 1,501; one a millisecond wider
    would cover 1,502 and is refused (the README's promise: at most 1,500 apart, at most 1,501 answered)."""
    start = H + 30_000  # mid-minute
    trades_at(sqlite_exchange, *((H + n * MINUTE, 10) for n in range(0, 1_502, 50)))  # in its first and last minutes

    def window(end: int) -> Any:
        return sqlite_exchange.client.get(
            f"/v1/markets/{MARKET}/candles", params={"interval": "1m", "start": start, "end": end}
        )

    widest = window(start + 1_500 * MINUTE)
    assert widest.status_code == 200, widest.text
    assert [c["start"] for c in widest.json()["candles"]][::30] == [H, H + 1_500 * MINUTE]
    wider = window(start + 1_500 * MINUTE + 1)
    assert (wider.status_code, wider.json()["error"]["field"]) == (422, "start")
