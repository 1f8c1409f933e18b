"""Roles and what each may do: the one permission table. The API checks it on every staff request."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COMPLIANCE = "compliance"
    SUPPORT = "support"
    AUDITOR = "auditor"  # reads, never writes


class Permission(StrEnum):
    """One per action (`<subject>.<verb>`); routes name the one they need."""

    STAFF_READ = "staff.read"
    STAFF_MANAGE = "staff.manage"  # create, disable, change role, reset TOTP
    AUDIT_READ = "audit.read"
    USERS_READ = "users.read"  # profiles, levels, balances, orders of users
    KYC_READ = "kyc.read"  # submissions and their status
    KYC_DOCUMENTS_READ = "kyc.documents.read"  # the uploaded files themselves (each access logged)
    KYC_REVIEW = "kyc.review"
    LIMITS_OVERRIDE = "limits.override"
    DENYLIST_READ = "denylist.read"
    DENYLIST_MANAGE = "denylist.manage"
    FROZEN_READ = "frozen.read"  # deposits by blocked addresses, frozen off-chain
    FROZEN_RELEASE = "frozen.release"  # release one once its depositor screens clear
    MARKET_STATE = "market.state"  # halt, resume, cancel-only
    ALERTS_READ = "alerts.read"  # alerts and cases, their notes and reports
    CASES_MANAGE = "cases.manage"  # open a case from an alert, assign, note, escalate, close
    RISK_MANAGE = "risk.manage"  # bands, breakers, market limits, clear a halt or a withdrawal pause
    STATS_READ = "stats.read"  # user and funnel figures, cohorts, fee revenue, CSV exports
    SUPPORT_MANAGE = "support.manage"  # the ticket queue, replies and notes, saved replies, help articles
    ANNOUNCEMENTS_MANAGE = "announcements.manage"  # publish, change and withdraw announcements
    FORUM_MODERATE = "forum.moderate"  # pin, lock, hide, handle reports, ban a wallet from posting


_READS = frozenset(
    {
        Permission.STAFF_READ,
        Permission.AUDIT_READ,
        Permission.USERS_READ,
        Permission.KYC_READ,
        Permission.DENYLIST_READ,
        Permission.FROZEN_READ,
        Permission.ALERTS_READ,
        Permission.STATS_READ,
    }
)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COMPLIANCE: frozenset(
        {
            Permission.AUDIT_READ,
            Permission.USERS_READ,
            Permission.KYC_READ,
            Permission.KYC_DOCUMENTS_READ,
            Permission.KYC_REVIEW,
            Permission.LIMITS_OVERRIDE,
            Permission.DENYLIST_READ,
            Permission.DENYLIST_MANAGE,
            Permission.FROZEN_READ,
            Permission.FROZEN_RELEASE,
            Permission.ALERTS_READ,
            Permission.CASES_MANAGE,
            Permission.STATS_READ,
        }
    ),
    Role.SUPPORT: frozenset(
        {
            Permission.USERS_READ,
            Permission.KYC_READ,
            Permission.SUPPORT_MANAGE,
            Permission.ANNOUNCEMENTS_MANAGE,
            Permission.FORUM_MODERATE,
        }
    ),
    # Read-only, and not the identity documents: reviewing decisions needs the log, not the passports.
    Role.AUDITOR: _READS,
}


def may(role: Role, permission: Permission) -> bool:
    """Whether `role` holds `permission`."""
    return permission in PERMISSIONS[role]
