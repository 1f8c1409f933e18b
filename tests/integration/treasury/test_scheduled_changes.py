"""`GET /v1/scheduled-changes` on anvil: what the owners scheduled through the Custody timelock, as users see it.

The timelock outlasts the exit delay so that a user who disagrees with a change can leave before it runs; the
dApp tells them from this route. A fee change is listed decoded from when it is scheduled (waiting, then due),
and no longer once it ran; a node that does not answer is a typed 503, not an empty list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web3 import Web3

from backend.api.routes import governance
from backend.chain import treasury
from backend.chain.treasury import REORG_MARGIN, CustodyNode, ScheduledCalls
from backend.paths import ARTIFACTS_DIR
from custody.calls import KnownAbis
from custody.policy import ScheduledCall

from ..api.live_server import serving
from ..api.test_openapi_responses import schema_mismatches
from ..conftest import free_port
from ..devchain import DevChain, address_of, dev_market_container
from .conftest import Desk

pytestmark = pytest.mark.chain

TIMELOCK_DELAY = 3600  # the dev stack's Custody delay
GRACE_PERIOD = 14 * 86_400


@pytest.fixture
def api(devchain: DevChain, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(governance, "CACHE_S", 0.0)  # each request reads the chain: the test moves it between them
    container = dev_market_container(devchain, sqlite_url, tmp_path / "api")
    with serving(container) as url:
        yield url
    container.db_engine.dispose()


def scheduled(api: str) -> dict[str, Any]:
    answer = httpx.get(f"{api}/v1/scheduled-changes", timeout=30)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def chain_time_ms(desk: Desk) -> int:
    return int(desk.chain.w3.eth.get_block("latest")["timestamp"]) * 1000


def test_a_scheduled_fee_change_is_shown_decoded_waiting_then_due_and_gone_once_it_ran(desk: Desk, api: str) -> None:
    custody = desk.custody
    empty = {"admin": custody, "timelocked": True, "custody": custody, "chainTime": chain_time_ms(desk), "changes": []}
    assert scheduled(api) == empty

    proposal = desk.approved("fee.json", "--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500")
    assert desk.send("schedule", proposal).exit_code == 0
    now = chain_time_ms(desk)

    (change,) = scheduled(api)["changes"]
    assert re.fullmatch(r"0x[0-9a-f]{64}", change.pop("id"))
    assert change == {
        "target": desk.exchange,
        "value": "0",
        "contract": "Exchange",
        "function": "setFeeSchedule",
        "arguments": [
            {"name": "makerFeeRate", "value": "1500", "human": "1500 millionths (0.15 %)"},
            {"name": "takerFeeRate", "value": "2500", "human": "2500 millionths (0.25 %)"},
        ],
        "description": "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)",
        "readyAt": now + TIMELOCK_DELAY * 1000,
        "expiresAt": now + (TIMELOCK_DELAY + GRACE_PERIOD) * 1000,
        "status": "waiting",
    }

    desk.chain.rpc("evm_increaseTime", TIMELOCK_DELAY)
    desk.chain.mine()
    answer = scheduled(api)
    assert answer["chainTime"] == chain_time_ms(desk)
    assert [change["status"] for change in answer["changes"]] == ["due"]

    assert desk.send("execute", proposal).exit_code == 0
    assert scheduled(api)["changes"] == []


def test_an_expired_change_is_not_shown_since_nobody_can_run_it(desk: Desk, api: str) -> None:
    proposal = desk.approved("exit-delay.json", "--target", desk.exchange, "--function", "setExitDelay", "172800")
    assert desk.send("schedule", proposal).exit_code == 0
    assert [change["function"] for change in scheduled(api)["changes"]] == ["setExitDelay"]

    desk.chain.rpc("evm_increaseTime", TIMELOCK_DELAY + GRACE_PERIOD + 1)
    desk.chain.mine()
    assert scheduled(api)["changes"] == []


def schedule_fee_change(chain: DevChain, custody_address: str) -> None:
    """Two owners schedule a fee change through the Custody at `custody_address`."""
    fees = Web3.to_bytes(hexstr=chain.exchange.encode_abi("setFeeSchedule", args=[1500, 2500]))
    chain.schedule(chain.exchange.address, fees, Web3.keccak(text="fees"), custody_address)


def test_the_custody_read_is_the_one_the_exchange_names_as_its_admin_once_it_was_handed_over(
    devchain: DevChain, api: str
) -> None:
    """The owners move the admin to a new Custody: its scheduled calls are what users must hear of, not the old
    one's, which can no longer change the Exchange."""
    new = devchain.deploy_custody()
    devchain.hand_admin_to(new)
    schedule_fee_change(devchain, devchain.stack.contracts["Custody"])
    answer = scheduled(api)
    assert (answer["admin"], answer["timelocked"], answer["custody"], answer["changes"]) == (new, True, new, [])

    schedule_fee_change(devchain, new)
    answer = scheduled(api)
    assert [change["description"] for change in answer["changes"]] == [
        "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)"
    ]


