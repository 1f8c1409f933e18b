"""Migration 0044 gives each help translation there is the digest of its article's English as it stands (so none
shows outdated at once), and its downgrade keeps the translations."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine
from backend.help.articles import source_digest


def test_0044_takes_each_translation_as_written_from_the_english_as_it_stands_and_downgrades(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0043")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            slug, title, body = connection.execute(
                sa.text("SELECT slug, title, body FROM help_articles ORDER BY id LIMIT 1")  # a starter article
            ).one()
            connection.execute(sa.text(
                "INSERT INTO help_article_translations (article_id, language, title, body, search_text, body_html, "
                "excerpt, updated_by, updated_at_ms) SELECT id, 'zh-CN', '标题', '正文', '', '', '', 'staff:t', 1 "
                "FROM help_articles WHERE slug = :slug"
            ), {"slug": slug})  # fmt: skip
        migrate.upgrade(empty_database_url, "0044")
        with engine.connect() as connection:
            digests = connection.execute(sa.text("SELECT source_digest FROM help_article_translations")).scalars()
            assert list(digests) == [source_digest(title, body)]
        migrate.downgrade(empty_database_url, "0043")
        with engine.connect() as connection:
            kept = connection.execute(sa.text("SELECT language, title FROM help_article_translations")).all()
            assert [tuple(row) for row in kept] == [("zh-CN", "标题")]
    finally:
        engine.dispose()
