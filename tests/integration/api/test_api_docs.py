"""`/docs` and `/redoc` work without internet: every script, stylesheet and icon comes from the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI

from backend.api import docs

from .exchange_fixtures import Exchange

PAGES = ("/docs", "/redoc")
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def referenced(html: str) -> list[str]:
    """Every URL the page loads by itself: script and link targets, and the OpenAPI document."""
    return re.findall(r'(?:src|href|spec-url)="([^"]*)"', html) + re.findall(r"url: '([^']*)'", html)


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_references_nothing_outside_the_server(sqlite_exchange: Exchange, page: str) -> None:
    response = sqlite_exchange.client.get(page)
    assert response.status_code == 200
    assert re.findall(r"[a-z]+://[^\s'\"]*", response.text) == []
    urls = referenced(response.text)
    assert urls, "the page loads its assets"
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls


@pytest.mark.parametrize("page", PAGES)
def test_no_page_may_frame_a_docs_page(sqlite_exchange: Exchange, page: str) -> None:
    """Its "Try it out" runs requests with the visitor's cookies: framed invisibly by a sibling subdomain (same
    site, so the session goes along), two clicks could erase the visitor's account."""
    headers = sqlite_exchange.client.get(page).headers
    assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_a_docs_page_references_is_served_with_its_content_type(
    sqlite_exchange: Exchange, page: str
) -> None:
    client = sqlite_exchange.client
    for url in referenced(client.get(page).text):
        response = client.get(url)
        assert response.status_code == 200, url
        expected = CONTENT_TYPES.get(Path(url).suffix, "application/json")
        assert expected in response.headers["content-type"], (url, response.headers["content-type"])


@pytest.mark.parametrize(
    "path",
    [
        "/docs/static/swagger-ui/index.html",
        "/docs/static/swagger-ui/package.json",
        "/docs/static/redoc/redoc.lib.js",
    ],
)
def test_package_files_the_pages_do_not_use_are_not_served(sqlite_exchange: Exchange, path: str) -> None:
    response = sqlite_exchange.client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_missing_assets_stop_the_app_with_the_command_that_installs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docs, "SWAGGER_UI_DIR", tmp_path)
    with pytest.raises(docs.DocsAssetsMissing, match=r"swagger-ui-bundle\.js.*make setup"):
        docs.install_api_docs(FastAPI(docs_url=None, redoc_url=None))
