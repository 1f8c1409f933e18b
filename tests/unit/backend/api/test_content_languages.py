"""The help routes name the dApp's languages as literals (so OpenAPI lists them): they must be the ones the help
domain translates into, or a language would be refused at the door or accepted without a translation."""

from __future__ import annotations

from typing import get_args

from backend.accounts.languages import LANGUAGES
from backend.api.routes.help import Language
from backend.api.routes.staff_help import TranslatedLanguage
from backend.help import TRANSLATED


def test_the_routes_take_the_languages_the_help_center_has() -> None:
    assert get_args(Language) == LANGUAGES
    assert get_args(get_args(TranslatedLanguage)[0]) == TRANSLATED
