"""The withdrawal request use case: a signed EIP-712 Withdrawal, checked, held and stored for the relayer.

Checks before anything is stored: withdrawals not paused (`backend.risk.withdrawal_pause`: first, and again
as the request is stored), signature by the wallet, a positive amount, a recipient that is neither the zero
address nor the Exchange, expiry, fee within the signed max, the wallet's tier limits (`backend.limits`, each
market priced by the engine host's latest usable reading of its price source where it has one; checked early,
then again under the wallet's limit lock as the request is stored, so two requests never both pass on the same
usage; the second reuses the first's prices, as only usage needs the lock), a value of at least
`withdrawal_min_value` in the reference token (each withdrawal costs the operator a transaction), travel-rule data
(`backend.risk.travel_rule`: required from `travel_rule_threshold` of value in the reference token, valid whenever
given, stored with the request), screening of the wallet and the destination, no ether of the wallet's to the
recipient reverted on-chain lately (`backend.trading.store.withdrawals`), and the available balance. The balance check
and the hold are one engine-host command (`HoldWithdrawal`), on the host's loop like every order's check and
hold, so an order and a withdrawal can never both be promised the same funds. Once the row is committed the
request itself holds (trading balances subtract unfinished withdrawals) and the host's hold ends with the next
balance read that sees it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.bootstrap import Container
from backend.compliance.screening import Screener
from backend.db.models import TravelRuleRecord, WithdrawalRequest
from backend.errors import ErrorCode, HdexError
from backend.limits.service import charge_withdrawal, check_withdrawal
from backend.limits.store import stored_price_book
from backend.limits.units import human
from backend.limits.valuation import PriceBook, Reference
from backend.risk.travel_rule import TravelRule, requires_travel_rule, validate_travel_rule
from backend.risk.withdrawal_pause import refuse_if_paused
from backend.signing.recover import SignatureError, recover_signer
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.statuses import WithdrawalStatus
from backend.trading.hosting.chain_sync import wallet_balances
from backend.trading.hosting.commands import (
    BeginBalanceRead,
    HoldWithdrawal,
    HostCommand,
    ReleaseWithdrawal,
    StopOrderEntry,
    WithdrawalStored,
)
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.lease import LOST_MESSAGE, Fence, LeaseLost
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import fee
from backend.trading.store.withdrawals import cooldown_words, reverted_lately

MIN_LIFETIME_S = 60  # a request expiring sooner could not be relayed in time


def withdrawal_fee(amount: int, rate: int) -> int:
    """The operator's fee on a withdrawal of `amount` at `rate` millionths, in the withdrawn token."""
    return min(amount, fee(amount, rate))


async def request_withdrawal(
    host: EngineHost,
    fence: Fence,
    container: Container,
    screener: Screener,
    withdrawal: Withdrawal,
    signature: bytes,
    travel_rule: object | None = None,
) -> WithdrawalRequest:
    """Check, hold and store a signed withdrawal (see the module docs) with its travel-rule data (the request's
    `travelRule` JSON, None if absent); returns the stored request. `fence` is the engine lease's: the request
    is stored only while `host`'s process holds the lease, as its hold was checked against that host's book."""
    await asyncio.to_thread(_refuse_if_paused, container)
    digest = withdrawal_digest(host.domain, withdrawal)
    _check_signer(digest, signature, withdrawal.wallet)
    if withdrawal.amount == 0:
        raise HdexError(ErrorCode.INVALID_FIELD, "must be more than zero", "withdrawal.amount")
    _refuse_unowned_recipient(withdrawal.recipient, host.domain.verifying_contract)
    if withdrawal.expiry <= int(time.time()) + MIN_LIFETIME_S:
        raise HdexError(ErrorCode.WITHDRAWAL_EXPIRED, "expires within a minute: too soon to relay", "withdrawal.expiry")
    charged = withdrawal_fee(withdrawal.amount, container.settings.withdrawal_fee_rate)
    if charged > withdrawal.maxFee:
        raise HdexError(ErrorCode.MAX_FEE_TOO_LOW, f"the withdrawal fee is {charged}", "withdrawal.maxFee")
    wallet, token, recipient = checksum(withdrawal.wallet), checksum(withdrawal.token), checksum(withdrawal.recipient)
    identified = None if travel_rule is None else validate_travel_rule(travel_rule, wallet=wallet, recipient=recipient)
    sourced = host.source_prices()
    book, value = await asyncio.to_thread(_check_limits, container, wallet, token, withdrawal.amount, sourced)
    _refuse_below_minimum(value, container.settings.withdrawal_min_value, book.reference)
    if identified is None and requires_travel_rule(value, container.settings.travel_rule_threshold):
        raise HdexError(
            ErrorCode.TRAVEL_RULE_REQUIRED,
            _travel_rule_needed(value, container.settings.travel_rule_threshold, book.reference),
            "travelRule",
        )
    await _screen(screener, wallet, recipient)
    request_hash = "0x" + digest.hex()

    stamp = host.handle(BeginBalanceRead())
    balances = await asyncio.to_thread(_read_new, container, request_hash, wallet, token, recipient)
    host.handle(HoldWithdrawal(request_hash, wallet, token, withdrawal.amount, stamp, balances))
    record = None if identified is None else (identified, value)
    storing = asyncio.ensure_future(
        asyncio.to_thread(_store, container, fence, request_hash, withdrawal, signature, charged, book, record)
    )
    try:
        row = await asyncio.shield(storing)
    except asyncio.CancelledError:
        # Interrupted while storing: the thread runs on and may yet commit. The hold is decided when it ends,
        # not now: a balance read that began before that commit would not count the row.
        storing.add_done_callback(lambda done: host.handle(_store_outcome(request_hash, done)))
        raise
    except LeaseLost as lost:  # another engine process runs the book now: it decides, on the client's retry
        host.handle(ReleaseWithdrawal(request_hash))
        host.handle(StopOrderEntry(lost))  # as a batch refused by the fence stops it: this book is stale
        raise HdexError(ErrorCode.UNAVAILABLE, LOST_MESSAGE) from None
    except Exception as error:
        host.handle(_store_outcome(request_hash, storing))
        if isinstance(error, SQLAlchemyError):
            raise HdexError(
                ErrorCode.UNAVAILABLE,
                f"the database failed while storing withdrawal {request_hash}, and may have stored it: "
                f"GET /v1/withdrawals/{request_hash} says; sending the same signed withdrawal again is safe "
                "(one stored already is refused as DUPLICATE_WITHDRAWAL)",
            ) from None
        raise
    host.handle(WithdrawalStored(request_hash))
    return row


