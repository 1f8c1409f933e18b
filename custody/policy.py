"""Custody's rules mirrored offline: which calls need the timelock, what counts against the daily limit, and how
a scheduled operation is named. Each rule restates the contract (contracts/interfaces/ICustody.sol), so the
client can tell a signer before any transaction what the contract will do with the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from custody.approvals import CustodyTransaction
from custody.calls import KnownAbis

ETH = "0x0000000000000000000000000000000000000000"  # the daily limit's token for ether
# Admin calls the target refuses unless they arrive through the timelock (`isExecutingScheduledCall`).
TIMELOCKED: frozenset[tuple[str, str]] = frozenset(
    {
        ("Exchange", "addOperator"),
        ("Exchange", "setFeeRecipient"),
        ("Exchange", "setFeeSchedule"),
        ("Exchange", "setExitDelay"),
        ("Exchange", "setAdmin"),
        ("Exchange", "setPriceFeed"),
        ("Custody", "setTimelockDelay"),
        ("Custody", "setDailyLimit"),
    }
)
# The allowances Custody counts against the daily limit, and the calldata they take (selector, spender, amount):
# a direct call of either that is shorter reverts (`CustodyCalldataTooShort`).
COUNTED_ALLOWANCES = {
    keccak(text="approve(address,uint256)")[:4]: "approve(address,uint256)",
    keccak(text="increaseAllowance(address,uint256)")[:4]: "increaseAllowance(address,uint256)",
}
ALLOWANCE_CALLDATA = 68
# Functions that grant an allowance too, which Custody does not count: a direct execute of one lets the spender
# take the tokens later, past the daily limit.
UNCOUNTED_ALLOWANCES = {
    keccak(text=signature)[:4]: f"{signature} ({where})"
    for signature, where in (
        ("increaseApproval(address,uint256)", "LINK, OpenZeppelin < 2.0"),
        ("approveAndCall(address,uint256)", "ERC-1363"),
        ("approveAndCall(address,uint256,bytes)", "ERC-1363, MiniMe"),
        ("approve(address,address,uint160,uint48)", "Permit2"),
    )
}
# Calls (selector: their amount's argument, 32-byte words after it) that move or let go of Custody's own tokens
# of the called contract: Custody counts what left its balance during the call and the allowances it grants.
_AMOUNT_WORD = {
    keccak(text="transfer(address,uint256)")[:4]: 1,
    keccak(text="transferAndCall(address,uint256,bytes)")[:4]: 1,  # ERC-677 (LINK)
    **dict.fromkeys(COUNTED_ALLOWANCES, 1),
}
_TRANSFER_FROM = keccak(text="transferFrom(address,address,uint256)")[:4]  # counted when it takes Custody's own


@dataclass(frozen=True)
class ScheduledCall:
    """The call a `Custody.schedule` transaction queues, and its operation id."""

    target: str
    value: int
    data: bytes
    salt: bytes

    @property
    def operation_id(self) -> bytes:
        """`Custody.hashOperation`: keccak256(abi.encode(target, value, data, salt))."""
        return keccak(
            abi_encode(["address", "uint256", "bytes", "bytes32"], [self.target, self.value, self.data, self.salt])
        )


def needs_timelock(abis: KnownAbis, data: bytes) -> bool:
    """Whether the target will only accept `data` through the timelock."""
    function = abis.decode(data).function
    return function is not None and (function.contract, function.name) in TIMELOCKED


def schedule_data(abis: KnownAbis, call: ScheduledCall) -> bytes:
    """Calldata for `Custody.schedule(target, value, data, salt)`."""
    return abis.encode("schedule", [call.target, str(call.value), "0x" + call.data.hex(), "0x" + call.salt.hex()])


def scheduled_call(transaction: CustodyTransaction, abis: KnownAbis) -> ScheduledCall | None:
    """The call `transaction` schedules, if it is this Custody's own `schedule`; else None."""
    if to_checksum_address(transaction.target) != to_checksum_address(transaction.custody):
        return None
    call = abis.decode(transaction.data)
    if call.function is None or (call.function.contract, call.function.name) != ("Custody", "schedule"):
        return None
    target, value, data, salt = call.args
    return ScheduledCall(to_checksum_address(target), int(value), bytes(data), bytes(salt))


def outflows(target: str, value: int, data: bytes, custody: str) -> list[tuple[str, int]]:
    """(token, amount) pairs a direct `execute` by `custody` counts against the daily limit (ETH as the zero
    address), as far as the calldata tells: the contract measures a token's outflow by its balance, so a call this
    does not know (nor decode) may count too."""
    counted = [(ETH, value)] if value else []
    word = _AMOUNT_WORD.get(data[:4])
    if data[:4] == _TRANSFER_FROM and len(data) >= 100:
        taken_from = to_checksum_address(data[16:36])
        word = 2 if taken_from == to_checksum_address(custody) else None  # WETH9, DAI: no allowance needed
    if word is not None and len(data) >= 4 + 32 * (word + 1):
        amount = int.from_bytes(data[4 + 32 * word : 4 + 32 * (word + 1)], "big")
        if amount:  # as the contract: a zero amount (a revoke) moves and grants nothing, and is never refused
            counted.append((to_checksum_address(target), amount))
    return counted


def short_allowance(data: bytes) -> str | None:
    """The counted allowance function `data` calls with calldata too short for its arguments (Custody's direct
    execute reverts: a token compiled before Solidity 0.5 would read the missing bytes as zeros); else None."""
    function = COUNTED_ALLOWANCES.get(bytes(data[:4]))
    return function if function is not None and len(data) < ALLOWANCE_CALLDATA else None


def uncounted_allowance(data: bytes) -> str | None:
    """The function `data` calls if it grants an allowance the daily limit does not count; else None."""
    return UNCOUNTED_ALLOWANCES.get(bytes(data[:4]))
