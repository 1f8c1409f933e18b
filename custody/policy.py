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
# IERC20.transfer and IERC20.approve: the calls whose amount `Custody._spendDailyLimit` counts.
_LIMITED_SELECTORS = (keccak(text="transfer(address,uint256)")[:4], keccak(text="approve(address,uint256)")[:4])


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
    return abis.encode(
        "schedule", [call.target, str(call.value), "0x" + call.data.hex(), "0x" + call.salt.hex()]
    )


def scheduled_call(transaction: CustodyTransaction, abis: KnownAbis) -> ScheduledCall | None:
    """The call `transaction` schedules, if it is this Custody's own `schedule`; else None."""
    if to_checksum_address(transaction.target) != to_checksum_address(transaction.custody):
        return None
    call = abis.decode(transaction.data)
    if call.function is None or (call.function.contract, call.function.name) != ("Custody", "schedule"):
        return None
    target, value, data, salt = call.args
    return ScheduledCall(to_checksum_address(target), int(value), bytes(data), bytes(salt))


def outflows(target: str, value: int, data: bytes) -> list[tuple[str, int]]:
    """(token, amount) pairs a direct `execute` counts against the daily limit (ETH as the zero address)."""
    counted = [(ETH, value)] if value else []
    if len(data) >= 68 and data[:4] in _LIMITED_SELECTORS:
        counted.append((to_checksum_address(target), int.from_bytes(data[36:68], "big")))
    return counted
