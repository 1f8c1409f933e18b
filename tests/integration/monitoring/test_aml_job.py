"""The AML pass on a real (SQLite) database: synthetic fills, deposits and withdrawals raise one alert per
rule that matches, with its evidence; wallets with ordinary histories raise none; a rerun raises nothing new,
and a scheme that goes on counts occurrences on its open alert."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_utils.address import to_checksum_address
from sqlalchemy import select

from backend.alerts import AlertKind
from backend.bootstrap import Container, bootstrap
from backend.db.models import (
    AccountProfile,
    Alert,
    Fill,
    LedgerEntry,
    LedgerTransaction,
    LimitOverride,
    WithdrawalRequest,
    WithdrawalValuation,
)
from backend.ledger.postings import EXTERNAL
from backend.monitoring import aml
from backend.monitoring.aml import run_aml_pass
from backend.risk.aml import load_aml_rules
from backend.settings import load_settings

from .conftest import add_weth_usdc

WETH = to_checksum_address("0x" + "11" * 20)
USDC = to_checksum_address("0x" + "22" * 20)
ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GRACE = (to_checksum_address("0x" + c * 20) for c in
                                                ("a1", "b2", "c3", "d4", "e5", "f6", "07"))  # fmt: skip
UNIT = 10**6  # one USDC: the limits' reference token
PRICE = 3_000 * UNIT  # USDC per WETH
HOUR = 3_600_000
T0 = 1_800_000_000_000
NOW = T0 + 4 * HOUR
_ids = itertools.count(1)


@pytest.fixture
def container(sqlite_url: str, tmp_path: Path) -> Container:
    container = bootstrap(load_settings(_env_file=None, database_url=sqlite_url, data_dir=tmp_path))
    with container.uow() as uow:
        add_weth_usdc(uow.session)
        uow.commit()
    return container


def add_fill(container: Container, maker: str, taker: str, base: int, at_ms: int) -> int:
    fill_id = next(_ids)
    with container.uow() as uow:
        uow.session.add(
            Fill(
                id=fill_id, market="WETH-USDC", maker_order_hash="0x" + "01" * 32, taker_order_hash="0x" + "02" * 32,
                maker=maker, taker=taker, maker_side=1, price=PRICE, base_amount=base,
                quote_amount=base * PRICE // 10**18, maker_fee=0, taker_fee=0, status="unsettled", tx_hash=None,
                failure=None, failure_reason=None, released=False, created_at_ms=at_ms,
            )
        )  # fmt: skip
        uow.commit()
    return fill_id


def add_withdrawal(container: Container, wallet: str, usdc: int, at_ms: int, recipient: str | None = None) -> str:
    request_hash = "0x" + f"{next(_ids):064x}"
    with container.uow() as uow:
        uow.session.add(
            WithdrawalRequest(
                hash=request_hash, wallet=wallet, token=USDC, amount=usdc * UNIT, max_fee=0, fee=0,
                recipient=recipient or wallet, nonce=next(_ids), expiry=2**40, signature=b"\x00" * 65,
                status="accepted", tx_hash=None, failure=None, created_at_ms=at_ms, updated_at_ms=at_ms,
            )
        )  # fmt: skip
        uow.commit()
    return request_hash


def add_deposit(container: Container, wallet: str, usdc: int, at_ms: int) -> int:
    """A final deposit as the indexer posts it: a "deposit" ledger transaction crediting the wallet."""
    with container.uow() as uow:
        tx = LedgerTransaction(
            reason="deposit", reference=f"test:{next(_ids)}", created_at=datetime.fromtimestamp(at_ms / 1000, UTC)
        )
        uow.session.add(tx)
        uow.session.flush()
        uow.session.add_all([
            LedgerEntry(transaction_id=tx.id, account=EXTERNAL, token=USDC, amount=-usdc * UNIT),
            LedgerEntry(transaction_id=tx.id, account=wallet, token=USDC, amount=usdc * UNIT),
        ])  # fmt: skip
        uow.commit()
        return tx.id


def alerts(container: Container) -> list[Alert]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(Alert).order_by(Alert.id)))


def run(container: Container, rules_file: Path, now_ms: int = NOW) -> int:
    rules = load_aml_rules(rules_file)
    with container.uow() as uow:
        result = run_aml_pass(uow.session, container.settings, rules, now_ms)
        uow.commit()
    return result.raised


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    # velocity only for volumes of 20,000 and more: the other schemes below stay one alert each
    path = tmp_path / "aml.toml"
    path.write_text('[velocity]\nmin_volume = "20000"\n')
    return path


def test_each_scheme_raises_its_alert_with_evidence_and_ordinary_wallets_raise_none(
    container: Container, rules_file: Path
) -> None:
    # Alice: three withdrawals just under 10,000 in three hours (structuring; 28,500 in a day: velocity too)
    structured = [add_withdrawal(container, ALICE, 9_500, T0 + h * HOUR) for h in (1, 2, 3)]
    # Bob: 10,000 in, 9,000 out an hour later, no trading (rapid in-out)
    bob_deposit = add_deposit(container, BOB, 10_000, T0)
    bob_out = add_withdrawal(container, BOB, 9_000, T0 + HOUR)
    # Carol and Dave: both funded by Erin, three trades with each other (wash trading)
    fundings = [add_withdrawal(container, ERIN, 100, T0, recipient=w) for w in (CAROL, DAVE)]
    washed = [add_fill(container, CAROL, DAVE, 10**18, T0 + h * HOUR) for h in (1, 2, 3)]
    # Frank: deposits, trades half of it with Grace (no shared funding), withdraws: an ordinary day
    add_deposit(container, FRANK, 10_000, T0)
    add_fill(container, FRANK, GRACE, 2 * 10**18, T0 + HOUR)
    add_withdrawal(container, FRANK, 9_000, T0 + 2 * HOUR)

    assert run(container, rules_file) == 4
    found = {(a.kind, a.subject): a for a in alerts(container)}
    assert set(found) == {
        (AlertKind.STRUCTURING.value, f"wallet:{ALICE}"),
        (AlertKind.VELOCITY.value, f"wallet:{ALICE}"),
        (AlertKind.RAPID_IN_OUT.value, f"wallet:{BOB}"),
        (AlertKind.WASH_TRADING.value, f"wallet:{min(CAROL, DAVE)}"),
    }
    structuring = found[(AlertKind.STRUCTURING.value, f"wallet:{ALICE}")]
    assert [w["id"] for w in structuring.details["withdrawals"]] == structured
    assert structuring.details["withdrawals"][0]["amount"] == str(9_500 * UNIT)
    assert structuring.severity == "warning" and structuring.status == "open"
    rapid = found[(AlertKind.RAPID_IN_OUT.value, f"wallet:{BOB}")]
    assert rapid.details["deposit"]["id"] == str(bob_deposit)
    assert [w["id"] for w in rapid.details["withdrawals"]] == [bob_out]
    wash = found[(AlertKind.WASH_TRADING.value, f"wallet:{min(CAROL, DAVE)}")]
    assert [f["id"] for f in wash.details["fills"]] == washed
    assert wash.details["fills"][0]["quoteAmount"] == str(3_000 * UNIT)
    assert wash.details["links"] == [
        {"kind": "common_funder", "funder": ERIN, "evidence": sorted(f"withdrawal:{h}" for h in fundings)}
    ]
    velocity = found[(AlertKind.VELOCITY.value, f"wallet:{ALICE}")]
    assert velocity.details["volume"] == str(28_500 * UNIT) and velocity.details["withdrawals"] == structured


def test_a_withdrawal_counts_at_what_it_was_worth_when_accepted_whatever_a_trade_printed_since(
    container: Container, rules_file: Path
) -> None:
    """Bob takes 10,000 USDC in and 3 WETH out an hour later. The WETH was worth 9,000 when the request was
    accepted (the limits recorded it); a trade printed at 1 USDC since valued it at 3, under the rule's reach."""
    add_deposit(container, BOB, 10_000, T0)
    out = add_withdrawal(container, BOB, 0, T0 + HOUR)
    with container.uow() as uow:
        row = uow.session.get_one(WithdrawalRequest, out)
        row.token, row.amount = WETH, 3 * 10**18
        uow.session.add(WithdrawalValuation(request_hash=out, wallet=BOB, value=9_000 * UNIT, created_at_ms=T0 + HOUR))
        uow.session.add(Fill(
            id=next(_ids), market="WETH-USDC", maker_order_hash="0x" + "03" * 32, taker_order_hash="0x" + "04" * 32,
            maker=CAROL, taker=DAVE, maker_side=1, price=UNIT, base_amount=10**18, quote_amount=UNIT, maker_fee=0,
            taker_fee=0, status="unsettled", tx_hash=None, failure=None, failure_reason=None, released=False,
            created_at_ms=T0 + 2 * HOUR,
        ))  # fmt: skip
        uow.commit()
    assert run(container, rules_file) == 1
    [rapid] = alerts(container)
    assert (rapid.kind, rapid.subject) == (AlertKind.RAPID_IN_OUT.value, f"wallet:{BOB}")
    assert rapid.details["withdrawals"][0]["value"] == str(9_000 * UNIT)


