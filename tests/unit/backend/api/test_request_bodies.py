"""A request body (`Input`) refuses unknown fields and a NUL character anywhere in it, naming where."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from backend.api.schemas import Input


class Note(Input):
    title: str
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "tags": ["x", "y\x00"]}, "tags[1]"),
        ({"title": "ok", "extra": {"k\x00": "v"}}, "extra.k\x00"),
        ({"title": "ok", "extra": {"k": "\x00"}}, "extra.k"),
    ],
)
def test_a_nul_anywhere_is_refused_naming_where(body: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Note.model_validate(body)
    assert refused.value.errors()[0]["msg"] == f"{where} cannot hold the NUL character"


def test_a_clean_body_passes_and_an_unknown_field_is_refused() -> None:
    assert Note.model_validate({"title": "\t tabs and\nnewlines are text"}).title.startswith("\t")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Note.model_validate({"title": "ok", "colour": "red"})
