"""Typed SQLAlchemy models, one module per subsystem. Money columns use `Amount`: exact, never float.

Importing this package registers every table on `Base.metadata` (Alembic compares against it).
"""

from backend.db.models.base import Base
from backend.db.models.chain import ChainBlock, ChainCursor, ChainEvent, ContractDeployment
from backend.db.models.compliance import DenyListEntry, SanctionedAddress, SanctionsList, ScreeningDecision
from backend.db.models.ledger import LedgerBalance, LedgerEntry, LedgerTransaction
from backend.db.models.ops import Alert, Lease

__all__ = [
    "Alert",
    "Base",
    "ChainBlock",
    "ChainCursor",
    "ChainEvent",
    "ContractDeployment",
    "DenyListEntry",
    "Lease",
    "LedgerBalance",
    "LedgerEntry",
    "LedgerTransaction",
    "SanctionedAddress",
    "SanctionsList",
    "ScreeningDecision",
]
