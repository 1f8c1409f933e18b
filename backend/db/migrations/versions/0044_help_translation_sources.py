"""help_article_translations.source_digest: the digest of the English title and body a translation was written
from, so staff and readers are told when the English changed after it; a translation there is now is taken as
written from the English as it stands

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0044"
down_revision: str | None = "0043"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _digest(title: str, body: str) -> str:
    # backend.help.articles.source_digest as of this migration (a migration does not import the code it outlives)
    return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("help_article_translations") as batch:
        batch.add_column(sa.Column("source_digest", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    articles = connection.execute(sa.text(
        "SELECT t.id, a.title, a.body FROM help_article_translations t JOIN help_articles a ON a.id = t.article_id"
    )).all()  # fmt: skip
    for translation_id, title, body in articles:
        connection.execute(
            sa.text("UPDATE help_article_translations SET source_digest = :digest WHERE id = :id"),
            {"digest": _digest(title, body), "id": translation_id},
        )
    with op.batch_alter_table("help_article_translations") as batch:
        batch.alter_column("source_digest", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("help_article_translations") as batch:
        batch.drop_column("source_digest")
