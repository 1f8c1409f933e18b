"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served from our own files, so they work offline.

FastAPI's built-in pages load their scripts from a CDN; these load the same scripts from the npm
packages pinned in package.json (`swagger-ui-dist`, `redoc`), installed into node_modules by
`make setup`, under `/docs/static/...` (inside `/docs`, so the per-IP rate limit skips them too).
Only the files the two pages reference are served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from backend.paths import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
STATIC_PATH = "/docs/static"
SWAGGER_UI_DIR = NODE_MODULES / "swagger-ui-dist"
REDOC_DIR = NODE_MODULES / "redoc" / "bundles"
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
REDOC_FILES = ("redoc.standalone.js",)
# A docs page runs requests with the visitor's cookies ("Try it out"): framed invisibly by a sibling subdomain
# (same site, so the SameSite=Strict session goes along), two clicks could erase an account. No page may frame it.
# (Not the dApp's whole CSP: both pages start their scripts inline.)
FRAMING_REFUSED = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class DocsAssetsMissing(RuntimeError):
    """node_modules lacks the Swagger UI or ReDoc files: `make setup` installs them."""


class _PinnedFiles(StaticFiles):
    """Static files from `directory`, limited to `names` (a package ships demos we do not serve)."""

    def __init__(self, directory: Path, names: tuple[str, ...]) -> None:
        missing = [str(directory / name) for name in names if not (directory / name).is_file()]
        if missing:
            raise DocsAssetsMissing(f"API docs assets missing ({', '.join(missing)}): run `make setup`")
        super().__init__(directory=directory)
        self.names = frozenset(names)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path not in self.names:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def install_api_docs(app: FastAPI) -> None:
    """Add `/docs`, `/redoc` and their assets to an app created with docs_url=None, redoc_url=None."""
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(f"{STATIC_PATH}/swagger-ui", _PinnedFiles(SWAGGER_UI_DIR, SWAGGER_UI_FILES))
    app.mount(f"{STATIC_PATH}/redoc", _PinnedFiles(REDOC_DIR, REDOC_FILES))
    favicon = f"{STATIC_PATH}/swagger-ui/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _unframed(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} API",
                swagger_js_url=f"{STATIC_PATH}/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC_PATH}/swagger-ui/swagger-ui.css",
                swagger_favicon_url=favicon,
                oauth2_redirect_url=None,
                # The default validator renders a badge fetched from validator.swagger.io.
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _unframed(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} API",
                redoc_js_url=f"{STATIC_PATH}/redoc/redoc.standalone.js",
                redoc_favicon_url=favicon,
                with_google_fonts=False,
            )
        )


def _unframed(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(FRAMING_REFUSED)
    return page
