"""The e-mails a wallet chose ("E-mail me about": fills, withdrawals, news), through a real SMTP server (aiosmtpd):
a wallet gets them at its verified address only for what it chose, each once; a mail that could not be sent waits
and goes once the server answers; a choice turned off before sending is honoured; history before the outbox is not
mailed."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from backend.accounts.profiles import ensure_profile
from backend.accounts.service import Accounts
from backend.bootstrap import Container
from backend.db import migrate
from backend.db.leased_loop import LeaseTakenOver
from backend.db.models import AccountMail, AccountProfile, Announcement, WithdrawalRequest
from backend.db.session import make_engine
from backend.mail import mailer_for
from backend.mail.mailer import Mailer
from backend.notices import AccountMailing, collect, send_due
from backend.notices.outbox import MAX_REFUSED_ATTEMPTS
from backend.statuses import WithdrawalStatus

from ..api.exchange_fixtures import PRICE, WETH, Exchange, prepare, running, wallet
from ..conftest import free_port
from ..limits.conftest import withdraw
from ..staff.conftest import Inbox, inbox

__all__ = ["inbox"]  # the real SMTP server fixture

BUYER, SELLER, QUIET = 5, 6, 7  # dev wallets
TENTH = 10**17  # 0.1 WETH


@pytest.fixture
def exchange(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Exchange]:
    yield from running(prepare(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=inbox[1], smtp_tls="none"))


def choose(exchange: Exchange, key_index: int, *, verified: bool = True, **choices: bool) -> str:
    """Dev wallet `key_index`'s profile with an address (verified or not) and its choices; the address."""
    address = f"wallet{key_index}@example.com"
    now = int(time.time() * 1000)
    with exchange.container.uow() as uow:
        profile = ensure_profile(uow.session, wallet(key_index), now)
        profile.email, profile.email_verified = address, verified
        for kind in ("fills", "withdrawals", "news"):
            setattr(profile, f"notify_{kind}", choices.get(kind, False))
        uow.commit()
    return address


def mail_pass(exchange: Exchange) -> Any:
    exchange.state()  # what the engine host accepted is stored
    mailing = AccountMailing(exchange.container)
    result = mailing.tick()
    mailing.leased.release()
    return result


def received(box: Inbox) -> list[tuple[str, str, str]]:
    return [(str(m["To"]), str(m["Subject"]), str(m.get_payload(decode=True).decode())) for m in box.mails]


