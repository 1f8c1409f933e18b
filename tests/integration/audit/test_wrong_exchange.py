"""`hdex audit` given an address that is not an Exchange stops before scanning a block: exit 2 and one line saying
so, rather than a whole scan (of an archive node, in real use) ending in an error that blames the node."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main

from ..devchain import DevChain

pytestmark = pytest.mark.chain


def test_a_token_given_as_the_exchange_is_refused_before_any_block_is_scanned(
    devchain: DevChain, tmp_path: Path
) -> None:
    devchain.deposit(5, "WETH", 10**18)  # the token has logs of its own (Transfer, Approval) to mistake for events
    token = devchain.token("WETH").address

    run = CliRunner().invoke(main, ["audit", "--rpc", devchain.url, "--exchange", token, "--report", str(tmp_path)])

    assert run.exit_code == 2, run.output
    assert run.stderr.strip().splitlines() == [
        f"hdex audit: the contract at {token} is not an Exchange: it does not answer domainSeparator() at block "
        f"{devchain.head()}: wrong --exchange?"
    ]
    assert not (tmp_path / "audit-checkpoint.json").exists()  # nothing was scanned
