"""Per-wallet money as the pre-trade check sees it: ledger balances, reservations, nonce floors.

available(wallet, token) = ledger final balance - reserved, where reserved is what open orders'
remaining parts and unsettled fills' payments hold. The engine host is the only writer; it keeps
this in memory and persists the reservations it changed with each group commit. It also tells the
wallet's account channel the new amounts of every (wallet, token) whose balance or reservation moved.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from eth_utils.address import to_checksum_address

Key = tuple[str, str]  # (wallet, token), both EIP-55


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    """EIP-55 form of a 0x-address in any case (cached: the hot path sees the same few wallets)."""
    return str(to_checksum_address(address))


class AccountBook:
    """Balances (from the ledger), reservations, open-order counts and on-chain nonce floors."""

    def __init__(self) -> None:
        self.balances: dict[str, dict[str, int]] = {}  # wallet -> token -> ledger balance
        self.reserved: defaultdict[Key, int] = defaultdict(int)
        self.open_orders: defaultdict[str, int] = defaultdict(int)
        self.nonce_floors: dict[str, int] = {}
        self.dirty: set[Key] = set()  # reservations to persist
        self.changed: set[Key] = set()  # balances or reservations to announce

    def available(self, wallet: str, token: str) -> int:
        return self.balances.get(wallet, {}).get(token, 0) - self.reserved.get((wallet, token), 0)

    def hold(self, wallet: str, token: str, amount: int) -> None:
        """Reserve `amount` (an order placed, a fill awaiting settlement)."""
        if amount:
            self.reserved[(wallet, token)] += amount
            self.dirty.add((wallet, token))
            self.changed.add((wallet, token))

    def release(self, wallet: str, token: str, amount: int) -> None:
        """Give back `amount` of a reservation."""
        if amount:
            key = (wallet, token)
            self.reserved[key] -= amount
            self.dirty.add(key)
            self.changed.add(key)

    def set_wallet_balances(self, wallet: str, balances: dict[str, int]) -> None:
        """Replace a wallet's ledger balances (token -> amount)."""
        before = self.balances.get(wallet, {})
        moved = [t for t in before.keys() | balances.keys() if before.get(t, 0) != balances.get(t, 0)]
        self.changed.update((wallet, token) for token in moved)
        self.balances[wallet] = dict(balances)

    def take_dirty(self) -> dict[Key, int]:
        """The reservations changed since the last call, with their current amounts."""
        changed = {key: self.reserved.get(key, 0) for key in self.dirty}
        self.dirty.clear()
        return changed

    def take_changed(self) -> list[Key]:
        """The (wallet, token) pairs whose balance or reservation moved since the last call."""
        changed = sorted(self.changed)
        self.changed.clear()
        return changed

    def position(self, wallet: str, token: str) -> tuple[int, int]:
        """(balance, reserved) of a wallet's token: what it may trade or withdraw, and what is held."""
        return self.balances.get(wallet, {}).get(token, 0), self.reserved.get((wallet, token), 0)

    def nonce_floor(self, wallet: str) -> int:
        return self.nonce_floors.get(wallet, 0)
