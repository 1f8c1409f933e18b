"""`hdex accounts purge-expired`: remove the KYC and travel-rule records whose retention period has ended."""

from __future__ import annotations

import click

from backend.accounts.service import Accounts
from backend.cli.context import database_container


@click.group("accounts")
def accounts_group() -> None:
    """Wallet users' accounts and KYC records."""


@accounts_group.command("purge-expired")
def purge_expired_command() -> None:
    """Delete KYC submissions and their stored documents kept past HDEX_KYC_RETENTION_DAYS after a deletion
    request, and travel-rule records kept past HDEX_TRAVEL_RULE_RETENTION_DAYS. `hdex up` and `hdex worker` also
    run this every hour."""
    purged = Accounts(database_container()).purge_expired()
    submissions, records = purged.kyc_submissions, purged.travel_rule_records
    click.echo(
        f"purged {submissions} expired KYC submission{'' if submissions == 1 else 's'} "
        f"and {records} travel-rule record{'' if records == 1 else 's'}"
    )
