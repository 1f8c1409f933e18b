"""account_email_verifications.mailbox: e-mail links counted per inbox, not per exact address

The limit of links out to one address counted victim+1@example.com and victim+2@example.com apart, so anyone
could mail one inbox without end. Each link now keeps the SHA-256 of its address without the +tag. Links out
now get theirs from their address; a retired one (its address kept only as a SHA-256) keeps that digest, which
is the same for an address without a tag, and counts until it expires, within a day.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETIRED = "retired"  # backend.accounts.email_links.RETIRED, as it was when this revision was written


def _mailbox(address: str, email: str) -> str:
    if address == RETIRED:  # only a digest is left of its address
        return email
    local, _, domain = email.rpartition("@")
    return hashlib.sha256(f"{local.partition('+')[0]}@{domain}".encode()).hexdigest()


def upgrade() -> None:
    links = sa.table(
        "account_email_verifications",
        sa.column("token_hash", sa.String()),
        sa.column("address", sa.String()),
        sa.column("email", sa.String()),
        sa.column("mailbox", sa.String()),
    )
    with op.batch_alter_table("account_email_verifications") as batch:
        batch.add_column(sa.Column("mailbox", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for token_hash, address, email in connection.execute(sa.select(links.c.token_hash, links.c.address, links.c.email)):
        connection.execute(
            links.update().where(links.c.token_hash == token_hash).values(mailbox=_mailbox(address, email))
        )
    with op.batch_alter_table("account_email_verifications") as batch:
        batch.alter_column("mailbox", existing_type=sa.String(length=64), nullable=False)
        batch.create_index("ix_account_email_verifications_mailbox", ["mailbox"])


def downgrade() -> None:
    with op.batch_alter_table("account_email_verifications") as batch:
        batch.drop_index("ix_account_email_verifications_mailbox")
        batch.drop_column("mailbox")
