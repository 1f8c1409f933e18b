"""`hdex staff`: create, list and disable back-office accounts (the first admin is made here)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from backend.audit_log import cli_actor
from backend.cli.context import database_container
from backend.cli.reasons import reason_text
from backend.errors import HdexError
from backend.staff.accounts import Actor, StaffAccounts, StaffMember
from backend.staff.roles import Role


@click.group("staff")
def staff_group() -> None:
    """Back-office staff accounts (e-mail, password, TOTP, one role each)."""


@staff_group.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.password_option(help="asked for when not given (12 to 256 characters)")
def create_command(email: str, role: str, password: str) -> None:
    """Create an account with a password and print its TOTP set-up and recovery codes: shown this once."""
    accounts = StaffAccounts(database_container())
    try:
        created = accounts.create(email, Role(role), Actor(cli_actor()), password)
    except HdexError as exc:
        click.echo(f"hdex staff create: {exc.message}", err=True)
        sys.exit(2)
    setup = created.totp_setup
    assert setup is not None  # a password was given
    click.echo(f"staff {created.member.email} ({created.member.role.value}) created, id {created.member.id}")
    click.echo("Add it to an authenticator app now; the secret is not shown again:")
    click.echo(f"  TOTP URI:    {setup.uri}")
    click.echo(f"  TOTP secret: {setup.secret}")
    click.echo("Recovery codes (each works once instead of a code; keep them offline):")
    for code in created.recovery_codes:
        click.echo(f"  {code}")


@staff_group.command("list")
def list_command() -> None:
    """One line per account."""
    for member in StaffAccounts(database_container()).list():
        state = "disabled" if member.disabled else "active"
        totp = "totp" if member.totp_enrolled else "totp-pending"
        click.echo(f"{member.id} {member.email} {member.role.value} {state} {totp}")


def _change_by_email(command: str, email: str, change: Callable[[StaffAccounts, int], StaffMember]) -> StaffMember:
    """Apply `change` to EMAIL's account; a refusal is one line on stderr and exit status 2."""
    accounts = StaffAccounts(database_container())
    try:
        return change(accounts, accounts.find_by_email(email).id)
    except HdexError as exc:
        click.echo(f"hdex staff {command}: {exc.message}", err=True)
        sys.exit(2)


@staff_group.command("disable")
@click.argument("email")
@click.option("--reason", required=True, callback=reason_text, help="why (recorded in the audit log)")
def disable_command(email: str, reason: str) -> None:
    """Disable EMAIL's account and end its sessions."""
    member = _change_by_email("disable", email, lambda accounts, id_: accounts.disable(id_, Actor(cli_actor()), reason))
    click.echo(f"staff {member.email} disabled")


@staff_group.command("reset-totp")
@click.argument("email")
@click.option("--reason", required=True, callback=reason_text, help="why (recorded in the audit log)")
def reset_totp_command(email: str, reason: str) -> None:
    """Reset EMAIL's second factor (a lost phone): a new TOTP is set up at the next sign-in; sessions end."""
    member = _change_by_email(
        "reset-totp", email, lambda accounts, id_: accounts.reset_totp(id_, Actor(cli_actor()), reason)
    )
    click.echo(f"staff {member.email}: TOTP reset; a new one is set up at the next sign-in")
