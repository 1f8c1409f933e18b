"""The announcements' Atom 1.0 feed (RFC 4287), built with ElementTree so every text is XML-escaped.

Pure: the announcements, the links and the time are passed in. Each entry's content is the sanitized HTML of
its Markdown body (`type="html"`: escaped once more as XML text, as Atom wants), so a feed reader shows what
the dApp shows. Characters XML 1.0 cannot carry (most control characters) are dropped, so the document always
parses. A feed is in one reader's language: `xml:lang` says it, and each entry shown in English for want of a
translation says so itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from backend.accounts.languages import DEFAULT_LANGUAGE
from backend.announcements.board import AnnouncementView

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
TAG_DATE = "2026-12-02"  # the date in the feed's tag: URIs (RFC 4151); never change it, ids must stay stable
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def rfc3339(ms: int) -> str:
    """Epoch milliseconds as an Atom date: 2026-12-02T09:30:00.000Z."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def atom_feed(
    entries: Sequence[AnnouncementView], *, site_url: str, feed_url: str, now_ms: int,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:  # fmt: skip
    """The feed document (UTF-8, with its XML declaration) in `language` of `entries` (each already in it where
    translated), in the order given (newest first)."""
    host = urlsplit(site_url).hostname or "localhost"
    # unprefixed: every child is an Atom element
    feed = ElementTree.Element("feed", {"xmlns": ATOM_NS, XML_LANG: language})
    # the English feed's id is the one it had before there were others; never change either
    suffix = "" if language == DEFAULT_LANGUAGE else f":{language}"
    _child(feed, "id", f"tag:{host},{TAG_DATE}:announcements{suffix}")
    _child(feed, "title", "HDEX announcements")
    updated = max((_updated_ms(entry) for entry in entries), default=now_ms)
    _child(feed, "updated", rfc3339(updated))
    _child(_child(feed, "author"), "name", "HDEX")
    _link(feed, feed_url, "self", MEDIA_TYPE)
    _link(feed, site_url, "alternate", "text/html")
    for entry in entries:
        item = _child(feed, "entry")
        if entry.language != language:
            item.set(XML_LANG, entry.language)
        _child(item, "id", f"tag:{host},{TAG_DATE}:announcement:{entry.id}")
        _child(item, "title", entry.title).set("type", "text")
        _child(item, "published", rfc3339(entry.starts_at_ms))
        _child(item, "updated", rfc3339(_updated_ms(entry)))
        ElementTree.SubElement(item, "category", {"term": entry.severity})
        _child(item, "content", entry.body_html).set("type", "html")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _updated_ms(entry: AnnouncementView) -> int:
    # A scheduled announcement written before its start is news when it starts.
    return max(entry.updated_at_ms, entry.starts_at_ms)


def _child(parent: ElementTree.Element, name: str, text: str | None = None) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, name)
    if text is not None:
        element.text = xml_text(text)
    return element


def _link(parent: ElementTree.Element, href: str, rel: str, media_type: str) -> None:
    ElementTree.SubElement(parent, "link", {"href": xml_text(href), "rel": rel, "type": media_type})
