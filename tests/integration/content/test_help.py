"""The help center: search that behaves the same on SQLite and PostgreSQL (every word, any case in any script,
title matches first, wildcards taken literally), the migration that folds the articles written before it,
published articles only for the public, staff writing and publishing with each change audit-logged, refusals
that change nothing, and markup that stays inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.orm import Session

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.db import migrate
from backend.db.session import make_engine
from backend.help import ArticleDraft, articles, create, search

from ..conftest import free_port
from ..staff.conftest import build_container
from .conftest import EVIL, Office, assert_inert, audit, content_state, error

ACTOR = "staff:writer@hdex.example"
STARTERS = {"depositing", "placing-orders", "withdrawing", "escape-hatch"}


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    built = build_container(database_url, tmp_path, free_port())
    yield built
    built.db_engine.dispose()


def write(container: Container, slug: str, title: str, body: str, published: bool = True, at: int = 1) -> None:
    with container.uow() as uow:
        create(uow.session, ArticleDraft(slug, title, body, published), actor=ACTOR, ip=None, now_ms=at)
        uow.commit()


def found(container: Container, query: str | None, published_only: bool = True) -> list[str]:
    with container.uow() as uow:
        return [view.slug for view in search(uow.session, query, limit=100, published_only=published_only)]


def test_search_needs_every_word_in_any_case_ranks_title_matches_first_on_both_databases(
    container: Container,
) -> None:
    write(container, "zebra-body", "Settlement notes", "The ZEBRA crossing of funds and Quokka batches.", at=30)
    write(container, "zebra-title", "Zebra and quokka guide", "Nothing else here.", at=10)
    write(container, "zebra-half", "Zebra only", "no second animal", at=20)
    write(container, "zebra-draft", "Zebra quokka draft", "unpublished", published=False, at=40)
    write(container, "percent", "Fees of 100% off", "under_score and 50% more", at=5)

    assert found(container, "zebra QUOKKA") == ["zebra-title", "zebra-body"]  # both words; title first
    assert found(container, "zebra") == [
        "zebra-half",
        "zebra-title",
        "zebra-body",
    ]  # titles (newest first), then bodies
    assert found(container, "ZEBRA quokka", published_only=False) == ["zebra-draft", "zebra-title", "zebra-body"]
    assert found(container, "zebra giraffe") == []
    assert found(container, "zebra\x00quokka") == ["zebra-title", "zebra-body"]  # NUL: a space, even on PostgreSQL
    assert found(container, "%") == ["percent"]  # LIKE wildcards are literal
    assert found(container, "e_s") == []  # "_" is no wildcard ("Fees" would match)
    assert found(container, "under_score") == ["percent"]
    assert set(found(container, None)) >= STARTERS | {"zebra-body", "zebra-title", "percent"}
    assert "zebra-draft" not in found(container, None)


def test_search_folds_case_beyond_ascii_and_still_finds_chinese_on_both_databases(container: Container) -> None:
    write(container, "echange", "Frais d'échange", "Le change passe par la Straße du contrat.", at=60)
    write(container, "grec", "ΣΥΝΑΛΛΑΓΈΣ", "Οδηγός", at=61)
    write(container, "cunkuan", "如何存款", "把代币存款到交易所合约。", at=62)

    assert found(container, "ÉCHANGE") == ["echange"]
    assert found(container, "E\u0301CHANGE frais") == ["echange"]  # a decomposed accent is the same letter
    assert found(container, "STRASSE") == ["echange"]  # "ß" folds to "ss"
    assert found(container, "συναλλαγές") == ["grec"]  # final sigma and accent, as written in lower case
    assert found(container, "ΟΔΗΓΌΣ") == ["grec"]  # the body, in upper case
    full_width = "".join(chr(ord(letter) + 0xFEE0) for letter in "STRASSE")  # U+FF33...: Asian keyboards type them
    assert found(container, full_width) == ["echange"]  # the same letters
    assert found(container, "存款") == ["cunkuan"]  # no case, no spaces between words: a substring still matches
    assert found(container, "交易所 合约") == ["cunkuan"]
    with TestClient(create_app(container)) as client:
        response = client.get("/v1/help/articles", params={"q": "D'ÉCHANGE"})
        assert [hit["slug"] for hit in response.json()["articles"]] == ["echange"]


def test_migration_0016_folds_the_articles_written_before_it_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0015")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            old = Table("help_articles", MetaData(), autoload_with=connection)
            connection.execute(
                old.insert().values(
                    slug="echange", title="Frais d'ÉCHANGE", body="Straße", published=True, created_by=ACTOR,
                    created_at_ms=1, updated_by=ACTOR, updated_at_ms=1,
                )
            )  # fmt: skip
        migrate.upgrade(empty_database_url)
        with Session(engine) as session:
            folded = Table("help_articles", MetaData(), autoload_with=session.connection())
            texts = {slug: text for slug, text in session.execute(select(folded.c.slug, folded.c.search_text))}
            assert texts["echange"] == "frais d'échange\nstrasse"
            assert texts["depositing"].startswith("depositing tokens\ntrading uses the balance")  # a starter
            assert [view.slug for view in search(session, "ÉCHANGE strasse", limit=10)] == ["echange"]
        migrate.downgrade(empty_database_url, "0015")
        assert "search_text" not in {column["name"] for column in inspect(engine).get_columns("help_articles")}
        with engine.connect() as connection:
            assert connection.execute(select(old.c.title).where(old.c.slug == "echange")).scalar() == "Frais d'ÉCHANGE"
    finally:
        engine.dispose()


def test_the_starter_articles_are_there_and_the_public_api_searches_on_both_databases(container: Container) -> None:
    write(container, "gas-fees", "Gas fees", "Who pays the **gas** of a withdrawal?", at=50)
    with TestClient(create_app(container)) as client:
        hits = client.get("/v1/help/articles", params={"q": "Exit DELAY"}).json()["articles"]
        assert [hit["slug"] for hit in hits] == ["escape-hatch"]
        assert [h["slug"] for h in client.get("/v1/help/articles", params={"q": "gas"}).json()["articles"]] == [
            "gas-fees"
        ]
        [gas] = client.get("/v1/help/articles", params={"q": "gas withdrawal"}).json()["articles"]
        assert gas["excerpt"] == "Who pays the gas of a withdrawal?"
        article = client.get("/v1/help/articles/depositing").json()
        assert article["title"] == "Depositing tokens" and "<strong>Deposit</strong>" in article["bodyHtml"]
        assert error(client.get("/v1/help/articles/no-such-thing"))[:2] == (404, "HELP_ARTICLE_NOT_FOUND")
        assert error(client.get("/v1/help/articles/Bad_Slug"))[:2] == (422, "INVALID_FIELD")
        assert error(client.get("/v1/help/articles", params={"q": "x" * 201}))[:2] == (422, "INVALID_FIELD")


def test_articles_are_read_without_rendering_their_markdown_again(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered once, when written: the public list rendered each listed article's Markdown twice (its HTML and its
    excerpt) at every read, seconds of CPU for a page of long articles, asked by anyone."""
    write(container, "gas-fees", "Gas fees", "Who pays the **gas** of a withdrawal?", at=50)

    def no_render(_: str) -> str:
        raise AssertionError("a read rendered Markdown")

    monkeypatch.setattr(articles, "render", no_render)
    monkeypatch.setattr(articles, "plain", no_render)
    with TestClient(create_app(container)) as client:
        listed = client.get("/v1/help/articles").json()["articles"]
        gas = client.get("/v1/help/articles/gas-fees").json()

    excerpts = {hit["slug"]: hit["excerpt"] for hit in listed}
    assert excerpts.keys() == STARTERS | {"gas-fees"} and all(excerpts.values())  # the starters' by the migration
    assert excerpts["gas-fees"] == "Who pays the gas of a withdrawal?"
    assert gas["bodyHtml"] == "<p>Who pays the <strong>gas</strong> of a withdrawal?</p>\n"


