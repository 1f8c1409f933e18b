"""help_articles: two starter articles (migration 0014) said what the dApp does not do: a deposit needs no sign-in,
and a withdrawal from the dApp is paid to the wallet that signs it (there is no recipient to pick). An article staff
have changed since is left as they wrote it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.help.articles import excerpt_of, search_text
from backend.markup import render

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_BY = "migration:0014"
DEPOSIT_OLD_STEP = "1. Connect your wallet and sign in.\n"
DEPOSIT_NEW_STEP = "1. Connect your wallet (a deposit needs no sign-in).\n"
WITHDRAW_OLD = (
    "Press **Withdraw**, pick the token, the amount and the recipient, and sign the withdrawal request in your wallet."
)
WITHDRAW_NEW = (
    "Press **Withdraw**, pick the token and the amount, review them and sign the withdrawal request in your "
    "wallet. It is paid to the wallet that signs it (a bot can name another recipient through the API)."
)
# slug -> (what 0014 wrote, what it says now)
CORRECTIONS = {"depositing": (DEPOSIT_OLD_STEP, DEPOSIT_NEW_STEP), "withdrawing": (WITHDRAW_OLD, WITHDRAW_NEW)}

articles = sa.table(
    "help_articles", sa.column("id", sa.Integer()), sa.column("slug", sa.String()), sa.column("title", sa.String()),
    sa.column("body", sa.Text()), sa.column("search_text", sa.Text()), sa.column("body_html", sa.Text()),
    sa.column("excerpt", sa.Text()), sa.column("updated_by", sa.String()),
)  # fmt: skip


def _replace(old_index: int) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.slug, articles.c.title, articles.c.body).where(
            articles.c.slug.in_(list(CORRECTIONS)), articles.c.updated_by == SEEDED_BY
        )
    ).all()
    for article_id, slug, title, body in rows:
        old, new = CORRECTIONS[slug][old_index], CORRECTIONS[slug][1 - old_index]
        if old not in body:
            continue
        body = body.replace(old, new)
        values = {"body": body, "search_text": search_text(title, body), "body_html": render(body, stored=True),
                  "excerpt": excerpt_of(body, stored=True)}  # fmt: skip
        connection.execute(articles.update().where(articles.c.id == article_id).values(**values))


def upgrade() -> None:
    _replace(0)


def downgrade() -> None:
    _replace(1)
