"""help articles keep their title and body case-folded for search (SQLite's lower() folds ASCII only)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _search_text(title: str, body: str) -> str:
    """As backend.help.articles.search_text (a migration does not import the application: it changes after it)."""
    text = f"{title}\n{body}"
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def upgrade() -> None:
    with op.batch_alter_table("help_articles") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    articles = sa.table(
        "help_articles", sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("body", sa.Text),
        sa.column("search_text", sa.Text),
    )  # fmt: skip
    bind = op.get_bind()
    for article_id, title, body in bind.execute(sa.select(articles.c.id, articles.c.title, articles.c.body)).all():
        folded = _search_text(title, body)
        bind.execute(articles.update().where(articles.c.id == article_id).values(search_text=folded))
    with op.batch_alter_table("help_articles") as batch:
        batch.alter_column("search_text", nullable=False, existing_type=sa.Text())


def downgrade() -> None:
    with op.batch_alter_table("help_articles") as batch:
        batch.drop_column("search_text")
