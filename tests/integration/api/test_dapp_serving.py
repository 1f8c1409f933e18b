"""The API serves the built dApp at `/`: hashed assets cached for good, `index.html` revalidated, SPA
routes falling back to it, the API's own paths untouched, nothing outside the build folder reachable,
and a clear 503 page while the app is not built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .exchange_fixtures import Exchange, prepare, running

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f9a1c.js"></script></head></html>'
SCRIPT = "console.log('hdex')"
SECRET = "outside the build folder"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build folder as `npm run build -w dapp` leaves it, with a secret beside it."""
    folder = tmp_path / "dapp-dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-3f9a1c.js").write_text(SCRIPT)
    (folder / "assets" / "index-77b0e2.css").write_text("body{}")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / ".hdex-built").write_text(SECRET)  # make's build stamp
    (tmp_path / "secret.txt").write_text(SECRET)
    (folder / "assets" / "link.txt").symlink_to(tmp_path / "secret.txt")
    return folder


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path, dist: Path) -> Iterator[Exchange]:
    yield from running(prepare(sqlite_url, tmp_path, dapp_dir=dist))


def test_the_app_shell_is_served_at_the_root_and_revalidated_on_every_load(served: Exchange) -> None:
    answer = served.client.get("/")
    assert answer.status_code == 200
    assert answer.text == INDEX
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-frame-options"] == "DENY"
    head = served.client.head("/")
    assert (head.status_code, head.content) == (200, b"")


def test_hashed_assets_are_cached_for_a_year_as_immutable(served: Exchange) -> None:
    script = served.client.get("/assets/index-3f9a1c.js")
    assert script.status_code == 200
    assert script.text == SCRIPT
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.client.get("/assets/index-77b0e2.css").headers["content-type"].startswith("text/css")
    # Not hashed: a file at the root of the build may change under the same name.
    assert served.client.get("/favicon.svg").headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/trade/WETH-USDC", "/account/orders", "/index.html", "/trade/"])
def test_routes_of_the_single_page_app_get_the_app_shell(served: Exchange, path: str) -> None:
    answer = served.client.get(path)
    assert (answer.status_code, answer.text) == (200, INDEX)
    assert answer.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    ["/account", "/account/", "/account?verifyEmail=Zm9vYmFyYmF6", "/backoffice", "/backoffice/kyc",
     "/backoffice/audit?actor=staff", "/staff/reset-password"],
)  # fmt: skip
def test_the_account_page_and_the_back_office_get_the_app_shell(served: Exchange, path: str) -> None:
    answer = served.client.get(path)
    assert (answer.status_code, answer.text) == (200, INDEX)
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-frame-options"] == "DENY"


def test_no_script_runs_on_a_page_but_the_apps_own_files(served: Exchange) -> None:
    """A last line behind the sanitizer: inline scripts, handlers and plugins in any HTML are refused."""
    policy = served.client.get("/forum").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_page_address_leaves_for_another_site_in_a_referer(served: Exchange) -> None:
    # The e-mail link's token rides in the account page's query string until the page removes it.
    for path in ("/account?verifyEmail=Zm9vYmFyYmF6", "/", "/assets/index-3f9a1c.js"):
        assert served.client.get(path).headers["referrer-policy"] == "same-origin"


def test_a_missing_asset_is_a_404_not_the_app_shell(served: Exchange) -> None:
    answer = served.client.get("/assets/index-000000.js")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_the_api_docs_health_and_websocket_keep_their_paths(served: Exchange) -> None:
    assert served.client.get("/v1/markets").json()["markets"][0]["name"] == "WETH-USDC"
    assert served.client.get("/openapi.json").json()["info"]["title"] == "HDEX"
    assert "swagger" in served.client.get("/docs").text.lower()
    assert served.client.get("/health").headers["content-type"] == "application/json"
    assert served.client.get("/metrics").status_code == 200
    with served.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "ping"})
        assert ws.receive_json() == {"op": "pong"}


@pytest.mark.parametrize("path", ["/v1/nothing-here", "/v1", "/docs/nothing", "/health/deep"])
def test_an_unknown_api_path_stays_a_typed_404(served: Exchange, path: str) -> None:
    answer = served.client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_other_methods_keep_their_api_answers(served: Exchange) -> None:
    assert served.client.put("/v1/markets").status_code == 405  # a route with another method: 405 as before
    answer = served.client.post("/trade/WETH-USDC")
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")


# `..` percent-encoded: the HTTP client would normalise a plain one away; the server decodes these.
@pytest.mark.parametrize(
    "path",
    ["/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/link.txt",
     "//etc/passwd", "/assets/%00.js", "/.hdex-built"],
)  # fmt: skip
def test_no_path_reaches_a_file_outside_the_build_folder(served: Exchange, path: str) -> None:
    answer = served.client.get(path)
    assert SECRET not in answer.text
    assert "root:" not in answer.text
    assert answer.status_code in (200, 404)  # the app shell, or a missing asset
    if answer.status_code == 200:
        assert answer.text == INDEX


def test_without_a_build_the_root_says_to_run_make_setup_and_the_api_still_works(
    sqlite_url: str, tmp_path: Path
) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, dapp_dir=tmp_path / "never-built")):
        answer = exchange.client.get("/")
        assert answer.status_code == 503
        assert "make setup" in answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert exchange.client.get("/trade/WETH-USDC").status_code == 503
        assert exchange.client.get("/v1/markets").status_code == 200
