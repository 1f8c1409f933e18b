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
DATABASE_UP = Gauge("hdex_database_up", "1 when the database answered the last /health check, 0 when it did not")
# NaN (neither up nor down) until this process's first /health: a worker never serves one, and a 0 from a process
# nobody checked yet would page HdexDatabaseDown for a database that is fine
DATABASE_UP.set(float("nan"))
INDEXER_LAST_BLOCK = Gauge("hdex_indexer_last_block", "Last block the indexer scanned")
INDEXER_FINAL_BLOCK = Gauge("hdex_indexer_final_block", "Block up to which the ledger is final")
INDEXER_LAG = Gauge("hdex_indexer_lag_blocks", "Chain head minus the last scanned block")
INDEXER_REORGS = Gauge("hdex_indexer_reorgs", "Reorgs the indexer has undone")
INDEXER_EVENTS = Counter("hdex_indexer_events_total", "Exchange events stored by the indexer")
INDEXER_ERRORS = Counter("hdex_indexer_errors_total", "Indexer polls that failed (RPC or database)")

# Operator risk and price feeds (issue 14, backend.monitoring): one reading per monitoring pass, each with the
# threshold it is judged against, so that the rules of ops/prometheus/alerts.yml follow the settings.
MONITOR_LAST_PASS = Gauge(
    "hdex_monitor_last_pass_timestamp_seconds",
    "When this process's last pass of a monitoring job ended (0: none since it started)",
    ["part"],
)  # operator: the operator checks; feeds: the price feeds; aml: the AML job. Apart, so that one part's passes
# never hide another that stopped (`hdex up` runs the feed pass while `hdex worker` runs the other two)
MONITOR_CHECK_FAILURES = Counter(
    "hdex_monitor_check_failures_total", "Monitoring checks that could not read their source", ["check"]
)
OPERATOR_BALANCE = Gauge("hdex_operator_balance_wei", "The operator (relayer) account's ETH balance")
OPERATOR_BALANCE_MIN = Gauge("hdex_operator_balance_min_wei", "GAS_LOW below this operator balance")
SETTLEMENT_OLDEST_AGE = Gauge(
    "hdex_settlement_oldest_unsettled_age_seconds", "Age of the oldest fill not yet settled (0: none waits)"
)
SETTLEMENT_MAX_DELAY = Gauge("hdex_settlement_max_delay_seconds", "SETTLEMENT_DELAYED beyond this fill age")
WITHDRAWAL_OLDEST_AGE = Gauge(
    "hdex_withdrawal_oldest_pending_age_seconds", "Age of the oldest withdrawal not yet relayed (0: none waits)"
)
WITHDRAWAL_MAX_DELAY = Gauge("hdex_withdrawal_max_delay_seconds", "SETTLEMENT_DELAYED beyond this withdrawal age")
MONITOR_INDEXER_LAG = Gauge(
    "hdex_monitor_indexer_lag_blocks", "Chain head minus the indexer's stored cursor, as the monitor reads them"
)
MONITOR_INDEXER_MAX_LAG = Gauge("hdex_monitor_indexer_max_lag_blocks", "INDEXER_LAG beyond this many blocks")
LEDGER_DIFFERENCES = Gauge("hdex_ledger_differences", "Differences the last reconciliation found (ledger vs chain)")
WITHDRAWALS_PAUSED = Gauge("hdex_withdrawals_paused", "1 while withdrawals are paused until staff clear it")
SCREENING_LIST_AGE = Gauge("hdex_screening_list_age_seconds", "Age of each source's active sanctions list", ["source"])
SCREENING_LIST_MAX_AGE = Gauge("hdex_screening_list_max_age_seconds", "SCREENING_LIST_STALE beyond this age")
FEED_UP = Gauge("hdex_price_feed_up", "1 when the market's price feed answered a usable round", ["market"])
FEED_AGE = Gauge("hdex_price_feed_age_seconds", "Age of the feed's answer at the chain head's time", ["market"])
FEED_MAX_AGE = Gauge("hdex_price_feed_max_age_seconds", "The longest age the Exchange trusts the feed", ["market"])
FEED_DEVIATION = Gauge(
    "hdex_price_feed_deviation_bps", "Last trade price against the feed's, in basis points of the feed's", ["market"]
)
FEED_ALERT_BPS = Gauge("hdex_price_feed_alert_bps", "FEED_DEVIATION beyond this deviation", ["market"])
FEED_HALT_BPS = Gauge("hdex_price_feed_halt_bps", "The market halts beyond this deviation", ["market"])
# scale-out (issue 17): the engine process's command stream, read about once a second by its consumer
COMMAND_STREAM_LENGTH = Gauge("hdex_command_stream_length", "Orders in the command stream the engine has not answered")
COMMAND_STREAM_PENDING = Gauge("hdex_command_stream_pending", "Orders an engine process read and has not answered yet")
COMMAND_STREAM_MAX_LEN = Gauge(
    "hdex_command_stream_max_len", "HDEX_COMMAND_STREAM_MAX_LEN: at this length replicas answer 503 ENGINE_BUSY"
)
COMMAND_STREAM_COMMANDS = Counter(
    "hdex_command_stream_commands_total", "Commands the engine process took from the stream", ["outcome"]
)  # placed; replayed: placed before (a retry, a redelivery); refused: answered with an error; cancelled: a cancel
# or a bulk cancel applied; replaced: a cancel-replace applied whole
ENGINE_HOST = Gauge(
    "hdex_engine_host", "1 for the state of this process's engine host as /health says it, 0 for the others", ["state"]
)  # running; standby: another process holds the engine lease; stopped: until the next lease round; off
ENGINE_SYNC_FAILURES = Counter(
    "hdex_engine_sync_failures_total", "Rounds of the engine host's sync with the database that failed", ["kind"]
)  # database: a fault it retries; unexpected: any other exception (a bug: logged with its traceback)
ENGINE_SYNC_LAST_SUCCESS = Gauge(
    "hdex_engine_sync_last_success_timestamp_seconds",
    "When the engine host last followed the database (deposits, settled fills' holds, chain cancels, the deny list)",
)
ENGINE_HOST_STOPS = Counter(
    "hdex_engine_host_stops_total",
    "Engine hosts this process let go after they stopped, its process standing by",
    ["reason"],
)  # storage: a batch could not be stored; lease_lost: another process took the engine lease over
# Each reason's series from the start, at 0: a series that first appears at 1 has no increase() for
# HdexEngineHostStopped, so a process's first stop (as often its only one) would page nobody.
for _reason in ("storage", "lease_lost"):
    ENGINE_HOST_STOPS.labels(_reason)
for _kind in ("database", "unexpected"):
    ENGINE_SYNC_FAILURES.labels(_kind)
COMMAND_STREAM_CLAIMED = Counter(
    "hdex_command_stream_claimed_total", "Orders claimed after a lease term unanswered (a dead or deposed reader's)"
)
