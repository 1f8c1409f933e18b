"""Re-screening after a sanctions list update, on the API exchange with its engine host: a newly listed wallet
with an open order is frozen (deny-listed, audit-logged), its order cancelled by the host at its next sync, its
new orders and withdrawals refused, a critical alert raised; a wallet not listed keeps its order and its
freedom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from backend.alerts import AlertKind
from backend.audit_log import AuditFilter, list_entries
from backend.chain.devkeys import DEV_KEYS
from backend.cli import main
from backend.client.core import Signer
from backend.compliance.lists import parse_address_list
from backend.compliance.store import import_list
from backend.db.leases import acquire_lease
from backend.db.models import Alert, DenyListEntry
from backend.db.models import Order as OrderRow
from backend.monitoring import aml, rescreen
from backend.monitoring.aml import rescreen_under_aml_lease
from backend.settings import get_settings
from backend.trading.hosting.host import FREEZE_CANCEL_REASON
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import PRICE, USDC, Exchange, prepare, running, wallet

LISTED, UNLISTED = 5, 6  # dev traders


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running(prepare(database_url, tmp_path))


def import_addresses(exchange: Exchange, tmp_path: Path, *addresses: str) -> None:
    path = tmp_path / "ofac-update.txt"
    path.write_text("\n".join(addresses) + "\n")
    with exchange.container.uow() as uow:
        import_list(uow.session, parse_address_list(path, "ofac-sdn"))
        uow.commit()


def order_row(exchange: Exchange, order_hash: str) -> OrderRow:
    with exchange.container.uow() as uow:
        row = uow.session.get(OrderRow, order_hash)
        assert row is not None
        uow.session.expunge(row)
        return row


def withdraw(exchange: Exchange, key_index: int) -> int:
    _, body = Signer(DEV_KEYS[key_index], exchange.domain).withdrawal_body(checksum(USDC), 10 * 10**6, 0)
    status: int = exchange.client.post("/v1/withdrawals", json=body).status_code
    return status


def open_orders_of(exchange: Exchange, key_index: int) -> list[str]:
    """The engine host's open orders of dev wallet `key_index`, after one sync of the host and its write."""
    exchange.sync()
    exchange.drain()
    app = exchange.client.app
    return [h for h, t in app.state.trading.host.orders.items() if t.maker == wallet(key_index)]  # type: ignore[attr-defined]


def test_a_newly_listed_wallet_with_an_open_order_is_frozen_cancelled_and_alerted(
    exchange: Exchange, tmp_path: Path
) -> None:
    listed_order = exchange.place(LISTED, side=0, limitPrice=PRICE).json()["hash"]
    unlisted_order = exchange.place(UNLISTED, side=0, limitPrice=PRICE - 10**6).json()["hash"]
    baseline = rescreen_under_aml_lease(exchange.container)  # the lists imported so far: nothing listed
    assert baseline is None or baseline.frozen == []

    import_addresses(exchange, tmp_path, wallet(LISTED).lower(), "0x" + "99" * 20)
    result = rescreen_under_aml_lease(exchange.container)
    assert result is not None and [f.wallet for f in result.frozen] == [wallet(LISTED)]
    assert result.frozen[0].open_orders == [listed_order] and result.unavailable == 0
    assert rescreen_under_aml_lease(exchange.container) is None  # done for this import

    assert open_orders_of(exchange, LISTED) == []
    listed_row, unlisted_row = order_row(exchange, listed_order), order_row(exchange, unlisted_order)
    assert (listed_row.status, listed_row.reason) == ("cancelled", FREEZE_CANCEL_REASON)
    assert unlisted_row.status == "open"

    with exchange.container.uow() as uow:
        denied = list(uow.session.scalars(select(DenyListEntry)))
        [alert] = uow.session.scalars(select(Alert).where(Alert.kind == AlertKind.SANCTIONED_WALLET.value)).all()
        [audit] = list_entries(uow.session, AuditFilter(action="denylist.add"), 10)
    assert [d.address for d in denied] == [wallet(LISTED).lower()] and "ofac-sdn" in denied[0].reason
    assert (alert.severity, alert.subject, alert.status) == ("critical", f"wallet:{wallet(LISTED)}", "open")
    assert alert.details["openOrders"] == [listed_order] and alert.details["freeze"] == "deny-list"
    assert alert.details["hits"][0]["provider"] == "sanctions-list"
    assert audit.actor == rescreen.ACTOR and audit.target == f"address:{wallet(LISTED).lower()}"

    assert withdraw(exchange, LISTED) == 403  # frozen: screening refuses its withdrawals
    assert withdraw(exchange, UNLISTED) == 202
    refused = exchange.place(LISTED, side=0, limitPrice=PRICE - 2 * 10**6)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ADDRESS_BLOCKED")
    assert open_orders_of(exchange, UNLISTED) == [unlisted_order]


def test_an_update_that_lists_no_active_wallet_changes_nothing(exchange: Exchange, tmp_path: Path) -> None:
    order = exchange.place(LISTED, side=0, limitPrice=PRICE).json()["hash"]
    rescreen_under_aml_lease(exchange.container)
    import_addresses(exchange, tmp_path, "0x" + "99" * 20)
    result = rescreen_under_aml_lease(exchange.container)
    assert result is not None and result.frozen == [] and result.screened >= 5  # the funded dev traders
    assert open_orders_of(exchange, LISTED) == [order]
    assert order_row(exchange, order).status == "open"
    with exchange.container.uow() as uow:
        assert uow.session.scalars(select(DenyListEntry)).all() == []
        assert uow.session.scalars(select(Alert)).all() == []


def import_listing(exchange: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """`hdex compliance import` of a list naming the LISTED wallet, on the exchange's database."""
    monkeypatch.setenv("HDEX_DATABASE_URL", exchange.container.settings.effective_database_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    listing = tmp_path / "ofac-update.txt"
    listing.write_text(wallet(LISTED).lower() + "\n")
    try:
        return CliRunner().invoke(main, ["compliance", "import", str(listing)])
    finally:
        get_settings.cache_clear()


def test_importing_a_list_with_the_cli_re_screens_and_freezes_a_newly_listed_wallet(
    exchange: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = exchange.place(LISTED, side=0, limitPrice=PRICE).json()["hash"]
    rescreen_under_aml_lease(exchange.container)  # the lists imported so far are done
    result = import_listing(exchange, tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert f"newly listed and frozen: {wallet(LISTED)}" in result.output
    assert open_orders_of(exchange, LISTED) == []
    assert order_row(exchange, order).reason == FREEZE_CANCEL_REASON


def test_importing_a_list_while_another_process_runs_the_aml_job_leaves_the_re_screening_to_it(
    exchange: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exchange.place(LISTED, side=0, limitPrice=PRICE)
    rescreen_under_aml_lease(exchange.container)  # the lists imported so far are done
    with exchange.container.session_factory() as session:
        assert acquire_lease(session, aml.LEASE, "hdex-worker", 120)
    result = import_listing(exchange, tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "re-screening left to the AML job running elsewhere (it holds the aml lease)" in result.output
    with exchange.container.uow() as uow:
        assert uow.session.scalars(select(DenyListEntry)).all() == []  # the job's next pass freezes the wallet
