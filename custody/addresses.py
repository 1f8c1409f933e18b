"""An address a person typed or a proposal file carries: refused when it is not one or its EIP-55 checksum is wrong.

eth-utils 6's `is_address` checks only the hex format, so a mistyped mixed-case address would pass for another
account. All-lower or all-upper hex carries no checksum (EIP-55 says so) and stays accepted.
"""

from __future__ import annotations

from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address

from custody.errors import TreasuryError


def checksummed(text: str) -> str:
    """`text` in its EIP-55 form; TreasuryError when it is not 40 hex digits (after an optional 0x), or its mixed
    case does not match its checksum (a typo: it would name another account)."""
    if not is_hex_address(text):
        raise TreasuryError(f"{text!r} is not an Ethereum address (0x and 40 hex digits)")
    digits = text[2:] if text[:2] in ("0x", "0X") else text
    if digits not in (digits.lower(), digits.upper()) and not is_checksum_address("0x" + digits):
        raise TreasuryError(
            f"{text!r} is not an Ethereum address: its mixed case does not match its EIP-55 checksum (a typo?)"
        )
    return str(to_checksum_address("0x" + digits))
