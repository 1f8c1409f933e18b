"""Writing, reading and verifying the audit log in the database.

Appends take the head row's lock first (an UPDATE: a row lock on PostgreSQL, the write lock on
SQLite), so two writers never chain onto the same entry; the entry then commits with the caller's
change or not at all.
"""

from __future__ import annotations

import json
import os
import pwd
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from backend.audit_log.chain import Broken, ChainedFields, canonical_json, entry_hash, first_break
from backend.db.list_queries import LIKE_ESCAPE, like_literal, newest_first, where_given
from backend.db.models import AuditLogEntry, AuditLogHead

HEAD_ID = 1
MAX_TEXT = 320  # actor and target columns; longer values (they may come from a request) are cut
MAX_IP = 64  # the column's width: a client's address as a proxy forwarded it may be anything, and longer


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action as readers see it; `before`/`after` are the JSON values recorded."""

    seq: int
    at_ms: int
    actor: str
    action: str
    target: str | None
    before: Any
    after: Any
    ip: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a reader wants; None means any. Times are epoch ms, `since` inclusive, `until` exclusive.
    `action` is an action ("case.open") or the start of some, whole dotted parts ("case": every "case.*")."""

    actor: str | None = None
    action: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    targets: tuple[str, ...] | None = None  # any of these targets


STAFF_ACTOR = "staff:"


def as_named(who: str) -> str:
    """An actor or target as the log names it: a bare e-mail address ("ada@hdex.example", as staff know each
    other) is the member of staff "staff:ada@hdex.example" (e-mails are stored lower-case); anything else as given."""
    who = who.strip()
    return f"{STAFF_ACTOR}{who.lower()}" if "@" in who and ":" not in who else who


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry's wire shape (staff API, case reports): {"seq", "at", "actor", "action", "target", "before",
    "after", "ip", "prevHash", "hash"}."""
    return {
        "seq": entry.seq,
        "at": entry.at_ms,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
        "ip": entry.ip,
        "prevHash": entry.prev_hash,
        "hash": entry.hash,
    }


def record_action(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append who (`actor`, e.g. "staff:ann@example.com" or "cli:root") did what (`action`, dotted:
    "market.halt") to what (`target`), the state `before` and `after` (JSON values), from where (`ip`).

    The caller commits: the entry lands with the change it describes, or not at all.
    """
    session.execute(update(AuditLogHead).where(AuditLogHead.id == HEAD_ID).values(seq=AuditLogHead.seq + 1))
    head = session.execute(select(AuditLogHead.seq, AuditLogHead.hash).where(AuditLogHead.id == HEAD_ID)).one()
    fields = ChainedFields(
        seq=head.seq,
        at_ms=time.time_ns() // 1_000_000,
        actor=actor[:MAX_TEXT],
        action=action,
        target=None if target is None else target[:MAX_TEXT],
        before=canonical_json(before),
        after=canonical_json(after),
        ip=None if ip is None else ip[:MAX_IP],
        prev_hash=head.hash,
    )
    digest = entry_hash(fields)
    session.add(AuditLogEntry(**vars(fields), hash=digest))
    session.execute(update(AuditLogHead).where(AuditLogHead.id == HEAD_ID).values(hash=digest))
    return _entry(fields, digest)


def cli_actor() -> str:
    """The actor of a command run from a shell: "cli:<os user>", the user the process runs as (not $USER, which
    anyone sets: `USER=alice hdex ...` must not pin an action on alice)."""
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid the password database does not know (some containers)
        user = f"uid:{os.getuid()}"
    return f"cli:{user}"


def list_entries(session: Session, where: AuditFilter, limit: int, below_seq: int | None = None) -> list[AuditEntry]:
    """Entries matching `where`, newest first, at most `limit`, numbered below `below_seq` if given."""
    query = where_given(
        newest_first(select(AuditLogEntry), AuditLogEntry.seq, limit, below_seq), (AuditLogEntry.actor, where.actor)
    )
    if where.action is not None:
        below = like_literal(where.action) + ".%"
        query = query.where(
            or_(AuditLogEntry.action == where.action, AuditLogEntry.action.like(below, escape=LIKE_ESCAPE))
        )
    if where.since_ms is not None:
        query = query.where(AuditLogEntry.at_ms >= where.since_ms)
    if where.until_ms is not None:
        query = query.where(AuditLogEntry.at_ms < where.until_ms)
    if where.targets is not None:
        query = query.where(AuditLogEntry.target.in_(where.targets))
    return [_entry(_fields(row), row.hash) for row in session.scalars(query)]


@dataclass(frozen=True)
class Verification:
    """The outcome of `verify_log`: how many entries were read, the head, the first break if any."""

    entries: int
    head_seq: int
    head_hash: str
    broken: Broken | None


def verify_log(session: Session) -> Verification:
    """Walk the whole chain from entry 1 to the recorded head; `broken` names the first edited or
    deleted entry, or an entry past the head. Safe while others write: an entry and its head move commit together,
    so an entry past the head read first is one committed since (the head read again covers it) or one slipped in."""
    head = session.execute(select(AuditLogHead.seq, AuditLogHead.hash).where(AuditLogHead.id == HEAD_ID)).one()
    count = 0

    def rows() -> Iterator[tuple[ChainedFields, str]]:
        nonlocal count
        query = (
            select(AuditLogEntry)
            .where(AuditLogEntry.seq <= head.seq)
            .order_by(AuditLogEntry.seq)
            .execution_options(yield_per=1000)
        )
        for row in session.scalars(query):
            count += 1
            yield _fields(row), row.hash

    broken = first_break(rows(), head.seq, head.hash)
    if broken is None:
        now = session.scalar(select(AuditLogHead.seq).where(AuditLogHead.id == HEAD_ID))
        past = session.scalar(select(func.min(AuditLogEntry.seq)).where(AuditLogEntry.seq > max(head.seq, now or 0)))
        if past is not None:
            broken = Broken(past, f"entry {past} is past the recorded head {now}: added without moving the head")
    return Verification(count, head.seq, head.hash, broken)


def _fields(row: AuditLogEntry) -> ChainedFields:
    return ChainedFields(
        seq=row.seq,
        at_ms=row.at_ms,
        actor=row.actor,
        action=row.action,
        target=row.target,
        before=row.before,
        after=row.after,
        ip=row.ip,
        prev_hash=row.prev_hash,
    )


def _entry(fields: ChainedFields, digest: str) -> AuditEntry:
    return AuditEntry(
        seq=fields.seq,
        at_ms=fields.at_ms,
        actor=fields.actor,
        action=fields.action,
        target=fields.target,
        before=_json_value(fields.before),
        after=_json_value(fields.after),
        ip=fields.ip,
        prev_hash=fields.prev_hash,
        hash=digest,
    )


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:  # an entry edited in the database: show what is there; `verify_log` reports it
        return text
