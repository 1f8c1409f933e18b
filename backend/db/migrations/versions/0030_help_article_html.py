"""help_articles.body_html and excerpt: each article's Markdown rendered once, when written, not at every read

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.help.articles import excerpt_of
from backend.markup import render

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

articles = sa.table("help_articles", sa.column("id", sa.Integer()), sa.column("body", sa.Text()),
                    sa.column("body_html", sa.Text()), sa.column("excerpt", sa.Text()))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("help_articles") as batch:
        batch.add_column(sa.Column("body_html", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("excerpt", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    for article_id, body in connection.execute(sa.select(articles.c.id, articles.c.body)).all():
        update = articles.update().where(articles.c.id == article_id)
        connection.execute(update.values(body_html=render(body, stored=True), excerpt=excerpt_of(body, stored=True)))


def downgrade() -> None:
    with op.batch_alter_table("help_articles") as batch:
        batch.drop_column("excerpt")
        batch.drop_column("body_html")
