"""Frozen deposits in the back office: a deposit by a blocked address is frozen by the indexer's own screening
(`DepositScreening`), listed for compliance staff, and released only once its depositor screens clear; the engine,
the balances and the deposit history count it again after the release, which is audit-logged with who, why and
from where. Every refused release changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from backend.cli import main
from backend.compliance import screening
from backend.compliance.deposits import DepositScreening
from backend.compliance.factory import screener_for
from backend.db.models import ChainEvent
from backend.settings import get_settings
from backend.staff.roles import Role
from backend.trading.rules.accounts import checksum
from backend.trading.usecases import frozen_funds
from backend.trading.usecases.deny_list import deny_address

from ..api.exchange_fixtures import CHAIN_ID, EXCHANGE, QTY, USDC, Exchange, fund, wallet
from .exchange_staff import STAFF_IP, audit_entries, back_office_state, running_staff_exchange, signed_in

DEPOSITOR = 4  # a dev wallet the fixtures do not fund
DEPOSIT = 500 * 10**6  # USDC: enough for 0.1 WETH at PRICE (within level 0's largest order), and all it holds


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running_staff_exchange(database_url, tmp_path)


def blocked_deposit(exchange: Exchange, block: int = 100) -> int:
    """A final USDC deposit by the deny-listed DEPOSITOR, credited and frozen as the indexer does it (one
    transaction); the freeze's id."""
    container, depositor = exchange.container, wallet(DEPOSITOR)
    with container.uow() as uow:
        deny_address(uow.session, depositor, "stolen funds", actor="cli:test")
        uow.commit()
    freeze(exchange, block, DEPOSIT)
    fund(container, depositor, checksum(USDC), DEPOSIT)  # the ledger's credit of that deposit
    [frozen] = list_page(exchange)["frozen"]
    return int(frozen["id"])


def freeze(exchange: Exchange, block: int, amount: int) -> None:
    """A final `Deposited` event of DEPOSITOR in `block`, and what the indexer's screening writes for it. (The
    screener writes its decisions in a transaction of its own: on SQLite, not while another one writes.)"""
    container = exchange.container
    args = {"wallet": wallet(DEPOSITOR), "token": checksum(USDC), "amount": str(amount), "balance": str(amount)}
    with container.uow() as uow:
        event = ChainEvent(
            chain_id=CHAIN_ID, block_number=block, block_hash="0x" + f"{block:064x}", tx_hash="0x" + f"{block:064x}",
            log_index=0, contract=EXCHANGE, name="Deposited", args=args, status="final",
        )  # fmt: skip
        uow.session.add(event)
        uow.commit()
        event_id = event.id
    rows = DepositScreening(screener_for(container))([(event_id, "Deposited", args)])
    with container.uow() as uow:
        uow.session.add_all(rows)
        uow.commit()


