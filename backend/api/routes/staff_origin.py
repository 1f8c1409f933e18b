"""Staff reads that the audit log records (a document, identity data, a file, a report, an export) answer only
the back office's own pages.

The staff cookie is SameSite=Strict, which keeps other sites out but not a sibling subdomain: an `<img>` on a
page of blog.example, opened by a member of staff, would open KYC documents in the member's name, and the audit
log would say the member read them. A read changes nothing else, so the CSRF token is not asked of it; the
browser's own word about where the request came from (`backend.api.deps.cross_origin`) decides instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from backend.api.deps import cross_origin
from backend.errors import ErrorCode, HdexError


async def _refuse_cross_origin_read(request: Request) -> None:
    if (why := cross_origin(request)) is not None:
        raise HdexError(
            ErrorCode.CROSS_ORIGIN_REQUEST, f"a read the audit log records must come from the back office ({why})"
        )


# a route dependency: 403 CROSS_ORIGIN_REQUEST, before the session is looked at, for a request of another origin
SAME_ORIGIN_READ: Any = Depends(_refuse_cross_origin_read)
