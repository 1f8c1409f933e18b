"""Decoding Exchange logs with an ABI that may not be the deployed contract's: a log the ABI cannot decode comes
back as an UndecodedLog naming where it is, never as nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from auditor.abi import Event, ExchangeAbi, SettleCall, UndecodableSettle, UndecodedLog
from auditor.errors import AuditError
from backend.chain.compiler import ensure_compiled

WALLET, TOKEN = "0x" + "aa" * 20, "0x" + "bb" * 20
DEPOSITED = "0x" + keccak(text="Deposited(address,address,uint256,uint256)").hex()
SETTLE: dict[str, Any] = {"type": "function", "name": "settle", "inputs": []}


def deposited(amount_indexed: bool = False) -> dict[str, Any]:
    inputs = [("wallet", "address", True), ("token", "address", True), ("amount", "uint256", amount_indexed),
              ("balance", "uint256", False)]  # fmt: skip
    return {"type": "event", "name": "Deposited", "anonymous": False,
            "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in inputs]}  # fmt: skip


def raw_log(topics: list[str], data: bytes) -> dict[str, Any]:
    return {"topics": topics, "data": "0x" + data.hex(), "blockNumber": 12, "logIndex": 3,
            "transactionHash": "0x" + "cd" * 32}  # fmt: skip


def a_deposit_log(data: bytes = encode(["uint256", "uint256"], [5, 5])) -> dict[str, Any]:
    return raw_log([DEPOSITED, "0x" + encode(["address"], [WALLET]).hex(), "0x" + encode(["address"], [TOKEN]).hex()],
                   data)  # fmt: skip


def test_a_log_of_an_event_the_abi_knows_decodes() -> None:
    decoded = ExchangeAbi([SETTLE, deposited()]).decode_log(a_deposit_log())
    assert isinstance(decoded, Event) and decoded.name == "Deposited" and decoded.args["amount"] == 5


def test_a_log_whose_topic_the_abi_does_not_know_is_undecoded_with_its_place_and_topic() -> None:
    decoded = ExchangeAbi([SETTLE]).decode_log(a_deposit_log())
    assert decoded == UndecodedLog(12, 3, "0x" + "cd" * 32, DEPOSITED, "no event of the ABI has this topic")


def test_a_log_without_topics_is_undecoded() -> None:
    decoded = ExchangeAbi([SETTLE, deposited()]).decode_log(raw_log([], b""))
    assert isinstance(decoded, UndecodedLog) and decoded.topic0 is None


def test_a_log_whose_indexed_fields_differ_from_the_abis_event_is_undecoded() -> None:
    decoded = ExchangeAbi([SETTLE, deposited(amount_indexed=True)]).decode_log(a_deposit_log())
    assert isinstance(decoded, UndecodedLog) and decoded.topic0 == DEPOSITED
    assert "does not decode as the ABI's Deposited" in decoded.reason


def test_a_log_whose_data_is_too_short_for_the_abis_event_is_undecoded() -> None:
    decoded = ExchangeAbi([SETTLE, deposited()]).decode_log(a_deposit_log(data=encode(["uint256"], [5])))
    assert isinstance(decoded, UndecodedLog) and "does not decode" in decoded.reason


def test_a_settle_call_in_no_standard_encoding_comes_back_undecodable_not_as_an_exception() -> None:
    """The contract does not check the padding after a signature's 65 bytes: an operator can settle a batch eth-abi
    refuses to decode. That must be a finding of the run, never a traceback that stops every later audit."""
    ensure_compiled()
    abi = ExchangeAbi.load()
    order = ("0x" + "11" * 20, WALLET, TOKEN, 0, 10**18, 3_000 * 10**6, 0, 2_000, 1, 2**40, 0)
    signature = bytes(range(1, 66))
    arguments = encode(abi._settle_types, [[order], [signature], [(0, 0, 10**18, 3_000 * 10**9, 0, 0)]])
    assert isinstance(abi.decode_settle(abi.settle_selector + arguments), SettleCall)
    at = arguments.index(signature) + 65  # the first padding byte after the signature
    padded = arguments[:at] + b"\x01" + arguments[at + 1 :]

    decoded = abi.decode_settle(abi.settle_selector + padded)

    assert isinstance(decoded, UndecodableSettle) and "padding" in decoded.reason.lower()


def test_an_abi_file_without_an_abi_is_one_clear_error(tmp_path: Path) -> None:
    artifact = tmp_path / "Exchange.json"
    artifact.write_text('{"bytecode": "0x"}')
    with pytest.raises(AuditError, match="holds no ABI"):
        ExchangeAbi.load(artifact)