def list_page(exchange: Exchange, **params: Any) -> Any:
    answer = exchange.client.get("/v1/staff/frozen", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def buy_a_tenth_weth(exchange: Exchange) -> Any:
    return exchange.place(DEPOSITOR, baseAmount=QTY // 10)  # at PRICE: 300 USDC and its fee


def usdc_balance(exchange: Exchange) -> dict[str, str]:
    balances = exchange.client.get(f"/v1/accounts/{wallet(DEPOSITOR)}/balances").json()["balances"]
    [usdc] = [b for b in balances if b["token"] == checksum(USDC)]
    return {name: usdc[name] for name in ("balance", "frozen", "available")}


def release(exchange: Exchange, csrf: dict[str, str], frozen_id: int | str, reason: str = "cleared") -> Any:
    return exchange.client.post(f"/v1/staff/frozen/{frozen_id}/release", json={"reason": reason}, headers=csrf)


def refused(answer: Any, status: int, code: str) -> None:
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text


def test_a_frozen_deposit_is_released_once_its_depositor_screens_clear_and_then_counts_again(
    exchange: Exchange,
) -> None:
    csrf = signed_in(exchange, Role.COMPLIANCE)
    frozen_id = blocked_deposit(exchange)
    [listed] = list_page(exchange)["frozen"]
    assert (listed["wallet"], listed["token"], listed["symbol"], listed["decimals"]) == (
        wallet(DEPOSITOR), checksum(USDC), "USDC", 6,
    )  # fmt: skip
    assert (listed["amount"], listed["state"]) == (str(DEPOSIT), "held")
    assert "stolen funds" in listed["reason"] and listed["releasedAt"] is None
    assert usdc_balance(exchange) == {"balance": str(DEPOSIT), "frozen": str(DEPOSIT), "available": "0"}
    refused(buy_a_tenth_weth(exchange), 422, "INSUFFICIENT_BALANCE")

    before = back_office_state(exchange.container)
    still_blocked = release(exchange, csrf, frozen_id)
    refused(still_blocked, 403, "ADDRESS_BLOCKED")
    assert "(deny-listed: stolen funds)" in still_blocked.json()["error"]["message"]  # said once, not twice
    assert back_office_state(exchange.container) == before

    undeny = f"/v1/staff/denylist/{wallet(DEPOSITOR)}/remove"
    assert exchange.client.post(undeny, json={"reason": "victim, not thief"}, headers=csrf).status_code == 200
    released = release(exchange, csrf, frozen_id, "refund of a theft victim, case 17")
    assert released.status_code == 200, released.text
    body = released.json()
    assert (body["state"], body["releasedBy"], body["releaseReason"]) == (
        "released", "staff:compliance@hdex.example", "refund of a theft victim, case 17",
    )  # fmt: skip
    assert isinstance(body["releasedAt"], int)
    assert usdc_balance(exchange) == {"balance": str(DEPOSIT), "frozen": "0", "available": str(DEPOSIT)}
    exchange.sync()  # the engine's next balance read
    placed = buy_a_tenth_weth(exchange)
    assert placed.status_code == 201, placed.text
    deposits = exchange.client.get(f"/v1/accounts/{wallet(DEPOSITOR)}/deposits").json()["deposits"]
    assert [d["status"] for d in deposits] == ["confirmed"]

    assert list_page(exchange)["frozen"] == []
    assert [f["id"] for f in list_page(exchange, state="released")["frozen"]] == [frozen_id]
    [entry] = audit_entries(exchange.container, "frozen.release")
    assert (entry.actor, entry.target, entry.ip) == ("staff:compliance@hdex.example", f"frozen:{frozen_id}", STAFF_IP)
    assert entry.before == {"wallet": wallet(DEPOSITOR), "token": checksum(USDC), "amount": str(DEPOSIT),
                            "reason": listed["reason"]}  # fmt: skip
    assert entry.after == {"reason": "refund of a theft victim, case 17", "screening": "clear"}

    before = back_office_state(exchange.container)
    refused(release(exchange, csrf, frozen_id), 409, "FROZEN_FUNDS_NOT_HELD")
    assert back_office_state(exchange.container) == before


def test_a_freeze_whose_deposit_a_reorg_took_out_is_listed_as_orphaned_and_not_released(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    frozen_id = blocked_deposit(exchange)
    with exchange.container.uow() as uow:
        uow.session.execute(update(ChainEvent).values(status="orphaned"))
        uow.commit()
    assert list_page(exchange)["frozen"] == []
    [orphaned] = list_page(exchange, state="orphaned")["frozen"]
    assert (orphaned["id"], orphaned["state"]) == (frozen_id, "orphaned")
    assert [f["id"] for f in list_page(exchange, state="all")["frozen"]] == [frozen_id]
    exchange.client.post(f"/v1/staff/denylist/{wallet(DEPOSITOR)}/remove", json={"reason": "r"}, headers=csrf)
    before = back_office_state(exchange.container)
    refused(release(exchange, csrf, frozen_id), 409, "FROZEN_FUNDS_NOT_HELD")
    assert back_office_state(exchange.container) == before


def test_a_release_is_refused_while_screening_cannot_decide(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = signed_in(exchange, Role.COMPLIANCE)
    frozen_id = blocked_deposit(exchange)
    exchange.client.post(f"/v1/staff/denylist/{wallet(DEPOSITOR)}/remove", json={"reason": "r"}, headers=csrf)

    class Unavailable:  # a provider outage, at the edge: every decision is an error
        def screen(self, addresses: list[str], **_: Any) -> dict[str, screening.Decision]:
            return {a.lower(): screening.Decision(a.lower(), "error") for a in addresses}

    monkeypatch.setattr(frozen_funds, "screener_for", lambda _: Unavailable())
    before = back_office_state(exchange.container)
    refused(release(exchange, csrf, frozen_id), 503, "SCREENING_UNAVAILABLE")
    assert back_office_state(exchange.container) == before


@pytest.mark.parametrize(
    ("frozen_id", "body", "status", "code"),
    [
        ("999", {"reason": "r"}, 404, "FROZEN_FUNDS_NOT_FOUND"),
        ("0", {"reason": "r"}, 422, "INVALID_FIELD"),
        ("abc", {"reason": "r"}, 422, "INVALID_FIELD"),
        ("99999999999", {"reason": "r"}, 422, "INVALID_FIELD"),
        ("{id}", {"reason": ""}, 422, "INVALID_FIELD"),
        ("{id}", {"reason": "x" * 501}, 422, "INVALID_FIELD"),
        ("{id}", {}, 422, "INVALID_FIELD"),
        ("{id}", {"reason": "r", "amount": "1"}, 422, "INVALID_FIELD"),
        ("{id}", {"reason": "cleared\u0000"}, 422, "INVALID_FIELD"),
    ],
    ids=["unknown", "zero", "not a number", "past the ids", "empty reason", "long reason", "no reason", "extra", "NUL"],
)
def test_a_bad_release_is_refused_with_a_typed_error_and_changes_nothing(
    exchange: Exchange, frozen_id: str, body: dict[str, str], status: int, code: str
) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    held = blocked_deposit(exchange)
    exchange.client.post(f"/v1/staff/denylist/{wallet(DEPOSITOR)}/remove", json={"reason": "r"}, headers=csrf)
    before = back_office_state(exchange.container)
    path = f"/v1/staff/frozen/{frozen_id.format(id=held)}/release"
    refused(exchange.client.post(path, json=body, headers=csrf), status, code)
    assert back_office_state(exchange.container) == before


@pytest.mark.parametrize("params", [{"state": "gone"}, {"wallet": "0x1234"}, {"cursor": "-1"}, {"limit": "0"}])
def test_a_bad_list_query_is_refused_with_a_typed_error(exchange: Exchange, params: dict[str, str]) -> None:
    signed_in(exchange, Role.AUDITOR)
    refused(exchange.client.get("/v1/staff/frozen", params=params), 422, "INVALID_FIELD")


def test_the_list_pages_newest_first_and_finds_one_depositor(exchange: Exchange) -> None:
    signed_in(exchange, Role.AUDITOR)
    first = blocked_deposit(exchange, block=100)
    freeze(exchange, 101, 7)  # a second deposit of the same depositor
    page = list_page(exchange, limit=1)
    [newest] = page["frozen"]
    assert newest["amount"] == "7" and page["next"] == str(newest["id"])
    older = list_page(exchange, limit=1, cursor=page["next"])
    assert [f["id"] for f in older["frozen"]] == [first] and older["next"] == str(first)
    assert list_page(exchange, limit=1, cursor=older["next"]) == {"frozen": [], "next": None}
    mine = list_page(exchange, wallet=wallet(DEPOSITOR).lower())["frozen"]
    assert len(mine) == 2 and list_page(exchange, wallet=wallet(5))["frozen"] == []


def test_the_cli_lists_and_releases_a_frozen_deposit_as_the_back_office_does(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    signed_in(exchange, Role.AUDITOR)  # to read the freeze's id
    frozen_id = blocked_deposit(exchange)
    monkeypatch.setenv("HDEX_DATABASE_URL", exchange.container.settings.effective_database_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        cli = CliRunner()
        held = cli.invoke(main, ["compliance", "frozen"])
        assert held.exit_code == 0 and held.output.startswith(f"{frozen_id} held {wallet(DEPOSITOR)} {DEPOSIT} ")
        blocked = cli.invoke(main, ["compliance", "release", str(frozen_id), "--reason", "cleared"])
        assert blocked.exit_code == 2 and "still blocked" in blocked.output
        assert cli.invoke(main, ["compliance", "allow", wallet(DEPOSITOR), "--reason", "cleared"]).exit_code == 0
        assert cli.invoke(main, ["compliance", "release", str(frozen_id), "--reason", " "]).exit_code == 2
        released = cli.invoke(main, ["compliance", "release", str(frozen_id), "--reason", "cleared"])
        assert released.exit_code == 0, released.output
        assert cli.invoke(main, ["compliance", "frozen"]).output == "no frozen deposits (held)\n"
        assert "released by cli:" in cli.invoke(main, ["compliance", "frozen", "--state", "released"]).output
        again = cli.invoke(main, ["compliance", "release", str(frozen_id), "--reason", "cleared"])
        assert again.exit_code == 2 and "released already" in again.output
    finally:
        get_settings.cache_clear()
    [entry] = audit_entries(exchange.container, "frozen.release")
    assert entry.actor.startswith("cli:") and entry.after == {"reason": "cleared", "screening": "clear"}
