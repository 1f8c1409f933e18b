"""User text to safe HTML: Markdown rendered by markdown-it-py, then sanitized by nh3.

Every text a person writes and another reads (tickets, help articles, forum posts, announcements) goes
through `render`: raw HTML in the source is escaped by the renderer (`html` off), and nh3 removes what
Markdown itself can produce that a page must not run (`javascript:` links, event attributes), so what
leaves here is inert whatever went in. Links open outside the app without leaking the page to them.
`plain` gives the words alone, for text that is never inserted as HTML (search, excerpts).
"""

from __future__ import annotations

import html
import importlib

import nh3
from markdown_it import MarkdownIt

_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# A table row with fewer cells than its header is filled up with empty ones. The library bounds those at 65,536
# per table, which lets a 10 kB reply (a 1,000-column header, then rows of "|") render to 670 kB of HTML in
# seconds of CPU, again at every read of its ticket; past this many the table ends and the rest is text.
# (The module by name: the package exports its function under the same name.)
vars(importlib.import_module("markdown_it.rules_block.table"))["MAX_AUTOCOMPLETED_CELLS"] = 1_000

# commonmark with tables and strikethrough; `html: False` escapes any HTML typed into the source.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def render(source: str) -> str:
    """The safe HTML of Markdown `source`."""
    return nh3.clean(
        _markdown.render(source),
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def plain(source: str) -> str:
    """The text of Markdown `source`, every tag removed and entities decoded ("<b>" stays "<b>"): for search
    and excerpts shown as text, never to be inserted as HTML."""
    return html.unescape(nh3.clean(_markdown.render(source), tags=set())).strip()
