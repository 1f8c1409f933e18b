"""Uploaded files shown to staff (KYC documents, ticket attachments): inline, never sniffed, never run.

A file's type is what its bytes were sniffed as when it was stored (PDF, PNG or JPEG); it is served with
`nosniff`, a sandboxing Content-Security-Policy (a PDF's scripts and a crafted image's tricks run in nothing),
`no-store` and same-origin only.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
# The 200 content of such an endpoint in OpenAPI.
FILE_TYPES: dict[str, Any] = {mime: {"schema": {"type": "string", "format": "binary"}} for mime in EXTENSIONS}


def inline_file(data: bytes, content_type: str, stem: str) -> Response:
    """`data` to open in the browser, named `<stem>.<extension of its type>`."""
    name = f"{stem}.{EXTENSIONS.get(content_type, 'bin')}"
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "no-store",
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )
