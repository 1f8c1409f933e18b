"""Help articles in the dApp's other languages: readers in a language see an article's translation where there is
one and the English text where not, and search both; staff translate, rewrite and remove translations, each
audit-logged; deleting an article deletes its translations; refusals are typed and change nothing; markup in a
translation stays inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.db.models import HelpArticleTranslation
from backend.errors import ErrorCode, HdexError
from backend.help import ArticleDraft, create, translate, translations

from ..conftest import free_port
from ..staff.conftest import build_container
from .conftest import EVIL, Office, assert_inert, audit, content_state, error

ACTOR = "staff:translator@hdex.example"
CHINESE = {"title": "谁支付燃气费", "body": "**提现**的燃气费由钱包支付。"}


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    built = build_container(database_url, tmp_path, free_port())
    yield built
    built.db_engine.dispose()


def write(container: Container, slug: str, title: str, body: str, *, published: bool = True, at: int = 1) -> int:
    with container.uow() as uow:
        view = create(uow.session, ArticleDraft(slug, title, body, published), actor=ACTOR, ip=None, now_ms=at)
        uow.commit()
        return view.id


def translated(container: Container, article_id: int, title: str, body: str, at: int = 2) -> None:
    with container.uow() as uow:
        translate(uow.session, article_id, "zh-CN", title, body, actor=ACTOR, ip=None, now_ms=at)
        uow.commit()


def listed(client: TestClient, **params: Any) -> list[tuple[str, str, str]]:
    """(slug, title, language) of each article the public list or search shows, in its order."""
    response = client.get("/v1/help/articles", params=params)
    assert response.status_code == 200, response.text
    return [(a["slug"], a["title"], a["language"]) for a in response.json()["articles"]]


def chinese_of(office: Office, slug: str, translation: dict[str, str] | None = CHINESE) -> str:
    """The path of the zh-CN translation of a new published article `slug`, written as `translation` unless None."""
    made = office.client.post("/v1/staff/help/articles", headers=office.support.headers, json={
        "slug": slug, "title": slug.title(), "body": "text", "published": True,
    })  # fmt: skip
    path = f"/v1/staff/help/articles/{made.json()['id']}/translations/zh-CN"
    if translation is not None:
        assert office.client.put(path, json=translation, headers=office.support.headers).status_code == 200
    return path


def test_readers_in_a_language_see_its_translation_english_elsewhere_and_search_both_on_both_databases(
    container: Container,
) -> None:
    later = 10**13  # after the starter articles were written
    gas = write(container, "gas-fees", "Gas fees", "Who pays the gas of a withdrawal?", at=later)
    translated(container, gas, **CHINESE, at=later + 10)
    draft = write(container, "draft-fees", "Draft fees", "gas, not yet published", published=False, at=later + 20)
    translated(container, draft, "草稿燃气费", "未发布", at=later + 21)

    with TestClient(create_app(container)) as client:
        chinese = client.get("/v1/help/articles/gas-fees", params={"lang": "zh-CN"}).json()
        assert (chinese["title"], chinese["language"], chinese["updatedAt"]) == (CHINESE["title"], "zh-CN", later + 10)
        assert chinese["bodyHtml"] == "<p><strong>提现</strong>的燃气费由钱包支付。</p>\n"
        english = client.get("/v1/help/articles/gas-fees").json()
        assert (english["title"], english["language"], english["updatedAt"]) == ("Gas fees", "en", later)
        assert client.get("/v1/help/articles/gas-fees", params={"lang": "en"}).json() == english
        untranslated = client.get("/v1/help/articles/depositing", params={"lang": "zh-CN"}).json()
        assert (untranslated["title"], untranslated["language"]) == ("Depositing tokens", "en")  # English meanwhile

        assert listed(client, q="提现", lang="zh-CN") == [("gas-fees", CHINESE["title"], "zh-CN")]
        assert listed(client, q="提现") == []  # English readers search the English text only
        assert listed(client, q="GAS withdrawal", lang="zh-CN") == [("gas-fees", CHINESE["title"], "zh-CN")]
        assert listed(client, q="燃气费 withdrawal", lang="zh-CN") == [("gas-fees", CHINESE["title"], "zh-CN")]
        everything = listed(client, lang="zh-CN")
        assert everything[0] == ("gas-fees", CHINESE["title"], "zh-CN")  # the most recently changed first
        languages = {slug: language for slug, _title, language in everything}
        assert languages == {"gas-fees": "zh-CN", "depositing": "en", "placing-orders": "en", "withdrawing": "en",
                             "escape-hatch": "en"}  # the starters, untranslated; not the draft  # fmt: skip
        [hit] = client.get("/v1/help/articles", params={"q": "钱包", "lang": "zh-CN"}).json()["articles"]
        assert hit["excerpt"] == "提现的燃气费由钱包支付。"  # the translation's, as plain text

        for path in ("/v1/help/articles", "/v1/help/articles/gas-fees"):
            assert error(client.get(path, params={"lang": "fr"}))[:2] == (422, "INVALID_FIELD"), path
        assert error(client.get("/v1/help/articles/draft-fees", params={"lang": "zh-CN"}))[:2] == (
            404, "HELP_ARTICLE_NOT_FOUND",
        )  # fmt: skip


def test_a_search_in_a_language_ranks_by_the_title_its_readers_see(container: Container) -> None:
    """Titles first, as in English: the title that counts is the one shown, the translation's where translated."""
    in_english_title = write(container, "staking", "Staking rewards", "这里没有那个词。", at=10)
    translated(container, in_english_title, "质押奖励", "手续费在正文里。", at=11)
    write(container, "fees-title", "手续费说明", "An English body.", at=5)
    with TestClient(create_app(container)) as client:
        assert [slug for slug, _t, _l in listed(client, q="手续费", lang="zh-CN")] == ["fees-title", "staking"]
        assert [slug for slug, _t, _l in listed(client, q="staking", lang="zh-CN")] == ["staking"]