def _store_outcome(request_hash: str, done: asyncio.Future[WithdrawalRequest]) -> HostCommand[None]:
    """What a store that ended leaves the hold to. A refusal (HdexError, raised before the commit) stored nothing:
    the hold ends. Stored, or failed otherwise, its fate is the database's: a connection lost during COMMIT raises
    whether or not the row landed, so the hold ends with the first balance read that starts after this, which
    counts the row if it is there (held once either way, never available twice)."""
    if not done.cancelled() and isinstance(done.exception(), HdexError):
        return ReleaseWithdrawal(request_hash)
    return WithdrawalStored(request_hash)


def _check_signer(digest: bytes, signature: bytes, wallet: str) -> None:
    try:
        signer = recover_signer(digest, signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), "signature") from None
    if signer.lower() != wallet.lower():
        raise HdexError(ErrorCode.SIGNER_NOT_WALLET, "the signature is not the wallet's", "signature")


def _refuse_unowned_recipient(recipient: str, exchange: str) -> None:
    """Tokens sent to the zero address or to the Exchange itself are lost to everyone; the contract refuses too."""
    if int(recipient, 16) == 0:
        raise HdexError(ErrorCode.INVALID_RECIPIENT, "the recipient is the zero address", "withdrawal.recipient")
    if recipient.lower() == exchange.lower():
        message = "the recipient is the Exchange contract: the tokens would be stuck"
        raise HdexError(ErrorCode.INVALID_RECIPIENT, message, "withdrawal.recipient")


async def _screen(screener: Screener, wallet: str, recipient: str) -> None:
    decisions = await asyncio.to_thread(screener.screen, [wallet, recipient], actor="api", context="withdrawal")
    for role, address in (("wallet", wallet), ("recipient", recipient)):
        decision = decisions[address.lower()]
        if decision.result == "error":
            raise HdexError(ErrorCode.SCREENING_UNAVAILABLE, "address screening is unavailable; retry later")
        if not decision.allowed:
            raise HdexError(ErrorCode.ADDRESS_BLOCKED, f"the {role} address is blocked", f"withdrawal.{role}")


def _refuse_duplicate(session: Session, request_hash: str) -> None:
    if session.get(WithdrawalRequest, request_hash) is not None:
        raise HdexError(ErrorCode.DUPLICATE_WITHDRAWAL, "this withdrawal was already requested", "signature")


def _refuse_if_paused(container: Container) -> None:
    with container.uow() as uow:
        refuse_if_paused(uow.session)


def _check_limits(
    container: Container, wallet: str, token: str, amount: int, sourced: Mapping[str, int]
) -> tuple[PriceBook, int]:
    """Refuse early, before screening and the hold, a request over the wallet's limits; the prices it was
    valued at (`sourced`: the engine host's price-source readings, see `stored_price_book`), for the check under
    the lock as it is stored, and its value in the reference token."""
    with container.uow() as uow:
        book = stored_price_book(uow.session, container.settings, sourced)
        now = int(time.time() * 1000)
        value = check_withdrawal(uow.session, container.settings, wallet, token, amount, now, book)
        return book, value


