"""Offline treasury pieces: calldata decoding, the warnings a signer reads, and the proposal file's checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_utils.crypto import keccak

from backend.chain.compiler import ensure_compiled
from backend.paths import ARTIFACTS_DIR
from backend.signing.recover import SECP256K1_N
from custody.approvals import ApprovalError, CustodyTransaction, recover, sign
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.policy import ETH, ScheduledCall, outflows, schedule_data, scheduled_call
from custody.proposal import Proposal, merge, read_proposal, write_proposal
from custody.review import review

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
OWNER = "0x" + "ab" * 20
KEYS = ["0x" + f"{i:02x}" * 32 for i in (1, 2)]


@pytest.fixture(scope="module")
def abis() -> KnownAbis:
    ensure_compiled()  # a fresh clone has no build/contracts until something compiles them (quick once built)
    return KnownAbis.from_artifacts(ARTIFACTS_DIR)


def transaction(target: str, data: bytes, value: int = 0) -> CustodyTransaction:
    return CustodyTransaction(31337, CUSTODY, target, value, data, nonce=4, deadline=2_000_000_000)


def warnings_of(abis: KnownAbis, target: str, function: str, *args: str, limits: dict[str, int] | None = None) -> str:
    return " | ".join(review(transaction(target, abis.encode(function, args)), abis, limits).warnings)


def test_calldata_is_decoded_against_the_known_abis(abis: KnownAbis) -> None:
    data = abis.encode("setFeeSchedule(uint32,uint32)", ["1500", "2500"])
    assert abis.decode(data).describe() == "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)"
    assert abis.decode(abis.encode("transfer", [OWNER, "7"])).describe().startswith("ERC20.transfer(to=")


def test_an_unknown_selector_or_trailing_bytes_stay_raw(abis: KnownAbis) -> None:
    assert abis.decode(bytes.fromhex("deadbeef00")).describe() == "unknown selector 0xdeadbeef"
    padded = abis.encode("pause", []) + b"\x00" * 32
    assert not abis.decode(padded).known


def test_custom_errors_are_decoded_in_words(abis: KnownAbis) -> None:
    data = keccak(text="CustodyBelowThreshold(uint256,uint256)")[:4] + (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    assert abis.decode_error(data) == "CustodyBelowThreshold(count=1, threshold=2)"


def test_encoding_refuses_bad_arguments(abis: KnownAbis) -> None:
    with pytest.raises(TreasuryError, match="takes 2 arguments"):
        abis.encode("setFeeSchedule", ["1"])
    with pytest.raises(TreasuryError, match="not an Ethereum address"):
        abis.encode("addOperator", ["0x1234"])
    with pytest.raises(TreasuryError, match="no known contract"):
        abis.encode("selfDestruct", [])
    with pytest.raises(TreasuryError, match=r"setFeeSchedule.*cannot be encoded"):  # a clear line, no traceback
        abis.encode("setFeeSchedule", [str(2**32), "1"])
    with pytest.raises(TreasuryError, match="2 bytes given: bytes32 takes exactly 32"):  # padded: another operation
        abis.encode("cancel", ["0x1234"])


@pytest.mark.parametrize("amount", ["1.5", "1e6", "1,000"])
def test_an_amount_with_decimals_is_refused_saying_amounts_are_whole_base_units(abis: KnownAbis, amount: str) -> None:
    with pytest.raises(TreasuryError) as refused:
        abis.encode("withdrawFees", [TOKEN, amount])
    assert str(refused.value) == (
        f"argument amount (uint256): {amount!r} is invalid: not a whole number: give integers in base units, without "
        "a decimal point, exponent or separators (1.5 of a 6-decimal token is 1500000)"
    )


@pytest.mark.parametrize(
    ("target", "function", "args", "warning"),
    [
        (CUSTODY, "addOwner", [OWNER, "3"], "OWNER ADDED"),
        (CUSTODY, "removeOwner", [OWNER, "1"], "OWNER REMOVED"),
        (CUSTODY, "changeThreshold", ["1"], "THRESHOLD CHANGED"),
        (CUSTODY, "setTimelockDelay", ["3600"], "TIMELOCK DELAY CHANGED"),
        (CUSTODY, "setDailyLimit", [TOKEN, "5"], "DAILY LIMIT CHANGED"),
        (EXCHANGE, "addOperator", [OWNER], "OPERATOR ADDED"),
        (EXCHANGE, "setFeeSchedule", ["1", "2"], "FEE CHANGE"),
        (EXCHANGE, "setFeeRecipient", [OWNER], "FEE RECIPIENT CHANGE"),
        (EXCHANGE, "setExitDelay", ["7200"], "EXIT DELAY CHANGE"),
        (EXCHANGE, "setAdmin", [OWNER], "ADMIN CHANGE"),
        (EXCHANGE, "setPriceFeed", [TOKEN, OWNER, OWNER, "3600"], "PRICE SOURCE CHANGE"),
    ],
)
def test_sensitive_calls_warn_loudly(
    abis: KnownAbis, target: str, function: str, args: list[str], warning: str
) -> None:
    assert warning in warnings_of(abis, target, function, *args)


def test_routine_calls_do_not_warn(abis: KnownAbis) -> None:
    assert warnings_of(abis, EXCHANGE, "pause") == ""
    assert warnings_of(abis, TOKEN, "transfer", OWNER, "100", limits={TOKEN: 100}) == ""


def test_transfers_above_the_daily_limit_and_unknown_selectors_warn(abis: KnownAbis) -> None:
    assert "ABOVE THE DAILY LIMIT: 101" in warnings_of(abis, TOKEN, "transfer", OWNER, "101", limits={TOKEN: 100})
    ether = review(transaction(OWNER, b"", value=10**18), abis, {ETH: 10**17})
    assert "ABOVE THE DAILY LIMIT" in ether.warnings[0] and "value    1000000000000000000 wei (1 ETH)" in ether.lines
    unknown = review(transaction(EXCHANGE, bytes.fromhex("deadbeef")), abis)
    assert "UNKNOWN SELECTOR 0xdeadbeef" in unknown.warnings[0]


def test_a_scheduled_call_is_reviewed_as_the_call_it_will_make(abis: KnownAbis) -> None:
    inner = ScheduledCall(EXCHANGE, 0, abis.encode("setExitDelay", ["86400"]), b"\x01" * 32)
    tx = transaction(CUSTODY, schedule_data(abis, inner))
    result = review(tx, abis)
    assert any("EXIT DELAY CHANGE" in w for w in result.warnings)
    assert any("86400 s (1 d)" in line for line in result.lines)
    assert scheduled_call(tx, abis) == inner


def test_outflows_follow_the_contracts_daily_limit_rule(abis: KnownAbis) -> None:
    assert outflows(TOKEN, 5, abis.encode("approve", [OWNER, "9"]), CUSTODY) == [(ETH, 5), (TOKEN, 9)]
    assert outflows(TOKEN, 0, abis.encode("transfer", [OWNER, "7"]), CUSTODY) == [(TOKEN, 7)]
    assert outflows(TOKEN, 0, abis.encode("transferFrom", [OWNER, OWNER, "9"]), CUSTODY) == []  # not Custody's
    # WETH9 and DAI let a holder move its own tokens with transferFrom, no allowance: Custody counts what left
    assert outflows(TOKEN, 0, abis.encode("transferFrom", [CUSTODY, OWNER, "9"]), CUSTODY) == [(TOKEN, 9)]
    increase = keccak(text="increaseAllowance(address,uint256)")[:4] + abi_encode(["address", "uint256"], [OWNER, 4])
    assert outflows(TOKEN, 0, increase, CUSTODY) == [(TOKEN, 4)]
    to_677 = keccak(text="transferAndCall(address,uint256,bytes)")[:4] + abi_encode(
        ["address", "uint256", "bytes"], [OWNER, 6, b"hi"]
    )
    assert outflows(TOKEN, 0, to_677, CUSTODY) == [(TOKEN, 6)]


def test_our_digest_and_eth_accounts_agree() -> None:
    tx = transaction(EXCHANGE, b"\x01\x02\x03", value=9)
    assert tx.digest() == tx.typed_data_digest()


def test_a_proposal_file_refuses_tampering(abis: KnownAbis) -> None:
    proposal = Proposal.create(transaction(EXCHANGE, abis.encode("pause", [])), abis)
    signed = proposal.with_signature(Account.from_key(KEYS[0]))
    data = signed.to_json()
    Proposal.from_json(json.loads(json.dumps(data))).verify(abis, chain_id=31337, custody=CUSTODY)

    altered = json.loads(json.dumps(data))
    altered["message"]["deadline"] = "2000000001"
    with pytest.raises(TreasuryError, match="does not match its fields"):
        Proposal.from_json(altered).verify(abis)
    relabelled = json.loads(json.dumps(data))
    relabelled["call"] = "Exchange.unpause()"
    with pytest.raises(TreasuryError, match="description does not match"):
        Proposal.from_json(relabelled).verify(abis)
    forged = json.loads(json.dumps(data))
    forged["signatures"][0]["signer"] = OWNER
    with pytest.raises(TreasuryError, match="is not that signer's"):
        Proposal.from_json(forged).verify(abis)
    with pytest.raises(TreasuryError, match="expected chain 1"):
        signed.verify(abis, chain_id=1)


def test_a_proposal_is_written_through_a_new_file_never_through_a_planted_link(abis: KnownAbis, tmp_path: Path) -> None:
    """Proposal folders are shared between owners: one could plant a link where the writer would put its temporary
    file, or as the proposal itself, pointing at another signer's keystore."""
    keystore = tmp_path / "owner.json"
    keystore.write_text("the encrypted key")
    proposal = Proposal.create(transaction(EXCHANGE, abis.encode("pause", [])), abis)
    shared = tmp_path / "p.json"
    (tmp_path / "p.json.tmp").symlink_to(keystore)
    write_proposal(proposal, shared)
    assert read_proposal(shared).to_json() == proposal.to_json()
    assert keystore.read_text() == "the encrypted key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["owner.json", "p.json", "p.json.tmp"]  # nothing left over

    linked = tmp_path / "linked.json"
    linked.symlink_to(keystore)
    with pytest.raises(TreasuryError, match="is a symbolic link"):
        write_proposal(proposal, linked)
    assert keystore.read_text() == "the encrypted key"


