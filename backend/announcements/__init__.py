"""Announcements staff publish for a time window, in English and translated, shown by the dApp and in an Atom feed."""

from backend.announcements.board import (
    PLACEMENTS,
    SEVERITIES,
    AnnouncementView,
    Draft,
    Text,
    change,
    current,
    feed_entries,
    list_all,
    publish,
    withdraw,
)
from backend.announcements.feed import MEDIA_TYPE, atom_feed

__all__ = [
    "MEDIA_TYPE",
    "PLACEMENTS",
    "SEVERITIES",
    "AnnouncementView",
    "Draft",
    "Text",
    "atom_feed",
    "change",
    "current",
    "feed_entries",
    "list_all",
    "publish",
    "withdraw",
]
