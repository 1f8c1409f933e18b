"""The routes name the dApp's languages as literals (so OpenAPI lists them): they must be the ones the accounts
and the translated content know, or a language would be refused at the door or accepted without a translation."""

from __future__ import annotations

from typing import get_args

from backend.accounts.languages import LANGUAGES, TRANSLATED
from backend.api.schemas import Language, Translated


def test_the_routes_take_the_languages_the_content_has() -> None:
    assert get_args(Language) == LANGUAGES
    assert get_args(Translated) == TRANSLATED