def test_a_file_name_with_control_characters_is_refused(abis: KnownAbis, tmp_path: Path) -> None:
    """Printed to a signer's terminal, it could move the cursor and rewrite what the proposal shows."""
    proposal = Proposal.create(transaction(EXCHANGE, abis.encode("pause", [])), abis)
    crafted = tmp_path / "p\x1b[7A\r\x1b[2Kcall Exchange.pause().json"
    with pytest.raises(TreasuryError, match="has control characters"):
        write_proposal(proposal, crafted)
    with pytest.raises(TreasuryError, match="has control characters"):
        read_proposal(crafted)


def test_merging_keeps_each_signer_once_and_refuses_different_proposals(abis: KnownAbis) -> None:
    proposal = Proposal.create(transaction(EXCHANGE, abis.encode("pause", [])), abis)
    first, second = (proposal.with_signature(Account.from_key(k)) for k in KEYS)
    merged = merge([first, second, first])
    assert sorted(merged.signers) == sorted(Account.from_key(k).address for k in KEYS)
    other = Proposal.create(transaction(EXCHANGE, abis.encode("unpause", [])), abis)
    with pytest.raises(TreasuryError, match="different proposals"):
        merge([first, other])
    with pytest.raises(TreasuryError, match="already signed"):
        first.with_signature(Account.from_key(KEYS[0]))


