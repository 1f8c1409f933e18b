"""The web dApp, served at `/` from its built files (`npm run build -w dapp` writes `dapp/dist`).

Vite names every file under `assets/` after a hash of its content, so those are cached for a year
(immutable); `index.html` names the current ones, so browsers revalidate it on every load. Any other
GET outside the API's own paths is a route of the single-page app and gets `index.html`: the trading page
(`/`, `/trade/<market>`), the account page (`/account`, also the e-mail link `/account?verifyEmail=...`),
the back office (`/backoffice/<section>`) and the staff password link (`/staff/reset-password`).

The handler is the router's fallback: it only sees requests no API route matched, so a wrong method
on an API path stays 405 and an unknown API path a typed 404. Files are looked up strictly inside the
build folder (resolved, symlinks included): no path reaches anything else.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

API_PATHS = ("/v1", "/docs", "/redoc", "/openapi.json", "/health", "/metrics")
ASSETS_PATH = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# A trading page must not be framed by another site (clickjacking a signature); a page's address (the
# account page's `?verifyEmail=<token>` link) is never sent to another site in a Referer. Scripts come only
# from our own files: user text (forum posts, tickets) is sanitized HTML, and should a sanitizer ever miss, an
# inline script or handler in it still does not run. (Connections are not limited: wallets' RPC is elsewhere.)
CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HDEX: the web app is not built</title></head>
<body><h1>The web app is not built yet</h1>
<p>Run <code>make setup</code> (it builds <code>dapp/</code> into <code>dapp/dist</code>), then reload this page.</p>
<p>The API works meanwhile: <a href="/docs">/docs</a>.</p></body></html>
"""


class DappFiles:
    """ASGI fallback: the dApp's files and its SPA routes for GET and HEAD, `not_found` for the rest."""

    def __init__(self, dist: Path, not_found: ASGIApp) -> None:
        self.dist = dist
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or _is_api_path(path):
            await self.not_found(scope, receive, send)
            return
        response = self.response(path)
        if response is None:
            await self.not_found(scope, receive, send)
            return
        await response(scope, receive, send)

    def response(self, path: str) -> Response | None:
        """The answer to GET `path`; None for a missing asset (a 404, never index.html in its place)."""
        root = self.dist.resolve()
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": "no-store"})
        file = _file_inside(root, path)
        if file is not None and file != index:
            cache = IMMUTABLE if path.startswith(ASSETS_PATH) else REVALIDATE
            return FileResponse(file, headers={"Cache-Control": cache, **SECURITY_HEADERS})
        if path.startswith(ASSETS_PATH):
            return None
        return FileResponse(index, headers={"Cache-Control": REVALIDATE, **SECURITY_HEADERS})


def _file_inside(root: Path, path: str) -> Path | None:
    """The file the URL `path` names inside `root` (resolved), if it is one."""
    relative = path.lstrip("/")
    if not relative or any(part.startswith(".") for part in relative.split("/")):
        return None  # dot files (the build stamp, editor files) are not the app's
    try:
        candidate = (root / relative).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except (OSError, ValueError):  # a name the file system refuses (too long, a NUL byte)
        return None


def _is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PATHS)


def install_dapp(app: FastAPI, dist: Path) -> None:
    """Serve the dApp built into `dist` for every request no route of `app` answers."""
    app.router.default = DappFiles(dist, app.router.not_found)