def test_two_first_translations_at_once_keep_the_first_and_refuse_the_second_on_both_databases(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second writer looked for a translation before the first committed its own: the unique index stops it
    with a typed error, and the first one's text stays."""
    article = write(container, "race", "Race", "English")
    translated(container, article, "第一", "先写的")
    monkeypatch.setattr(translations, "_translation", lambda *_: None)  # its look-up, before the first commit
    with container.uow() as uow, pytest.raises(HdexError) as refused:
        translate(uow.session, article, "zh-CN", "第二", "后写的", actor=ACTOR, ip=None, now_ms=3)
    assert (refused.value.code, refused.value.field) == (ErrorCode.HELP_TRANSLATION_TAKEN, "language")
    with container.uow() as uow:
        assert uow.session.scalars(select(HelpArticleTranslation.title)).all() == ["第一"]


def test_staff_translate_rewrite_and_remove_each_audit_logged_and_deleting_the_article_deletes_them(
    office: Office,
) -> None:
    client, support, container = office.client, office.support, office.container
    made = client.post("/v1/staff/help/articles", headers=support.headers, json={
        "slug": "withdrawal-gas", "title": "Withdrawal gas", "body": "Who pays it.", "published": True,
    }).json()  # fmt: skip
    path = f"/v1/staff/help/articles/{made['id']}/translations/zh-CN"
    assert made["translations"] == []

    written = client.put(path, json=CHINESE, headers=support.headers)
    assert written.status_code == 200, written.text
    [translation] = written.json()["translations"]
    assert translation["language"] == "zh-CN" and translation["title"] == CHINESE["title"]
    assert translation["bodyHtml"] == "<p><strong>提现</strong>的燃气费由钱包支付。</p>\n"
    assert translation["updatedBy"] == f"staff:{support.email}"
    rewritten = client.put(path, json={**CHINESE, "title": "  提现燃气费  "}, headers=support.headers)
    assert rewritten.json()["translations"][0]["title"] == "提现燃气费"  # trimmed, as an article's title
    assert client.get("/v1/help/articles/withdrawal-gas", params={"lang": "zh-CN"}).json()["title"] == "提现燃气费"
    staff_view = client.get(f"/v1/staff/help/articles/{made['id']}", headers=support.headers).json()
    assert [t["title"] for t in staff_view["translations"]] == ["提现燃气费"]
    [listed_article] = [
        a for a in client.get("/v1/staff/help/articles", headers=support.headers).json()["articles"]
        if a["id"] == made["id"]
    ]  # fmt: skip
    assert listed_article == staff_view
    assert staff_view["title"] == "Withdrawal gas"  # staff edit the English article itself

    removed = client.delete(path, headers=support.headers)
    assert removed.status_code == 200 and removed.json()["translations"] == []
    assert client.get("/v1/help/articles/withdrawal-gas", params={"lang": "zh-CN"}).json()["language"] == "en"
    again = client.delete(path, headers=support.headers)
    assert error(again) == (404, "HELP_ARTICLE_NOT_FOUND", "language")

    client.put(path, json=CHINESE, headers=support.headers)
    assert client.delete(f"/v1/staff/help/articles/{made['id']}", headers=support.headers).status_code == 200
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(HelpArticleTranslation)) == 0

    target = f"help_article:{made['id']}"
    translations_logged = audit(container, "help.article.translate", target)
    assert [(e.before, e.after["title"]) for e in translations_logged[:2]] == [
        (None, CHINESE["title"]),
        ({"language": "zh-CN", **CHINESE}, "提现燃气费"),
    ]
    [untranslated] = audit(container, "help.article.untranslate", target)
    assert untranslated.before == {"language": "zh-CN", "title": "提现燃气费", "body": CHINESE["body"]}
    assert untranslated.after is None and untranslated.actor == f"staff:{support.email}"
    [deleted] = audit(container, "help.article.delete", target)
    assert deleted.before["translations"] == {"zh-CN": CHINESE}  # what the article said in every language


