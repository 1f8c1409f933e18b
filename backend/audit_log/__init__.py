"""The append-only, hash-chained audit log of staff and operator actions.

`record_action` (in `store`) is the one way to write an entry: call it inside the unit of work that
makes the change, so the change and its entry commit together. `chain` holds the pure hashing rules,
`verify_log` walks the chain and names the first entry that was edited or deleted.
"""

from backend.audit_log.store import (
    AuditEntry,
    AuditFilter,
    as_named,
    cli_actor,
    entry_json,
    list_entries,
    record_action,
    verify_log,
)

__all__ = [
    "AuditEntry",
    "AuditFilter",
    "as_named",
    "cli_actor",
    "entry_json",
    "list_entries",
    "record_action",
    "verify_log",
]
