"""`hdex treasury` given a `--custody` that holds a contract other than a Custody (the Exchange's or a token's
address, pasted from the wrong line of `/health`) says so, exit 1, one line. `queue` said "no pending operations"
(exit 0: a signer reads that nothing is scheduled) and the others blamed the node ("the node did not answer")."""

from __future__ import annotations

import pytest

from .conftest import Desk

pytestmark = pytest.mark.chain


@pytest.mark.parametrize("contract", ["WETH", "Exchange"])
@pytest.mark.parametrize("command", ["queue", "status", "propose"])
def test_a_contract_that_is_not_a_custody_is_refused_naming_it(desk: Desk, command: str, contract: str) -> None:
    address = desk.chain.stack.contracts[contract]
    extra = ["--target", desk.exchange, "--function", "pause", "--out", "pause.json"] if command == "propose" else []

    result = desk.hdex(command, "--custody", address, "--rpc", desk.chain.url, *extra)

    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"hdex treasury {command}: the contract at {address} on chain 31337 is not a Custody (it does not answer "
        "threshold()): check --custody"
    )
    assert not (desk.folder / "pause.json").exists()


def test_the_custody_itself_still_answers(desk: Desk) -> None:
    result = desk.hdex("queue", "--custody", desk.custody, "--rpc", desk.chain.url)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no pending operations"
