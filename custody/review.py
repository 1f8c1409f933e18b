"""What a signer reads before signing: the call in human units, and loud warnings on what can hurt.

Warnings: owner or threshold changes, operator additions, fee, fee recipient, exit-delay and timelock changes,
admin hand-over, daily-limit changes, outflows above the daily limit, allowances granted by a function the daily
limit does not count, and calldata nobody can decode; and what cannot succeed: a deadline already past, a call the
target only takes through the timelock proposed without it, an allowance call too short for its arguments.
A call scheduled through the timelock is reviewed as the call it will make.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from eth_utils.address import to_checksum_address

from custody.approvals import CustodyTransaction
from custody.calls import DecodedCall, KnownAbis
from custody.policy import ALLOWANCE_CALLDATA, ETH, TIMELOCKED, outflows, short_allowance, uncounted_allowance

FEE_RATE_SCALE = 1_000_000  # Exchange fee rates are millionths of the amount received

# (contract, function) -> what the warning says it changes
_SENSITIVE: dict[tuple[str, str], str] = {
    ("Custody", "addOwner"): "OWNER ADDED and threshold changed",
    ("Custody", "removeOwner"): "OWNER REMOVED and threshold changed",
    ("Custody", "changeThreshold"): "THRESHOLD CHANGED",
    ("Custody", "setTimelockDelay"): "TIMELOCK DELAY CHANGED",
    ("Custody", "setDailyLimit"): "DAILY LIMIT CHANGED",
    ("Exchange", "addOperator"): "OPERATOR ADDED: it may settle trades and relay withdrawals",
    ("Exchange", "setFeeSchedule"): "FEE CHANGE",
    ("Exchange", "setFeeRecipient"): "FEE RECIPIENT CHANGE",
    ("Exchange", "setExitDelay"): "EXIT DELAY CHANGE: how long users wait to leave without the operator",
    ("Exchange", "setAdmin"): "ADMIN CHANGE: the Exchange's admin role leaves this Custody",
    ("Exchange", "setPriceFeed"): "PRICE SOURCE CHANGE: the feed decides when users' stop orders may execute",
}
# (contract, function) -> the unit of every argument, keyed by function since parameter names vary by source
_UNITS: dict[tuple[str, str], str] = {
    ("Exchange", "setFeeSchedule"): "fee rate",
    ("Exchange", "setExitDelay"): "duration",
    ("Custody", "setTimelockDelay"): "duration",
}


@dataclass
class Review:
    """The lines describing the call, and the warnings to print loudly."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def review(
    transaction: CustodyTransaction,
    abis: KnownAbis,
    daily_limits: Mapping[str, int] | None = None,
    spent_today: Mapping[str, int] | None = None,
    now: int | None = None,
) -> Review:
    """Describe and assess `transaction`. `daily_limits` (token address or ETH -> limit, in base units) and what
    direct calls moved of each today (`spent_today`) come from the chain when a node is at hand; without them
    outflows are shown but not compared. `now` (Unix time) flags a deadline already past."""
    result = Review()
    if now is not None and transaction.deadline < now:
        result.warnings.append(
            f"EXPIRED: the deadline {transaction.deadline} passed {format_duration(now - transaction.deadline)} ago; "
            "Custody refuses these approvals (CustodyApprovalExpired): do not sign, propose again"
        )
    limits = None if daily_limits is None else _Limits(daily_limits, spent_today or {})
    _review_call(result, transaction.target, transaction.value, transaction.data, abis, limits, "", transaction)
    return result


@dataclass(frozen=True)
class _Limits:
    daily: Mapping[str, int]
    spent: Mapping[str, int]


