"""orders and withdrawal requests keep their signature as the 65 bytes the contract takes

They were stored as 0x-hex text, so every settlement and withdrawal turned bytes into hex on the
way in and back into bytes on the way out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("orders", "withdrawal_requests")


def _convert(table: str, to_bytes: bool) -> None:
    """Copy `signature` into a new column of the other type, then put it in the old one's place."""
    new_type: sa.LargeBinary | sa.String = sa.LargeBinary(65) if to_bytes else sa.String(132)
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("signature_converted", new_type, nullable=True))
    rows = sa.table(
        table, sa.column("hash", sa.String), sa.column("signature"), sa.column("signature_converted", new_type)
    )
    bind = op.get_bind()
    for row_hash, signature in bind.execute(sa.select(rows.c.hash, rows.c.signature)).all():
        converted = bytes.fromhex(signature.removeprefix("0x")) if to_bytes else "0x" + bytes(signature).hex()
        bind.execute(rows.update().where(rows.c.hash == row_hash).values(signature_converted=converted))
    with op.batch_alter_table(table) as batch:
        batch.drop_column("signature")
        batch.alter_column("signature_converted", new_column_name="signature", nullable=False, existing_type=new_type)


def upgrade() -> None:
    for table in TABLES:
        _convert(table, to_bytes=True)


def downgrade() -> None:
    for table in TABLES:
        _convert(table, to_bytes=False)
