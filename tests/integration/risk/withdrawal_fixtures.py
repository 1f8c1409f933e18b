"""The API exchange (one WETH-USDC market, funded dev traders 5..9, wide tier limits) with the default
travel-rule threshold of 1,000 USDC, seen from the staff test IP; travel-rule data for a dev wallet's
withdrawal, and everything a refused withdrawal must leave as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.db.models import TravelRuleRecord, WithdrawalRequest, WithdrawalValuation
from backend.settings import Settings

from ..api.exchange_fixtures import Exchange, prepare, running, wallet
from ..api.test_withdrawal_requests import body, withdrawal
from ..staff.exchange_staff import STAFF_IP

USDC_UNIT = 10**6
THRESHOLD = Settings.model_fields["travel_rule_threshold"].default  # the documented default, 1,000 USDC

__all__ = ["THRESHOLD", "USDC_UNIT", "body", "withdrawal"]


@pytest.fixture
def exchange(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The exchange at the default travel-rule threshold (the shared fixtures lift it out of the way)."""
    yield from running(prepare(sqlite_url, tmp_path, travel_rule_threshold=THRESHOLD), client_ip=STAFF_IP)


def travel_rule(key_index: int = 5, recipient: str | None = None) -> dict[str, Any]:
    """Complete IVMS101 data for a withdrawal by dev wallet `key_index` to `recipient` (default: itself)."""
    return {
        "originator": {
            "naturalPerson": {
                "name": {"primaryIdentifier": "Lovelace", "secondaryIdentifier": "Ada"},
                "nationalIdentification": {
                    "nationalIdentifier": "C01X00T47", "nationalIdentifierType": "CCPT", "countryOfIssue": "GB",
                },
            },
        },
        "beneficiary": {
            "naturalPerson": {"name": {"primaryIdentifier": "Lovelace", "secondaryIdentifier": "Ada"}},
            "accountNumber": recipient or wallet(key_index),
        },
    }  # fmt: skip


def withdrawal_rows(exchange: Exchange) -> list[tuple[str, ...]]:
    """Every withdrawal request, valuation and travel-rule record."""
    with exchange.container.uow() as uow:
        session = uow.session
        return sorted(
            [("request", r.hash, r.status) for r in session.scalars(select(WithdrawalRequest))]
            + [("value", v.request_hash, str(v.value)) for v in session.scalars(select(WithdrawalValuation))]
            + [("travel rule", t.request_hash, str(t.value)) for t in session.scalars(select(TravelRuleRecord))]
        )


def untouched(exchange: Exchange) -> tuple[Any, ...]:
    """What a refused withdrawal must not change: trading tables, ledger, engine, withdrawal rows."""
    return exchange.state(), withdrawal_rows(exchange)


def error(response: Any) -> tuple[int, str, str | None]:
    detail = response.json()["error"]
    return response.status_code, detail["code"], detail["field"]