def _review_call(
    result: Review,
    target: str,
    value: int,
    data: bytes,
    abis: KnownAbis,
    limits: _Limits | None,
    indent: str,
    transaction: CustodyTransaction,
    scheduled: bool = False,
) -> None:
    call = abis.decode(data) if data else None
    result.lines.append(f"{indent}target   {to_checksum_address(target)}")
    result.lines.append(f"{indent}value    {value} wei ({format_units(value, 18)} ETH)")
    for token, amount in outflows(target, value, data, transaction.custody):
        _check_outflow(result, token, "ETH" if token == ETH else f"token {token}", amount, limits, scheduled)
    if not scheduled:  # only a direct execute counts allowances, and refuses a short one
        _check_allowance(result, target, data)
    if call is None:
        result.lines.append(f"{indent}call     (none: plain ether transfer)")
        return
    result.lines.append(f"{indent}call     {call.describe()}")
    if call.function is None:
        result.warnings.append(
            f"UNKNOWN SELECTOR 0x{call.selector.hex()} on {to_checksum_address(target)}: "
            "no known ABI decodes this calldata; nobody can tell you what it does"
        )
        return
    for (name, _), arg in zip(call.function.inputs, call.args, strict=True):
        human = human_value(call, arg)
        if human:
            result.lines.append(f"{indent}  {name.strip('_')} = {human}")
    key = (call.function.contract, call.function.name)
    if key in _SENSITIVE:
        result.warnings.append(f"{_SENSITIVE[key]}: {call.describe()}")
    if key in TIMELOCKED and not scheduled:
        result.warnings.append(
            f"NOT THROUGH THE TIMELOCK: {call.function.contract}.{call.function.name} is only accepted from a "
            "scheduled call, so executing this reverts: propose it again without --no-timelock"
        )
    if call.function.contract == "Custody" and to_checksum_address(target) != to_checksum_address(transaction.custody):
        # the label comes from the calldata alone: on another contract the same bytes may do anything
        result.warnings.append(f"{call.function.name}() is called on a contract other than this Custody")
    if key == ("Custody", "schedule"):
        inner_target, inner_value, inner_data, _ = call.args
        result.lines.append(f"{indent}scheduled through the timelock; after the delay it will call:")
        _review_call(
            result, inner_target, int(inner_value), bytes(inner_data), abis, limits, indent + "    ", transaction,
            scheduled=True,
        )  # fmt: skip


def human_value(call: DecodedCall, value: object) -> str:
    """An argument in human units where its meaning is known: fee rates in %, delays in days and hours."""
    assert call.function is not None
    unit = _UNITS.get((call.function.contract, call.function.name))
    if unit == "fee rate":
        return f"{value} millionths ({format_units(int(str(value)), 4)} %)"
    if unit == "duration":
        return f"{value} s ({format_duration(int(str(value)))})"
    return ""


def _check_outflow(result: Review, key: str, what: str, amount: int, limits: _Limits | None, scheduled: bool) -> None:
    if scheduled:  # Custody counts direct outflows only: the timelock is how more than the limit moves
        result.lines.append(f"  outflow of {amount} base units of {what}: through the timelock, not counted against "
                            "the daily limit")  # fmt: skip
        return
    if limits is None:
        result.lines.append(f"  outflow of {amount} base units of {what}: daily limit not checked offline")
        return
    token = to_checksum_address(key)
    limit, spent = limits.daily.get(token, 0), limits.spent.get(token, 0)
    if amount > limit - spent:
        result.warnings.append(
            f"ABOVE THE DAILY LIMIT: {amount} base units of {what}, limit {limit}, spent today {spent} "
            "(a direct execute reverts; only the timelock can move it)"
        )


def _check_allowance(result: Review, target: str, data: bytes) -> None:
    short = short_allowance(data)
    if short is not None:
        result.warnings.append(
            f"CALLDATA TOO SHORT: {short} on {to_checksum_address(target)} with {len(data)} bytes of calldata, "
            f"{ALLOWANCE_CALLDATA} needed: Custody refuses it (CustodyCalldataTooShort); a token compiled before "
            "Solidity 0.5 would read the missing bytes as zeros and grant the allowance"
        )
    uncounted = uncounted_allowance(data)
    if uncounted is not None:
        result.warnings.append(
            f"ALLOWANCE NOT COUNTED: {uncounted} on {to_checksum_address(target)} grants an allowance the spender "
            "takes later, and Custody's daily limit counts only approve and increaseAllowance: propose it through "
            "the timelock (--timelock)"
        )


def format_units(amount: int, decimals: int) -> str:
    """`amount` base units as a decimal number of whole units (display only; money stays integer)."""
    text = format(Decimal(amount).scaleb(-decimals), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_utc(seconds: int) -> str:
    """Unix time `seconds` as an ISO 8601 UTC time; a uint256 deadline may lie past any date the platform can show."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return "beyond any calendar date"


def format_duration(seconds: int) -> str:
    """Seconds as days, hours, minutes: `1 d 2 h`, `1 h`, `90 s`."""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts) or "0 s"
