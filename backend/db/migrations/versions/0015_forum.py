"""the forum (categories, threads, posts, reports, bans) and its full-text search

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as backend.db.models.forum (a migration does not import the models: they change after it)
SQLITE_SEARCH_TABLE = "forum_posts_fts"
POSTGRES_SEARCH_CONFIG = "english"
SEED_CATEGORIES = (
    ("general", "General", "Anything about HDEX that fits nowhere else", 1),
    ("trading", "Trading", "Markets, orders, strategies and bots", 2),
    ("feedback", "Feedback", "Ideas and wishes for HDEX, and what went wrong", 3),
)


def upgrade() -> None:
    categories = op.create_table(
        "forum_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_forum_categories_slug")),
    )
    op.create_table(
        "forum_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=42), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_post_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["forum_categories.id"],
            name=op.f("fk_forum_threads_category_id_forum_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_threads")),
    )
    op.create_index("ix_forum_threads_listing", "forum_threads", ["category_id", "pinned", "last_post_at_ms", "id"])
    op.create_table(
        "forum_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=42), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_posts_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_posts")),
    )
    op.create_index(op.f("ix_forum_posts_thread_id"), "forum_posts", ["thread_id"])
    op.create_index("ix_forum_posts_author_created_at_ms", "forum_posts", ["author", "created_at_ms"])
    op.create_table(
        "forum_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("resolved_by", sa.String(length=320), nullable=True),
        sa.Column("resolved_at_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_posts.id"], name=op.f("fk_forum_reports_post_id_forum_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_reports")),
        sa.UniqueConstraint("post_id", "reporter", name="uq_forum_reports_post_id_reporter"),
    )
    op.create_index(op.f("ix_forum_reports_reporter"), "forum_reports", ["reporter"])
    op.create_index(op.f("ix_forum_reports_status"), "forum_reports", ["status"])
    op.create_table(
        "forum_bans",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("banned_by", sa.String(length=320), nullable=False),
        sa.Column("banned_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_forum_bans")),
    )
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name": name, "description": description, "position": position,
             "created_by": "migration:0015", "created_at_ms": 0}
            for slug, name, description, position in SEED_CATEGORIES
        ],
    )  # fmt: skip
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_forum_posts_search ON forum_posts "
            f"USING gin (to_tsvector('{POSTGRES_SEARCH_CONFIG}'::regconfig, search_text))"
        )
    elif dialect == "sqlite":
        # external content: the index holds terms only and reads the text from forum_posts; triggers keep it
        # in step with every insert, update and delete of a post
        table = SQLITE_SEARCH_TABLE
        op.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(search_text, content='forum_posts', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_ai AFTER INSERT ON forum_posts BEGIN "
            f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_ad AFTER DELETE ON forum_posts BEGIN "
            f"INSERT INTO {table}({table}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_au AFTER UPDATE OF search_text ON forum_posts BEGIN "
            f"INSERT INTO {table}({table}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for suffix in ("au", "ad", "ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {SQLITE_SEARCH_TABLE}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {SQLITE_SEARCH_TABLE}")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_forum_posts_search")
    op.drop_table("forum_bans")
    op.drop_index(op.f("ix_forum_reports_status"), table_name="forum_reports")
    op.drop_index(op.f("ix_forum_reports_reporter"), table_name="forum_reports")
    op.drop_table("forum_reports")
    op.drop_index("ix_forum_posts_author_created_at_ms", table_name="forum_posts")
    op.drop_index(op.f("ix_forum_posts_thread_id"), table_name="forum_posts")
    op.drop_table("forum_posts")
    op.drop_index("ix_forum_threads_listing", table_name="forum_threads")
    op.drop_table("forum_threads")
    op.drop_table("forum_categories")
