"""The one settings object. Every value comes from an `HDEX_*` environment variable or `.env`.

The embedded default (no variables at all) is a complete development exchange: a local anvil
chain started from node_modules, a SQLite file under `var/`, in-process queues and rate limits.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.paths import DAPP_DIST

Port = Annotated[int, Field(ge=1, le=65535)]
DEV_CHAIN_ID = 31337  # anvil's


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


# tier limits (issue 13, backend.limits): each KYC level's limits in whole units of the reference token
WholeUnits = Annotated[str, Field(pattern=r"^[0-9]{1,30}(\.[0-9]{1,36})?$", description='e.g. "1000" or "0.5"')]


class LimitTier(BaseModel):
    """One KYC level's limits in whole reference units (decimal strings; JSON keys as in the API)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    withdrawal_daily: WholeUnits = Field(alias="withdrawalDaily")
    withdrawal_30d: WholeUnits = Field(alias="withdrawal30d")
    max_order_notional: WholeUnits = Field(alias="maxOrderNotional")

    @field_validator("withdrawal_daily", "withdrawal_30d", "max_order_notional", mode="before")
    @classmethod
    def _whole_number_as_text(cls, value: object) -> object:
        # JSON integers are exact; a JSON fraction (a float) is not, so fractions must come as strings
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def default_limit_tiers() -> dict[int, LimitTier]:
    """The documented defaults (README, "Tier limits"): per day / per 30 days / per order."""
    return {
        level: LimitTier(withdrawal_daily=daily, withdrawal_30d=monthly, max_order_notional=order)
        for level, (daily, monthly, order) in {
            0: ("1000", "5000", "1000"),
            1: ("20000", "100000", "20000"),
            2: ("250000", "2000000", "250000"),
        }.items()
    }


def _every_limit_level(tiers: dict[int, LimitTier]) -> dict[int, LimitTier]:
    if set(tiers) != {0, 1, 2}:
        raise ValueError("must give the limits of KYC levels 0, 1 and 2")
    return tiers


def _priced_token_keys(prices: dict[str, int]) -> dict[str, int]:
    if any(not 1 <= len(token) <= 42 for token in prices):
        raise ValueError("keys are token symbols or 0x-prefixed addresses")
    return prices


def _read_limits_file(
    path: Path, tiers: dict[int, LimitTier], prices: dict[str, int]
) -> tuple[dict[int, LimitTier], dict[str, int]]:
    """The tiers and fixed prices of HDEX_LIMITS_FILE (each absent key keeps the value given)."""
    import json

    from pydantic import TypeAdapter

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"HDEX_LIMITS_FILE: cannot read {path} as JSON ({exc})") from None
    if not isinstance(document, dict) or not set(document) <= {"tiers", "fixedPrices"}:
        raise ValueError('HDEX_LIMITS_FILE: expected {"tiers": {...}, "fixedPrices": {...}}')
    try:
        if "tiers" in document:
            tiers = _every_limit_level(TypeAdapter(dict[int, LimitTier]).validate_python(document["tiers"]))
        if "fixedPrices" in document:
            price = Annotated[int, Field(gt=0, lt=2**256)]
            prices = _priced_token_keys(TypeAdapter(dict[str, price]).validate_python(document["fixedPrices"]))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"HDEX_LIMITS_FILE: {first['msg']} at {'.'.join(map(str, first['loc']))}") from None
    except ValueError as exc:
        raise ValueError(f"HDEX_LIMITS_FILE: {exc}") from None
    return tiers, prices


class SettingsError(ValueError):
    """Raised when the environment holds a setting HDEX cannot run with; the message names it."""


