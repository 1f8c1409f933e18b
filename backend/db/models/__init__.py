"""Typed SQLAlchemy models, one module per subsystem. Money columns use `Amount`: exact, never float.

Importing this package registers every table on `Base.metadata` (Alembic compares against it).
"""

from backend.db.models.accounts import (
    AccountMail,
    AccountProfile,
    EmailVerification,
    KycDocument,
    KycSubmission,
    KycWebhookEvent,
)
from backend.db.models.auth import SignInNonce, WalletSession
from backend.db.models.base import Base
from backend.db.models.chain import ChainBlock, ChainCursor, ChainEvent, ContractDeployment
from backend.db.models.compliance import (
    DenyListEntry,
    DenyListVersion,
    FrozenFunds,
    SanctionedAddress,
    SanctionsList,
    ScreeningDecision,
)
from backend.db.models.content import Announcement, HelpArticle, HelpArticleTranslation
from backend.db.models.forum import SQLITE_SEARCH_TABLES, ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread
from backend.db.models.ledger import LedgerBalance, LedgerEntry, LedgerTransaction
from backend.db.models.limits import LimitOverride, WithdrawalValuation
from backend.db.models.ops import Alert, Lease, WalletLock
from backend.db.models.relayer import OperatorTx, SettlementItem, WithdrawalRequest
from backend.db.models.risk import Case, CaseNote, MarketHalt, MarketRisk, TravelRuleRecord, WithdrawalPause
from backend.db.models.staff import (
    AuditLogEntry,
    AuditLogHead,
    StaffAccount,
    StaffPasswordReset,
    StaffRecoveryCode,
    StaffSession,
    StaffSignInChallenge,
    StaffSignInFailures,
)
from backend.db.models.stats import (
    StatsChainBalance,
    StatsCursor,
    StatsEvent,
    StatsMarketDay,
    StatsTokenDay,
    StatsUserDay,
    StatsWallet,
    StatsWalletDay,
)
from backend.db.models.support import SavedReply, SupportAttachment, SupportMessage, SupportTicket
from backend.db.models.trading import Fill, Market, Order, Reservation, StoredCandle, TradingCursor

# Tables migrations make that no model describes; each subsystem with some adds its names here.
UNMODELLED_TABLES = frozenset(SQLITE_SEARCH_TABLES)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` filter (migrations' env.py, and the test comparing schema and models): every
    name but the UNMODELLED_TABLES, which autogenerate would otherwise offer to drop."""
    return not (type_ == "table" and name in UNMODELLED_TABLES)


__all__ = [
    "UNMODELLED_TABLES",
    "AccountMail",
    "AccountProfile",
    "Alert",
    "Announcement",
    "AuditLogEntry",
    "AuditLogHead",
    "Base",
    "Case",
    "CaseNote",
    "ChainBlock",
    "ChainCursor",
    "ChainEvent",
    "ContractDeployment",
    "DenyListEntry",
    "DenyListVersion",
    "EmailVerification",
    "Fill",
    "ForumBan",
    "ForumCategory",
    "ForumPost",
    "ForumReport",
    "ForumThread",
    "FrozenFunds",
    "HelpArticle",
    "HelpArticleTranslation",
    "KycDocument",
    "KycSubmission",
    "KycWebhookEvent",
    "Lease",
    "LedgerBalance",
    "LedgerEntry",
    "LedgerTransaction",
    "LimitOverride",
    "Market",
    "MarketHalt",
    "MarketRisk",
    "OperatorTx",
    "Order",
    "Reservation",
    "SanctionedAddress",
    "SanctionsList",
    "SavedReply",
    "ScreeningDecision",
    "SettlementItem",
    "SignInNonce",
    "StaffAccount",
    "StaffPasswordReset",
    "StaffRecoveryCode",
    "StaffSession",
    "StaffSignInChallenge",
    "StaffSignInFailures",
    "StatsChainBalance",
    "StatsCursor",
    "StatsEvent",
    "StatsMarketDay",
    "StatsTokenDay",
    "StatsUserDay",
    "StatsWallet",
    "StatsWalletDay",
    "StoredCandle",
    "SupportAttachment",
    "SupportMessage",
    "SupportTicket",
    "TradingCursor",
    "TravelRuleRecord",
    "WalletLock",
    "WalletSession",
    "WithdrawalPause",
    "WithdrawalRequest",
    "WithdrawalValuation",
    "include_name",
]
