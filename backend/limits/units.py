"""Whole reference units (what people and settings say) and base units (what the exchange counts), in integers."""

from __future__ import annotations


def whole_to_base(text: str, decimals: int) -> int:
    """Base units of a decimal string of whole units ("1000", "0.5") for a token of `decimals`; digits
    below one base unit are dropped: a limit rounds down, against the user."""
    whole, _, fraction = text.partition(".")
    fraction = fraction[:decimals].ljust(decimals, "0")
    scale: int = 10**decimals
    return int(whole) * scale + (int(fraction) if fraction else 0)


def ceil_div(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded up (both non-negative, denominator positive)."""
    return -(-numerator // denominator)


def human(amount: int, decimals: int) -> str:
    """`amount` base units as people read it: thousands separated, at least two decimals, exact
    ("1,000.00", "0.123456")."""
    whole, fraction = divmod(amount, 10**decimals)
    digits = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole:,}.{digits.ljust(min(2, decimals), '0')}" if decimals else f"{whole:,}"