def test_a_signature_custody_would_refuse_is_refused_although_it_recovers_to_the_owner() -> None:
    tx = transaction(EXCHANGE, b"\x84\x56\xcb\x59")  # pause()
    good = sign(tx, KEYS[0])
    assert recover(tx, good.signature) == good.signer
    r, s, v = good.signature[:32], int.from_bytes(good.signature[32:64], "big"), good.signature[64]
    twin = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes((55 - v,))  # the high-s twin: the same signer
    assert Account._recover_hash(tx.digest(), signature=twin) == good.signer
    for bad in (twin, good.signature[:64] + bytes((v - 27,)), good.signature[:64], good.signature + b"\x00"):
        with pytest.raises(ApprovalError):
            recover(tx, bad)


def test_the_daily_limit_warning_counts_what_was_spent_today_and_spares_a_scheduled_outflow(abis: KnownAbis) -> None:
    """Custody counts direct outflows of the day against the limit (a transfer within it alone can still
    revert) and never counts a scheduled call (the timelock is the way past the limit, not a breach of it)."""
    transfer = abis.encode("transfer", [OWNER, "60"])
    spent = review(transaction(TOKEN, transfer), abis, {TOKEN: 100}, spent_today={TOKEN: 50})
    assert any("ABOVE THE DAILY LIMIT: 60" in w and "spent today 50" in w for w in spent.warnings)
    assert review(transaction(TOKEN, transfer), abis, {TOKEN: 100}, spent_today={TOKEN: 40}).warnings == []
    later = ScheduledCall(TOKEN, 0, abis.encode("transfer", [OWNER, "500"]), b"\x02" * 32)
    result = review(transaction(CUSTODY, schedule_data(abis, later)), abis, {TOKEN: 100})
    assert not any("ABOVE THE DAILY LIMIT" in w for w in result.warnings)
    assert any("not counted against the daily limit" in line for line in result.lines)


def test_revoking_an_allowance_counts_nothing_and_is_not_warned_of_over_a_lowered_limit(abis: KnownAbis) -> None:
    """Custody never refuses a revoke (`approve(spender, 0)`), even with today's spending above a limit lowered since:
    the review must not tell the signers it will revert (the incident response is lowering the limit, then revoking)."""
    revoke = abis.encode("approve", [OWNER, "0"])
    assert outflows(TOKEN, 0, revoke, CUSTODY) == []
    assert review(transaction(TOKEN, revoke), abis, {TOKEN: 0}, spent_today={TOKEN: 60}).warnings == []


