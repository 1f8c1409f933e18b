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
from markdown_it.rules_block import StateBlock

from backend.errors import ErrorCode, HdexError

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
_TABLES = vars(importlib.import_module("markdown_it.rules_block.table"))
_TABLES["MAX_AUTOCOMPLETED_CELLS"] = 1_000
# ...and a hundred small tables of a thousand cells each still made a 20 kB post 1.1 MB of HTML after 2 s of parsing:
# past this many cells in a document, what looks like a table is text.
MAX_CELLS = 5_000
# A link defined once by reference and used thousands of times repeats its URL each time (20 kB of source, 12 MB of
# HTML): a text rendering to more than this is refused.
MAX_HTML_CHARS = 256 * 1024
_CELLS = frozenset({"th_open", "td_open"})


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """The library's table rule while the document has used fewer than MAX_CELLS cells (counted in its `env`)."""
    used = state.env.get("cells", 0)
    if used >= MAX_CELLS:
        return False
    before = len(state.tokens)
    matched: bool = _TABLES["table"](state, start, end, silent)
    state.env["cells"] = used + sum(1 for token in state.tokens[before:] if token.type in _CELLS)
    return matched


# commonmark with tables and strikethrough; `html: False` escapes any HTML typed into the source.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_markdown.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})


def _html(source: str, field: str, stored: bool) -> str:
    """The renderer's HTML of `source` (not yet sanitized); INVALID_FIELD on `field` past MAX_HTML_CHARS, unless
    the text is `stored` already."""
    rendered: str = _markdown.render(source, {})
    if len(rendered) > MAX_HTML_CHARS and not stored:
        raise HdexError(
            ErrorCode.INVALID_FIELD,
            f"this text would show as more than {MAX_HTML_CHARS // 1024} KiB of HTML: shorten it (a link used "
            "many times by reference, or many tables, grows most)",
            field,
        )
    return rendered


def render(source: str, field: str = "body", *, stored: bool = False) -> str:
    """The safe HTML of Markdown `source`; INVALID_FIELD on `field` when it would be too large (MAX_HTML_CHARS).
    `stored`: a text already kept, read back or migrated, which may predate the bound: rendered whatever its size
    (a read must not fail, nor an upgrade stop, on what was accepted once)."""
    return nh3.clean(
        _html(source, field, stored),
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def plain(source: str, field: str = "body", *, stored: bool = False) -> str:
    """The text of Markdown `source`, every tag removed and entities decoded ("<b>" stays "<b>"): for search
    and excerpts shown as text, never to be inserted as HTML. `stored` as for `render`."""
    return html.unescape(nh3.clean(_html(source, field, stored), tags=set())).strip()
