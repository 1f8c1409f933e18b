"""Prometheus metrics shared by the API and the background loops (`GET /metrics`)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "hdex_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "hdex_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CHAIN_BLOCK = Gauge("hdex_chain_block_number", "Latest block number seen by /health")
DATABASE_UP = Gauge("hdex_database_up", "1 when the database answered the last health check")
