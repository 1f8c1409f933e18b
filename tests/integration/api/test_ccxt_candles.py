"""`fetch_ohlcv` with `since` answers the first candles from `since` on, as ccxt's pagination expects, even when the
market was quiet for a long while after `since` (HDEX stores only intervals that traded).

ccxt's manual pagination reads `fetch_ohlcv(symbol, timeframe, since, limit)`, moves `since` past the last candle
and stops at the first empty answer. The adapter used to ask for the `limit` intervals right after `since` alone:
a quiet stretch longer than that answered nothing, and the loop stopped before every candle that came after it.
"""

from __future__ import annotations

from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import hdex

SYMBOL = "WETH/USDC"
MINUTE_MS, HOUR_MS = 60_000, 3_600_000


def trade_once(server: str) -> hdex:
    maker, taker = (hdex({"privateKey": DEV_KEYS[i], "urls": {"api": {"rest": server}}}) for i in (5, 6))
    maker.create_order(SYMBOL, "limit", "sell", 0.5, 3000.5)
    taker.create_order(SYMBOL, "limit", "buy", 0.2, 3000.5, {"timeInForce": "IOC"})
    return taker


def test_candles_since_a_time_before_a_quiet_stretch_are_found_past_it(server: str) -> None:
    bot = trade_once(server)
    since = bot.milliseconds() - 6 * HOUR_MS  # six quiet hours, then the trade
    candles = bot.fetch_ohlcv(SYMBOL, "1m", since=since, limit=5)
    assert [candle[1:] for candle in candles] == [[3000.5, 3000.5, 3000.5, 3000.5, 0.2]]
    assert candles[0][0] >= since and candles[0][0] % MINUTE_MS == 0


def test_ccxts_pagination_from_a_quiet_time_reads_every_candle(server: str) -> None:
    bot = trade_once(server)
    since, found = bot.milliseconds() - 2 * 24 * HOUR_MS, []  # further back than one window of 1,500 minutes
    while since < bot.milliseconds():  # the loop of ccxt's manual ("Pagination", by date)
        page = bot.fetch_ohlcv(SYMBOL, "1m", since=since, limit=100)
        if not page:
            break
        found += page
        since = page[-1][0] + MINUTE_MS
    assert [candle[5] for candle in found] == [0.2]


def test_candles_since_a_time_read_no_interval_twice_across_windows(server: str) -> None:
    bot = trade_once(server)
    since = bot.milliseconds() - 1_500 * MINUTE_MS + 30_000  # mid-interval: windows are whole intervals
    candles = bot.fetch_ohlcv(SYMBOL, "1m", since=since)
    assert len(candles) == 1 and candles[0][5] == 0.2