def _refuse_below_minimum(value: int, minimum: int, reference: Reference) -> None:
    if value < minimum:
        raise HdexError(
            ErrorCode.WITHDRAWAL_TOO_SMALL,
            f"this withdrawal is worth {_in(reference, value)}, below the minimum withdrawal of "
            f"{_in(reference, minimum)}: withdraw more",
            "withdrawal.amount",
        )


def _travel_rule_needed(value: int, threshold: int, reference: Reference) -> str:
    return (
        f"this withdrawal is worth {_in(reference, value)}, at or above the travel-rule threshold of "
        f"{_in(reference, threshold)}: send travelRule with the originator and the beneficiary (IVMS101)"
    )


def _in(reference: Reference, units: int) -> str:
    """`units` of the reference token in words ("10.00 USDC")."""
    decimals = reference.decimals or 0  # valued, so the reference is listed and its decimals known
    return f"{human(units, decimals)} {reference.symbol}"


def _read_new(container: Container, request_hash: str, wallet: str, token: str, recipient: str) -> dict[str, int]:
    """The wallet's trading balances, fresh from the database, unless the request is a duplicate or the wallet's
    ether to its recipient reverted lately."""
    with container.uow() as uow:
        _refuse_duplicate(uow.session, request_hash)
        cooldown_s = container.settings.withdrawal_revert_cooldown_s
        if reverted_lately(uow.session, wallet, token, recipient, cooldown_s, int(time.time() * 1000)):
            raise HdexError(
                ErrorCode.INVALID_RECIPIENT,
                f"your ether withdrawal to this recipient reverted on-chain within the last "
                f"{cooldown_words(cooldown_s)} (it refused the transfer, or needed more gas than when it was tried): "
                "withdraw to another address, or later",
                "withdrawal.recipient",
            )
        return wallet_balances(uow.session, [wallet])[wallet]


def _store(
    container: Container,
    fence: Fence,
    request_hash: str,
    withdrawal: Withdrawal,
    signature: bytes,
    charged: int,
    book: PriceBook,
    travel_rule: tuple[TravelRule, int] | None,
) -> WithdrawalRequest:
    with container.uow() as uow:
        fence(uow.session)  # LeaseLost: see request_withdrawal
        refuse_if_paused(uow.session)  # again: a pause raised since the first check stops this request too
        _refuse_duplicate(uow.session, request_hash)  # again: a twin request may have been stored since the read
        now = int(time.time() * 1000)
        row = WithdrawalRequest(
            hash=request_hash, wallet=checksum(withdrawal.wallet), token=checksum(withdrawal.token),
            amount=withdrawal.amount, max_fee=withdrawal.maxFee, fee=charged, recipient=checksum(withdrawal.recipient),
            nonce=withdrawal.nonce, expiry=withdrawal.expiry, signature=signature,
            status=WithdrawalStatus.ACCEPTED, created_at_ms=now, updated_at_ms=now,
        )  # fmt: skip
        uow.session.add(row)
        charge_withdrawal(uow.session, container.settings, request_hash, row.wallet, row.token, row.amount, now, book)
        if travel_rule is not None:
            identified, value = travel_rule
            uow.session.add(TravelRuleRecord(
                request_hash=request_hash, originator=identified.originator, beneficiary=identified.beneficiary,
                value=value, created_at_ms=now,
            ))  # fmt: skip
        uow.commit()
        return row


@dataclass(frozen=True, slots=True)
class WithdrawalQuote:
    """What a withdrawal of some amount would meet: its value against the travel-rule threshold and the minimum."""

    threshold: int
    minimum: int
    reference: Reference
    value: int | None  # None: no amount asked about, or the token cannot be valued (the limits refuse it)

    @property
    def travel_rule_required(self) -> bool:
        """Whether it must carry travel-rule data."""
        return self.value is not None and requires_travel_rule(self.value, self.threshold)

    @property
    def below_minimum(self) -> bool:
        """Whether it is refused as WITHDRAWAL_TOO_SMALL."""
        return self.value is not None and self.value < self.minimum


def withdrawal_quote(
    container: Container, token: str | None, amount: int | None, sourced: Mapping[str, int]
) -> WithdrawalQuote:
    """The travel-rule threshold, the minimum and, given `token` and `amount`, the withdrawal's value as
    `request_withdrawal` values it with the engine host's price-source readings `sourced` (call in a worker
    thread); UNAVAILABLE while no market lists the reference token."""
    with container.uow() as uow:
        book = stored_price_book(uow.session, container.settings, sourced)
    if book.reference.decimals is None:
        message = f"no market lists the limits' reference token {book.reference.symbol} (HDEX_LIMITS_REFERENCE_SYMBOL)"
        raise HdexError(ErrorCode.UNAVAILABLE, message)
    value = None if token is None or amount is None else book.value(token, amount)
    settings = container.settings
    return WithdrawalQuote(settings.travel_rule_threshold, settings.withdrawal_min_value, book.reference, value)