def test_migration_0030_renders_the_stored_articles_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0029")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            old = Table("help_articles", MetaData(), autoload_with=connection)
            connection.execute(old.insert().values(
                slug="evil", title="Evil", body="<script>alert(1)</script> **bold** " + "word " * 100,
                search_text="evil", published=True, created_by=ACTOR, created_at_ms=1, updated_by=ACTOR,
                updated_at_ms=1,
            ))  # fmt: skip
        migrate.upgrade(empty_database_url, "0030")
        with engine.connect() as connection:
            rendered = Table("help_articles", MetaData(), autoload_with=connection)
            rows = {slug: (html, excerpt) for slug, html, excerpt in connection.execute(
                select(rendered.c.slug, rendered.c.body_html, rendered.c.excerpt))}  # fmt: skip
        html, excerpt = rows["evil"]
        assert "<strong>bold</strong>" in html and "<script>" not in html
        assert excerpt == articles.excerpt_of("<script>alert(1)</script> **bold** " + "word " * 100)
        assert excerpt.startswith("<script>alert(1)</script> bold word") and excerpt.endswith("…")  # text
        assert "<strong>Deposit</strong>" in rows["depositing"][0]  # a starter article
        migrate.downgrade(empty_database_url, "0029")
        assert {"body_html", "excerpt"}.isdisjoint(c["name"] for c in inspect(engine).get_columns("help_articles"))
    finally:
        engine.dispose()


