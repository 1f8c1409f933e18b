"""Whether an order could still trade when it settled, as the Exchange decides it for each order of a batch before
its trades (`_orderInvalidReason`): not cancelled by its maker, its nonce not used by another order, not expired,
its nonce not below its maker's floor, its maker not exiting. The facts come from the Exchange's events as they
arrive, and from the contract's views before the range for a range that starts after genesis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.abi import Event, Order
from auditor.state import AuditState, Finding

# A wallet's nonce floor and exit (when it becomes withdrawable, 0: none) before the audited range.
OpeningWallet = Callable[[str], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Revoked:
    """Why the contract would have refused an order that traded: a failing finding's kind, message and numbers."""

    kind: str
    message: str
    details: dict[str, str] = field(default_factory=dict)


def record_revocation(state: AuditState, event: Event) -> None:
    """Records what `event` changes in which orders may trade: a cancel by hash (which also uses the order's nonce),
    a raised nonce floor, an exit requested or cancelled (an exit stays in force after its withdrawals)."""
    args = event.args
    if event.name == "OrderCancelledByMaker":
        state.cancelled.add(str(args["orderHash"]))
        state.used_nonces.add((str(args["maker"]), int(args["nonce"])))
    elif event.name == "NonceFloorRaised":
        state.nonce_floors[str(args["wallet"])] = int(args["nonceFloor"])
    elif event.name == "ExitRequested":
        state.exits[str(args["wallet"])] = int(args["availableAt"])
    elif event.name == "ExitCancelled":
        state.exits[str(args["wallet"])] = 0


def revocations(
    state: AuditState, order: Order, order_hash: str, timestamp: int, opening: OpeningWallet
) -> list[Revoked]:
    """Every reason the contract had to refuse `order` in a batch mined at `timestamp`. `state` must hold what was
    true before the batch: its used nonces are marked after the batch, and `fills` is read as the order's fill
    counter (an order that traded before holds one, so its own used nonce does not refuse it)."""
    found: list[Revoked] = []
    maker, nonce = order.maker, order.nonce
    if order_hash in state.cancelled:
        found.append(Revoked("order-cancelled", f"order {order_hash} traded after {maker} cancelled it on-chain",
                             {"order": order_hash}))  # fmt: skip
    elif (maker, nonce) in state.used_nonces and state.fills.get(order_hash, 0) == 0:
        found.append(Revoked(
            "nonce-reused", f"order {order_hash} traded with nonce {nonce}, which another order of {maker} had used",
            {"order": order_hash, "maker": maker, "nonce": str(nonce)},
        ))  # fmt: skip
    if timestamp > order.expiry:
        found.append(Revoked(
            "order-expired", f"order {order_hash} traded at block time {timestamp}, after its expiry {order.expiry}",
            {"order": order_hash, "expiry": str(order.expiry), "timestamp": str(timestamp)},
        ))  # fmt: skip
    floor, exit_available_at = _wallet(state, maker, opening)
    if nonce < floor:
        found.append(Revoked(
            "nonce-below-floor", f"order {order_hash}'s nonce {nonce} is below {maker}'s nonce floor {floor}",
            {"order": order_hash, "nonce": str(nonce), "nonce_floor": str(floor)},
        ))  # fmt: skip
    if exit_available_at:
        found.append(Revoked(
            "wallet-exited", f"order {order_hash} traded for {maker}, which had requested an exit (withdrawable from "
            f"{exit_available_at}) and not cancelled it",
            {"order": order_hash, "wallet": maker, "exit_available_at": str(exit_available_at)},
        ))  # fmt: skip
    return found


def early_exit_withdrawal(state: AuditState, event: Event, timestamp: int, opening: OpeningWallet) -> Finding | None:
    """An `ExitWithdrawn` at block time `timestamp` by a wallet whose exit was not open yet (none requested, or its
    delay not over), which the contract refuses; None when it was open."""
    wallet = str(event.args["wallet"])
    _floor, available_at = _wallet(state, wallet, opening)
    if available_at and timestamp >= available_at:
        return None
    when = f"withdrawable from {available_at}" if available_at else "none requested"
    return Finding(
        "exit-withdrawn-early", f"{wallet} withdrew through the exit hatch at block time {timestamp} ({when})",
        event.block, event.tx_hash, details={"wallet": wallet, "exit_available_at": str(available_at)},
    )  # fmt: skip


def _wallet(state: AuditState, wallet: str, opening: OpeningWallet) -> tuple[int, int]:
    """`wallet`'s nonce floor and exit now: from its events in the range, else as it opened."""
    if wallet not in state.nonce_floors or wallet not in state.exits:
        floor, exit_available_at = opening(wallet)
        state.nonce_floors.setdefault(wallet, floor)
        state.exits.setdefault(wallet, exit_available_at)
    return state.nonce_floors[wallet], state.exits[wallet]
