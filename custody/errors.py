"""The treasury client's one error root: a refusal whose message is the one line a signer reads."""


class TreasuryError(ValueError):
    """The treasury workflow refuses to go on (bad input, mismatch, below threshold); nothing was changed, unless it
    is a `TransactionNotMined`."""


class TransactionNotMined(TreasuryError):
    """A transaction was handed to the node and not seen mined: it may still be mined, and sent again while it is
    pending, a second one would revert once the first is mined (its gas lost). `tx_hash`: its hash, 0x-hex."""

    def __init__(self, tx_hash: str, reason: str) -> None:
        super().__init__(
            f"transaction {tx_hash} was sent but is not mined yet ({reason}): it may still be mined; look it up by "
            "its hash (`hdex treasury status` shows the nonce moved on once it is) before running execute or "
            "schedule again"
        )
        self.tx_hash = tx_hash
