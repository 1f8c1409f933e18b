"""Decoding Exchange logs with an ABI that may not be the deployed contract's: a log the ABI cannot decode comes
back as an UndecodedLog naming where it is, never as nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from auditor.abi import Event, ExchangeAbi, SettleCall, UndecodableCall, UndecodedLog, Withdrawal, WithdrawCall
from auditor.errors import AuditError
from backend.chain.compiler import ensure_compiled

WALLET, TOKEN = "0x" + "aa" * 20, "0x" + "bb" * 20
DEPOSITED = "0x" + keccak(text="Deposited(address,address,uint256,uint256)").hex()
# The functions whose calls the auditor decodes (their arguments do not matter to the logs' tests).
CALLS: list[dict[str, Any]] = [{"type": "function", "name": name, "inputs": []} for name in ("settle", "withdraw")]


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
    decoded = ExchangeAbi([*CALLS, deposited()]).decode_log(a_deposit_log())
    assert isinstance(decoded, Event) and decoded.name == "Deposited" and decoded.args["amount"] == 5


def test_a_log_whose_topic_the_abi_does_not_know_is_undecoded_with_its_place_and_topic() -> None:
    decoded = ExchangeAbi(CALLS).decode_log(a_deposit_log())
    assert decoded == UndecodedLog(12, 3, "0x" + "cd" * 32, DEPOSITED, "no event of the ABI has this topic")


def test_a_log_without_topics_is_undecoded() -> None:
    decoded = ExchangeAbi([*CALLS, deposited()]).decode_log(raw_log([], b""))
    assert isinstance(decoded, UndecodedLog) and decoded.topic0 is None


def test_a_log_whose_indexed_fields_differ_from_the_abis_event_is_undecoded() -> None:
    decoded = ExchangeAbi([*CALLS, deposited(amount_indexed=True)]).decode_log(a_deposit_log())
    assert isinstance(decoded, UndecodedLog) and decoded.topic0 == DEPOSITED
    assert "does not decode as the ABI's Deposited" in decoded.reason


def test_a_log_whose_data_is_too_short_for_the_abis_event_is_undecoded() -> None:
    decoded = ExchangeAbi([*CALLS, deposited()]).decode_log(a_deposit_log(data=encode(["uint256"], [5])))
    assert isinstance(decoded, UndecodedLog) and "does not decode" in decoded.reason


def padded_after(arguments: bytes, signature: bytes) -> bytes:
    """`arguments` with a non-zero byte in the padding after the 65-byte `signature` (which Solidity never checks)."""
    at = arguments.index(signature) + 65
    return arguments[:at] + b"\x01" + arguments[at + 1 :]


def test_a_settle_call_in_no_standard_encoding_comes_back_undecodable_not_as_an_exception() -> None:
    """The contract does not check the padding after a signature's 65 bytes: an operator can settle a batch eth-abi
    refuses to decode. That must be a finding of the run, never a traceback that stops every later audit."""
    ensure_compiled()
    abi = ExchangeAbi.load()
    selector, types = abi.functions["settle"]
    order = ("0x" + "11" * 20, WALLET, TOKEN, 0, 10**18, 3_000 * 10**6, 0, 2_000, 1, 2**40, 0)
    signature = bytes(range(1, 66))
    arguments = encode(types, [[order], [signature], [(0, 0, 10**18, 3_000 * 10**9, 0, 0)]])
    assert isinstance(abi.decode_call(selector + arguments), SettleCall)

    decoded = abi.decode_call(selector + padded_after(arguments, signature))

    assert isinstance(decoded, UndecodableCall) and decoded.function == "settle"
    assert "padding" in decoded.reason.lower()


def test_a_withdraw_call_decodes_to_the_signed_withdrawal_and_in_no_standard_encoding_comes_back_undecodable() -> None:
    ensure_compiled()
    abi = ExchangeAbi.load()
    selector, types = abi.functions["withdraw"]
    withdrawal = Withdrawal(to_checksum_address(WALLET), to_checksum_address(TOKEN), 10**18, 10**15,
                            to_checksum_address("0x" + "cc" * 20), 7, 2**40)  # fmt: skip
    signature = bytes(range(1, 66))
    arguments = encode(types, [(WALLET, TOKEN, 10**18, 10**15, "0x" + "cc" * 20, 7, 2**40), signature, 5])

    assert abi.decode_call(selector + arguments) == WithdrawCall(withdrawal, signature, 5)
    decoded = abi.decode_call(selector + padded_after(arguments, signature))
    assert isinstance(decoded, UndecodableCall) and decoded.function == "withdraw"
    assert abi.decode_call(b"\x12\x34\x56\x78" + arguments) is None  # neither settle nor withdraw


def test_an_abi_file_without_an_abi_is_one_clear_error(tmp_path: Path) -> None:
    artifact = tmp_path / "Exchange.json"
    artifact.write_text('{"bytecode": "0x"}')
    with pytest.raises(AuditError, match="holds no ABI"):
        ExchangeAbi.load(artifact)
