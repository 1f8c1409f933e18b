"""`GET /v1/markets/{market}/candles`: every candle answered holds all its interval's trades. A `start` or `end`
inside an interval (ccxt's `since` is any millisecond) widens to the whole interval rather than labelling part
of one as the full candle; past the trade limit the oldest, partly read candle is left out, not answered short."""

from __future__ import annotations

from typing import Any

import pytest

from backend.db.models import Fill
from backend.marketdata import queries

from .exchange_fixtures import MARKET, Exchange, wallet

HOUR = 3_600_000
MINUTE = 60_000
H = 1_699_999_200_000  # an hour's start, long past


def trades_at(exchange: Exchange, *at: tuple[int, int]) -> None:
    """Store a fill of `MARKET` at each (time ms, price)."""
    with exchange.container.uow() as uow:
        for n, (time_ms, price) in enumerate(at):
            uow.session.add(
                Fill(
                    id=1_000 + n, market=MARKET, maker_order_hash="0x" + "01" * 32, taker_order_hash="0x" + "02" * 32,
                    maker=wallet(5), taker=wallet(6), maker_side=1, price=price, base_amount=n + 1,
                    quote_amount=(n + 1) * price, maker_fee=0, taker_fee=0, status="settled", tx_hash=None,
                    failure=None, failure_reason=None, released=False, created_at_ms=time_ms,
                )
            )  # fmt: skip
        uow.commit()


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


def test_past_the_trade_limit_the_partly_read_oldest_candle_is_left_out(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_TICKS", 3)
    trades_at(sqlite_exchange, (H + 10 * MINUTE, 10), (H + 61 * MINUTE, 11), (H + 62 * MINUTE, 12),
              (H + 63 * MINUTE, 13), (H + 121 * MINUTE, 14), (H + 122 * MINUTE, 15))  # fmt: skip
    candles = hourly(sqlite_exchange, start=H, end=H + 3 * HOUR)
    assert [(c["start"], c["open"], c["trades"]) for c in candles] == [(H + 2 * HOUR, "14", 2)]
    # under the limit, every candle is whole
    monkeypatch.setattr(queries, "MAX_TICKS", 6)
    assert [c["trades"] for c in hourly(sqlite_exchange, start=H, end=H + 3 * HOUR)] == [1, 3, 2]
