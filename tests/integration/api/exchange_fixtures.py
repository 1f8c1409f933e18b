"""An API with an Exchange address, one market and funded wallets, on a real database, without a chain.

Balances are credited through the ledger service exactly as the indexer credits final deposits,
so everything above the ledger (checks, holds, matching, persistence) runs for real.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.api.app import create_app
from backend.bootstrap import Container, bootstrap
from backend.chain.deployments import record_deployments
from backend.chain.devkeys import DEV_KEYS
from backend.db import migrate
from backend.db.models import ChainEvent, Fill, LedgerBalance, Reservation
from backend.db.models import Order as OrderRow
from backend.engine import MarketState
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.settings import Settings, load_settings
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market

from ..devchain import WIDE_LIMITS

CHAIN_ID = 31337
EXCHANGE = "0x" + "e1" * 20
WETH = "0x" + "0a" * 20
USDC = "0x" + "0b" * 20
MARKET = "WETH-USDC"
TICK = 10**4  # 0.01 USDC per WETH
LOT = 10**15  # 0.001 WETH
PRICE = 3_000 * 10**6  # 3,000 USDC per WETH: quote base units per 1e18 base units
QTY = 10**18  # 1 WETH
FUNDED_WETH = 100 * 10**18
FUNDED_USDC = 1_000_000 * 10**6


def wallet(index: int) -> str:
    return str(Account.from_key(DEV_KEYS[index]).address)


@dataclass
class Exchange:
    """The running app and the helpers tests sign with."""

    client: TestClient
    container: Container
    domain: Domain

    def order(self, key_index: int = 5, **fields: Any) -> Order:
        values: dict[str, Any] = {
            "maker": wallet(key_index),
            "baseToken": WETH,
            "quoteToken": USDC,
            "side": 0,
            "baseAmount": QTY,
            "limitPrice": PRICE,
            "triggerPrice": 0,
            "maxFeeRate": 2_000,
            "nonce": time.time_ns(),
            "expiry": int(time.time()) + 3600,
            "flags": 0,
        }
        values.update(fields)
        return Order(**values)

    def signed(self, order: Order, key_index: int = 5, domain: Domain | None = None) -> dict[str, Any]:
        """The POST /v1/orders body of `order` signed with dev key `key_index`."""
        digest = order_digest(domain or self.domain, order)
        signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest)
        return {"order": order_json(order), "signature": "0x" + signature.hex()}

    def place(self, key_index: int = 5, **fields: Any) -> Any:
        return self.client.post("/v1/orders", json=self.signed(self.order(key_index, **fields), key_index))

    def sync(self) -> None:
        """One round of the engine host following the database (as its loop does every second)."""
        app: Any = self.client.app
        self.client.portal.call(app.state.trading.sync_once)  # type: ignore[union-attr]

    def drain(self) -> None:
        """Wait until the engine host's open batch is written to the database."""
        app: Any = self.client.app
        self.client.portal.call(app.state.trading.host.drain)  # type: ignore[union-attr]

    def state(self) -> dict[str, Any]:
        """Everything a rejected request must leave untouched: trading tables, ledger, engine."""
        app: Any = self.client.app
        host = app.state.trading.host
        self.drain()
        with self.container.uow() as uow:
            tables = {
                model.__tablename__: sorted(
                    tuple(str(getattr(row, c)) for c in model.__table__.columns.keys())  # noqa: SIM118
                    for row in uow.session.scalars(select(model))
                )
                for model in (OrderRow, Fill, Reservation, LedgerBalance)
            }
        return {**tables, "engine": host.engine.state_hash(), "reserved": dict(host.accounts.reserved)}


def order_json(order: Order) -> dict[str, Any]:
    return {
        name: value if isinstance(value, str) else (value if name in ("side", "maxFeeRate", "flags") else str(value))
        for name, value in order._asdict().items()
    }


def fund(container: Container, address: str, token: str, amount: int) -> None:
    """Credit `amount` in the ledger, as a final deposit would."""
    with container.uow() as uow:
        ledger.post(
            uow.session,
            [
                ledger.NewTransaction(
                    "deposit",
                    f"test:{address}:{token}:{time.time_ns()}",
                    [Posting(EXTERNAL, token, -amount), Posting(address, token, amount)],
                )
            ],
        )
        uow.commit()


def record_nonce_floor(container: Container, address: str, floor: int) -> None:
    """Store the Exchange's NonceFloorRaised for `address` as the indexer would (pending, block 5); the host
    takes it in at its next sync or start."""
    with container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=5, block_hash="0x" + "11" * 32, tx_hash="0x" + "22" * 32,
                log_index=0, contract=EXCHANGE, name="NonceFloorRaised",
                args={"wallet": address, "nonceFloor": str(floor)}, status="pending",
            )
        )  # fmt: skip
        uow.commit()


def fixture_settings(database_url: str, data_dir: Path, **settings: Any) -> Settings:
    """The settings `prepare` gives its container: the tests' defaults, then `settings`."""
    return load_settings(
        _env_file=None,
        database_url=database_url,
        data_dir=data_dir,
        **{"redis_url": None, "trading_sync_interval": 60.0, "engine_fsync": False, **WIDE_LIMITS, **settings},
    )


def prepare(database_url: str, data_dir: Path, **settings: Any) -> Container:
    """A migrated database with the Exchange recorded, the market and funded dev traders 5..9."""
    migrate.upgrade(database_url)
    container = bootstrap(fixture_settings(database_url, data_dir, **settings))
    with container.uow() as uow:
        record_deployments(uow.session, CHAIN_ID, {"Exchange": EXCHANGE, "WETH": WETH, "USDC": USDC}, 1)
        add_market(
            uow.session,
            Market(MARKET, WETH, USDC, "WETH", "USDC", 18, 6, TICK, LOT, 10 * 10**6, 1_000, 2_000, MarketState.OPEN),
        )
        uow.commit()
    from backend.trading.rules.accounts import checksum

    for index in range(5, 10):
        fund(container, wallet(index), checksum(WETH), FUNDED_WETH)
        fund(container, wallet(index), checksum(USDC), FUNDED_USDC)
    return container


def running(container: Container, client_ip: str = "testclient") -> Iterator[Exchange]:
    with TestClient(create_app(container), client=(client_ip, 50000)) as client:
        yield Exchange(client, container, Domain(CHAIN_ID, EXCHANGE))
    container.db_engine.dispose()
