"""`hdex compliance`: import sanctions lists, screen addresses, manage the deny-list, release frozen deposits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from backend.audit_log import cli_actor
from backend.cli.context import database_container
from backend.cli.reasons import reason_text
from backend.compliance.factory import screener_for
from backend.compliance.lists import ListFormatError, parse_list_file
from backend.compliance.store import active_addresses, import_list
from backend.db.types import MAX_ROW_ID
from backend.errors import HdexError
from backend.monitoring.aml import AmlJobRunsElsewhere, rescreen_under_aml_lease
from backend.trading.usecases.deny_list import allow_address, deny_address
from backend.trading.usecases.frozen_funds import FrozenState, list_frozen, release
from custody.addresses import checksummed
from custody.errors import TreasuryError


def _checked(address: str) -> str:
    """The address in lower case, as the lists keep it; a mistyped one (or a wrong checksum) exits 2."""
    try:
        return checksummed(address.strip()).lower()
    except TreasuryError as exc:
        click.echo(f"hdex compliance: {exc}", err=True)
        sys.exit(2)


@click.group("compliance")
def compliance_group() -> None:
    """Sanctions screening for operators and compliance staff."""


@compliance_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="import without asking when addresses drop out of the list it replaces")
def import_command(file: Path, yes: bool) -> None:
    """Import FILE: an OFAC SDN advanced XML file or a plain list (one address per line), then re-screen every
    active wallet (left to the AML job if another process runs it). A list replaces the active list of its
    source: the OFAC list for the XML and for a plain list named `ofac*`, else the list imported under the
    same file name (`list:<name>`)."""
    try:
        parsed = parse_list_file(file)
    except ListFormatError as exc:
        click.echo(f"hdex compliance import: {exc}", err=True)
        sys.exit(2)
    container = database_container()
    with container.uow() as uow:
        current = active_addresses(uow.session, parsed.source)
    dropped = len(current - parsed.addresses)
    click.echo(f"{parsed.source}: {len(parsed.addresses - current)} address(es) added, {dropped} drop out of the "
               "active list")  # fmt: skip
    if dropped and not yes:
        # a dropped address is screened clear from now on: a person agrees to that, or a script says --yes
        if not sys.stdin.isatty():
            click.echo(f"hdex compliance import: {dropped} address(es) would no longer be screened: give --yes to "
                       "import anyway; nothing imported", err=True)  # fmt: skip
            sys.exit(2)
        click.confirm(f"{dropped} address(es) would no longer be screened. Import?", abort=True)
    with container.uow() as uow:
        row, imported = import_list(uow.session, parsed)
        uow.commit()
    state = "imported" if imported else "already active"
    click.echo(f"{row.source} version {row.version}: {row.address_count} addresses, {state}")
    try:  # a new version re-screens every active wallet now
        rescreening = rescreen_under_aml_lease(container)
    except AmlJobRunsElsewhere:
        click.echo("re-screening left to the AML job running elsewhere (it holds the aml lease): its next pass "
                   "re-screens every active wallet")  # fmt: skip
        return
    if rescreening is not None:
        frozen = ", ".join(f.wallet for f in rescreening.frozen) or "none"
        click.echo(f"re-screened {rescreening.screened} active wallets; newly listed and frozen: {frozen}")
        if rescreening.unavailable:
            click.echo(f"{rescreening.unavailable} wallets could not be screened; the monitor retries", err=True)


@compliance_group.command("screen")
@click.argument("addresses", nargs=-1, required=True)
def screen_command(addresses: tuple[str, ...]) -> None:
    """Screen ADDRESSES; exit 1 if any is blocked or could not be screened (recorded as the shell's user)."""
    checked = [_checked(a) for a in addresses]
    decisions = screener_for(database_container()).screen(checked, actor=cli_actor(), context="cli:screen")
    for address in checked:
        decision = decisions[address]
        reasons = "; ".join(f"{h.reason} ({h.list_version})" for h in decision.hits)
        click.echo(f"{address} {decision.result}" + (f": {reasons}" if reasons else ""))
    sys.exit(0 if all(d.allowed for d in decisions.values()) else 1)


@compliance_group.command("deny")
@click.argument("address")
@click.option("--reason", required=True, callback=reason_text, help="why (recorded)")
def deny_command(address: str, reason: str) -> None:
    """Put ADDRESS on the operator deny-list (recorded as the shell's user, as the back office records its
    member)."""
    checked = _checked(address)
    with database_container().uow() as uow:
        deny_address(uow.session, checked, reason, actor=cli_actor())
        uow.commit()
    click.echo(f"{_checked(address)} deny-listed")


@compliance_group.command("allow")
@click.argument("address")
@click.option("--reason", required=True, callback=reason_text, help="why (recorded, as the back office requires one)")
def allow_command(address: str, reason: str) -> None:
    """Take ADDRESS off the operator deny-list."""
    checked = _checked(address)
    with database_container().uow() as uow:
        removed = allow_address(uow.session, checked, actor=cli_actor(), reason=reason)
        uow.commit()
    click.echo(f"{_checked(address)} " + ("removed from the deny-list" if removed else "was not deny-listed"))


@compliance_group.command("frozen")
@click.option(
    "--state", type=click.Choice(["held", "released", "orphaned", "all"]), default="held", show_default=True,
    help="held: keeping the deposit from use; orphaned: a deep reorg took the deposit out",
)  # fmt: skip
@click.option("--wallet", default=None, help="one depositor")
def frozen_command(state: str, wallet: str | None) -> None:
    """List deposits by blocked addresses, frozen off-chain, newest first (the latest 500)."""
    depositor = None if wallet is None else _checked(wallet)
    wanted = None if state == "all" else cast(FrozenState, state)
    with database_container().uow() as uow:
        found = list_frozen(uow.session, state=wanted, wallet=depositor, limit=500)
    for f in found:
        released = f" released by {f.released_by}: {f.release_reason}" if f.state == "released" else ""
        click.echo(f"{f.id} {f.state} {f.wallet} {f.amount} of {f.token} tx {f.tx_hash} ({f.reason}){released}")
    if not found:
        click.echo(f"no frozen deposits ({state})")


@compliance_group.command("release")
@click.argument("frozen_id", type=click.IntRange(1, MAX_ROW_ID))
@click.option(
    "--reason", required=True, callback=reason_text, help="why (recorded with the freeze and in the audit log)"
)
def release_command(frozen_id: int, reason: str) -> None:
    """Release frozen deposit FROZEN_ID once its depositor screens clear now (audit-logged as cli:<user>)."""
    try:
        released = release(database_container(), frozen_id, reason, actor=cli_actor())
    except HdexError as exc:
        click.echo(f"hdex compliance release: {exc}", err=True)
        sys.exit(2)
    click.echo(f"released {released.amount} of {released.token} deposited by {released.wallet}")
