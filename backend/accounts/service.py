"""The wallet user's use cases: profile, e-mail verification, KYC submissions, export and deletion.
Each method is one unit of work over the container's database; the routes and the CLI call these."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from backend.accounts import email_links, kyc, privacy
from backend.accounts.countries import is_restricted
from backend.accounts.identity import IdentityData, check_identity
from backend.accounts.kyc import Submission
from backend.accounts.levels import drop_to_level_0
from backend.accounts.profiles import (
    Profile,
    counted_level,
    ensure_profile,
    profile_for_change,
    profile_of,
    set_country,
    set_language,
    set_notifications,
)
from backend.accounts.uploads import Upload, check_upload
from backend.accounts.vendor import KycVendor, ManualReview
from backend.accounts.verification_mail import verification_mail
from backend.bootstrap import Container
from backend.db.locks import lock_wallet
from backend.errors import ErrorCode, HdexError, retry_after_s
from backend.mail import Mailer, domain_of, failure_text, mailer_for
from backend.mail.addresses import normal_email
from backend.storage import DocumentStore, document_store_for

log = logging.getLogger(__name__)
Clock = Callable[[], int]  # epoch ms
UNCHANGED: Any = object()  # a profile field the request did not name


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class ProfileChanges:
    """What a profile update names; fields left `UNCHANGED` keep their value. `email=None` removes it."""

    email: Any = UNCHANGED  # str | None
    country: Any = UNCHANGED  # str
    notifications: Any = UNCHANGED  # dict[str, bool]
    language: Any = UNCHANGED  # str: of the wallet's e-mails, the verification link's among them


@dataclass(frozen=True)
class KycStatus:
    level: int
    submissions: list[Submission]


class Accounts:
    """A wallet user's account, over the container's database, the document store and the mailer."""

    def __init__(
        self,
        container: Container,
        store: DocumentStore | None = None,
        mailer: Mailer | None = None,
        vendor: KycVendor | None = None,
        clock: Clock = now_ms,
    ) -> None:
        self._container = container
        self._settings = container.settings
        self._store = store or document_store_for(container.settings)
        self._mailer = mailer or mailer_for(container.settings)
        self._vendor = vendor or ManualReview()
        self._clock = clock

    @property
    def restricted(self) -> frozenset[str]:
        return frozenset(self._settings.kyc_restricted_countries)

    def profile(self, address: str) -> Profile:
        """The wallet's profile, made on first read."""
        with self._container.uow() as uow:
            row = ensure_profile(uow.session, address, self._clock())
            uow.commit()
            return profile_of(row, self.restricted)

    def update_profile(self, address: str, changes: ProfileChanges, link_base: str) -> Profile:
        """Apply `changes`. A new (or still unverified) e-mail gets a single-use link by mail, unless its inbox (the
        address, any +tag of it) has HDEX_EMAIL_VERIFY_LINKS_PER_ADDRESS links out already, whichever wallets asked:
        then RATE_LIMITED
        (with Retry-After: when the oldest expires) and nothing changes. Declaring a restricted country drops the
        wallet to level 0 and ends its staff limit overrides (audit-logged: `levels.drop_to_level_0`)."""
        now = self._clock()
        token = None
        with self._container.uow() as uow:
            row = profile_for_change(uow.session, address, now)
            if changes.language is not UNCHANGED:  # first: a link this change mails speaks it
                set_language(row, changes.language)
            if changes.notifications is not UNCHANGED:
                set_notifications(row, changes.notifications)
            if changes.country is not UNCHANGED:
                set_country(row, changes.country)
                if is_restricted(row.country, self.restricted):
                    # the reason names no country: the audit log outlives a deletion request's blanking of it
                    drop_to_level_0(
                        uow.session, row.address, actor=f"wallet:{row.address}", now_ms=now,
                        reason="declared a restricted country",
                    )  # fmt: skip
            if changes.email is None:
                row.email, row.email_verified = None, False
                email_links.retire_links(uow.session, row.address, now)
            elif changes.email is not UNCHANGED:
                email = normal_email(changes.email)
                if email != row.email or not row.email_verified:
                    self._check_link_limit(uow.session, row.address, email, now)
                    row.email, row.email_verified = email, False
                    token = email_links.issue_link(uow.session, row, self._settings.email_verify_ttl_s, now)
            uow.commit()
            profile = profile_of(row, self.restricted)
        if token is not None and profile.email is not None:
            self._mail_link(profile.email, email_links.verification_link(link_base, token), profile.language)
        return profile

    def _check_link_limit(self, session: Session, address: str, email: str, now: int) -> None:
        """RATE_LIMITED (with Retry-After) if the inbox `email` reaches (any +tag of it) has as many links out as it
        may have: anyone could name anyone's address, and each link is a mail to it."""
        # Wallets saving one inbox at once count one after the other (WalletLock's key: 42 of the digest's 64 digits).
        lock_wallet(session, "email_link", email_links.mailbox_digest(email)[:42])
        limit = self._settings.email_verify_links_per_address
        expiries = email_links.live_links_to(session, email, now)
        if len(expiries) < limit:
            return
        retry_s = retry_after_s(expiries[-limit], now)
        wait = f"{-(-retry_s // 3600)} hours" if retry_s > 7200 else f"{-(-retry_s // 60)} minutes"
        sent = (
            "the link already mailed to it for this account still works"
            if email_links.has_live_link(session, address, email, now)
            else f"its inbox (this address, or another +tag of it) was sent {len(expiries)} verification links that "
            "have not expired yet"
        )
        raise HdexError(
            ErrorCode.RATE_LIMITED,
            f"no new link was mailed to this address: {sent}; a new one can be mailed in {wait}",
            "email",
            headers={"Retry-After": str(retry_s)},
        )

    def verify_email(self, address: str, token: str) -> Profile:
        """Mark the e-mail verified with the link's token; EMAIL_LINK_INVALID if it is unknown, used or expired."""
        now = self._clock()
        with self._container.uow() as uow:
            row = profile_for_change(uow.session, address, now)
            email_links.use_link(uow.session, row, token, now)
            uow.commit()
            return profile_of(row, self.restricted)

    def kyc_status(self, address: str) -> KycStatus:
        """The wallet's level (the one that counts: `counted_level`) and its submissions, newest first."""
        with self._container.uow() as uow:
            row = ensure_profile(uow.session, address, self._clock())
            uow.commit()
            return KycStatus(counted_level(row, self.restricted), kyc.submissions_of(uow.session, row.address))

    def submit_identity(self, address: str, identity: IdentityData) -> Submission:
        """A level-1 submission; JURISDICTION_RESTRICTED if the wallet's or the data's country is restricted.
        A profile without a country takes the declared one."""
        now = self._clock()
        identity = check_identity(identity, dt.datetime.fromtimestamp(now / 1000, dt.UTC).date())
        if is_restricted(identity.country, self.restricted):
            raise HdexError(
                ErrorCode.JURISDICTION_RESTRICTED, f"HDEX cannot verify residents of {identity.country}", "country"
            )
        with self._container.uow() as uow:
            profile = profile_for_change(uow.session, address, now)
            kyc.check_can_submit(uow.session, profile, 1, self.restricted)
            if profile.country is None:
                profile.country = identity.country
            submission = kyc.submission_of(uow.session, kyc.add_identity(uow.session, profile, identity, now))
            uow.commit()
        self._vendor.start_check(submission)
        return submission

    def submit_documents(self, address: str, uploads: list[Upload]) -> Submission:
        """A level-2 submission of an identity document and a proof of address. Every file is checked (size,
        type by content) before anything is stored; a refusal stores nothing."""
        documents = [check_upload(upload, self._settings.kyc_max_upload_bytes) for upload in uploads]
        kinds = sorted(document.kind for document in documents)
        if kinds != ["identity", "proof_of_address"]:
            raise HdexError(ErrorCode.INVALID_FIELD, "send one identity document and one proof of address")
        now = self._clock()
        stored: list[str] = []
        try:
            with self._container.uow() as uow:
                profile = profile_for_change(uow.session, address, now)
                kyc.check_can_submit(uow.session, profile, 2, self.restricted)
                keyed = []
                for document in documents:
                    key = f"kyc/{secrets.token_hex(16)}"
                    self._store.put(key, document.data, document.content_type)
                    stored.append(key)
                    keyed.append((document, key))
                submission = kyc.submission_of(uow.session, kyc.add_documents(uow.session, profile, keyed, now))
                uow.commit()
        except BaseException:
            for key in stored:  # the rows never committed: their files must not stay behind
                self._store.delete(key)
            raise
        self._vendor.start_check(submission)
        return submission

    def export(self, address: str) -> dict[str, Any]:
        """Everything held about the wallet (see `privacy.export`)."""
        with self._container.uow() as uow:
            data = privacy.export(uow.session, self._store, address, self.restricted, self._clock())
            uow.commit()
            return data

    def request_deletion(self, address: str) -> privacy.DeletionReceipt:
        """Erase the profile, the wallet's support and forum writing and its behaviour events now; keep KYC and
        travel-rule records for their retention periods (see `privacy.request_deletion`)."""
        with self._container.uow() as uow:
            receipt = privacy.request_deletion(
                uow.session, self._store, address, self._settings.kyc_retention_days, now_ms=self._clock(),
                travel_rule_retention_days=self._settings.travel_rule_retention_days,
            )  # fmt: skip
            uow.commit()
            return receipt

    def purge_expired(self) -> privacy.Purged:
        """Remove the KYC and travel-rule records whose retention period has ended (see `privacy.purge_expired`);
        returns how many of each went."""
        with self._container.uow() as uow:
            purged = privacy.purge_expired(uow.session, self._store, self._clock())
            uow.commit()
        if purged.kyc_submissions or purged.travel_rule_records:
            log.info(
                "expired records purged",
                extra={"submissions": purged.kyc_submissions, "travelRuleRecords": purged.travel_rule_records},
            )
        return purged

    def _mail_link(self, email: str, link: str, language: str) -> None:
        mail = verification_mail(email, link, self._settings.email_verify_ttl_s, language)
        try:
            self._mailer.send(mail)
        except OSError as exc:  # smtplib's errors are OSErrors: the user can save the address again
            log.error("verification mail not sent", extra={"to_domain": domain_of(email), "error": failure_text(exc)})