def test_a_rerun_raises_nothing_new_and_a_continued_scheme_counts_on_its_open_alert(
    container: Container, rules_file: Path
) -> None:
    for h in (1, 2, 3):
        add_withdrawal(container, ALICE, 9_500, T0 + h * HOUR)
    assert run(container, rules_file) == 2  # structuring and velocity
    before = [(a.id, a.occurrences) for a in alerts(container)]

    assert run(container, rules_file, NOW + 60_000) == 0
    assert [(a.id, a.occurrences) for a in alerts(container)] == before

    add_withdrawal(container, ALICE, 9_900, NOW + 60_000)
    assert run(container, rules_file, NOW + 120_000) == 0  # the same schemes, seen again
    after = {a.kind: a for a in alerts(container)}
    assert len(after) == 2 and after[AlertKind.STRUCTURING.value].occurrences == 2


def test_a_history_without_a_scheme_raises_nothing(container: Container, rules_file: Path) -> None:
    add_withdrawal(container, ALICE, 9_500, T0)
    add_withdrawal(container, ALICE, 9_500, T0 + 25 * HOUR)  # two just under, a day apart
    add_fill(container, CAROL, DAVE, 10**18, T0)  # trades between wallets without shared funding
    add_fill(container, DAVE, CAROL, 10**18, T0 + HOUR)
    add_fill(container, CAROL, DAVE, 10**18, T0 + 2 * HOUR)
    assert run(container, rules_file, T0 + 26 * HOUR) == 0
    assert alerts(container) == []


