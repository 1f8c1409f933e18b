"""Market data: aggregated books, trades, candles and 24h tickers, and their fan-out to WebSockets.

`candles` is pure aggregation; `queries` reads history from the database; `hub` keeps the live
views (book levels with sequence numbers, current candles) and delivers channel messages to
subscribers through a `bus`: Redis pub/sub when a Redis URL is set, in-process otherwise.
"""
