"""The auditor's one error root: a run that cannot finish (bad input, node unreachable, foreign checkpoint)."""

from __future__ import annotations


class AuditError(RuntimeError):
    """The audit could not run; the message says why and what to do. Discrepancies are findings, not errors."""