def test_a_wallets_newest_deposit_counts_however_many_older_ones_its_group_has(
    container: Container, rules_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap on new rows per pass (scaled down to 3) must not cut a history: Bob's three older deposits came
    first in the read of the wallets' 31 days, and Carol's deposit, withdrawn at once, was left out of it."""
    monkeypatch.setattr(aml, "READ_LIMIT", 3)
    for i in range(3):
        add_deposit(container, BOB, 10, T0 - 10 * HOUR + i)
    run(container, rules_file, T0 - 9 * HOUR)  # the cursors pass Bob's deposits
    add_deposit(container, CAROL, 5_000, T0)
    add_withdrawal(container, CAROL, 4_500, T0 + HOUR)  # in and out: nothing traded
    add_withdrawal(container, BOB, 1, T0 + HOUR + 1)  # Bob is in this pass too, in Carol's group of wallets
    run(container, rules_file, T0 + 2 * HOUR)
    assert AlertKind.RAPID_IN_OUT in {alert.kind for alert in alerts(container)}


@pytest.mark.parametrize("late_by_ms", [0, 5], ids=["same-millisecond", "stamped-earlier"])
def test_a_withdrawal_that_commits_after_a_later_stamped_one_is_still_looked_at(
    container: Container, rules_file: Path, late_by_ms: int
) -> None:
    """A request is stamped before it waits for its wallet's lock and commits: Alice's third just-under withdrawal
    commits after Bob's, stamped as late or later, which a pass had already read. It was never "new" again."""
    add_withdrawal(container, ALICE, 9_500, T0)
    add_withdrawal(container, ALICE, 9_500, T0 + HOUR)
    run(container, rules_file, T0 + HOUR + 1_000)
    add_withdrawal(container, BOB, 10, T0 + 2 * HOUR + late_by_ms)  # committed first
    run(container, rules_file, T0 + 2 * HOUR + 10)
    add_withdrawal(container, ALICE, 9_500, T0 + 2 * HOUR)  # committed after that pass
    run(container, rules_file, T0 + 3 * HOUR)
    assert AlertKind.STRUCTURING in {alert.kind for alert in alerts(container)}
    assert run(container, rules_file, T0 + 3 * HOUR) == 0  # and looked at once: nothing counted twice
    assert {alert.occurrences for alert in alerts(container)} == {1}


def _profile(container: Container, wallet: str, level: int, country: str, daily_override: int | None = None) -> None:
    with container.uow() as uow:
        uow.session.add(
            AccountProfile(
                address=wallet, email=None, email_verified=False, country=country, notify_fills=False,
                notify_withdrawals=False, notify_news=False, level=level, created_at_ms=T0,
                deletion_requested_at_ms=None,
            )
        )  # fmt: skip
        if daily_override is not None:
            uow.session.add(
                LimitOverride(
                    wallet=wallet, withdrawal_daily=daily_override * UNIT, withdrawal_30d=None, max_order_notional=None,
                    reason="test", updated_by="staff:test", updated_at_ms=T0,
                )
            )  # fmt: skip
        uow.commit()


def test_velocity_judges_a_wallet_in_a_restricted_country_by_level_0_as_the_limits_do(
    container: Container, rules_file: Path
) -> None:
    """Alice was granted level 2 (and a staff override) but declares a restricted country: the limits count her at
    level 0 without overrides, 1,000 a day, so 30,000 traded in a day is 30 times it. Grace, level 2 elsewhere,
    trades the same 30,000: well within 5 times 250,000."""
    _profile(container, ALICE, 2, "KP", daily_override=1_000_000)
    _profile(container, GRACE, 2, "DE")
    add_fill(container, ALICE, GRACE, 10 * 10**18, T0 + HOUR)

    assert run(container, rules_file) == 1
    [velocity] = alerts(container)
    assert (velocity.kind, velocity.subject) == (AlertKind.VELOCITY.value, f"wallet:{ALICE}")
    assert velocity.details["dailyLimit"] == str(1_000 * UNIT)
