"""The shared status words: the enums spell exactly what the database stores and the API documents."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, get_args

import pytest

from backend.api import schemas
from backend.statuses import (
    ChainEventStatus,
    FillStatus,
    OrderStatus,
    WithdrawalStatus,
    blocked_by_screening,
    withdrawal_failure_kind,
)


def literal_words(annotation: Any) -> set[str]:
    return set(get_args(annotation))


@pytest.mark.parametrize(
    ("enum", "documented"),
    [
        (OrderStatus, literal_words(schemas.OrderView.model_fields["status"].annotation)),
        (FillStatus, literal_words(schemas.Trade.model_fields["status"].annotation)),
        (WithdrawalStatus, literal_words(schemas.WithdrawalStatus)),
    ],
)
def test_every_status_the_server_stores_is_one_the_api_documents(enum: type[StrEnum], documented: set[str]) -> None:
    assert {member.value for member in enum} == documented


def test_a_deposit_shows_each_chain_event_status_as_a_documented_word() -> None:
    from backend.trading.views.transfers import DEPOSIT_STATUS

    assert set(DEPOSIT_STATUS) == {status.value for status in ChainEventStatus}
    assert set(DEPOSIT_STATUS.values()) <= literal_words(schemas.Deposit.model_fields["status"].annotation)


def test_a_status_member_is_the_stored_string_in_comparisons_and_json() -> None:
    stored: str = "unsettled"
    assert stored == FillStatus.UNSETTLED
    assert json.dumps({"status": OrderStatus.CANCELLED}) == '{"status": "cancelled"}'
    assert ChainEventStatus("orphaned") is ChainEventStatus.ORPHANED


def test_both_database_drivers_store_a_status_member_as_its_word_not_its_name() -> None:
    import sqlite3
    from contextlib import closing

    from psycopg.adapt import PyFormat, Transformer

    dumper = Transformer().get_dumper(FillStatus.UNSETTLED, PyFormat.AUTO)
    assert bytes(dumper.dump(FillStatus.UNSETTLED) or b"") == b"unsettled"
    with closing(sqlite3.connect(":memory:")) as connection:
        assert connection.execute("select ?", (WithdrawalStatus.RELAYED,)).fetchone() == ("relayed",)


def test_a_withdrawal_failure_is_told_by_the_code_it_begins_with() -> None:
    """The relayer's records as it writes them (relayer/withdrawals.py); the dApp sorts them the same way."""
    assert blocked_by_screening(["wallet", "recipient"]) == "blocked_by_screening:wallet+recipient"
    assert withdrawal_failure_kind(blocked_by_screening(["recipient"])) == "screening"
    for recipient in ("invalid_recipient: the zero address or the Exchange", "recipient_reverted: ...",
                      "recipient_gas: taking it would need 900000 gas"):  # fmt: skip
        assert withdrawal_failure_kind(recipient) == "recipient"
    for other in ("lost_in_reorg: a reorg took it", "reverted on-chain: ...", "expired", "", None, "Recipient_gas"):
        assert withdrawal_failure_kind(other) == "other"
