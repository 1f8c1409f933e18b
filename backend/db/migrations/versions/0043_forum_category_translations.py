"""forum_categories.translations: a category's name and description in the dApp's other languages (zh-CN), shown
to readers in them; the three seeded categories get theirs

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07
"""

# ruff: noqa: RUF001  (full-width punctuation, as zh-CN writes)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043"
down_revision: str | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# migration 0015's seeds, in Chinese (a migration does not import the models: they change after it)
SEEDED_IN_CHINESE = {
    "general": {"name": "综合", "description": "不属于其他版块的 HDEX 话题"},
    "trading": {"name": "交易", "description": "市场、订单、策略与机器人"},
    "feedback": {"name": "反馈", "description": "对 HDEX 的想法与期望，以及遇到的问题"},
}


def upgrade() -> None:
    with op.batch_alter_table("forum_categories") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))
    categories = sa.table("forum_categories", sa.column("slug", sa.String), sa.column("translations", sa.JSON))
    for slug, chinese in SEEDED_IN_CHINESE.items():
        op.execute(categories.update().where(categories.c.slug == slug).values(translations={"zh-CN": chinese}))


def downgrade() -> None:
    with op.batch_alter_table("forum_categories") as batch:
        batch.drop_column("translations")
