"""The help center: articles staff write in Markdown, published for everyone, searchable."""

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

__all__ = ["ArticleDraft", "ArticleView", "change", "create", "delete", "get", "get_published", "search"]
