"""Migration 0038 corrects the starter help articles' deposit and withdrawal steps where staff left them as
migration 0014 wrote them, keeps an article staff changed, and its downgrade puts the old text back."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine
from backend.help.articles import search_text


def _bodies(engine: sa.Engine) -> dict[str, tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT slug, body, body_html, search_text FROM help_articles")).all()
    return {slug: (body, html, folded) for slug, body, html, folded in rows}


def test_0038_corrects_the_starter_steps_staff_left_alone_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0037")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:  # staff rewrote an article: it stays theirs
            connection.execute(sa.text("UPDATE help_articles SET body = body || ' Ours.', updated_by = 'staff:a@b.c' "
                                       "WHERE slug = 'placing-orders'"))  # fmt: skip
        before = _bodies(engine)
        migrate.upgrade(empty_database_url, "0038")
        after = _bodies(engine)
        withdrawing, html, folded = after["withdrawing"]
        assert "the recipient" not in withdrawing and "paid to the wallet that signs it" in withdrawing
        assert "paid to the wallet that signs it" in html and folded == search_text("Withdrawing tokens", withdrawing)
        assert "sign in" not in after["depositing"][0] and "needs no sign-in" in after["depositing"][0]
        assert after["placing-orders"] == before["placing-orders"] and after["escape-hatch"] == before["escape-hatch"]
        migrate.downgrade(empty_database_url, "0037")
        assert _bodies(engine)["withdrawing"][0] == before["withdrawing"][0]
        assert _bodies(engine)["depositing"][0] == before["depositing"][0]
    finally:
        engine.dispose()


def test_0038_leaves_a_starter_article_staff_changed(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0037")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE help_articles SET updated_by = 'staff:a@b.c' WHERE slug = 'withdrawing'")
            )
        before = _bodies(engine)["withdrawing"]
        migrate.upgrade(empty_database_url, "0038")
        assert _bodies(engine)["withdrawing"] == before
    finally:
        engine.dispose()
