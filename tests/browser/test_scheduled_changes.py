"""A fee change the exchange's owners scheduled through the Custody timelock is announced above the page, in words,
with the way out (the escape hatch) one click away: the timelock protects only users who hear of a change. The
banner passes axe at desktop and phone widths. The change is cancelled afterwards: the stack is shared."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect
from web3 import Web3

from backend.chain.artifacts import load_artifact
from backend.chain.deploy import DEV_THRESHOLD, execute_through_custody
from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEPLOYER_INDEX, DEV_KEYS

from .browser_kit import DESKTOP, PHONE, axe_violations, screenshot

if TYPE_CHECKING:
    from .browser_kit import Dapp
    from .stack import Stack

SALT = Web3.keccak(text="test_scheduled_changes")


@pytest.fixture
def fee_change_scheduled(stack: Stack) -> Iterator[None]:
    w3 = Web3(Web3.HTTPProvider(stack.rpc_url, request_kwargs={"timeout": 10}))
    custody = w3.eth.contract(
        address=Web3.to_checksum_address(stack.contracts["Custody"]), abi=load_artifact("Custody").abi
    )
    exchange = w3.eth.contract(
        address=Web3.to_checksum_address(stack.contracts["Exchange"]), abi=load_artifact("Exchange").abi
    )
    owners = [DEV_KEYS[i] for i in CUSTODY_OWNER_INDICES][:DEV_THRESHOLD]

    def through_custody(function: str, *args: object) -> None:
        data = Web3.to_bytes(hexstr=custody.encode_abi(function, args=list(args)))
        execute_through_custody(w3, custody, DEV_KEYS[DEPLOYER_INDEX], owners, custody.address, data)

    fee_change = Web3.to_bytes(hexstr=exchange.encode_abi("setFeeSchedule", args=[1_500, 2_500]))
    through_custody("schedule", exchange.address, 0, fee_change, SALT)
    # The server reads the chain at most every few seconds, and every page of the tests before asked it: the
    # page must find the change there, and the tests after must not.
    scheduled_changes_become(stack, 1)
    yield
    through_custody("cancel", custody.functions.hashOperation(exchange.address, 0, fee_change, SALT).call())
    scheduled_changes_become(stack, 0)


def scheduled_changes_become(stack: Stack, count: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(httpx.get(f"{stack.url}/v1/scheduled-changes", timeout=10).json()["changes"]) != count:
        assert time.monotonic() < deadline, f"the server did not list {count} scheduled change(s) in {timeout_s} s"
        time.sleep(0.5)


@pytest.mark.usefixtures("fee_change_scheduled")
def test_a_scheduled_fee_change_is_announced_in_words_with_the_way_out(dapp: Dapp) -> None:
    page = dapp.page
    dapp.open("/")
    banner = page.get_by_role("region", name="Scheduled changes to the exchange")
    expect(banner).to_contain_text("Trading fees change to 0.15% for makers and 0.25% for takers.")
    expect(banner).to_contain_text("From ")
    expect(banner.get_by_role("link", name="Use the escape hatch")).to_have_attribute("href", "/#escape-hatch")
    screenshot(page, "scheduled-change")

    found = {}
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        found[size["width"]] = [f"{v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)]
    assert found == {DESKTOP["width"]: [], PHONE["width"]: []}
    assert dapp.console_errors == []
