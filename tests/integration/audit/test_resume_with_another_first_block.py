"""`hdex audit --resume --from-block N` whose checkpoint audits from another block is refused (exit 2, one line):
the resume used the checkpoint's first block without a word, so an auditor asking for a complete audit from genesis
got "OK" for a range that began later, with blocks before it never checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main

from ..devchain import DevChain
from .conftest import hdex_audit

pytestmark = pytest.mark.chain


def partial_audit(devchain: DevChain, report: Path) -> tuple[str, int]:
    """A deposit, then an audit of two blocks from it, its checkpoint left in `report`; the chain moved on since.
    Returns the Exchange's address and the audit's first block."""
    devchain.deposit(5, "WETH", 10**18)
    start = devchain.head()
    devchain.mine(3)
    exchange = devchain.exchange.address
    partial = hdex_audit(devchain.url, exchange, report, "--from-block", str(start), "--to-block", str(start + 1))
    assert partial.exit_code == 0, partial.stdout
    devchain.mine(3)
    return exchange, start


def test_a_resume_asked_from_another_first_block_than_its_checkpoints_is_refused(
    devchain: DevChain, tmp_path: Path
) -> None:
    exchange, start = partial_audit(devchain, tmp_path)

    run = CliRunner().invoke(
        main, ["audit", "--rpc", devchain.url, "--exchange", exchange, "--report", str(tmp_path), "--resume",
               "--from-block", "0"],
    )  # fmt: skip

    assert run.exit_code == 2, run.output
    assert run.stderr.strip().splitlines() == [
        f"hdex audit: the checkpoint at {tmp_path / 'audit-checkpoint.json'} audits from block {start}, not "
        "--from-block 0: leave out --from-block to carry on from it, or audit again without --resume"
    ]


def test_a_resume_without_from_block_carries_on_from_the_checkpoints_first_block(
    devchain: DevChain, tmp_path: Path
) -> None:
    exchange, start = partial_audit(devchain, tmp_path)

    for extra in ([], ["--from-block", str(start)]):  # the same first block, given again, is no conflict
        resumed = hdex_audit(devchain.url, exchange, tmp_path, "--resume", *extra)
        assert resumed.exit_code == 0, resumed.stdout
        assert resumed.report["from_block"] == start