def test_fills_are_mailed_once_to_the_wallets_that_chose_them_at_their_verified_address(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    buyer = choose(exchange, BUYER, fills=True)
    choose(exchange, SELLER, fills=False, withdrawals=True, news=True)  # the other kinds only
    choose(exchange, QUIET, verified=False, fills=True)  # unverified: nothing
    exchange.place(SELLER, side=1, baseAmount=TENTH)
    exchange.place(SELLER, side=1, baseAmount=TENTH, limitPrice=PRICE + 10**4)
    assert exchange.place(BUYER, baseAmount=2 * TENTH, limitPrice=PRICE + 10**4).json()["status"] == "filled"
    exchange.place(QUIET, side=1, baseAmount=TENTH)
    exchange.place(SELLER, baseAmount=TENTH)

    assert mail_pass(exchange).collected == 1
    [(to, subject, body)] = received(inbox[0])
    assert (to, subject) == (buyer, "HDEX: 2 trades on your orders")
    assert "Bought 0.10 WETH at 3,000.00 USDC for 300.00 USDC on WETH-USDC (taker, fee 0.0002 WETH)" in body
    assert "Bought 0.10 WETH at 3,000.01 USDC for 300.001 USDC on WETH-USDC (taker, fee 0.0002 WETH)" in body
    assert "Account page of the dApp (Profile, 'E-mail me about')" in body

    assert mail_pass(exchange).collected == 0  # nothing is told twice
    assert len(inbox[0].mails) == 1


def test_a_withdrawal_that_ended_and_started_news_reach_the_wallets_that_want_them(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    seller = choose(exchange, SELLER, withdrawals=True, news=True)
    buyer = choose(exchange, BUYER, fills=True)  # no withdrawals, no news
    failing = withdraw(exchange, 10**16, WETH, SELLER).json()["hash"]
    withdraw(exchange, 10**16, WETH, BUYER)
    now = int(time.time() * 1000)
    with exchange.container.uow() as uow:  # as the relayer ends them
        uow.session.execute(update(WithdrawalRequest).values(status=WithdrawalStatus.FAILED, failure="expired"))
        uow.session.add_all([
            Announcement(title="Maintenance\r\nBcc: all@example.com", body="**Sunday** 02:00 UTC", severity="info",
                         placement="banner", starts_at_ms=now - 1, ends_at_ms=now + 3_600_000, created_by="ann",
                         created_at_ms=now, updated_by="ann", updated_at_ms=now),
            Announcement(title="Later", body="not yet", severity="info", placement="banner",
                         starts_at_ms=now + 3_600_000, ends_at_ms=now + 7_200_000, created_by="ann",
                         created_at_ms=now, updated_by="ann", updated_at_ms=now),
        ])  # fmt: skip
        uow.commit()

    assert mail_pass(exchange).collected == 2
    mails = received(inbox[0])
    assert [(to, subject) for to, subject, _ in mails] == [
        (seller, "HDEX: your withdrawal failed"),
        (seller, "HDEX news: Maintenance Bcc: all@example.com"),  # one line: a title adds no header
    ]
    assert "Your withdrawal of 0.01 WETH" in mails[0][2] and failing in mails[0][2]
    assert "failed: the operator could not complete it on-chain." in mails[0][2] and "expired" not in mails[0][2]
    assert "**Sunday** 02:00 UTC" in mails[1][2]
    assert buyer not in {to for to, _, _ in mails}
    assert mail_pass(exchange).collected == 0


def test_a_mail_the_server_refused_waits_and_goes_once_and_a_choice_turned_off_first_is_honoured(
    database_url: str, tmp_path: Path
) -> None:
    box, port = Inbox(), free_port()
    container = prepare(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
    for exchange in running(container):
        choose(exchange, BUYER, fills=True)
        choose(exchange, SELLER, fills=True)
        exchange.place(SELLER, side=1, baseAmount=TENTH)
        exchange.place(BUYER, baseAmount=TENTH)
        down = mail_pass(exchange)  # nothing listens on the port yet
        assert (down.collected, down.sending.sent, down.sending.retrying) == (2, 0, 2)
        choose(exchange, SELLER, fills=False)  # turned off before the mail could go
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            with exchange.container.uow() as uow:  # its wait is over
                uow.session.execute(update(AccountMail).values(next_try_at_ms=0))
                uow.commit()
            up = mail_pass(exchange)
            assert (up.sending.sent, up.sending.unwanted, up.sending.retrying) == (1, 1, 0)
            assert [to for to, _, _ in received(box)] == [f"wallet{BUYER}@example.com"]
            assert mail_pass(exchange).sending.sent == 0  # each mail once
        finally:
            controller.stop()
        with exchange.container.uow() as uow:
            rows = uow.session.scalars(select(AccountMail).order_by(AccountMail.wallet)).all()
            # the seller's mail (the older) met the server down; the buyer's, skipped in that pass, was no try
            assert [(r.wallet, r.outcome, r.attempts) for r in rows] == sorted(
                [(wallet(BUYER), "sent", 0), (wallet(SELLER), "unwanted", 1)]
            )


def test_what_happened_before_the_outbox_existed_is_not_mailed(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0035")
    engine = make_engine(empty_database_url)
    now = int(time.time() * 1000)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO fills (id, market, maker_order_hash, taker_order_hash, maker, taker, maker_side, price, "
            "base_amount, quote_amount, maker_fee, taker_fee, status, released, created_at_ms) VALUES (7, 'M', 'a', "
            "'b', :w, :w, 0, '1', '1', '1', '0', '0', 'settled', true, :now)"
        ), {"w": wallet(BUYER), "now": now})  # fmt: skip
        connection.execute(text(
            "INSERT INTO announcements (title, body, severity, placement, starts_at_ms, ends_at_ms, created_by, "
            "created_at_ms, updated_by, updated_at_ms) VALUES ('Old', 'b', 'info', 'banner', :s, :e, 'a', :s, 'a', :s)"
        ), {"s": now - 1000, "e": now + 3_600_000})  # fmt: skip
        connection.execute(text(
            "INSERT INTO account_profiles (address, email, email_verified, notify_fills, notify_withdrawals, "
            "notify_news, level, created_at_ms) VALUES (:w, 'a@example.com', true, true, true, true, 0, :now)"
        ), {"w": wallet(BUYER), "now": now})  # fmt: skip
    engine.dispose()
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with Session(engine) as session:
            assert session.get(AccountProfile, wallet(BUYER)) is not None
            assert collect(session, now + 1) == 0
    finally:
        engine.dispose()


def test_a_support_reply_needs_no_choice_and_a_mail_the_library_refuses_does_not_hold_up_the_rest(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    address = choose(exchange, BUYER)  # verified, every choice off
    now = int(time.time() * 1000)
    with exchange.container.uow() as uow:
        for reference, subject in (("support:1", "Bad\nBcc: x@example.com"), ("support:2", "HDEX support: ticket #2")):
            uow.session.add(AccountMail(reference=reference, wallet=wallet(BUYER), kind="support", subject=subject,
                                        body="We answered.", created_at_ms=now, attempts=0))  # fmt: skip
        uow.commit()
    sending = mail_pass(exchange).sending
    assert (sending.sent, sending.retrying) == (1, 0)
    assert [(to, subject) for to, subject, _ in received(inbox[0])] == [(address, "HDEX support: ticket #2")]
    with exchange.container.uow() as uow:
        refused = uow.session.scalars(select(AccountMail).where(AccountMail.reference == "support:1")).one()
        assert (refused.outcome, refused.sent_at_ms is not None) == ("unsendable", True)


def test_a_wallet_that_verifies_an_address_after_its_deletion_request_is_mailed_again_but_nothing_from_before(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    choose(exchange, BUYER, fills=True)
    requested = Accounts(exchange.container).request_deletion(wallet(BUYER)).requested_at_ms
    address = choose(exchange, BUYER, fills=True)  # back of its own accord: a new address verified, fills chosen
    with exchange.container.uow() as uow:  # one written by a pass that raced the request, one since
        for number, created in ((1, requested - 1), (2, requested + 1)):
            uow.session.add(AccountMail(reference=f"support:{number}", wallet=wallet(BUYER), kind="support",
                                        subject=f"HDEX support: ticket #{number}", body="We answered.",
                                        created_at_ms=created, attempts=0))  # fmt: skip
        uow.commit()
    exchange.place(SELLER, side=1, baseAmount=TENTH)
    exchange.place(BUYER, baseAmount=TENTH)

    done = mail_pass(exchange)

    assert (done.collected, done.sending.sent, done.sending.unwanted) == (1, 2, 1)
    assert sorted((to, subject) for to, subject, _ in received(inbox[0])) == [
        (address, "HDEX support: ticket #2"), (address, "HDEX: your order traded"),
    ]  # fmt: skip


class RefusingInbox(Inbox):
    """An SMTP server that refuses one mailbox (550) and takes every other."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == f"wallet{SELLER}@example.com":
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def owed(exchange: Exchange, *wallets: int) -> None:
    now = int(time.time() * 1000)
    with exchange.container.uow() as uow:
        for index, key_index in enumerate(wallets):
            uow.session.add(AccountMail(reference=f"support:{index}", wallet=wallet(key_index), kind="support",
                                        subject=f"HDEX support: ticket #{index}", body="We answered.",
                                        created_at_ms=now, attempts=0))  # fmt: skip
        uow.commit()


@contextmanager
def mailing_through(
    controller: Controller, database_url: str, tmp_path: Path, *owed_to: int
) -> Iterator[tuple[Container, Mailer]]:
    """A running exchange mailing through `controller`'s SMTP server (started here, stopped after), the BUYER and
    SELLER wallets with verified addresses, and a support mail owed to each wallet of `owed_to`, in that order."""
    controller.start()
    container = prepare(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_tls="none")
    try:
        for exchange in running(container):
            choose(exchange, BUYER)
            choose(exchange, SELLER)
            owed(exchange, *owed_to)
            yield container, mailer_for(container.settings)
    finally:
        controller.stop()


def retried_until_given_up(container: Container, mailer: Mailer) -> list[AccountMail]:
    """Pass after pass, each once every wait is over, as often as a refused mail is tried before it is given up;
    the mails after them, oldest first."""
    for _ in range(MAX_REFUSED_ATTEMPTS):
        with container.uow() as uow:
            uow.session.execute(update(AccountMail).values(next_try_at_ms=0))
            uow.commit()
            send_due(uow.session, mailer, 10**13)
    with container.uow() as uow:
        return list(uow.session.scalars(select(AccountMail).order_by(AccountMail.id)).all())


def test_a_pass_sends_for_a_bounded_time_stops_when_its_lease_is_gone_and_a_refused_mailbox_holds_up_no_one(
    database_url: str, tmp_path: Path
) -> None:
    box = RefusingInbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    with mailing_through(controller, database_url, tmp_path, SELLER, BUYER, BUYER, BUYER, BUYER) as (container, mailer):
        clock = itertools.count().__next__  # a clock that moves a second each time it is read
        with container.uow() as uow:
            first = send_due(uow.session, mailer, 0, budget_s=3.5, clock=clock)
        # the refused mailbox waits alone; the next two go; then the time is up and the rest wait their turn
        assert (first.sent, first.retrying, first.given_up) == (2, 1, 0)
        assert [to for to, _, _ in received(box)] == [f"wallet{BUYER}@example.com"] * 2

        def lease_gone() -> None:
            raise LeaseTakenOver("another copy holds the lease")

        with container.uow() as uow, pytest.raises(LeaseTakenOver):
            send_due(uow.session, mailer, 0, keep=lease_gone)
        assert len(box.mails) == 2  # nothing sent past the lease

        rows = retried_until_given_up(container, mailer)
        assert [row.outcome for row in rows] == ["undeliverable", "sent", "sent", "sent", "sent"]
        assert rows[0].error == "recipient refused (SMTP 550)"  # the server's word, not the mailbox it named


class FilteringInbox(Inbox):
    """An SMTP server that refuses one mailbox's mail after its content: 554 for good (a filter), or 451 while
    `pausing` (try later); it takes every other mail."""

    pausing = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if f"wallet{SELLER}@example.com" in envelope.rcpt_tos:
            return "451 try again later" if self.pausing else "554 rejected by content filter"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("pausing", [False, True])
def test_a_mail_the_server_will_not_take_holds_up_no_one_after_it(
    database_url: str, tmp_path: Path, pausing: bool
) -> None:
    """A 554 after a mail's content refuses that mail, not the server: the rest of the pass goes on, and the mail is
    given up in the end, as a refused mailbox is. A 451 asks for a pause: the rest of the pass waits, but a mail
    skipped is not a try: it stays due and goes on the next pass while the one that failed waits its backoff (backed
    off in step with it, it would be skipped behind it on every pass)."""
    box = FilteringInbox()
    box.pausing = pausing
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    with mailing_through(controller, database_url, tmp_path, SELLER, BUYER, BUYER) as (container, mailer):
        with container.uow() as uow:
            first = send_due(uow.session, mailer, 0)
        with container.uow() as uow:
            skipped = uow.session.scalars(select(AccountMail).where(AccountMail.wallet == wallet(BUYER))).all()
            waiting = [(row.attempts, row.next_try_at_ms, (row.error or "")[:9]) for row in skipped]
        with container.uow() as uow:
            second = send_due(uow.session, mailer, 1_000)  # within the failed mail's first backoff
        if pausing:
            assert (first.sent, first.retrying, second.sent) == (0, 3, 2)
            assert waiting == [(0, None, "not tried")] * 2
        else:
            assert (first.sent, first.retrying, second.sent) == (2, 1, 0)
        # a refused content is given up in the end; a pause the server asks for is no refusal: that mail waits on
        rows = retried_until_given_up(container, mailer)
        assert [row.outcome for row in rows] == [None if pausing else "undeliverable", "sent", "sent"]
        assert len(box.mails) == 2


class DataRefusingServer(SMTP):
    """An SMTP server that refuses the DATA command itself (554, before any content) for one mailbox's mail and
    refuses a MAIL command while a transaction is open ("503 nested MAIL command"), as Postfix does."""

    async def smtp_DATA(self, arg: str) -> None:
        assert self.envelope is not None
        if f"wallet{SELLER}@example.com" in self.envelope.rcpt_tos:
            await self.push("554 5.7.1 no mail from this sender to that mailbox")
            return
        await super().smtp_DATA(arg)


class DataRefusingController(Controller):
    def factory(self) -> SMTP:
        return DataRefusingServer(self.handler)


def test_a_mail_whose_data_command_is_refused_leaves_the_connection_ready_for_the_next(
    sqlite_url: str, tmp_path: Path
) -> None:
    """smtplib resets the transaction after a refused content, not after a refused DATA command: kept open for the
    next mail, the connection would meet "503 nested MAIL command", and that mail be put off as a server fault."""
    box = Inbox()
    controller = DataRefusingController(box, hostname="127.0.0.1", port=free_port())
    with mailing_through(controller, sqlite_url, tmp_path, SELLER, BUYER, BUYER) as (container, mailer):
        with container.uow() as uow:
            passed = send_due(uow.session, mailer, 0)
        assert (passed.sent, passed.retrying) == (2, 1)
        assert [str(mail["To"]) for mail in box.mails] == [f"wallet{BUYER}@example.com"] * 2


class ConnectionsInbox(Inbox):
    """An SMTP server that notes the connection (the client's address and port) each mail came over."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        session.carried = True
        return await super().handle_DATA(server, session, envelope)


class OneMailPerConnection(ConnectionsInbox):
    """A provider's limit: one mail per connection, the next answered 421 (closing) at its MAIL FROM."""

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if getattr(session, "carried", False):
            return "421 one mail per connection: connect again"
        envelope.mail_from = address
        return "250 OK"


@pytest.mark.parametrize(("server", "connections"), [(ConnectionsInbox, 1), (OneMailPerConnection, 4)])
def test_a_pass_sends_over_one_connection_and_over_a_new_one_once_the_server_ends_it(
    sqlite_url: str, tmp_path: Path, server: type[ConnectionsInbox], connections: int
) -> None:
    """One TCP, TLS and login handshake per pass, not per mail; a server that ends the connection (421, or hangs up
    between mails) has the mail sent again over a new one, once: none waits for the next pass."""
    box, port = server(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    container = prepare(sqlite_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
    try:
        for exchange in running(container):
            buyer, seller = choose(exchange, BUYER), choose(exchange, SELLER)
            owed(exchange, BUYER, SELLER, BUYER, SELLER)
            with container.uow() as uow:
                sending = send_due(uow.session, mailer_for(container.settings), 0)
            assert (sending.sent, sending.retrying, sending.given_up) == (4, 0, 0)
            assert [to for to, _, _ in received(box)] == [buyer, seller, buyer, seller]
            assert len(set(box.peers)) == connections
    finally:
        controller.stop()
