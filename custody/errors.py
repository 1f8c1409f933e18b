"""The treasury client's one error root: a refusal whose message is the one line a signer reads."""

from custody.terminal import printable


class TreasuryError(ValueError):
    """The treasury workflow refuses to go on (bad input, mismatch, below threshold); nothing was changed, unless it
    is a `TransactionNotMined`."""


class TransactionNotMined(TreasuryError):
    """A transaction was handed to the node and not seen mined: it may still be mined, and sent again while it is
    pending, a second one would revert once the first is mined (its gas lost). `tx_hash`: its hash, 0x-hex."""

    def __init__(self, tx_hash: str, reason: str) -> None:
        super().__init__(
            f"transaction {tx_hash} was sent but is not mined yet ({printable(reason)}): it may still be mined; look "
            "it up by its hash before running execute or schedule again (once it is mined, `hdex treasury status` "
            "shows the Custody's nonce moved on for a direct execute, and a scheduled call no longer pending)"
        )
        self.tx_hash = tx_hash
