"""What a wallet user's mail carries, received over real SMTP (aiosmtpd): the headers a mail must have to be taken
for mail (RFC 5322's Date, and a Message-ID), and no address of theirs left in the logs, which a deletion request
cannot reach."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from fastapi.testclient import TestClient

from backend.accounts.service import Accounts, ProfileChanges
from backend.mail import FileMailer, Mail

from ..api.exchange_fixtures import wallet
from ..conftest import free_port
from ..staff.conftest import Inbox, build_container
from .conftest import USER

ADDRESS = "ada.lovelace+hdex@example.org"


SMTP_SERVER_LOGGER = "mail.log"  # aiosmtpd's: the test's SMTP server, not HDEX


def _address_in(records: list[logging.LogRecord], address: str) -> list[str]:
    """HDEX's log records whose message or extra fields name `address` (a formatter writes every extra field)."""
    return [
        f"{record.name}: {record.getMessage()} {vars(record)}"
        for record in records
        if record.name != SMTP_SERVER_LOGGER
        and (address in record.getMessage() or any(address in str(value) for value in vars(record).values()))
    ]


def test_a_verification_mail_carries_a_date_and_a_message_id_of_its_own(
    user: TestClient, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    before = time.time()
    assert user.put("/v1/account/profile", json={"email": ADDRESS}).status_code == 200
    assert user.put("/v1/account/profile", json={"email": ADDRESS}).status_code == 200  # a new link, a new mail
    first, second = box.wait_for(1), box.wait_for(2)

    # RFC 5322 requires Date; a relay that adds none for a client's mail leaves it to spam filters to refuse
    sent = email.utils.parsedate_to_datetime(first["Date"]).timestamp()
    assert before - 5 <= sent <= time.time() + 5
    ids = [first["Message-ID"], second["Message-ID"]]
    assert all(found and found.startswith("<") and found.endswith("@localhost>") for found in ids), ids
    assert ids[0] != ids[1]


def test_saving_and_mailing_an_address_leaves_it_in_no_log_record(
    user: TestClient, inbox: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    box, _ = inbox
    caplog.set_level(logging.DEBUG)
    assert user.put("/v1/account/profile", json={"email": ADDRESS}).status_code == 200
    box.wait_for(1)
    assert user.post("/v1/account/deletion").status_code == 200  # erases the address: the log must not keep it

    assert any(record.getMessage() == "mail sent" for record in caplog.records)
    assert _address_in(caplog.records, ADDRESS) == []
    assert [getattr(r, "to_domain", None) for r in caplog.records if r.getMessage() == "mail sent"] == ["example.org"]


class _RefusingInbox:
    """An SMTP server that refuses every recipient (a mailbox that does not exist)."""

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@pytest.fixture
def refusing_smtp_port() -> Iterator[int]:
    port = free_port()
    controller = Controller(_RefusingInbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_a_verification_mail_refused_by_the_server_is_logged_without_its_address(
    database_url: str, tmp_path: Path, refusing_smtp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    container = build_container(database_url, tmp_path, refusing_smtp_port)
    try:
        caplog.set_level(logging.DEBUG)
        profile = Accounts(container).update_profile(wallet(USER), ProfileChanges(email=ADDRESS), "http://hdex.test")
        assert profile.email == ADDRESS and not profile.email_verified  # saved: the user can save it again

        failed = [record for record in caplog.records if record.getMessage() == "verification mail not sent"]
        assert len(failed) == 1
        assert "550" in str(vars(failed[0]).get("error"))  # the server's answer still says why
        assert _address_in(caplog.records, ADDRESS) == []
    finally:
        container.db_engine.dispose()


def test_a_development_mail_file_is_logged_without_its_address(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    FileMailer(tmp_path / "mail", "HDEX <no-reply@localhost>").send(Mail(ADDRESS, "HDEX: test", "body"))

    (written,) = (tmp_path / "mail").iterdir()
    assert f"To: {ADDRESS}" in written.read_text()  # the file is the mail: it names its recipient
    assert "Date: " in written.read_text()
    assert _address_in(caplog.records, ADDRESS) == []
