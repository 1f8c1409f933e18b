"""The languages HDEX writes a wallet's e-mails in: the dApp's (dapp/src/i18n), English unless the profile says."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from backend.errors import ErrorCode, HdexError

LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
# What staff's content (help articles, announcements) is translated into: it is written in English first.
TRANSLATED = tuple(language for language in LANGUAGES if language != DEFAULT_LANGUAGE)


def check_translated(language: str, what: str, field: str) -> str:
    """`language` if `what` (staff's content: "articles") can be translated into it, else INVALID_FIELD naming
    `field` (pure)."""
    if language not in TRANSLATED:
        raise HdexError(
            ErrorCode.INVALID_FIELD,
            f"{what} are written in {DEFAULT_LANGUAGE} and translated into {', '.join(TRANSLATED)}",
            field,
        )
    return language


def source_digest(title: str, body: str) -> str:
    """What a translation keeps of the English text it was written from (title and body: NUL, which neither may
    hold, keeps them apart): once the English differs, the translation is outdated."""
    return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


def followed_source(
    was: Mapping[str, str] | None, now: Mapping[str, str], held_source: str, current: str, still_fits: bool
) -> str:
    """The digest of the English a stored translation follows once saved with its English: `current` (the English
    saved) for a translation new, rewritten (`now`'s words differ from those it `was`) or said to still fit; else
    the one it followed (`held_source`, the English held until now, for one stored before translations kept one)."""
    if was is None or still_fits or any(was.get(key) != value for key, value in now.items()):
        return current
    return was.get("source", held_source)


def written_for_other_english(stored: Mapping[str, str], current: str) -> bool:
    """Whether a stored translation follows an English other than `current` (the digest of the English as it is):
    it is outdated. One stored before translations kept a source follows the English as it is: any change of the
    English since then gave it one."""
    return stored.get("source", current) != current


def normal_language(language: object) -> str:
    """`language` as stored (one of LANGUAGES, exactly as the dApp names it), or INVALID_FIELD."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise HdexError(ErrorCode.INVALID_FIELD, f"the language is one of {', '.join(LANGUAGES)}", "language")
    return language
