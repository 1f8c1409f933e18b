"""Operator risk, one check at a time, on a real database with a fake node: each raises its alert (once while
open, counting occurrences) past its threshold and none within it; a ledger difference pauses withdrawals in
the same unit of work; an unreadable node raises nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.alerts import AlertKind
from backend.chain.treasury import Governance, PendingOperation
from backend.db.models import Alert, ChainCursor, SanctionsList, WithdrawalRequest
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.metrics import OPERATOR_BALANCE, OPERATOR_BALANCE_MIN, WITHDRAWALS_PAUSED
from backend.monitoring.custody import check_custody
from backend.monitoring.operator import ChainContext, OperatorLimits, check_operator
from backend.monitoring.report import PassReport
from backend.paths import ARTIFACTS_DIR
from backend.risk.withdrawal_pause import active_pause, clear_withdrawal_pause
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.policy import ScheduledCall

from .conftest import ALICE, EXCHANGE, NOW_MS, OPERATOR, WETH, FakeChain, add_fill

LIMITS = OperatorLimits(
    gas_min_wei=2 * 10**17, settlement_max_delay_s=300, withdrawal_max_delay_s=900, indexer_max_lag_blocks=50,
    screening_max_age_s=7 * 86_400,
)  # fmt: skip
CONTEXT = ChainContext(31337, EXCHANGE, 900, OPERATOR)
CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def a_pass(
    sessions: sessionmaker[Session], chain: FakeChain, now_ms: int = NOW_MS, reconcile: bool = True
) -> PassReport:
    """One pass in its own unit of work, committed, as the monitor runs it."""
    with sessions() as session:
        report = check_operator(session, chain, CONTEXT, LIMITS, now_ms, reconcile_ledger=reconcile)
        session.commit()
    return report


def healthy(session: Session) -> None:
    """An indexer at the head and a fresh sanctions list: only what a test breaks raises."""
    session.add(ChainCursor(chain_id=31337, contract=EXCHANGE, last_block=1_000, final_block=998, reorgs=0))
    session.add(SanctionsList(source="ofac-sdn", version="v1", address_count=0, active=True,
                              imported_at=datetime.fromtimestamp(NOW_MS / 1000, UTC)))  # fmt: skip
    session.commit()


def alerts(sessions: sessionmaker[Session]) -> list[Alert]:
    with sessions() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_a_healthy_exchange_raises_nothing(sessions: sessionmaker[Session], chain: FakeChain) -> None:
    with sessions() as session:
        healthy(session)
    report = a_pass(sessions, chain)
    assert report.raised == [] and report.failures == {}
    assert alerts(sessions) == []
    assert OPERATOR_BALANCE._value.get() == 10**18


def test_a_low_operator_balance_raises_gas_low_once_while_open(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    chain.eth[OPERATOR] = 10**17
    first, second = a_pass(sessions, chain), a_pass(sessions, chain, NOW_MS + 30_000)
    assert [(r.kind, r.new) for r in first.raised] == [(AlertKind.GAS_LOW, True)]
    assert [(r.kind, r.new) for r in second.raised] == [(AlertKind.GAS_LOW, False)]
    [alert] = alerts(sessions)
    assert (alert.kind, alert.severity, alert.occurrences, alert.subject) == (
        "operator.gas_low",
        "warning",
        2,
        "system:relayer",
    )
    assert "holds 0.1 ETH, below 0.2 ETH" in alert.message
    assert alert.details == {"operator": OPERATOR, "balanceWei": str(10**17), "minimumWei": str(2 * 10**17)}


def test_an_operator_with_no_eth_at_all_is_critical(sessions: sessionmaker[Session], chain: FakeChain) -> None:
    with sessions() as session:
        healthy(session)
    chain.eth[OPERATOR] = 0
    [raised] = a_pass(sessions, chain).raised
    assert (raised.kind, raised.severity.value) == (AlertKind.GAS_LOW, "critical")


def test_a_low_balance_that_runs_dry_opens_a_critical_alert_beside_the_warning(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    chain.eth[OPERATOR] = 10**17
    a_pass(sessions, chain)
    chain.eth[OPERATOR] = 0
    [raised] = a_pass(sessions, chain, NOW_MS + 30_000).raised
    assert (raised.kind, raised.severity.value, raised.new) == (AlertKind.GAS_LOW, "critical", True)
    assert [(a.severity, a.occurrences, a.status) for a in alerts(sessions)] == [
        ("warning", 1, "open"), ("critical", 1, "open")
    ]  # fmt: skip


def test_fills_and_withdrawals_waiting_past_their_limits_raise_settlement_delayed(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
        add_fill(session, 1, status="settled", created_at_ms=NOW_MS - 3_600_000)  # long done: not waiting
        add_fill(session, 2, status="unsettled", created_at_ms=NOW_MS - 299_000)
        session.commit()
    assert a_pass(sessions, chain).raised == []  # 299 s: within the 300 s limit

    with sessions() as session:
        add_fill(session, 3, status="settling", created_at_ms=NOW_MS - 301_000)
        session.add(
            WithdrawalRequest(
                hash="0x" + "77" * 32, wallet=ALICE, token=WETH, amount=1, max_fee=0, fee=0, recipient=ALICE, nonce=1,
                expiry=2**40, signature=b"\x00" * 65, status="accepted", tx_hash=None, failure=None,
                created_at_ms=NOW_MS - 901_000, updated_at_ms=NOW_MS,
            )
        )  # fmt: skip
        session.commit()
    report = a_pass(sessions, chain)
    assert [(r.kind, r.subject) for r in report.raised] == [(AlertKind.SETTLEMENT_DELAYED, "system:relayer")] * 2
    fills, withdrawals = alerts(sessions)
    assert fills.message == "2 fills waiting for the relayer, the oldest for 301 s (limit 300 s)"
    assert withdrawals.message == "1 withdrawals waiting for the relayer, the oldest for 901 s (limit 900 s)"
    assert fills.dedup_key != withdrawals.dedup_key


def test_an_indexer_behind_the_head_by_more_than_the_limit_raises_indexer_lag(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    chain.head = 1_050
    assert a_pass(sessions, chain).raised == []  # 50 blocks: at the limit
    chain.head = 1_051
    [raised] = a_pass(sessions, chain).raised
    assert raised.kind is AlertKind.INDEXER_LAG
    assert "read up to block 1000, 51 blocks behind the head 1051 (limit 50)" in raised.message


def test_an_indexer_that_never_ran_lags_from_the_deployment_block(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    chain.head = 951  # deployed at 900: the cursor would start at 899
    report = a_pass(sessions, chain)
    assert AlertKind.INDEXER_LAG in {r.kind for r in report.raised}


def test_an_old_or_missing_sanctions_list_raises_screening_list_stale(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        session.add(ChainCursor(chain_id=31337, contract=EXCHANGE, last_block=1_000, final_block=998, reorgs=0))
        session.commit()
    [missing] = a_pass(sessions, chain).raised
    assert missing.kind is AlertKind.SCREENING_LIST_STALE and "no sanctions list is imported" in missing.message

    eight_days_ago = datetime.fromtimestamp(NOW_MS / 1000, UTC) - timedelta(days=8)
    with sessions() as session:
        session.add(
            SanctionsList(source="old", version="2020", address_count=0, active=True, imported_at=eight_days_ago)
        )
        session.add(SanctionsList(source="new", version="v9", address_count=0, active=True,
                                  imported_at=eight_days_ago + timedelta(days=2)))  # fmt: skip
        session.commit()
    [stale] = a_pass(sessions, chain).raised
    assert (stale.kind, stale.subject) == (AlertKind.SCREENING_LIST_STALE, "system:screening:old")
    assert "imported 8 day(s) ago (limit 7)" in stale.message
    assert list_ages() == {"old": 8 * 86_400, "new": 6 * 86_400}

    # the old source's list no longer active (not replaced: gone): its age, stale, must not keep paging
    with sessions() as session:
        session.execute(update(SanctionsList).where(SanctionsList.source == "old").values(active=False))
        session.commit()
    assert a_pass(sessions, chain).raised == []
    assert list_ages() == {"new": 6 * 86_400}


def list_ages() -> dict[str, float]:
    """`hdex_screening_list_age_seconds` by source, as Prometheus scrapes it."""
    [family] = [f for f in REGISTRY.collect() if f.name == "hdex_screening_list_age_seconds"]
    return {sample.labels["source"]: sample.value for sample in family.samples}


def credit_alice(sessions: sessionmaker[Session], amount: int) -> None:
    with sessions() as session:
        postings = [Posting(EXTERNAL, WETH, -amount), Posting(ALICE, WETH, amount)]
        ledger.post(session, [ledger.NewTransaction("deposit", f"credit-{amount}", postings)])
        session.commit()


@pytest.mark.parametrize("held", [5, 6], ids=["equal", "a-surplus"])
def test_a_ledger_the_chain_covers_pauses_nothing(sessions: sessionmaker[Session], chain: FakeChain, held: int) -> None:
    """Equal, or the Exchange holding more than the ledger owes: anyone can send a token (one wei is enough) to
    the contract without a deposit, and that must not pause withdrawals, pass after pass. A surplus is also what a
    deposit the indexer missed looks like when its wallet holds nothing else in the ledger (no wallet check sees
    it): it raises one warning, counted while it stays, so that staff look."""
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)
    chain.vault[(ALICE, WETH)], chain.held[WETH] = 5, held
    for minutes in (0, 5, 10):
        raised = a_pass(sessions, chain, NOW_MS + minutes * 60_000).raised
        assert [(a.kind, a.severity.value) for a in raised] == ([] if held == 5 else [
            (AlertKind.LEDGER_SURPLUS, "warning")
        ])  # fmt: skip
    with sessions() as session:
        assert active_pause(session) is None
    assert WITHDRAWALS_PAUSED._value.get() == 0
    if held == 6:
        [surplus] = alerts(sessions)
        assert surplus.occurrences == 3 and "holds 1 of " + WETH in surplus.message


def test_a_ledger_difference_raises_a_critical_alert_and_pauses_withdrawals_in_one_unit_of_work(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)  # a credit the chain never made
    report = a_pass(sessions, chain)
    [raised] = report.raised
    assert (raised.kind, raised.severity.value, raised.subject) == (
        AlertKind.LEDGER_DIFFERENCE,
        "critical",
        "system:ledger",
    )
    assert "withdrawals paused until staff clear it" in raised.message
    with sessions() as session:
        pause = active_pause(session)
    assert pause is not None and "ledger and chain differ at block 998 (2 difference(s))" in pause.reason
    assert {d["check"] for d in pause.details["differences"]} == {"token_total", "wallet"}
    assert WITHDRAWALS_PAUSED._value.get() == 1

    again = a_pass(sessions, chain, NOW_MS + 300_000)  # still apart: one alert, one pause
    assert [(r.kind, r.new) for r in again.raised] == [(AlertKind.LEDGER_DIFFERENCE, False)]
    assert "withdrawals stay paused" in again.raised[0].message


def test_a_ledger_difference_after_staff_resumed_withdrawals_opens_a_new_alert_with_the_new_pause(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)
    a_pass(sessions, chain)
    with sessions() as session:
        clear_withdrawal_pause(session, actor="staff:ann@example.com", reason="looked, resumed")
        session.commit()
    again = a_pass(sessions, chain, NOW_MS + 300_000)  # still apart: paused again
    assert [(r.kind, r.new) for r in again.raised] == [(AlertKind.LEDGER_DIFFERENCE, True)]
    assert "withdrawals paused until staff clear it" in again.raised[0].message
    with sessions() as session:
        pause = active_pause(session)
    assert pause is not None
    assert [(a.status, a.occurrences, a.details["pauseId"]) for a in alerts(sessions)] == [
        ("open", 1, pause.id - 1), ("open", 1, pause.id)
    ]  # fmt: skip


def test_a_pass_that_raises_then_fails_to_commit_leaves_neither_alert_nor_pause(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)
    with sessions() as session:
        report = check_operator(session, chain, CONTEXT, LIMITS, NOW_MS)
        assert AlertKind.LEDGER_DIFFERENCE in [r.kind for r in report.raised] and active_pause(session) is not None
        session.rollback()  # the unit of work did not commit
    with sessions() as session:
        assert active_pause(session) is None
    assert alerts(sessions) == []


def test_a_difference_seen_once_but_not_on_the_second_read_is_a_commit_in_between(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)
    chain.vault[(ALICE, WETH)], chain.held[WETH] = [0, 5], [0, 5]  # the first read raced the indexer
    assert a_pass(sessions, chain).raised == []
    with sessions() as session:
        assert active_pause(session) is None


def test_an_unreachable_node_raises_nothing_and_reports_each_check_that_could_not_run(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    with sessions() as session:
        healthy(session)
    credit_alice(sessions, 5)
    chain.down = True
    report = a_pass(sessions, chain)
    assert report.raised == []
    assert set(report.failures) == {"ledger", "gas", "indexer"}
    with sessions() as session:
        assert active_pause(session) is None


def test_a_balance_never_read_does_not_look_low_to_prometheus(
    sessions: sessionmaker[Session], chain: FakeChain
) -> None:
    """A process that starts while the node is down has read no balance: its gauges must not say 0 wei against the
    minimum, which pages HdexOperatorGasLow (critical) for an account that may be full."""
    with sessions() as session:
        healthy(session)
    OPERATOR_BALANCE.set(0)  # as a new process exports them
    OPERATOR_BALANCE_MIN.set(0)
    chain.down = True
    assert "gas" in a_pass(sessions, chain).failures
    assert not OPERATOR_BALANCE._value.get() < OPERATOR_BALANCE_MIN._value.get()

    chain.down = False
    a_pass(sessions, chain)
    assert (OPERATOR_BALANCE._value.get(), OPERATOR_BALANCE_MIN._value.get()) == (10**18, 2 * 10**17)


def test_a_custody_that_cannot_be_read_raises_nothing_and_an_expired_call_is_not_alerted(
    sessions: sessionmaker[Session],
) -> None:
    abis = KnownAbis.from_artifacts(ARTIFACTS_DIR)
    expired = PendingOperation(b"\x01" * 32, ScheduledCall(EXCHANGE, 0, b"", b"\x00" * 32), 1, 0, 2, True)

    def unreadable() -> Governance:
        raise TreasuryError("the node did not answer: connection refused")

    for read, failures in (
        (unreadable, {"custody": "the node did not answer: connection refused"}),
        (lambda: Governance(CUSTODY, True, [expired]), {}),
    ):
        report = PassReport()
        with sessions() as session:
            check_custody(session, 31337, read, abis, NOW_MS, report)
            session.commit()
        assert (report.raised, report.failures) == ([], failures)
    assert alerts(sessions) == []
