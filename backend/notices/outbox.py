"""The account-mail outbox: `collect` writes what a pass owes, `send_due` sends it (see the package docs)."""

from __future__ import annotations

import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.accounts.profiles import NOTIFICATION_KINDS
from backend.alerts.delivery import retry_delay_ms
from backend.db.models import AccountMail, AccountProfile, Announcement, Fill, Market, WithdrawalRequest
from backend.db.models.risk import MonitorCursor
from backend.mail import Mail, Mailer, failure_text
from backend.notices.compose import Words, fills_words, news_words, withdrawal_words
from backend.statuses import WithdrawalStatus

log = logging.getLogger("hdex.notices")

FILLS_CURSOR = "notices.fills"  # the last fill a pass took in (set to the last fill at migration 0036)
FILL_BATCH = 5_000  # fills per pass: a backlog drains over several passes
WITHDRAWAL_BATCH = 1_000
SEND_BATCH = 100
SEND_BUDGET_S = 3.0  # of sending per pass: the relayer's and indexer's ticks may share the worker
MAX_REFUSED_ATTEMPTS = 8  # a mailbox its server refuses this often (over about 20 minutes of backoff) is given up
MAX_ERROR_CHARS = 500
_ENDED = (WithdrawalStatus.COMPLETED, WithdrawalStatus.FAILED)


@dataclass(frozen=True, slots=True)
class SendPass:
    """What one sending pass did: mails sent, mails no longer wanted (not sent), mails given up (the mail library
    refused them, or their recipient's server did too often), mails left for a retry."""

    sent: int
    unwanted: int
    given_up: int
    retrying: int


def collect(session: Session, now_ms: int) -> int:
    """Write the mails owed for what happened since the last pass, and move the marks past it, in the caller's
    unit of work (the caller commits); how many mails."""
    owed = _fills(session, now_ms) + _withdrawals(session, now_ms) + _news(session, now_ms)
    session.add_all(owed)
    return len(owed)


def address_for(profile: AccountProfile | None, mail: AccountMail) -> str | None:
    """Where the wallet wants `mail` now: its verified address if it chose that kind (a support reply is no choice:
    it answers the wallet's own ticket), else None. A mail written before the wallet's deletion request (by a pass
    that raced it) is for no one: the request blanked the address, so one verified since is the returning user's."""
    if profile is None or not profile.email or not profile.email_verified:
        return None
    if profile.deletion_requested_at_ms is not None and mail.created_at_ms <= profile.deletion_requested_at_ms:
        return None
    wanted: bool = mail.kind not in NOTIFICATION_KINDS or getattr(profile, f"notify_{mail.kind}")
    return profile.email if wanted else None


def send_due(
    session: Session,
    mailer: Mailer,
    now_ms: int,
    *,
    retry_max_s: int = 900,
    limit: int = SEND_BATCH,
    budget_s: float | None = None,
    keep: Callable[[], None] = lambda: None,
    clock: Callable[[], float] = time.monotonic,
) -> SendPass:
    """Send the unsent mails that are due, oldest first (at most `limit`, for at most `budget_s` seconds, by
    default SEND_BUDGET_S as it reads when the pass starts: the rest wait for the next pass, so a backlog never
    holds up the jobs that share a worker), each to the address its wallet wants it at now. `keep()` runs before
    each send: the caller's lease renewed, or the pass stopped (a copy whose lease lapsed must not send what the
    holder sends). Commits after each mail: a sent mail cannot be unsent, so its mark must not wait for the rest."""
    due = session.scalars(
        select(AccountMail)
        .where(
            AccountMail.sent_at_ms.is_(None),
            or_(AccountMail.next_try_at_ms.is_(None), AccountMail.next_try_at_ms <= now_ms),
        )
        .order_by(AccountMail.id)
        .limit(limit)
    ).all()
    counts = {"sent": 0, "unwanted": 0, "given up": 0, "retrying": 0}
    failed: str | None = None  # a server that failed is not asked again this pass: each try could cost its timeout
    budget = SEND_BUDGET_S if budget_s is None else budget_s
    started = clock()
    with mailer.batch():  # the pass's mails over one connection
        for row in due:
            if clock() - started > budget:
                break
            address = address_for(session.get(AccountProfile, row.wallet), row)
            if address is None:
                row.sent_at_ms, row.outcome = now_ms, "unwanted"
            elif failed is not None:
                # Not a try: it stays due. Backed off in step with the mail that failed, it would be skipped behind
                # it on every pass, and one mail the server always refuses would hold up every mail after it.
                row.error = f"not tried ({failed} earlier in this pass)"[:MAX_ERROR_CHARS]
            else:
                keep()
                failed = _send(mailer, row, address, now_ms, retry_max_s)
            counts[_tally(row.outcome)] += 1
            session.commit()
    return SendPass(counts["sent"], counts["unwanted"], counts["given up"], counts["retrying"])


def _tally(outcome: str | None) -> str:
    """Which count of `SendPass` a mail's outcome after this pass falls in."""
    if outcome is None:
        return "retrying"
    return outcome if outcome in ("sent", "unwanted") else "given up"


