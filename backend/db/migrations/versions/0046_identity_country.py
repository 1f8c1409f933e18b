"""account_profiles.identity_country: the country of the wallet's approved identity data, which the level that
counts follows as it follows the declared country (a wallet whose identity gives a country restricted since it
was approved kept its level by declaring another); filled from each wallet's latest approved level-1 submission

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0046"
down_revision: str | None = "0045"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_profiles") as batch:
        batch.add_column(sa.Column("identity_country", sa.String(length=2), nullable=True))
    connection = op.get_bind()
    approved = connection.execute(sa.text(
        "SELECT address, data FROM kyc_submissions WHERE level = 1 AND status = 'approved' AND data IS NOT NULL "
        "ORDER BY id"
    )).all()  # fmt: skip
    for address, data in approved:  # oldest first: a wallet's latest approval is written last
        country = json.loads(data).get("country")  # backend.accounts.identity.IdentityData's stored form
        if isinstance(country, str):
            connection.execute(
                sa.text("UPDATE account_profiles SET identity_country = :country WHERE address = :address"),
                {"country": country.upper(), "address": address},
            )


def downgrade() -> None:
    with op.batch_alter_table("account_profiles") as batch:
        batch.drop_column("identity_country")
