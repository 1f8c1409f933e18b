"""An ABI out of step with the deployed Exchange (an older build, or `--abi` at the wrong artifact) cannot make the
audit skip events: every Exchange log it cannot decode is a discrepancy naming the log, also across a resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_utils.abi import event_abi_to_log_topic

from auditor.abi import DEFAULT_ABI_PATH

from ..devchain import DevChain
from .conftest import hdex_audit

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18


def abi_without(event: str, path: Path) -> tuple[Path, str]:
    """The Exchange's ABI minus one event's entry, written to `path`; and that event's topic0."""
    abi: list[dict[str, Any]] = json.loads(DEFAULT_ABI_PATH.read_text(encoding="utf-8"))["abi"]
    [entry] = [e for e in abi if e["type"] == "event" and e["name"] == event]
    path.write_text(json.dumps([e for e in abi if e is not entry]), encoding="utf-8")
    return path, "0x" + event_abi_to_log_topic(entry).hex()  # type: ignore[arg-type]


def unknown_events(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == "unknown-event"]


def test_deposits_the_abi_does_not_know_are_discrepancies_not_an_empty_clean_report(
    devchain: DevChain, tmp_path: Path
) -> None:
    deposits = [devchain.deposit(ALICE, "WETH", 2 * WEI), devchain.deposit(BOB, "USDC", 10_000 * 10**6)]
    abi, topic = abi_without("Deposited", tmp_path / "old-exchange-abi.json")

    run = hdex_audit(devchain.url, devchain.exchange.address, tmp_path / "r", "--abi", str(abi))

    assert run.exit_code == 1, run.stdout
    assert run.report["ok"] is False
    assert "OK: no discrepancy" not in run.stdout and "[unknown-event]" in run.stdout
    found = unknown_events(run.report)
    assert [(f["block"], f["tx_hash"]) for f in found] == [
        (int(r["blockNumber"]), "0x" + bytes(r["transactionHash"]).hex()) for r in deposits
    ]
    assert all(f["failing"] and f["details"]["topic0"] == topic for f in found)
    assert [f["details"]["log_index"] for f in found] == [
        str(next(log["logIndex"] for log in r["logs"] if log["address"] == devchain.exchange.address)) for r in deposits
    ]


def test_an_unknown_event_before_a_checkpoint_is_still_reported_after_the_resume(
    devchain: DevChain, tmp_path: Path
) -> None:
    first = devchain.deposit(ALICE, "WETH", 2 * WEI)
    devchain.deposit(BOB, "USDC", 10_000 * 10**6)
    abi, _ = abi_without("Deposited", tmp_path / "old-exchange-abi.json")
    exchange, report = devchain.exchange.address, tmp_path / "r"

    part = hdex_audit(devchain.url, exchange, report, "--abi", str(abi), "--to-block", str(first["blockNumber"]))
    assert part.exit_code == 1 and len(unknown_events(part.report)) == 1

    rest = hdex_audit(devchain.url, exchange, report, "--abi", str(abi), "--resume")
    assert rest.exit_code == 1
    blocks = [f["block"] for f in unknown_events(rest.report)]
    assert len(blocks) == 2 and blocks[0] == int(first["blockNumber"])  # the first came from the checkpoint
