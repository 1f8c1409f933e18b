"""The one error root and the one code enum, below every door.

Domain code raises `HdexError(ErrorCode.X, message, field)`, or a `CodedError` subclass whose class
fixes the code (`raise RpcError("node down")`). A door presents it: the API maps each code to an HTTP
status (`backend/api/errors.py`), the CLI prints the message. This module imports only the standard
library, so the engine host, the ledger, the signing code and the bot client can raise and catch
HDEX errors without pulling in a web framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    """Stable wire codes (clients match on the strings: never rename one), grouped by subsystem."""

    # generic: the request itself
    MALFORMED_JSON = "MALFORMED_JSON"
    INVALID_FIELD = "INVALID_FIELD"
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"

    # rate limits and bodies: how much a client may send
    BODY_TOO_LARGE = "BODY_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"

    # signatures: who signed what
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    SIGNER_NOT_MAKER = "SIGNER_NOT_MAKER"

    # order entry: the order's own fields and lifecycle
    ORDER_EXPIRED = "ORDER_EXPIRED"
    NONCE_BELOW_FLOOR = "NONCE_BELOW_FLOOR"
    WALLET_EXITING = "WALLET_EXITING"  # the maker requested an exit on-chain: the contract settles no trade for it
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    UNKNOWN_FLAGS = "UNKNOWN_FLAGS"
    FLAGS_CONFLICT = "FLAGS_CONFLICT"  # signed flag bits that exclude each other or do not fit the order's kind
    FILL_OR_KILL_MISMATCH = "FILL_OR_KILL_MISMATCH"  # timeInForce FOK without the signed flag, or the flag with GTC/IOC
    EXPIRY_TOO_LONG = "EXPIRY_TOO_LONG"  # an IOC or fill-or-kill order must sign a short expiry
    STOP_NEEDS_PRICE_SOURCE = "STOP_NEEDS_PRICE_SOURCE"  # no on-chain price source: sign operator-triggered (16)
    NONCE_USED = "NONCE_USED"  # another order of the maker already carries this nonce
    INVALID_TRIGGER_PRICE = "INVALID_TRIGGER_PRICE"
    MAX_FEE_TOO_LOW = "MAX_FEE_TOO_LOW"
    TOO_MANY_OPEN_ORDERS = "TOO_MANY_OPEN_ORDERS"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_NOT_OPEN = "ORDER_NOT_OPEN"
    CANCEL_EXPIRED = "CANCEL_EXPIRED"
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    TIMEOUT_OUT_OF_RANGE = "TIMEOUT_OUT_OF_RANGE"
    REPLACE_PARTLY_FAILED = "REPLACE_PARTLY_FAILED"

    # markets: the market's rules and state
    UNKNOWN_MARKET = "UNKNOWN_MARKET"
    MARKET_HALTED = "MARKET_HALTED"
    MARKET_CANCEL_ONLY = "MARKET_CANCEL_ONLY"
    INVALID_PRICE = "INVALID_PRICE"
    PRICE_OFF_TICK = "PRICE_OFF_TICK"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    QUANTITY_OFF_LOT = "QUANTITY_OFF_LOT"
    BELOW_MIN_NOTIONAL = "BELOW_MIN_NOTIONAL"
    PRICE_OUTSIDE_BAND = "PRICE_OUTSIDE_BAND"
    TIF_NOT_ALLOWED = "TIF_NOT_ALLOWED"
    POST_ONLY_WOULD_CROSS = "POST_ONLY_WOULD_CROSS"
    FOK_NOT_FILLED = "FOK_NOT_FILLED"
    WOULD_TRIGGER_IMMEDIATELY = "WOULD_TRIGGER_IMMEDIATELY"
    INVALID_MARKET = "INVALID_MARKET"  # a market definition or change the operator asked for

    # market risk (issue 14): circuit breakers and per-market / per-account order limits
    MARKET_CIRCUIT_BREAKER = "MARKET_CIRCUIT_BREAKER"  # a fast move halted it: cancels only, until the cool-down
    ORDER_SIZE_LIMIT_EXCEEDED = "ORDER_SIZE_LIMIT_EXCEEDED"  # above the market's maximum order size (base units)
    MARKET_NOTIONAL_LIMIT_EXCEEDED = "MARKET_NOTIONAL_LIMIT_EXCEEDED"  # above the market's maximum order notional
    OPEN_NOTIONAL_LIMIT_EXCEEDED = "OPEN_NOTIONAL_LIMIT_EXCEEDED"  # the account's open orders would pass its maximum
    INVALID_RISK_SETTING = "INVALID_RISK_SETTING"  # a band, breaker or limit staff asked for that cannot work

    # accounts and balances: funds
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"

    # withdrawals: signed withdrawals
    SIGNER_NOT_WALLET = "SIGNER_NOT_WALLET"
    WITHDRAWAL_EXPIRED = "WITHDRAWAL_EXPIRED"
    DUPLICATE_WITHDRAWAL = "DUPLICATE_WITHDRAWAL"
    INVALID_RECIPIENT = "INVALID_RECIPIENT"
    WITHDRAWALS_PAUSED = "WITHDRAWALS_PAUSED"  # ledger and chain differ: withdrawals wait until staff clear it
    TRAVEL_RULE_REQUIRED = "TRAVEL_RULE_REQUIRED"  # above the threshold: originator and beneficiary data needed
    TRAVEL_RULE_INVALID = "TRAVEL_RULE_INVALID"  # the travel-rule data is incomplete or malformed

    # compliance: screening
    ADDRESS_BLOCKED = "ADDRESS_BLOCKED"
    SCREENING_UNAVAILABLE = "SCREENING_UNAVAILABLE"
    INVALID_SCREENING_LIST = "INVALID_SCREENING_LIST"  # a sanctions or deny list file we cannot import
    FROZEN_FUNDS_NOT_FOUND = "FROZEN_FUNDS_NOT_FOUND"  # no freeze with that id
    FROZEN_FUNDS_NOT_HELD = "FROZEN_FUNDS_NOT_HELD"  # released already, or its deposit was orphaned by a reorg

    # monitoring (issue 14): alerts and the cases staff work them in
    ALERT_NOT_FOUND = "ALERT_NOT_FOUND"
    CASE_NOT_FOUND = "CASE_NOT_FOUND"
    CASE_TRANSITION_INVALID = "CASE_TRANSITION_INVALID"  # e.g. closing a closed case, or closing without a reason
    NO_WITHDRAWAL_PAUSE = "NO_WITHDRAWAL_PAUSE"  # clearing a pause when withdrawals are not paused

    # auth: sign-in with Ethereum (EIP-4361) and wallet sessions; a bad signature is INVALID_SIGNATURE
    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    CROSS_ORIGIN_REQUEST = "CROSS_ORIGIN_REQUEST"  # a signed-in change sent by another origin's page
    SIWE_MALFORMED = "SIWE_MALFORMED"
    SIWE_WRONG_DOMAIN = "SIWE_WRONG_DOMAIN"
    SIWE_WRONG_URI = "SIWE_WRONG_URI"
    SIWE_WRONG_CHAIN = "SIWE_WRONG_CHAIN"
    SIWE_EXPIRED = "SIWE_EXPIRED"
    SIWE_NOT_YET_VALID = "SIWE_NOT_YET_VALID"
    SIWE_NONCE_INVALID = "SIWE_NONCE_INVALID"

    # staff: back-office sign-in (password, then TOTP), sessions, CSRF, roles and staff accounts
    STAFF_NOT_SIGNED_IN = "STAFF_NOT_SIGNED_IN"
    STAFF_BAD_CREDENTIALS = "STAFF_BAD_CREDENTIALS"  # unknown e-mail, wrong password or disabled: never says which
    STAFF_CHALLENGE_INVALID = "STAFF_CHALLENGE_INVALID"  # the password step's challenge is unknown, used or expired
    STAFF_TOTP_INVALID = "STAFF_TOTP_INVALID"  # a wrong code, an already used one, or a spent recovery code
    STAFF_LOCKED = "STAFF_LOCKED"  # too many failed sign-ins: Retry-After says when to try again
    STAFF_RESET_LINK_INVALID = "STAFF_RESET_LINK_INVALID"
    STAFF_WEAK_PASSWORD = "STAFF_WEAK_PASSWORD"
    STAFF_CSRF_FAILED = "STAFF_CSRF_FAILED"
    STAFF_FORBIDDEN = "STAFF_FORBIDDEN"  # the role lacks the permission
    STAFF_NOT_FOUND = "STAFF_NOT_FOUND"
    STAFF_EMAIL_TAKEN = "STAFF_EMAIL_TAKEN"
    STAFF_LAST_ADMIN = "STAFF_LAST_ADMIN"  # the change would leave no active admin

    # accounts and KYC (issue 13): wallet profiles, e-mail links, KYC submissions, uploads, the vendor webhook
    EMAIL_LINK_INVALID = "EMAIL_LINK_INVALID"  # unknown, used or expired e-mail verification link
    JURISDICTION_RESTRICTED = "JURISDICTION_RESTRICTED"  # the declared country is restricted: no KYC level above 0
    KYC_ALREADY_PENDING = "KYC_ALREADY_PENDING"
    KYC_ALREADY_APPROVED = "KYC_ALREADY_APPROVED"  # the wallet already holds that level
    KYC_LEVEL_REQUIRED = "KYC_LEVEL_REQUIRED"  # level 2 needs an approved level 1
    KYC_SUBMISSION_NOT_FOUND = "KYC_SUBMISSION_NOT_FOUND"
    KYC_DOCUMENT_NOT_FOUND = "KYC_DOCUMENT_NOT_FOUND"
    KYC_NOT_PENDING = "KYC_NOT_PENDING"  # a review of a submission already decided
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_TYPE_REFUSED = "UPLOAD_TYPE_REFUSED"  # the bytes are not a PDF, PNG or JPEG, whatever the name says
    WEBHOOK_NOT_CONFIGURED = "WEBHOOK_NOT_CONFIGURED"  # no vendor secret is set: every webhook is refused
    WEBHOOK_SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID"
    WEBHOOK_STALE = "WEBHOOK_STALE"  # the timestamp is outside the accepted window
    WEBHOOK_REPLAYED = "WEBHOOK_REPLAYED"  # an event id already accepted

    # limits (issue 13): tier limits per KYC level; a wallet's session reads only its own account
    WITHDRAWAL_LIMIT_EXCEEDED = "WITHDRAWAL_LIMIT_EXCEEDED"  # the message says the allowance left
    WITHDRAWAL_TOO_SMALL = "WITHDRAWAL_TOO_SMALL"  # worth less than the minimum (the message says it)
    ORDER_NOTIONAL_LIMIT_EXCEEDED = "ORDER_NOTIONAL_LIMIT_EXCEEDED"
    ACCOUNT_FORBIDDEN = "ACCOUNT_FORBIDDEN"  # another wallet's account data

    # statistics (issue 16): rollups, their exports
    STATS_RANGE_INVALID = "STATS_RANGE_INVALID"  # from/to not ISO dates, from after to, or a range too long
    STATS_TABLE_UNKNOWN = "STATS_TABLE_UNKNOWN"  # an export of a table that is not one of the statistics tables
    STATS_EVENT_UNKNOWN = "STATS_EVENT_UNKNOWN"  # a behaviour event of a kind HDEX does not record

    # support desk and help center (issue 16): tickets, replies, saved replies, articles
    HELP_ARTICLE_NOT_FOUND = "HELP_ARTICLE_NOT_FOUND"  # no such article (or not published, to the public)
    HELP_SLUG_TAKEN = "HELP_SLUG_TAKEN"  # another article has this slug
    HELP_TRANSLATION_TAKEN = "HELP_TRANSLATION_TAKEN"  # another writer translated the article into the language first
    TICKET_NOT_FOUND = "TICKET_NOT_FOUND"  # also another wallet's ticket: its existence is not disclosed
    TICKET_TRANSITION_INVALID = "TICKET_TRANSITION_INVALID"  # a status move the ticket's state does not allow
    TICKET_CLOSED = "TICKET_CLOSED"  # a closed ticket takes no reply, note or assignment
    TICKET_LIMIT_REACHED = "TICKET_LIMIT_REACHED"  # too many tickets opened by the wallet: Retry-After says when
    TICKET_MESSAGE_LIMIT_REACHED = "TICKET_MESSAGE_LIMIT_REACHED"  # too many messages sent by the wallet: as above
    TICKET_ATTACHMENT_NOT_FOUND = "TICKET_ATTACHMENT_NOT_FOUND"
    SAVED_REPLY_NOT_FOUND = "SAVED_REPLY_NOT_FOUND"
    SAVED_REPLY_TITLE_TAKEN = "SAVED_REPLY_TITLE_TAKEN"

    # announcements (issue 16)
    ANNOUNCEMENT_NOT_FOUND = "ANNOUNCEMENT_NOT_FOUND"
    ANNOUNCEMENT_WINDOW_INVALID = "ANNOUNCEMENT_WINDOW_INVALID"  # the end is not after the start
    ANNOUNCEMENT_WITHDRAWN = "ANNOUNCEMENT_WITHDRAWN"  # a withdrawn announcement is not changed again

    # forum (issue 16): categories, threads, posts, moderation, bans, posting limits
    FORUM_CATEGORY_NOT_FOUND = "FORUM_CATEGORY_NOT_FOUND"
    FORUM_CATEGORY_EXISTS = "FORUM_CATEGORY_EXISTS"  # a category with that slug exists
    FORUM_CATEGORY_NOT_EMPTY = "FORUM_CATEGORY_NOT_EMPTY"  # threads (hidden ones too) are in it: it stays
    FORUM_THREAD_NOT_FOUND = "FORUM_THREAD_NOT_FOUND"  # unknown, or hidden by a moderator
    FORUM_POST_NOT_FOUND = "FORUM_POST_NOT_FOUND"  # unknown, or hidden by a moderator
    FORUM_THREAD_LOCKED = "FORUM_THREAD_LOCKED"  # a moderator locked it: no more replies
    FORUM_BANNED = "FORUM_BANNED"  # the wallet is banned from posting
    FORUM_POSTING_LIMITED = "FORUM_POSTING_LIMITED"  # too many posts a minute or an hour: Retry-After says when
    FORUM_ALREADY_REPORTED = "FORUM_ALREADY_REPORTED"  # one report per wallet per post
    FORUM_REPORT_NOT_FOUND = "FORUM_REPORT_NOT_FOUND"
    FORUM_REPORT_CLOSED = "FORUM_REPORT_CLOSED"  # the report was handled already
    FORUM_ALREADY_BANNED = "FORUM_ALREADY_BANNED"
    FORUM_BAN_NOT_FOUND = "FORUM_BAN_NOT_FOUND"  # unbanning a wallet that is not banned

    # chain and RPC: the node, the contracts, their deployment
    NOT_DEPLOYED = "NOT_DEPLOYED"
    RPC_UNAVAILABLE = "RPC_UNAVAILABLE"
    NODE_UNAVAILABLE = "NODE_UNAVAILABLE"
    COMPILE_FAILED = "COMPILE_FAILED"

    # service: the exchange cannot take orders right now
    UNAVAILABLE = "UNAVAILABLE"
    ENGINE_BUSY = "ENGINE_BUSY"  # an API replica's command stream is full: retry after Retry-After seconds
    ENGINE_TIMEOUT = "ENGINE_TIMEOUT"  # the engine did not answer in time: the same signed order may be resent


class HdexError(Exception):
    """The root of every error HDEX reports: a code, a message for people, the offending field.

    `headers` are extra response headers a door adds (a refusal for too many requests says when to
    retry); a door that has no headers ignores them.
    """

    def __init__(
        self, code: ErrorCode, message: str, field: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers

    def body(self) -> dict[str, dict[str, str | None]]:
        """The wire shape: `{"error": {"code", "message", "field"}}`."""
        return {"error": {"code": self.code.value, "message": self.message, "field": self.field}}


def retry_after_s(until_ms: int, now_ms: int) -> int:
    """A Retry-After value: the whole seconds from `now_ms` until `until_ms`, rounded up, at least 1 (a client told
    0 would try again at once, and be refused again)."""
    return max(1, -(-(until_ms - now_ms) // 1000))


class CodedError(HdexError):
    """An `HdexError` whose class fixes the code, raised with a message alone: `raise RpcError("down")`.

    Subclasses set `CODE` and usually also subclass the builtin their callers catch (`ValueError`,
    `RuntimeError`), as web3.py's `Web3ValueError(Web3Exception, ValueError)` does.
    """

    CODE: ClassVar[ErrorCode]

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(self.CODE, message, field)
