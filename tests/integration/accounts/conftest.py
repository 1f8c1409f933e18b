"""Accounts fixtures: the API on a real database (SQLite and PostgreSQL) with documents in a folder under
the test's data dir, mail received by a real SMTP server (aiosmtpd), wallets signed in with SIWE by anvil's
dev keys, and staff signed in with password and TOTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container

from ..staff.conftest import Inbox, build_container, inbox
from ..web_kit import PDF, PNG, ClientFor, StaffBrowser, app, client_for, signed_in_wallet, staff_as

# the real SMTP server fixture shared with the staff tests, and the signed-in pages' kit
__all__ = ["PDF", "PNG", "ClientFor", "StaffBrowser", "app", "client_for", "inbox", "signed_in_wallet", "staff_as"]

WEBHOOK_SECRET = "vendor-shared-secret-for-tests"
MAX_UPLOAD = 64 * 1024  # small, so "too large" needs no megabytes
USER, OTHER = 5, 6  # dev wallets
IDENTITY: dict[str, Any] = {
    "legalName": "Ada Lovelace",
    "dateOfBirth": "1990-12-10",
    "country": "GB",
    "address": {"line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH"},
}


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1],
        kyc_max_upload_bytes=MAX_UPLOAD, kyc_restricted_countries=["KP", "IR"], kyc_webhook_secret=WEBHOOK_SECRET,
    )  # fmt: skip
    yield built
    built.db_engine.dispose()


@pytest.fixture
def user(client_for: ClientFor) -> TestClient:
    client = client_for("user")
    signed_in_wallet(client, USER)
    return client


def documents(identity: bytes = PNG, proof: bytes = PDF, names: tuple[str, str] = ("id.png", "bill.pdf")) -> Any:
    """The multipart files of a level-2 submission."""
    return {
        "identityDocument": (names[0], io.BytesIO(identity), "image/png"),
        "proofOfAddress": (names[1], io.BytesIO(proof), "application/pdf"),
    }


def stored_files(container: Container) -> list[Path]:
    root = container.settings.data_dir / "documents"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