def test_a_translation_is_outdated_once_the_english_words_change_not_on_publishing_and_until_saved_again(
    office: Office,
) -> None:
    client, support = office.client, office.support
    path = chinese_of(office, "fee-tiers")
    article_path = path.removesuffix("/translations/zh-CN")
    english = {"slug": "fee-tiers", "title": "Fee-Tiers", "body": "text", "published": True}

    def outdated() -> tuple[bool, bool]:
        """(as staff see it, as a reader in Chinese sees it)."""
        [translation] = client.get(article_path, headers=support.headers).json()["translations"]
        public = client.get("/v1/help/articles/fee-tiers", params={"lang": "zh-CN"}).json()
        assert public["language"] == "zh-CN"
        return translation["outdated"], public["outdated"]

    assert outdated() == (False, False)
    assert client.get("/v1/help/articles/fee-tiers").json()["outdated"] is False  # the English itself
    for published in (False, True):  # unpublishing and publishing again change no words
        assert client.put(article_path, json={**english, "published": published}, headers=support.headers).is_success
    assert outdated() == (False, False)
    changed = client.put(article_path, json={**english, "body": "text, and the maker rebate"}, headers=support.headers)
    assert changed.status_code == 200 and changed.json()["translations"][0]["outdated"] is True
    assert outdated() == (True, True)
    listed_article = next(a for a in client.get("/v1/staff/help/articles", headers=support.headers).json()["articles"]
                          if a["slug"] == "fee-tiers")  # fmt: skip
    assert listed_article["translations"][0]["outdated"] is True
    assert client.put(path, json=CHINESE, headers=support.headers).json()["translations"][0]["outdated"] is False
    assert outdated() == (False, False)  # saved again (even unchanged): written from the English as it is
    retitled = client.put(article_path, json={**english, "title": "Fee tiers"}, headers=support.headers)
    assert retitled.json()["translations"][0]["outdated"] is True  # the title counts too


