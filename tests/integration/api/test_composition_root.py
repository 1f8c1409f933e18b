"""One container, one of each shared service: the screener (and its cache) and the account notifier."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from sqlalchemy.orm import Session

from backend.compliance.deposits import DepositScreening
from backend.compliance.factory import screener_for
from backend.compliance.providers import Hit
from backend.marketdata.account_updates import account_notifier_for
from backend.paths import PROJECT_ROOT
from indexer.runner import build_follower
from relayer.runner import relayer_for
from relayer.settlement import SettlementWork
from relayer.withdrawals import WithdrawalWork

from .exchange_fixtures import Exchange, wallet
from .test_withdrawal_requests import body, withdrawal


class AskedProvider:
    """Flags nothing; records which addresses it was asked about, so cache misses are visible."""

    name = "asked"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def version(self, session: Session) -> str:
        return "1"

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        self.asked.extend(addresses)
        return {}


def test_api_withdrawals_the_relayer_and_deposit_screening_share_one_screener_and_its_cache(
    sqlite_exchange: Exchange,
) -> None:
    container = sqlite_exchange.container
    screener = screener_for(container)
    provider = AskedProvider()
    screener.providers.append(provider)

    accepted = sqlite_exchange.client.post("/v1/withdrawals", json=body(withdrawal(5)))
    assert accepted.status_code == 202, accepted.text
    assert provider.asked == [wallet(5).lower()]  # the API screened through the container's screener

    settlement = next(w for w in relayer_for(container).workers if isinstance(w, SettlementWork))
    settlement.screener.screen([wallet(5), wallet(6)], actor="relayer", context="test")
    assert provider.asked == [wallet(5).lower(), wallet(6).lower()]  # wallet 5 came from the API's cache

    deposits = build_follower(container).before_final
    assert isinstance(deposits, DepositScreening)
    deposits.screener.screen([wallet(5), wallet(6), wallet(7)], actor="indexer", context="test")
    assert provider.asked == [wallet(5).lower(), wallet(6).lower(), wallet(7).lower()]
    assert settlement.screener is deposits.screener is screener


def test_the_relayer_notifies_through_the_containers_one_account_notifier(sqlite_exchange: Exchange) -> None:
    container = sqlite_exchange.container
    notifiers = {
        id(w.notify) for w in relayer_for(container).workers if isinstance(w, SettlementWork | WithdrawalWork)
    }
    assert notifiers == {id(account_notifier_for(container))}


def test_the_relayer_assigns_nonces_under_its_own_lease(sqlite_exchange: Exchange) -> None:
    relayer = relayer_for(sqlite_exchange.container)
    assert relayer.txm.fence == relayer.leased.fence  # the key's lease fences every nonce (test_transactions)


def test_no_module_global_hub_or_service_locator_remains() -> None:
    # A `global` statement is how a module-level registry gets rebound; services live on the container.
    found = subprocess.run(
        ["grep", "-rnE", "--include=*.py", r"register_local_hub|^\s*global ", "backend", "relayer", "indexer"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.stdout == ""
