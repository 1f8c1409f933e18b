"""The help center: articles staff write in Markdown and translate, published for everyone, searchable."""

from backend.help.articles import (
    ArticleDraft,
    ArticleView,
    change,
    create,
    delete,
    get,
    get_published,
    search,
)
from backend.help.translations import TranslationView, translate, translations_of, untranslate

__all__ = [
    "ArticleDraft",
    "ArticleView",
    "TranslationView",
    "change",
    "create",
    "delete",
    "get",
    "get_published",
    "search",
    "translate",
    "translations_of",
    "untranslate",
]