def _send(mailer: Mailer, row: AccountMail, address: str, now_ms: int, retry_max_s: int) -> str | None:
    """Send one mail and mark it; what failed with the server (None if the server answered)."""
    try:
        mailer.send(Mail(address, row.subject, row.body))
    except ValueError as exc:  # the mail library refuses the mail itself: no retry would send it
        row.sent_at_ms, row.outcome, row.error = now_ms, "unsendable", str(exc)[:MAX_ERROR_CHARS]
        log.error("account mail cannot be sent; dropped", extra={"mail_id": row.id, "error": str(exc)})
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
        if isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code < 500:  # a pause the server asks for, not a no
            return _server_failed(row, exc, now_ms, retry_max_s)
        # This mailbox, or this mail (a 5xx after its content: too large, a filter), not the server: the others go
        # on. The server's codes only: `recipients` names the mailbox, which a deletion request must not leave behind.
        _retry_later(row, failure_text(exc), now_ms, retry_max_s)
        if row.attempts >= MAX_REFUSED_ATTEMPTS:
            row.sent_at_ms, row.outcome = now_ms, "undeliverable"
        log.warning("account mail refused by the recipient's server", extra={"mail_id": row.id})
    except (OSError, smtplib.SMTPException) as exc:
        return _server_failed(row, exc, now_ms, retry_max_s)
    else:
        row.sent_at_ms, row.outcome, row.error = now_ms, "sent", None
    return None


def _server_failed(row: AccountMail, exc: Exception, now_ms: int, retry_max_s: int) -> str:
    """Mark a mail the server failed to take (down, or asking for a pause): tried again later; the failure."""
    failure = str(exc) or type(exc).__name__
    _retry_later(row, failure, now_ms, retry_max_s)
    log.warning("account mail not sent; retrying later", extra={"mail_id": row.id, "error": failure})
    return failure


def _retry_later(row: AccountMail, error: str, now_ms: int, retry_max_s: int) -> None:
    row.attempts += 1
    row.next_try_at_ms = now_ms + retry_delay_ms(row.attempts, retry_max_s)
    row.error = error[:MAX_ERROR_CHARS]


def _mail(reference: str, wallet: str, kind: str, words: Words, now_ms: int) -> AccountMail:
    return AccountMail(reference=reference, wallet=wallet, kind=kind, subject=words.subject, body=words.body,
                       created_at_ms=now_ms)  # fmt: skip


def _wanting(session: Session, kind: str, wallets: Iterable[str] | None = None) -> dict[str, str]:
    """The wallets (of `wallets`, or all) that want mail of `kind` at a verified address now (after a deletion
    request, only an address verified since: the request blanked the one before), each with its language."""
    query = select(AccountProfile.address, AccountProfile.language).where(
        getattr(AccountProfile, f"notify_{kind}").is_(True),
        AccountProfile.email_verified.is_(True),
        AccountProfile.email.is_not(None),
    )
    if wallets is not None:
        query = query.where(AccountProfile.address.in_(list(wallets)))
    return {address: language for address, language in session.execute(query).tuples()}


def _fills(session: Session, now_ms: int) -> list[AccountMail]:
    cursor = session.get_one(MonitorCursor, FILLS_CURSOR, with_for_update=True)  # made by migration 0036
    fills = session.scalars(select(Fill).where(Fill.id > cursor.value).order_by(Fill.id).limit(FILL_BATCH)).all()
    if not fills:
        return []
    cursor.value = fills[-1].id
    traded: dict[str, list[Fill]] = defaultdict(list)
    for fill in fills:
        for wallet in dict.fromkeys((fill.maker, fill.taker)):
            traded[wallet].append(fill)
    wanting = _wanting(session, "fills", traded)
    if not wanting:
        return []
    markets = {market.name: market for market in session.scalars(select(Market))}
    span = f"{fills[0].id}-{fills[-1].id}"
    return [
        _mail(f"fills:{wallet}:{span}", wallet, "fills", fills_words(wallet, traded[wallet], markets, language), now_ms)
        for wallet, language in sorted(wanting.items())
    ]


def _withdrawals(session: Session, now_ms: int) -> list[AccountMail]:
    ended = session.scalars(
        select(WithdrawalRequest)
        .where(WithdrawalRequest.noticed.is_(False), WithdrawalRequest.status.in_(_ENDED))
        .order_by(WithdrawalRequest.updated_at_ms)
        .limit(WITHDRAWAL_BATCH)
        .with_for_update()
    ).all()
    if not ended:
        return []
    wanting = _wanting(session, "withdrawals", {request.wallet for request in ended})
    tokens = _tokens(session) if wanting else {}
    owed: list[AccountMail] = []
    for request in ended:
        request.noticed = True
        if request.wallet in wanting:
            words = withdrawal_words(request, tokens.get(request.token.lower()), wanting[request.wallet])
            owed.append(
                _mail(f"withdrawal:{request.hash}:{request.status}", request.wallet, "withdrawals", words, now_ms)
            )
    return owed


def _tokens(session: Session) -> dict[str, tuple[str, int]]:
    """token (lower case) -> (symbol, decimals), as the markets list them."""
    tokens: dict[str, tuple[str, int]] = {}
    for market in session.scalars(select(Market)):
        tokens.setdefault(market.base_token.lower(), (market.base_symbol, market.base_decimals))
        tokens.setdefault(market.quote_token.lower(), (market.quote_symbol, market.quote_decimals))
    return tokens


def _news(session: Session, now_ms: int) -> list[AccountMail]:
    started = session.scalars(
        select(Announcement)
        .where(
            Announcement.mailed_at_ms.is_(None),
            Announcement.starts_at_ms <= now_ms,
            Announcement.withdrawn_at_ms.is_(None),
        )
        .order_by(Announcement.id)
        .with_for_update()
    ).all()
    owed: list[AccountMail] = []
    wanting = sorted(_wanting(session, "news").items()) if started else []
    for announcement in started:
        announcement.mailed_at_ms = now_ms
        if announcement.ends_at_ms <= now_ms:
            continue  # over before a pass saw it: old news
        words = {language: news_words(announcement, language) for language in {language for _, language in wanting}}
        owed.extend(
            _mail(f"news:{announcement.id}:{wallet}", wallet, "news", words[language], now_ms)
            for wallet, language in wanting
        )
    return owed
