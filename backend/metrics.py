"""Prometheus metrics shared by the API and the background loops (`GET /metrics`)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("hdex_http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "hdex_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CHAIN_BLOCK = Gauge("hdex_chain_block_number", "Latest block number seen by /health")
DATABASE_UP = Gauge("hdex_database_up", "1 when the database answered the last health check")
INDEXER_LAST_BLOCK = Gauge("hdex_indexer_last_block", "Last block the indexer scanned")
INDEXER_FINAL_BLOCK = Gauge("hdex_indexer_final_block", "Block up to which the ledger is final")
INDEXER_LAG = Gauge("hdex_indexer_lag_blocks", "Chain head minus the last scanned block")
INDEXER_REORGS = Gauge("hdex_indexer_reorgs", "Reorgs the indexer has undone")
INDEXER_EVENTS = Counter("hdex_indexer_events_total", "Exchange events stored by the indexer")
INDEXER_ERRORS = Counter("hdex_indexer_errors_total", "Indexer polls that failed (RPC or database)")
