"""support_messages.body_html: each message's Markdown rendered once, when written, not at every read

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.markup import render

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

messages = sa.table("support_messages", sa.column("id", sa.Integer()), sa.column("body", sa.Text()),
                    sa.column("body_html", sa.Text()))  # fmt: skip


def upgrade() -> None:
    # Not a batch (a copy of the table): support_attachments' foreign key would refuse its drop on SQLite.
    op.add_column("support_messages", sa.Column("body_html", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    for message_id, body in connection.execute(sa.select(messages.c.id, messages.c.body)).all():
        connection.execute(
            messages.update().where(messages.c.id == message_id).values(body_html=render(body, stored=True))
        )


def downgrade() -> None:
    op.drop_column("support_messages", "body_html")
