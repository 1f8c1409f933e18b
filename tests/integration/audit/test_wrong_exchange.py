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


def test_the_custody_given_as_the_exchange_is_refused_before_any_block_is_scanned(
    devchain: DevChain, tmp_path: Path
) -> None:
    # Custody answers domainSeparator() too (its own EIP-712 domain): taken for an Exchange, the whole scan ran and
    # ended in exit 1 with a `domain-mismatch` discrepancy, which reads as a fault of the exchange, not of the address.
    custody = devchain.stack.contracts["Custody"]

    run = CliRunner().invoke(main, ["audit", "--rpc", devchain.url, "--exchange", custody, "--report", str(tmp_path)])

    assert run.exit_code == 2, run.output
    assert run.stderr.strip().splitlines() == [
        f"hdex audit: the contract at {custody} is not an Exchange: it does not answer makerFeeRate() at block "
        f"{devchain.head()}: wrong --exchange?"
    ]
    assert not (tmp_path / "audit-checkpoint.json").exists()


def test_an_exchange_address_with_a_wrong_checksum_is_refused_as_a_typo(devchain: DevChain, tmp_path: Path) -> None:
    exchange = devchain.exchange.address
    at = next(i for i, char in enumerate(exchange) if i > 1 and char.isalpha())
    typo = exchange[:at] + exchange[at].swapcase() + exchange[at + 1 :]  # one letter's case: a checksum typo

    run = CliRunner().invoke(main, ["audit", "--rpc", devchain.url, "--exchange", typo, "--report", str(tmp_path)])

    assert run.exit_code == 2, run.output
    assert "does not match its EIP-55 checksum" in run.stderr
    assert not (tmp_path / "audit-checkpoint.json").exists()
