"""`hdex audit --resume` carries on from its checkpoint to the same verdict as one run, refuses to when a reorg has
replaced the block the checkpoint stands on, and a checkpoint whose balance expectation was tampered with shows up as a
balance discrepancy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.chain import ChainReader
from backend.cli import main

from ..devchain import DevChain, address_of
from .conftest import hdex_audit
from .settlement import Fill, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6


def two_batches(chain: DevChain) -> int:
    """Deposits and two settled batches; returns the block of the first batch."""
    chain.deposit(ALICE, "WETH", 2 * WEI)
    chain.deposit(BOB, "USDC", 10_000 * 10**6)
    seller = signed_order(chain, ALICE, 1, 2 * WEI, PRICE)
    buyer = signed_order(chain, BOB, 0, 2 * WEI, PRICE)
    quote = quote_for(WEI, PRICE)
    first = settle(chain, [Fill(seller, buyer, WEI, quote, maker_fee=quote // 1_000, taker_fee=WEI // 500)])
    # The same orders again without signatures (cached on-chain): the audit must remember them across a resume.
    settle(chain, [Fill(seller, buyer, WEI, quote, maker_fee=quote // 1_000, taker_fee=WEI // 500)], signed=False)
    return int(first["blockNumber"])


def test_a_resumed_audit_reaches_the_same_verdict_as_one_run(devchain: DevChain, tmp_path: Path) -> None:
    middle = two_batches(devchain)
    exchange = devchain.exchange.address
    whole = hdex_audit(devchain.url, exchange, tmp_path / "whole")
    assert whole.exit_code == 0, whole.stdout

    part = hdex_audit(devchain.url, exchange, tmp_path / "parts", "--to-block", str(middle), "--chunk-blocks", "3")
    assert part.exit_code == 0, part.stdout
    assert part.report["counts"]["trades_verified"] == 1
    assert "audit: block" in part.stderr  # progress, chunk by chunk
    checkpoint = json.loads((tmp_path / "parts" / "audit-checkpoint.json").read_text(encoding="utf-8"))
    assert checkpoint["state"]["last_block"] == middle

    rest = hdex_audit(devchain.url, exchange, tmp_path / "parts", "--resume")
    assert rest.exit_code == 0, rest.stdout
    assert rest.report["resumed_from"] == middle + 1
    assert rest.report["counts"]["trades_verified"] == 2
    for key in ("balances", "solvency", "findings"):
        assert rest.report[key] == whole.report[key]
    assert rest.report["counts"] == whole.report["counts"]


def test_a_resume_is_refused_once_a_reorg_replaced_the_checkpoints_last_block(
    devchain: DevChain, tmp_path: Path
) -> None:
    two_batches(devchain)
    exchange = devchain.exchange.address
    assert hdex_audit(devchain.url, exchange, tmp_path / "r").exit_code == 0  # to the head: the second batch's block
    devchain.rpc("anvil_reorg", 1, [])  # that block is replaced by an empty one: its trade is gone
    devchain.mine()

    resumed = CliRunner().invoke(main, ["audit", "--rpc", devchain.url, "--exchange", exchange, "--report",
                                        str(tmp_path / "r"), "--resume"])  # fmt: skip
    assert resumed.exit_code == 2, resumed.output
    assert "the chain reorganised since; audit again without --resume" in resumed.stderr
    again = hdex_audit(devchain.url, exchange, tmp_path / "again")
    assert again.exit_code == 0 and again.report["counts"]["trades_verified"] == 1


def test_a_reorg_while_a_chunk_is_audited_stops_the_run_before_its_checkpoint(
    devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept, the checkpoint would pair the old fork's events with the new fork's hash, and a resume would accept it."""
    two_batches(devchain)
    exchange = devchain.exchange.address
    read_hash, asked = ChainReader.block_hash, []

    def reorg_once_audited(reader: ChainReader, block: int) -> Any:
        asked.append(block)
        if len(asked) == 2:  # the chunk's events read and verified; its checkpoint next
            devchain.rpc("anvil_reorg", 1, [])  # the head block (the second batch's) replaced meanwhile
        return read_hash(reader, block)

    monkeypatch.setattr(ChainReader, "block_hash", reorg_once_audited)
    stopped = CliRunner().invoke(main, ["audit", "--rpc", devchain.url, "--exchange", exchange, "--report",
                                        str(tmp_path / "r")])  # fmt: skip

    assert stopped.exit_code == 2, stopped.output
    assert "a reorg replaced blocks up to" in stopped.stderr
    assert not (tmp_path / "r" / "audit-checkpoint.json").exists()
    again = hdex_audit(devchain.url, exchange, tmp_path / "again")
    assert again.exit_code == 0 and again.report["counts"]["trades_verified"] == 1


def test_a_tampered_balance_expectation_is_reported(devchain: DevChain, tmp_path: Path) -> None:
    middle = two_batches(devchain)
    exchange = devchain.exchange.address
    assert hdex_audit(devchain.url, exchange, tmp_path / "r", "--to-block", str(middle)).exit_code == 0
    path = tmp_path / "r" / "audit-checkpoint.json"
    shutil.copy(path, tmp_path / "untouched.json")
    checkpoint = json.loads(path.read_text(encoding="utf-8"))
    usdc = devchain.token("USDC").address
    for row in checkpoint["state"]["balances"]:
        if row[:2] == [address_of(BOB), usdc]:
            row[2] = str(int(row[2]) + 1)  # the auditor is made to expect one base unit more
    path.write_text(json.dumps(checkpoint), encoding="utf-8")

    run = hdex_audit(devchain.url, exchange, tmp_path / "r", "--resume")
    assert run.exit_code == 1
    assert "balance-mismatch" in run.kinds()
    [mismatch] = [f for f in run.report["findings"] if f["kind"] == "balance-mismatch"]
    assert mismatch["details"]["wallet"] == address_of(BOB) and mismatch["details"]["token"] == usdc
    assert int(mismatch["details"]["rebuilt"]) == int(mismatch["details"]["contract"]) + 1