def article(
    slug: str = "fees", title: str = "Fees", body: str = "What **fees** are.", published: bool = True
) -> dict[str, Any]:
    return {"slug": slug, "title": title, "body": body, "published": published}


def test_staff_write_publish_unpublish_and_delete_articles_each_audit_logged(office: Office) -> None:
    client, support, container = office.client, office.support, office.container
    made = client.post("/v1/staff/help/articles", json=article(published=False), headers=support.headers)
    assert made.status_code == 201, made.text
    article_id = made.json()["id"]
    assert error(client.get("/v1/help/articles/fees"))[:2] == (404, "HELP_ARTICLE_NOT_FOUND")  # not published
    assert "fees" not in [a["slug"] for a in client.get("/v1/help/articles").json()["articles"]]

    published = client.put(f"/v1/staff/help/articles/{article_id}", json=article(), headers=support.headers)
    assert published.status_code == 200 and published.json()["published"] is True
    assert client.get("/v1/help/articles/fees").json()["bodyHtml"] == "<p>What <strong>fees</strong> are.</p>\n"
    renamed = client.put(f"/v1/staff/help/articles/{article_id}", json=article("trading-fees", published=False),
                         headers=support.headers)  # fmt: skip
    assert renamed.json()["slug"] == "trading-fees"
    assert error(client.get("/v1/help/articles/trading-fees"))[:2] == (404, "HELP_ARTICLE_NOT_FOUND")
    assert client.get(f"/v1/staff/help/articles/{article_id}", headers=support.headers).json()["published"] is False
    staff_list = client.get("/v1/staff/help/articles", params={"q": "fees"}, headers=support.headers).json()
    assert [a["slug"] for a in staff_list["articles"]] == ["trading-fees"]
    preview = client.post("/v1/staff/help/preview", json={"body": "**b**"}, headers=support.headers)
    assert preview.json() == {"html": "<p><strong>b</strong></p>\n"}

    deleted = client.delete(f"/v1/staff/help/articles/{article_id}", headers=support.headers)
    assert deleted.json() == {"id": article_id, "deleted": True}
    assert error(client.get(f"/v1/staff/help/articles/{article_id}", headers=support.headers))[:2] == (
        404, "HELP_ARTICLE_NOT_FOUND",
    )  # fmt: skip

    target = f"help_article:{article_id}"
    [created] = audit(container, "help.article.create", target)
    assert created.actor == f"staff:{support.email}" and created.after["published"] is False
    changes = audit(container, "help.article.change", target)
    assert [(c.before["published"], c.after["published"]) for c in changes] == [(False, True), (True, False)]
    assert changes[1].after["slug"] == "trading-fees"
    [removed] = audit(container, "help.article.delete", target)
    assert removed.before["body"] == "What **fees** are." and removed.after is None


