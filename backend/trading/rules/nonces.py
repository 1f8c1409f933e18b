"""Order nonces: one order per (maker, nonce), as the contract has it.

On-chain a nonce names one order of its maker: once an order traded or was cancelled, any other order
of that maker with the same nonce is skipped (`OrderNonceUsed`). The exchange refuses such an order at
the door instead (NONCE_USED), against every order it ever accepted, whatever became of it, and every
nonce an on-chain cancel spent (`OrderCancelledByMaker` carries it), also of an order never sent to it.

`UsedNonces` keeps them per wallet in words of 256 bits, as the contract's bitmap does (nonce n is bit
n % 256 of word n // 256): consecutive nonces, which the contract prices cheapest, cost one integer per
256 orders here too. The engine host loads a wallet's nonces from the database on the wallet's first
order (`load`: its orders' and its on-chain cancels'), then adds each order it accepts and each cancel
its sync reads (`add`); it is the only writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from backend.errors import ErrorCode, HdexError

WORD_BITS = 256
MAX_NONCE = 2**64 - 1  # an order's nonce is a uint64


class UsedNonces:
    """The nonces of every order accepted and every on-chain cancel seen, per loaded wallet (EIP-55)."""

    def __init__(self) -> None:
        self._words: dict[str, dict[int, int]] = {}  # wallet -> word index -> bitmap
        self._highest: dict[str, int] = {}  # wallet -> its highest nonce used

    def loaded(self, wallet: str) -> bool:
        return wallet in self._words

    def load(self, wallet: str, nonces: Iterable[int]) -> None:
        """Take in every nonce `wallet` used: its stored orders' and its on-chain cancels' (replaces what was known
        of it)."""
        self._words[wallet] = {}
        self._highest.pop(wallet, None)
        for nonce in nonces:
            self.add(wallet, nonce)

    def forget(self, wallet: str) -> None:
        """Drop a wallet (its orders all stored): `load` takes it in again."""
        self._words.pop(wallet, None)
        self._highest.pop(wallet, None)

    def add(self, wallet: str, nonce: int) -> None:
        """Record the nonce of an order just accepted or cancelled on-chain (the wallet must be loaded)."""
        words = self._words[wallet]
        word, bit = divmod(nonce, WORD_BITS)
        words[word] = words.get(word, 0) | (1 << bit)
        if nonce > self._highest.get(wallet, -1):
            self._highest[wallet] = nonce

    def used(self, wallet: str, nonce: int) -> bool:
        word, bit = divmod(nonce, WORD_BITS)
        return bool(self._words.get(wallet, {}).get(word, 0) >> bit & 1)

    def highest(self, wallet: str) -> int | None:
        """The highest nonce the (loaded) wallet used, None before its first."""
        return self._highest.get(wallet)


def next_nonce(highest_used: int | None, nonce_floor: int, used: Callable[[int], bool]) -> int:
    """The nonce a wallet's next order should carry: above every nonce it used, at least its on-chain floor. A wallet
    that used the largest uint64 has none above it: then the lowest unused one from its floor (`used` says which)."""
    above = max(0 if highest_used is None else highest_used + 1, nonce_floor)
    if above <= MAX_NONCE:
        return above
    nonce = nonce_floor
    while used(nonce):  # as many steps as the wallet has orders in a row from its floor, at most
        nonce += 1
    return nonce


def check_nonce_unused(nonces: UsedNonces, maker: str, nonce: int, nonce_floor: int) -> None:
    """NONCE_USED when another order of `maker` already carries `nonce`, or an on-chain cancel spent it (the same
    order is DUPLICATE_ORDER, checked before this)."""
    if nonces.used(maker, nonce):
        suggestion = next_nonce(nonces.highest(maker), nonce_floor, lambda n: nonces.used(maker, n))
        raise HdexError(
            ErrorCode.NONCE_USED,
            f"another order of this maker already carries nonce {nonce} (placed here or cancelled on-chain), and the "
            f"contract settles one order per nonce: sign the order with an unused nonce, e.g. {suggestion} "
            "(GET /v1/nonce?maker=...)",
            "order.nonce",
        )