def test_translating_needs_support_manage_and_the_csrf_token_and_refusals_change_nothing(office: Office) -> None:
    client, support = office.client, office.support
    path = chinese_of(office, "guarded")
    before = content_state(office.container)
    for member in (office.compliance, office.auditor):
        assert error(client.put(path, json=CHINESE, headers=member.headers))[:2] == (403, "STAFF_FORBIDDEN")
        assert error(client.delete(path, headers=member.headers))[:2] == (403, "STAFF_FORBIDDEN")
    no_csrf = {"Cookie": support.headers["Cookie"]}
    assert error(client.put(path, json=CHINESE, headers=no_csrf))[:2] == (403, "STAFF_CSRF_FAILED")
    assert error(client.delete(path, headers=no_csrf))[:2] == (403, "STAFF_CSRF_FAILED")
    assert error(client.put(path, json=CHINESE))[:2] == (401, "STAFF_NOT_SIGNED_IN")
    assert content_state(office.container) == before


def test_bad_translations_are_typed_and_change_nothing(office: Office) -> None:
    client, support = office.client, office.support
    path = chinese_of(office, "bad-translation")
    article_path = path.removesuffix("/zh-CN")
    before = content_state(office.container)
    bodies: list[tuple[dict[str, Any], tuple[int, str, str | None]]] = [
        ({**CHINESE, "title": "  "}, (422, "INVALID_FIELD", "title")),
        ({**CHINESE, "title": "t" * 201}, (422, "INVALID_FIELD", "title")),
        ({**CHINESE, "title": "a\x00b"}, (422, "INVALID_FIELD", "title")),
        ({**CHINESE, "body": "  "}, (422, "INVALID_FIELD", "body")),
        ({**CHINESE, "body": "b" * 20_001}, (422, "INVALID_FIELD", "body")),
        ({**CHINESE, "body": "a\x00b"}, (422, "INVALID_FIELD", "body")),
        ({"title": "只有标题"}, (422, "INVALID_FIELD", "body")),
        ({**CHINESE, "published": True}, (422, "INVALID_FIELD", "published")),
    ]
    for sent, expected in bodies:
        assert error(client.put(path, json=sent, headers=support.headers)) == expected, sent
    for language in ("en", "fr", "zh-cn", "zh"):  # English is the article itself
        other = f"{article_path}/{language}"
        assert error(client.put(other, json=CHINESE, headers=support.headers))[:2] == (422, "INVALID_FIELD")
        assert error(client.delete(other, headers=support.headers))[:2] == (422, "INVALID_FIELD")
    for missing in ("/v1/staff/help/articles/999999/translations/zh-CN",):
        assert error(client.put(missing, json=CHINESE, headers=support.headers)) == (
            404, "HELP_ARTICLE_NOT_FOUND", "id",
        )  # fmt: skip
        assert error(client.delete(missing, headers=support.headers))[:2] == (404, "HELP_ARTICLE_NOT_FOUND")
    assert content_state(office.container) == before


def test_markup_in_a_translation_is_inert(office: Office) -> None:
    client, support = office.client, office.support
    sent = {"title": EVIL, "body": f"{EVIL}\n\n[x](javascript:alert(4)) <b onmouseover=alert(5)>b</b>"}
    written = client.put(chinese_of(office, "inert-translation", None), json=sent, headers=support.headers)
    assert written.status_code == 200, written.text
    assert_inert(written.json()["translations"][0]["bodyHtml"])
    shown = client.get("/v1/help/articles/inert-translation", params={"lang": "zh-CN"}).json()
    assert shown["title"] == EVIL and shown["language"] == "zh-CN"  # text: the dApp shows titles as text
    assert_inert(shown["bodyHtml"])
