"""Per-wallet money as the pre-trade check sees it: balances, holds, nonce floors.

A wallet's balance of a token is what the database says trading may use (`wallet_balances`: the
ledger's final balance less unfinished withdrawal requests and frozen funds). Held from it:
`reserved`, what open orders' remaining parts and unsettled fills' payments hold (a settled fill's
payment until the balances carry its settlement), and `withheld`, what withdrawals accepted by the
engine host hold until a balance read counts their stored request. `available` is the one
definition of what is left. The engine host is the only writer; it keeps this in memory and persists
the reservations it changed with each group commit. It also tells the wallet's account channel the
new amounts of every (wallet, token) whose balance or holds moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from eth_utils.address import to_checksum_address

from backend.errors import ErrorCode, HdexError

Key = tuple[str, str]  # (wallet, token), both EIP-55


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    """EIP-55 form of a 0x-address in any case (cached: the hot path sees the same few wallets)."""
    return str(to_checksum_address(address))


def available(balance: int, *holds: int) -> int:
    """What is left of `balance` once every hold is taken out, never below zero."""
    return max(0, balance - sum(holds))


@dataclass
class _WithdrawalHold:
    key: Key
    amount: int
    stored_at: int | None = None  # the read stamp when its request was stored; None while storing


@dataclass
class _SettledHold:
    key: Key
    amount: int
    settled_at: int  # the read stamp when its fill was found settled: a later read's balances carry it


class AccountBook:
    """Balances (from the ledger), reservations, open-order counts and on-chain nonce floors."""

    def __init__(self) -> None:
        self.balances: dict[str, dict[str, int]] = {}  # wallet -> token -> ledger balance
        self.reserved: defaultdict[Key, int] = defaultdict(int)
        self.open_orders: defaultdict[str, int] = defaultdict(int)
        self.nonce_floors: dict[str, int] = {}
        # Wallets with an exit requested on-chain (pending or final): the contract skips every trade of
        # theirs, so they may not trade until they cancel the exit.
        self.exiting: set[str] = set()
        # Wallets compliance froze (the deny list, lower case): no new orders, their open ones cancelled.
        self.frozen: frozenset[str] = frozenset()
        self.dirty: set[Key] = set()  # reservations to persist
        self.changed: set[Key] = set()  # balances or holds to announce
        self.withheld: defaultdict[Key, int] = defaultdict(int)  # by withdrawals (see the module docs)
        self._withdrawals: dict[str, _WithdrawalHold] = {}  # request hash -> its hold
        self._settled: list[_SettledHold] = []  # released fills' holds kept until the balances carry the fill
        self._reads = 0  # stamps of balance reads, in the order they began
        self._read_of: dict[str, int] = {}  # wallet -> stamp of the read its balances come from

    def available(self, wallet: str, token: str) -> int:
        """What `wallet` may still commit of `token`: to an order or a withdrawal."""
        key = (wallet, token)
        balance = self.balances.get(wallet, {}).get(token, 0)
        return available(balance, self.reserved.get(key, 0), self.withheld.get(key, 0))

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

    def begin_read(self) -> int:
        """The stamp of a database read of balances that begins now (see `apply_read`)."""
        self._reads += 1
        return self._reads

    def apply_read(
        self, stamp: int, balances: dict[str, dict[str, int]], released: Iterable[tuple[str, str, int]] = ()
    ) -> None:
        """Take in balances (wallet -> token -> amount) read under `stamp`, and give back `released`, the
        holds (wallet, token, amount) of fills this read claimed as settled or failed before it read them.

        A wallet whose balances come from a later read keeps them: an older read must not bring back
        money since withdrawn. Withdrawal holds stored before the read began end: the read counts their
        requests. A released hold ends at once if its wallet's balances were taken in (they carry the
        fill's settlement); else it ends with the wallet's first read begun after this call, as the kept
        balances may predate the settlement."""
        taken: set[str] = set()
        for wallet, tokens in balances.items():
            if self._read_of.get(wallet, 0) > stamp:
                continue
            taken.add(wallet)
            self._read_of[wallet] = stamp
            self._set_wallet_balances(wallet, tokens)
            self._end_holds_counted_by(wallet, stamp)
        for wallet, token, amount in released:
            if wallet in taken:
                self.release(wallet, token, amount)
                # As if read anew: a read begun before now may have read the ledger before the settlement,
                # and with the hold gone its balances would count the fill's payment as still there.
                self._read_of[wallet] = self.begin_read()
            elif amount:
                self._settled.append(_SettledHold((wallet, token), amount, self._reads))

    def set_wallet_balances(self, wallet: str, balances: dict[str, int]) -> None:
        """Replace a wallet's balances (token -> amount) with ones read just now."""
        self.apply_read(self.begin_read(), {wallet: balances})

    def forget_empty(self, wallet: str) -> bool:
        """Stop following a wallet taken in just now that holds nothing (no balance, no open order); returns whether
        it did. Only for one taken in just now: a hold comes only to a wallet followed already, so it has none (its
        `reserved` and `withheld` keys are not scanned). Its next order takes it in again from the database."""
        if any(self.balances.get(wallet, {}).values()) or self.open_orders.get(wallet, 0):
            return False
        self.balances.pop(wallet, None)
        self._read_of.pop(wallet, None)
        return True

    def hold_withdrawal(self, request_hash: str, wallet: str, token: str, amount: int) -> None:
        """Hold `amount` for a withdrawal request being stored, or refuse it: INSUFFICIENT_BALANCE,
        or DUPLICATE_WITHDRAWAL while a twin of the same request holds."""
        if request_hash in self._withdrawals:
            raise HdexError(ErrorCode.DUPLICATE_WITHDRAWAL, "this withdrawal was already requested", "signature")
        free = self.available(wallet, token)
        if amount > free:
            message = f"available {free}, requested {amount}"
            raise HdexError(ErrorCode.INSUFFICIENT_BALANCE, message, "withdrawal.amount")
        key = (wallet, token)
        self._withdrawals[request_hash] = _WithdrawalHold(key, amount)
        self.withheld[key] += amount
        self.changed.add(key)

    def withdrawal_stored(self, request_hash: str) -> None:
        """The request is in the database: the first read that begins from now on ends its hold."""
        held = self._withdrawals.get(request_hash)
        if held is not None:
            held.stored_at = self._reads

    def release_withdrawal(self, request_hash: str) -> None:
        """End a withdrawal's hold (its request was refused, or a read counts it)."""
        held = self._withdrawals.pop(request_hash, None)
        if held is not None:
            self.withheld[held.key] -= held.amount
            self.changed.add(held.key)

    def _end_holds_counted_by(self, wallet: str, stamp: int) -> None:
        """End the wallet's holds that its balances read under `stamp` count: withdrawals stored and fills
        settled before that read began."""
        for request_hash, held in list(self._withdrawals.items()):
            if held.key[0] == wallet and held.stored_at is not None and held.stored_at < stamp:
                self.release_withdrawal(request_hash)
        for settled in [h for h in self._settled if h.key[0] == wallet and h.settled_at < stamp]:
            self._settled.remove(settled)
            self.release(*settled.key, settled.amount)

    def _set_wallet_balances(self, wallet: str, balances: dict[str, int]) -> None:
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
        """(balance, reserved) of a wallet's token: what it may trade or withdraw (less what accepted
        withdrawals hold), and what orders and fills hold."""
        key = (wallet, token)
        return self.balances.get(wallet, {}).get(token, 0) - self.withheld.get(key, 0), self.reserved.get(key, 0)

    def nonce_floor(self, wallet: str) -> int:
        return self.nonce_floors.get(wallet, 0)
