"""The treasury client's one error root: a refusal whose message is the one line a signer reads."""


class TreasuryError(ValueError):
    """The treasury workflow refuses to go on (bad input, mismatch, below threshold); nothing was changed."""
