"""The exchange of the API tests (one WETH-USDC market, funded dev traders 5..9) with the default tier
limits, on SQLite and PostgreSQL; helpers to withdraw, sign in and change a wallet's level."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.accounts.levels import set_level
from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.db.models import WithdrawalRequest, WithdrawalValuation
from backend.settings import default_limit_tiers
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import USDC, Exchange, prepare, running, wallet
from ..api.siwe_messages import sign_in_body

DEFAULT_LIMITS: dict[str, Any] = {"limits_tiers": default_limit_tiers(), "limits_fixed_prices": {}}
USDC_UNIT = 10**6


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The API exchange under the default (documented) tier limits."""
    yield from running(prepare(database_url, tmp_path, **DEFAULT_LIMITS))


def withdraw(exchange: Exchange, amount: int, token: str = USDC, key_index: int = 5) -> Any:
    """POST a signed withdrawal of `amount` base units of `token` by dev wallet `key_index`."""
    _, body = Signer(DEV_KEYS[key_index], exchange.domain).withdrawal_body(checksum(token), amount, 0)
    return exchange.client.post("/v1/withdrawals", json=body)


def stored_withdrawals(exchange: Exchange) -> list[tuple[str, str, str]]:
    """Every withdrawal request and valuation row, for "nothing was stored" checks."""
    with exchange.container.uow() as uow:
        requests = [("request", r.hash, r.status) for r in uow.session.scalars(select(WithdrawalRequest))]
        values = [("value", v.request_hash, str(v.value)) for v in uow.session.scalars(select(WithdrawalValuation))]
        return sorted(requests + values)


def raise_level(exchange: Exchange, key_index: int, level: int) -> None:
    """Give dev wallet `key_index` KYC `level`, as an approved review does."""
    with exchange.container.uow() as uow:
        set_level(
            uow.session, wallet(key_index), level, actor="staff:test@hdex.example", now_ms=time.time_ns() // 10**6
        )
        uow.commit()


def sign_in(exchange: Exchange, key_index: int = 5) -> None:
    """A wallet session (SIWE) for dev wallet `key_index`; the cookie stays in the client."""
    nonce = exchange.client.get("/v1/auth/nonce").json()["nonce"]
    answer = exchange.client.post("/v1/auth/siwe", json=sign_in_body(nonce, key_index))
    assert answer.status_code == 200, answer.text