@pytest.mark.parametrize(("function", "args"), [("addOwner", [OWNER, "3"]), ("schedule", None)])
def test_a_custody_function_called_on_another_contract_is_flagged(
    abis: KnownAbis, function: str, args: list[str] | None
) -> None:
    """The label comes from the calldata's selector: the same bytes sent to another contract may do anything."""
    if args is None:
        data = schedule_data(abis, ScheduledCall(EXCHANGE, 0, abis.encode("pause", []), b"\x03" * 32))
    else:
        data = abis.encode(function, args)
    assert f"{function}() is called on a contract other than this Custody" in warnings_of_data(abis, TOKEN, data)
    assert "other than this Custody" not in warnings_of_data(abis, CUSTODY, data)


def warnings_of_data(abis: KnownAbis, target: str, data: bytes) -> str:
    return " | ".join(review(transaction(target, data), abis).warnings)


def test_a_timelock_only_call_made_directly_warns_and_the_same_call_scheduled_does_not(abis: KnownAbis) -> None:
    direct = warnings_of(abis, CUSTODY, "setDailyLimit", TOKEN, "5")
    assert "NOT THROUGH THE TIMELOCK: Custody.setDailyLimit" in direct
    assert "NOT THROUGH THE TIMELOCK" not in warnings_of(abis, EXCHANGE, "removeOperator", OWNER)
    inner = ScheduledCall(EXCHANGE, 0, abis.encode("setFeeSchedule", ["1", "2"]), b"\x01" * 32)
    scheduled = review(transaction(CUSTODY, schedule_data(abis, inner)), abis)
    assert not any("NOT THROUGH THE TIMELOCK" in w for w in scheduled.warnings)


def test_a_deadline_already_past_warns_that_the_approvals_are_expired(abis: KnownAbis) -> None:
    tx = transaction(EXCHANGE, abis.encode("pause", []))
    assert "EXPIRED: the deadline 2000000000 passed 1 h ago" in review(tx, abis, now=2_000_003_600).warnings[0]
    assert review(tx, abis, now=2_000_000_000).warnings == []


@pytest.mark.parametrize("function", ["approve(address,uint256)", "increaseAllowance(address,uint256)"])
def test_an_allowance_call_too_short_for_its_arguments_is_flagged_as_one_custody_refuses(
    abis: KnownAbis, function: str
) -> None:
    """A token compiled before Solidity 0.5 reads the missing bytes as zeros and grants the allowance, which the
    daily limit could not count: Custody reverts the direct execute, and the review says so before anyone signs."""
    whole = keccak(text=function)[:4] + abi_encode(["address", "uint256"], [OWNER, 10**24])
    for short in (whole[:-1], whole[:4]):
        warnings = warnings_of_data(abis, TOKEN, short)
        assert f"CALLDATA TOO SHORT: {function} on {TOKEN} with {len(short)} bytes of calldata, 68 needed" in warnings
        assert "CustodyCalldataTooShort" in warnings
    assert "CALLDATA TOO SHORT" not in warnings_of_data(abis, TOKEN, whole)
    later = ScheduledCall(TOKEN, 0, whole[:-1], b"\x04" * 32)  # executeScheduled neither counts nor refuses it
    assert "CALLDATA TOO SHORT" not in warnings_of_data(abis, CUSTODY, schedule_data(abis, later))


@pytest.mark.parametrize(
    ("signature", "types", "args"),
    [
        ("increaseApproval(address,uint256)", ["address", "uint256"], [OWNER, 5]),
        ("approveAndCall(address,uint256)", ["address", "uint256"], [OWNER, 5]),
        ("approveAndCall(address,uint256,bytes)", ["address", "uint256", "bytes"], [OWNER, 5, b""]),
        ("approve(address,address,uint160,uint48)", ["address", "address", "uint160", "uint48"], [TOKEN, OWNER, 5, 9]),
    ],
)
def test_an_allowance_the_daily_limit_does_not_count_is_named_with_a_warning(
    abis: KnownAbis, signature: str, types: list[str], args: list[object]
) -> None:
    """Custody counts only `approve` and `increaseAllowance`: the others (LINK's `increaseApproval`, `approveAndCall`,
    Permit2's `approve`) let a spender take the tokens later past the limit, so the signer is told to use the timelock
    rather than left with an unknown selector."""
    data = keccak(text=signature)[:4] + abi_encode(types, args)
    assert outflows(TOKEN, 0, data, CUSTODY) == []
    warnings = warnings_of_data(abis, TOKEN, data)
    assert f"ALLOWANCE NOT COUNTED: {signature}" in warnings and "through the timelock" in warnings
    later = ScheduledCall(TOKEN, 0, data, b"\x05" * 32)
    assert "ALLOWANCE NOT COUNTED" not in warnings_of_data(abis, CUSTODY, schedule_data(abis, later))