def test_roles_without_support_manage_are_refused_and_change_nothing(office: Office) -> None:
    client, support = office.client, office.support
    made = client.post("/v1/staff/help/articles", json=article("perm"), headers=support.headers).json()
    before = content_state(office.container)
    for member in (office.compliance, office.auditor):
        for path in ("/v1/staff/help/articles", f"/v1/staff/help/articles/{made['id']}"):
            assert error(client.get(path, headers=member.headers))[:2] == (403, "STAFF_FORBIDDEN"), path
        writes = [
            client.post("/v1/staff/help/articles", json=article("other"), headers=member.headers),
            client.put(f"/v1/staff/help/articles/{made['id']}", json=article("perm"), headers=member.headers),
            client.delete(f"/v1/staff/help/articles/{made['id']}", headers=member.headers),
            client.post("/v1/staff/help/preview", json={"body": "x"}, headers=member.headers),
        ]
        assert [error(w)[:2] for w in writes] == [(403, "STAFF_FORBIDDEN")] * 4
    no_csrf = {"Cookie": support.headers["Cookie"]}
    assert error(client.delete(f"/v1/staff/help/articles/{made['id']}", headers=no_csrf))[:2] == (
        403, "STAFF_CSRF_FAILED",
    )  # fmt: skip
    assert content_state(office.container) == before


def test_bad_input_is_typed_and_changes_nothing(office: Office) -> None:
    client, support = office.client, office.support
    made = client.post("/v1/staff/help/articles", json=article("bad-input"), headers=support.headers).json()
    before = content_state(office.container)
    cases: list[tuple[dict[str, Any], tuple[int, str, str | None]]] = [
        (article("Bad Slug"), (422, "INVALID_FIELD", "slug")),
        (article("-dash"), (422, "INVALID_FIELD", "slug")),
        (article("s" * 81), (422, "INVALID_FIELD", "slug")),
        (article(title="t" * 201), (422, "INVALID_FIELD", "title")),
        (article(title="  "), (422, "INVALID_FIELD", "title")),
        (article(title="a\x00b"), (422, "INVALID_FIELD", "title")),
        (article(body="a\x00b"), (422, "INVALID_FIELD", "body")),
        (article(body="b" * 20_001), (422, "INVALID_FIELD", "body")),
        (article(body="  "), (422, "INVALID_FIELD", "body")),
        ({**article(), "extra": 1}, (422, "INVALID_FIELD", "extra")),
        (article("depositing"), (409, "HELP_SLUG_TAKEN", "slug")),
    ]
    for sent, expected in cases:
        assert error(client.post("/v1/staff/help/articles", json=sent, headers=support.headers)) == expected, sent
        changed = client.put(f"/v1/staff/help/articles/{made['id']}", json=sent, headers=support.headers)
        assert error(changed) == expected, sent
    missing = client.put("/v1/staff/help/articles/999999", json=article("x"), headers=support.headers)
    assert error(missing)[:2] == (404, "HELP_ARTICLE_NOT_FOUND")
    assert content_state(office.container) == before


def test_markup_in_every_field_is_inert(office: Office) -> None:
    client, support = office.client, office.support
    sent = article("inert", EVIL, f"{EVIL}\n\n[x](javascript:alert(4)) <b onmouseover=alert(5)>b</b>")
    made = client.post("/v1/staff/help/articles", json=sent, headers=support.headers)
    assert made.status_code == 201, made.text
    shown = client.get("/v1/help/articles/inert").json()
    assert shown["title"] == EVIL  # text: the dApp shows titles as text, never as HTML
    assert_inert(shown["bodyHtml"])
    assert_inert(made.json()["bodyHtml"])
    assert_inert(
        client.post("/v1/staff/help/preview", json={"body": sent["body"]}, headers=support.headers).json()["html"]
    )
    [hit] = [
        a for a in client.get("/v1/help/articles", params={"q": "alert"}).json()["articles"] if a["slug"] == "inert"
    ]
    assert "<script>" in hit["excerpt"]  # plain text of the body, shown as text by the dApp