class Settings(BaseSettings):
    """HDEX configuration. See the settings table in README.md."""

    model_config = SettingsConfigDict(env_prefix="HDEX_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file <data_dir>/hdex.db"
    )
    redis_url: str | None = Field(default=None, description="absent: in-process queues, in-memory rate limits")
    rpc_url: str | None = Field(default=None, description="absent: start anvil from node_modules")
    chain_id: Annotated[int, Field(gt=0)] = DEV_CHAIN_ID
    confirmations: Annotated[int, Field(ge=0, le=10_000)] = 2
    operator_key: SecretStr | None = Field(
        default=None, description="hex private key of the operator (relayer); dev default: anvil key 1"
    )
    operator_keystore: Path | None = Field(default=None, description="encrypted keystore file")
    operator_keystore_password: SecretStr | None = None
    api_host: str = "127.0.0.1"
    api_port: Port = 8000
    anvil_port: Port = 8545
    anvil_block_time: Annotated[float, Field(ge=0)] = 1.0
    background: Literal["threads", "external"] = Field(
        default="threads", description="threads: hdex up runs indexer and relayer; external: hdex worker does"
    )
    indexer_lease_s: Annotated[float, Field(ge=2, le=3600)] = Field(
        default=15.0, description="how long a dead indexer keeps the chain's lease before another takes over"
    )
    relayer_confirmations: Annotated[int, Field(ge=1, le=10_000)] = 1
    relayer_lease_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        default=30.0, description="how long a dead relayer keeps the operator key's lease before another takes over"
    )
    settlement_batch_size: Annotated[int, Field(ge=1, le=200)] = 20
    settlement_max_wait_s: Annotated[float, Field(ge=0)] = 1.0
    withdrawal_max_gas: Annotated[int, Field(ge=100_000, le=10_000_000)] = Field(
        default=300_000,
        description="the most gas a withdrawal's transaction may take (its estimate with margin): a recipient that "
        "asks for more to take ETH (a contract that burns or demands gas) fails the withdrawal, not the operator key",
    )
    withdrawal_min_value: Annotated[int, Field(ge=0, lt=2**256)] = Field(
        default=10 * 10**6,
        description="reference-token base units (valued as the tier limits value withdrawals): the smallest "
        "withdrawal the relayer takes, as each costs the operator a transaction's gas; default 10 USDC (6 decimals), "
        "0 for none",
    )
    withdrawal_revert_cooldown_s: Annotated[int, Field(ge=0, le=30 * 86_400)] = Field(
        default=86_400,
        description="how long a wallet sends a recipient no ether after its ether withdrawal to it reverted on-chain "
        "(a contract that refused the transfer, or spent more gas on-chain than when tried): each such one costs the "
        "operator a transaction; 0: no wait",
    )
    withdrawal_fee_rate: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=0, description="operator fee on relayed withdrawals, millionths of the amount (<= signed maxFee)"
    )
    sanctions_oracle: str | None = Field(
        default=None, description="address of an isSanctioned(address) oracle; dev: the deployed one"
    )
    screening_cache_s: Annotated[float, Field(ge=0)] = 60.0
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["kv", "json"] = "kv"
    rate_limit_ip: str = Field(default="1200/minute", description="requests per client IP (limits syntax)")
    rate_limit_address: str = Field(default="600/minute", description="signed writes per wallet address")
    rate_limit_auth: str = Field(default="30/minute", description="sign-in nonces and sign-ins per client IP")
    rate_limit_faucet: str = Field(default="5/minute", description="dev faucet requests per client IP")
    rate_limit_sync_s: Annotated[float, Field(gt=0, le=60)] = Field(
        default=0.05,
        description="with Redis: seconds between two exchanges of a process's rate-limit counts with the other "
        "replicas' (a client bursting through N replicas within one exchange gets up to N times its limit)",
    )
    # abuse at scale (issue 17): per-IP WebSocket caps, slow consumers, slow clients, concurrency
    ws_max_connections_per_ip: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=20, description="WebSocket connections one client IP may hold at once (more are closed with 1008)"
    )
    ws_max_subscriptions_per_ip: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=200, description="channels one client IP may subscribe to across its connections (RATE_LIMITED)"
    )
    ws_messages_per_s: Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=10.0,
        description="messages a client IP's WebSockets (together, across reconnects) may send per second on average, "
        "weighed as requests (a book snapshot by depth); more are refused with RATE_LIMITED",
    )
    ws_message_burst: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=100,
        description="the weight of messages a client IP's WebSockets may send at once (subscribing at start)",
    )
    ws_send_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=5.0, description="a WebSocket whose messages wait longer than this to be sent is dropped (1013)"
    )
    http_head_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="a request's line and headers must all arrive within this many seconds"
    )
    http_body_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=30.0,
        description="a request's body must arrive within this many seconds of its headers, and one more for every "
        "8 KiB of it received (a slower client is disconnected, 408 if nothing was answered yet)",
    )
    http_write_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=30.0,
        description="a client must take an answer the server waits to send within this many seconds of waiting, "
        "and one more for every 8 KiB of it taken (a client that stops reading is disconnected)",
    )
    http_keep_alive_s: Annotated[int, Field(ge=1, le=300)] = Field(
        default=5, description="an idle keep-alive HTTP connection is closed after this many seconds"
    )
    http_max_concurrency: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=2_000, description="connections and requests served at once; past it the API answers 503"
    )
    # scale-out (issue 17): API replicas (`hdex api`) hand orders to an engine process over a Redis stream
    command_stream: bool = Field(
        default=False, description="take orders from API replicas over Redis as well (`hdex engine serve` sets it)"
    )
    command_stream_max_len: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        default=10_000, description="orders waiting for the engine at most; past it a replica answers 503, Retry-After"
    )
    engine_consumer: str = Field(
        default="engine-1",
        min_length=1,
        description="the engine process's name in the command stream's group: keep it across its restarts",
    )
    engine_lease_s: Annotated[float, Field(ge=2, le=3600)] = Field(
        default=15.0,
        description="how long a dead engine process keeps the engine lease before a standing-by one takes over",
    )
    engine_url: str | None = Field(
        default=None, description="`hdex api`: the engine process's HTTP URL, which serves every other request"
    )
    command_key: SecretStr | None = Field(
        default=None,
        description="a secret every `hdex api` replica and the engine process share: a replica vouches with it "
        "(HMAC-SHA256) for each order whose signature it checked, and the engine does not recover that "
        "signature again; absent, or a command without a valid mark: the engine checks the signature itself",
    )
    replica_answer_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="`hdex api`: how long an order waits for the engine before 504 ENGINE_TIMEOUT"
    )
    siwe_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated hosts a sign-in message may name; empty: the request's Host (development)",
    )
    session_ttl_s: Annotated[int, Field(ge=60, le=30 * 86_400)] = 86_400
    dapp_dir: Path = Field(default=DAPP_DIST, description="the built web app served at /")
    chain_name: str | None = Field(default=None, description="the chain's name for wallets; default from chain id")
    public_rpc_url: str | None = Field(
        default=None, description="the RPC URL browser wallets use; default on the development chain: rpc_url"
    )
    explorer_url: str | None = Field(default=None, description="a block explorer's base URL, for transaction links")
    # Room for the longest text a door takes (20,000 characters: a forum post, a help article) in any script as
    # most clients send JSON: an emoji escaped is 12 bytes ("\ud83d\ude00"), so 240,000 of them and the rest.
    max_body_bytes: Annotated[int, Field(ge=1024, le=10_000_000)] = 262_144
    max_open_orders: Annotated[int, Field(ge=1, le=100_000)] = 1_000
    immediate_order_max_expiry_s: Annotated[int, Field(ge=1, le=86_400)] = Field(
        default=60, description="an IOC or fill-or-kill order must sign an expiry at most this many seconds ahead"
    )
    settlement_margin_s: Annotated[int, Field(ge=0, le=3_600)] = Field(
        default=10,
        description="an order leaves the book this many seconds before its signed expiry, and one expiring sooner is "
        "refused: the contract skips a trade mined after the expiry (cover batching and block time)",
    )
    engine_fsync: bool = True
    engine_snapshot_every: Annotated[int, Field(ge=1)] = 100_000
    trading_sync_interval: Annotated[float, Field(gt=0, le=60)] = 1.0
    stop_reference_poll_s: Annotated[float, Field(ge=0.1, le=60)] = Field(
        default=2.0,
        description="how often the engine reads each market's reference price (its on-chain price source) to fire "
        "the stop orders waiting for it",
    )
    public_url: str | None = Field(
        default=None,
        description="the web app's base URL, for links in e-mails; default: https://<first HDEX_SIWE_DOMAINS host> "
        "in production, the request's own base URL otherwise",
    )
    smtp_host: str | None = Field(default=None, description="absent: mails are written under <data_dir>/mail/")
    smtp_port: Port = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "HDEX <no-reply@localhost>"
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls: upgrade on the port (587); tls: implicit TLS (465); none: plain"
    )
    staff_session_idle_s: Annotated[int, Field(ge=60, le=86_400)] = 1_800
    staff_session_max_s: Annotated[int, Field(ge=300, le=7 * 86_400)] = 43_200
    staff_lockout_after: Annotated[int, Field(ge=1, le=100)] = Field(
        default=5, description="consecutive failed staff sign-ins before the account is locked"
    )
    staff_lockout_base_s: Annotated[int, Field(ge=1, le=3_600)] = Field(
        default=60, description="the first lock-out; it doubles with each further failure"
    )
    staff_lockout_max_s: Annotated[int, Field(ge=1, le=86_400)] = 3_600
    staff_reset_ttl_s: Annotated[int, Field(ge=60, le=86_400)] = Field(
        default=1_800, description="how long a staff password-reset link works"
    )
    staff_invite_ttl_s: Annotated[int, Field(ge=300, le=30 * 86_400)] = Field(
        default=259_200, description="how long the set-your-password link of a new member of staff works"
    )
    # accounts and KYC (issue 13): documents' storage, uploads, restricted countries, retention, the vendor webhook
    storage_url: str | None = Field(
        default=None, description="s3://bucket[/prefix] for KYC documents; absent: files under <data_dir>/documents"
    )
    storage_endpoint: str | None = Field(
        default=None, description="the S3-compatible server's URL (https://s3.eu-central-1.amazonaws.com, MinIO, ...)"
    )
    storage_access_key: str | None = None
    storage_secret_key: SecretStr | None = None
    storage_region: str | None = None
    kyc_max_upload_bytes: Annotated[int, Field(ge=1024, le=50 * 1024 * 1024)] = Field(
        default=5 * 1024 * 1024, description="the largest KYC document accepted (each file)"
    )
    kyc_restricted_countries: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["KP", "IR", "MM"],
        description="comma-separated ISO 3166-1 alpha-2 codes whose residents cannot pass KYC level 0",
    )
    kyc_retention_days: Annotated[int, Field(ge=1, le=36_500)] = Field(
        default=1_825, description="how long KYC records are kept after a deletion request (AML retention)"
    )
    kyc_webhook_secret: SecretStr | None = Field(
        default=None, description="the KYC vendor's shared HMAC secret; absent: the vendor webhook refuses everything"
    )
    email_verify_ttl_s: Annotated[int, Field(ge=300, le=30 * 86_400)] = Field(
        default=86_400, description="how long an e-mail verification link works"
    )
    email_verify_links_per_address: Annotated[int, Field(ge=1, le=100)] = Field(
        default=3,
        description="verification links one inbox (an e-mail address, any +tag of it) may have out at once, "
        "whichever wallets asked for them: past it, saving the address is refused (429 RATE_LIMITED) until the "
        "oldest expires",
    )
    rate_limit_email_link: str = Field(
        default="10/hour",
        description="saved e-mail addresses per client IP (each mails a verification link): with the per-inbox limit "
        "above, HDEX cannot be made to mail any number of addresses",
    )
    rate_limit_kyc_upload: str = Field(default="10/hour", description="KYC document uploads per client IP")
    rate_limit_kyc_webhook: str = Field(default="120/minute", description="KYC vendor webhook calls per client IP")
    rate_limit_support_upload: str = Field(
        default="30/hour", description="support ticket and reply attachments per client IP (they fill storage)"
    )
    # tier limits (issue 13, backend.limits): README "Tier limits" says how withdrawals and orders are valued
    limits_reference_symbol: str = Field(
        default="USDC", min_length=1, max_length=16, description="the token limits are valued in (a market's symbol)"
    )
    limits_tiers: dict[int, LimitTier] = Field(
        default_factory=default_limit_tiers,
        description='JSON {"0": {"withdrawalDaily": "1000", "withdrawal30d": "5000", "maxOrderNotional": "1000"}, '
        '"1": ..., "2": ...} in whole reference units',
    )
    limits_fixed_prices: dict[str, Annotated[int, Field(gt=0, lt=2**256)]] = Field(
        default_factory=dict,
        description="JSON {token symbol or address: reference base units per 1e18 base units of the token}, for "
        "tokens without a last trade price",
    )
    limits_file: Path | None = Field(
        default=None, description='a JSON file {"tiers": ..., "fixedPrices": ...} in place of the two settings above'
    )
    limits_cache_s: Annotated[float, Field(ge=0, le=300)] = Field(
        default=30.0, description="how long order entry keeps a wallet's level and overrides (0: read at every order)"
    )
    # market risk (issue 14, backend.trading.rules.risk): exchange-wide defaults of every market's bands, circuit
    # breaker and order limits; staff set a market's own (PUT /v1/staff/markets/{market}/risk, `hdex market risk
    # set`), and a value a market leaves unset (null) follows these. Basis points are of the reference price.
    risk_band_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=2_000, description="an aggressive order's limitPrice within this of the reference price (0: no band)"
    )
    risk_breaker_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=1_000, description="a trade this far from the reference within the window halts the market (0: off)"
    )
    risk_alert_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=500, description="a trade this far from the reference raises a volatility alert (0: off)"
    )
    risk_window_s: Annotated[int, Field(ge=1, le=86_400)] = Field(
        default=300, description="the reference is the last trade price this many seconds ago"
    )
    risk_cooldown_s: Annotated[int, Field(ge=1, le=86_400)] = Field(
        default=300, description="how long a tripped breaker keeps the market cancel-only"
    )
    risk_feed_alert_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=300, description="a price feed this far from the last trade raises an alert (0: off)"
    )
    risk_feed_halt_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=1_500, description="a price feed this far from the last trade halts the market (0: off)"
    )
    risk_max_order_base: Annotated[int | None, Field(gt=0, lt=2**256)] = Field(
        default=None, description="the largest order in base-token base units (absent: no limit)"
    )
    risk_max_order_notional: Annotated[int | None, Field(gt=0, lt=2**256)] = Field(
        default=None, description="the largest order notional in quote-token base units (absent: no limit)"
    )
    risk_max_open_notional: Annotated[int | None, Field(gt=0, lt=2**256)] = Field(
        default=None, description="an account's open orders' notional in one market, in quote base units (absent: none)"
    )
    # travel rule (issue 14, backend.risk.travel_rule): withdrawals worth this much carry IVMS101 data
    travel_rule_threshold: Annotated[int, Field(ge=0, lt=2**256)] = Field(
        default=1_000 * 10**6,
        description="reference-token base units (valued as the tier limits value withdrawals) from which a "
        "withdrawal must carry travelRule originator and beneficiary data; default 1,000 USDC (6 decimals)",
    )
    travel_rule_retention_days: Annotated[int, Field(ge=1, le=36_500)] = Field(
        default=1_825,
        description="how long a wallet's travel-rule records are kept after its deletion request (AML record "
        "keeping), then purged with the expired KYC records",
    )
    # operator risk and price-feed monitoring (issue 14, backend.monitoring): README "Monitoring"; a feed's
    # deviation limits are each market's risk settings (`risk_feed_alert_bps`, `risk_feed_halt_bps` above)
    monitor_interval_s: Annotated[float, Field(ge=1, le=3_600)] = Field(
        default=30.0, description="seconds between two monitoring passes (operator checks and price feeds)"
    )
    monitor_gas_min_wei: Annotated[int, Field(ge=0, lt=2**256)] = Field(
        default=2 * 10**17, description="GAS_LOW below this operator (relayer) ETH balance, in wei"
    )
    monitor_settlement_max_delay_s: Annotated[int, Field(ge=1, le=30 * 86_400)] = Field(
        default=300, description="SETTLEMENT_DELAYED once the oldest unsettled fill waited longer"
    )
    monitor_withdrawal_max_delay_s: Annotated[int, Field(ge=1, le=30 * 86_400)] = Field(
        default=900, description="SETTLEMENT_DELAYED once the oldest accepted, unrelayed withdrawal waited longer"
    )
    monitor_indexer_max_lag_blocks: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=50, description="INDEXER_LAG once the indexer's cursor is more blocks behind the chain head"
    )
    monitor_reconcile_interval_s: Annotated[float, Field(ge=0, le=86_400)] = Field(
        default=300.0, description="seconds between reconciliations of the ledger with the chain (0: every pass)"
    )
    monitor_screening_max_age_s: Annotated[int, Field(ge=60, le=365 * 86_400)] = Field(
        default=7 * 86_400, description="SCREENING_LIST_STALE once a source's active sanctions list is older"
    )
    monitor_metrics_port: Port | None = Field(
        default=None, description="where `hdex worker` serves its Prometheus metrics (the operator checks' gauges)"
    )
    # AML monitoring (issue 14, backend.risk.aml, backend.monitoring.aml): docs/aml.md
    aml_rules_file: Path | None = Field(
        default=None,
        description="a TOML file of AML thresholds whose keys replace the shipped defaults "
        "(backend/risk/aml_rules.toml)",
    )

    # alert delivery (issue 14, backend.alerts.delivery): README "Alert delivery"
    alert_email_to: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated addresses mailed each alert at or above the minimum"
    )
    alert_email_min_severity: Literal["info", "warning", "critical"] = Field(
        default="warning", description="the least severity that is mailed (the log and the webhook get every alert)"
    )
    alert_webhook_url: str | None = Field(
        default=None, description="an http(s):// URL each alert is POSTed to as signed JSON; absent: no webhook"
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="the webhook's HMAC-SHA256 key (X-HDEX-Signature); required with the URL"
    )
    alert_webhook_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    alert_delivery_interval_s: Annotated[float, Field(ge=0.1, le=300)] = Field(
        default=5.0, description="seconds between two delivery passes over undelivered alerts"
    )
    account_mail_interval_s: Annotated[float, Field(ge=0.1, le=300)] = Field(
        default=10.0, description="seconds between two passes of the account-mail outbox (fills, withdrawals, news)"
    )
    alert_retry_max_s: Annotated[int, Field(ge=1, le=86_400)] = Field(
        default=900, description="the longest wait before retrying a failed channel (the wait doubles per failure)"
    )
    alert_stream_poll_s: Annotated[float, Field(ge=0.01, le=30)] = Field(
        default=1.0, description="how often GET /v1/staff/alerts/stream looks for new alerts in the store"
    )
    # statistics (issue 16, backend.stats): README "Statistics"
    stats_interval_s: Annotated[float, Field(ge=0.1, le=86_400)] = Field(
        default=60.0, description="seconds between two statistics passes (rollups from new fills, deposits, events)"
    )
    rate_limit_stats_events: str = Field(
        default="30/minute", description="behaviour events (POST /v1/stats/events) per client IP (limits syntax)"
    )
    # support desk (issue 16, backend.support): README "Support desk"
    support_ticket_limit: Annotated[int, Field(ge=1, le=1_000)] = Field(
        default=5, description="tickets one wallet may open per HDEX_SUPPORT_TICKET_WINDOW_S (429 past it)"
    )
    support_ticket_window_s: Annotated[int, Field(ge=60, le=7 * 86_400)] = Field(
        default=3_600, description="the window of the per-wallet ticket and message limits"
    )
    support_message_limit: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=30,
        description="messages (a ticket's first, or a reply) one wallet may send per HDEX_SUPPORT_TICKET_WINDOW_S "
        "(429 TICKET_MESSAGE_LIMIT_REACHED past it)",
    )
    support_max_attachment_bytes: Annotated[int, Field(ge=1024, le=50 * 1024 * 1024)] = Field(
        default=5 * 1024 * 1024, description="the largest ticket attachment accepted (a PNG, JPEG or PDF)"
    )
    # forum (issue 16, backend.forum): README "Forum"; a post is a new thread or a reply
    forum_posts_per_minute: Annotated[int, Field(ge=1, le=1_000)] = Field(
        default=5, description="posts one wallet may write per minute (429 FORUM_POSTING_LIMITED past it)"
    )
    forum_posts_per_hour: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=30, description="posts one wallet may write per hour (429 FORUM_POSTING_LIMITED past it)"
    )
    forum_reports_per_hour: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=20, description="reports of posts one wallet may send per hour (429 FORUM_POSTING_LIMITED past it)"
    )

    @field_validator("alert_email_to", mode="before")
    @classmethod
    def _alert_recipients(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("alert_email_to")
    @classmethod
    def _alert_addresses(cls, value: list[str]) -> list[str]:
        if any(not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+", address) for address in value):
            raise ValueError("must be comma-separated e-mail addresses")
        return value

    @field_validator("alert_webhook_url")
    @classmethod
    def _alert_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value or None

    @model_validator(mode="after")
    def _immediate_orders_placeable(self) -> Settings:
        if self.settlement_margin_s >= self.immediate_order_max_expiry_s:
            raise ValueError(
                "HDEX_SETTLEMENT_MARGIN_S must be below HDEX_IMMEDIATE_ORDER_MAX_EXPIRY_S: an order expiring within "
                "the margin is refused, so no IOC or fill-or-kill order could be placed"
            )
        return self

    @model_validator(mode="after")
    def _alert_webhook_signed(self) -> Settings:
        if self.alert_webhook_url is not None and not self.alert_webhook_secret:
            raise ValueError("HDEX_ALERT_WEBHOOK_URL needs HDEX_ALERT_WEBHOOK_SECRET (receivers verify each call)")
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "rate_limit_ip",
        "rate_limit_address",
        "rate_limit_auth",
        "rate_limit_faucet",
        "rate_limit_email_link",
        "rate_limit_kyc_upload",
        "rate_limit_kyc_webhook",
        "rate_limit_support_upload",
        "rate_limit_stats_events",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("must be a rate like '600/minute' or '10/second;600/minute'") from None
        return value

    @field_validator("siwe_domains", "kyc_restricted_countries", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("kyc_restricted_countries")
    @classmethod
    def _country_codes(cls, value: list[str]) -> list[str]:
        codes = [code.upper() for code in value]
        if any(len(code) != 2 or not code.isalpha() for code in codes):
            raise ValueError("must be ISO 3166-1 alpha-2 codes, like KP,IR")
        return codes

    @field_validator("storage_url")
    @classmethod
    def _storage_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        bucket = value.removeprefix("s3://").partition("/")[0]
        if not value.startswith("s3://") or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
            raise ValueError("must be an s3://bucket[/prefix] URL (a bucket name: 3-63 of a-z, 0-9, '.', '-')")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// or rediss:// URL")
        return value or None

    @field_validator("rpc_url", "public_rpc_url")
    @classmethod
    def _rpc_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return value or None

    @field_validator("explorer_url", "engine_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/")

    @field_validator("sanctions_oracle")
    @classmethod
    def _oracle_address(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 42 or not value.startswith("0x")):
            raise ValueError("must be a 0x-prefixed 20-byte address")
        return value or None

    @field_validator("operator_key")
    @classmethod
    def _hex_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value().removeprefix("0x")
        if len(raw) != 64 or any(c not in "0123456789abcdefABCDEF" for c in raw):
            raise ValueError("must be 32 bytes of hex (64 hex digits, optional 0x)")
        return SecretStr("0x" + raw.lower())

    @field_validator("command_key")
    @classmethod
    def _long_command_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be a secret of at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("limits_tiers")
    @classmethod
    def _every_level(cls, value: dict[int, LimitTier]) -> dict[int, LimitTier]:
        return _every_limit_level(value)

    @field_validator("limits_fixed_prices")
    @classmethod
    def _priced_tokens(cls, value: dict[str, int]) -> dict[str, int]:
        return _priced_token_keys(value)

    @model_validator(mode="after")
    def _limits_from_file(self) -> Settings:
        if self.limits_file is not None:
            self.limits_tiers, self.limits_fixed_prices = _read_limits_file(
                self.limits_file, self.limits_tiers, self.limits_fixed_prices
            )
        return self

    @model_validator(mode="after")
    def _command_stream_needs_redis(self) -> Settings:
        if self.command_stream and self.redis_url is None:
            raise ValueError("HDEX_COMMAND_STREAM needs HDEX_REDIS_URL (the stream lives in Redis)")
        return self

    @model_validator(mode="after")
    def _production_refuses_dev_defaults(self) -> Settings:
        if self.operator_keystore is not None and self.operator_keystore_password is None:
            raise ValueError("HDEX_OPERATOR_KEYSTORE needs HDEX_OPERATOR_KEYSTORE_PASSWORD")
        if self.env is not Environment.PRODUCTION:
            return self
        if self.rpc_url is None:
            raise ValueError("production needs HDEX_RPC_URL (anvil is for development only)")
        if self.operator_key is None and self.operator_keystore is None:
            raise ValueError("production needs HDEX_OPERATOR_KEY or HDEX_OPERATOR_KEYSTORE")
        if self.operator_key is not None and self.operator_key.get_secret_value() in DEV_KEYS:
            raise ValueError("production refuses a well-known anvil development key as operator key")
        if self.database_url is None or self.database_url.startswith("sqlite"):
            raise ValueError("production needs a PostgreSQL HDEX_DATABASE_URL")
        if not self.siwe_domains:
            # The request's Host is the client's to choose: a phishing site could relay its visitors' signatures.
            raise ValueError("production needs HDEX_SIWE_DOMAINS, the hosts that serve the dApp")
        if self.smtp_host is None or "smtp_from" not in self.model_fields_set:
            # Without a server every mail (staff invitations, e-mail verification links, support replies, alerts) is
            # written under <data_dir>/mail and reported sent; from no-reply@localhost, most servers refuse it.
            raise ValueError(
                "production needs HDEX_SMTP_HOST and HDEX_SMTP_FROM: without them staff invitations, e-mail "
                "verification links and support replies are written under <data_dir>/mail and reach no one"
            )
        if "confirmations" not in self.model_fields_set or self.confirmations == 0:
            # The default (2) is anvil's: a deeper reorg would take back deposits already credited and traded.
            raise ValueError(
                "production needs HDEX_CONFIRMATIONS, at least 1: the blocks after which the chain's events are final "
                "(mainnet: 64; an L2: per its finality)"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file under data_dir."""
        if self.database_url is not None:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hdex.db').resolve()}"

    @property
    def embedded_chain(self) -> bool:
        """True when HDEX starts its own anvil node (no RPC URL configured)."""
        return self.rpc_url is None

    @property
    def development_chain(self) -> bool:
        """True on anvil's development chain in a development environment (the dev faucet runs only here)."""
        return self.env is Environment.DEVELOPMENT and self.chain_id == DEV_CHAIN_ID

    @property
    def secure_cookies(self) -> bool:
        """Cookies go over HTTPS only, except in development (plain http on loopback)."""
        return self.env is not Environment.DEVELOPMENT

    def link_base(self, request_base: str) -> str:
        """The base URL of links in e-mails. Outside development a request's Host is the client's to choose,
        so a reset link must not be built from it (it would send the token to the attacker's host)."""
        if self.public_url is not None:
            return self.public_url
        if self.env is Environment.PRODUCTION and self.siwe_domains:
            return f"https://{self.siwe_domains[0]}"
        return request_base.rstrip("/")

    @property
    def effective_rpc_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.anvil_port}"

    def operator_private_key(self) -> str:
        """The operator's key: explicit, from the keystore, or (development only) anvil's key."""
        if self.operator_key is not None:
            return self.operator_key.get_secret_value()
        if self.operator_keystore is not None:
            from eth_account import Account

            assert self.operator_keystore_password is not None  # checked by the validator
            password = self.operator_keystore_password.get_secret_value()
            # Read when first used, not at load (every command loads settings; decrypting costs a key derivation):
            # a missing file or a wrong password is then one line naming the variable, not a traceback.
            try:
                keyfile = self.operator_keystore.read_text(encoding="utf-8")
            except OSError as exc:
                raise SettingsError(
                    f"HDEX_OPERATOR_KEYSTORE: cannot read {self.operator_keystore}: {exc.strerror or exc}"
                ) from None
            try:
                key = "0x" + bytes(Account.decrypt(keyfile, password)).hex()
            except (ValueError, TypeError, KeyError) as exc:
                raise SettingsError(
                    f"HDEX_OPERATOR_KEYSTORE: cannot decrypt {self.operator_keystore} with "
                    f"HDEX_OPERATOR_KEYSTORE_PASSWORD ({exc}): a wrong password, or not a keystore file"
                ) from None
            if self.env is Environment.PRODUCTION and key in DEV_KEYS:
                # the validator can only check a raw key; a keystore's is known once decrypted
                raise SettingsError(
                    "HDEX_OPERATOR_KEYSTORE: production refuses a well-known anvil development key as operator key"
                )
            return key
        return DEV_KEYS[OPERATOR_INDEX]


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise SettingsError with one readable line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            name = f"HDEX_{field.upper()}" if field else "settings"
            problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
