"""Addresses an operator types on the command line. Every `hdex` door uses custody's one check, which also
refuses a mixed-case address whose EIP-55 checksum is wrong (a typo naming another account)."""

from __future__ import annotations

import click

from custody.addresses import checksummed
from custody.errors import TreasuryError


def address_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: the address checksummed, None when not given; a usage error (exit 2) naming the option."""
    if value is None:
        return None
    try:
        return checksummed(value.strip())
    except TreasuryError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def addresses_option(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    """Click callback of a repeated option or variadic argument: every address checksummed."""
    return [str(address_option(ctx, param, value)) for value in values]