def test_an_admin_that_is_not_a_custody_is_said_since_its_changes_need_not_wait(devchain: DevChain, api: str) -> None:
    """Stolen owner keys hand the admin to an account of their own: nothing will be scheduled any more, and users
    must know that rather than see an empty list."""
    intruder = address_of(7)
    devchain.hand_admin_to(intruder)
    answer = scheduled(api)
    assert (answer["admin"], answer["timelocked"], answer["custody"], answer["changes"]) == (intruder, False, None, [])


def test_the_bodies_match_the_schema_openapi_documents(devchain: DevChain, api: str) -> None:
    schedule_fee_change(devchain, devchain.stack.contracts["Custody"])
    listed = httpx.get(f"{api}/v1/scheduled-changes", timeout=30)
    devchain.hand_admin_to(address_of(7))
    untimelocked = httpx.get(f"{api}/v1/scheduled-changes", timeout=30)
    assert [len(listed.json()["changes"]), len(untimelocked.json()["changes"])] == [1, 0]

    document = httpx.get(f"{api}/openapi.json", timeout=30).json()
    made = [("GET", "/v1/scheduled-changes", answer.status_code, answer) for answer in (listed, untimelocked)]
    assert schema_mismatches(document, made) == []


def test_a_node_that_does_not_answer_is_a_typed_503(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> None:
    container = dev_market_container(devchain, sqlite_url, tmp_path, rpc_url=f"http://127.0.0.1:{free_port()}")
    with serving(container) as url:
        answer = httpx.get(f"{url}/v1/scheduled-changes", timeout=30)
    container.db_engine.dispose()
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "NODE_UNAVAILABLE"


def test_a_process_asking_again_reads_only_the_new_blocks_and_a_margin_before_them(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API and the monitor ask at every block: reading the Custody's whole history each time (in ranges a
    provider accepts) would grow without end. Only the new blocks are read, and `REORG_MARGIN` before them."""
    monkeypatch.setattr(treasury, "LOG_RANGE", 7)  # many ranges: a log at any place in them is found
    node = CustodyNode(desk.chain.url, desk.custody, KnownAbis.from_artifacts(ARTIFACTS_DIR))
    ranges: list[tuple[int, int]] = []
    read_range = node.scheduled_calls

    def recorded(low: int, high: int) -> list[ScheduledCall]:
        ranges.append((low, high))
        return read_range(low, high)

    monkeypatch.setattr(node, "scheduled_calls", recorded)
    start = desk.chain.stack.block_number
    desk.chain.mine(100)  # more history than the margin
    calls = ScheduledCalls(node, start)
    assert calls.pending() == []

    proposal = desk.approved("fee.json", "--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500")
    assert desk.send("schedule", proposal).exit_code == 0
    desk.chain.mine(100)
    (pending,) = calls.pending()

    (first, second) = ranges
    assert first == (start, first[1]) and second == (first[1] + 1 - REORG_MARGIN, desk.chain.head())
    assert second[0] > start
    assert node.abis.describe(pending.call.data) == "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)"
    assert [op.operation_id for op in node.pending_operations(start)] == [pending.operation_id]  # the one-off read
