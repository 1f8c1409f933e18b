"""orders.filled_quote: the quote base units an order's fills traded for (its average price), filled in from fills

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1_000


def upgrade() -> None:
    op.add_column("orders", sa.Column("filled_quote", Amount(), nullable=False, server_default="0"))
    # Summed here, not in SQL: SQLite keeps amounts as decimal text (backend.db.types.Amount).
    bind = op.get_bind()
    fills = sa.table("fills", sa.column("maker_order_hash"), sa.column("taker_order_hash"),
                     sa.column("quote_amount", Amount()))  # fmt: skip
    traded: dict[str, int] = {}
    for maker, taker, quote in bind.execute(sa.select(fills.c.maker_order_hash, fills.c.taker_order_hash,
                                                      fills.c.quote_amount)):  # fmt: skip
        for order_hash in (maker, taker):
            traded[order_hash] = traded.get(order_hash, 0) + int(quote)
    orders = sa.table("orders", sa.column("hash"), sa.column("filled_quote", Amount()))
    update = orders.update().where(orders.c.hash == sa.bindparam("order_hash")).values(filled_quote=sa.bindparam("q"))
    rows = [{"order_hash": order_hash, "q": quote} for order_hash, quote in traded.items()]
    for start in range(0, len(rows), _BATCH):
        bind.execute(update, rows[start : start + _BATCH])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("filled_quote")
