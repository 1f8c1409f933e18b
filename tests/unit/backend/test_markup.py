"""Markdown rendering stays proportional to what was written: a table's short rows are filled up with empty
cells, but only so many, so a small text cannot expand into megabytes of HTML (it is rendered at every read of
a ticket)."""

import pytest

from backend.errors import HdexError
from backend.markup import MAX_CELLS, MAX_HTML_CHARS, plain, render


def test_a_short_row_still_gets_its_empty_cells() -> None:
    html = render("| a | b |\n|---|---|\n| 1 |\n| 2 | 3 |\n")
    assert html.count("<td>") == 4 and "<td></td>" in html


def test_a_wide_header_over_rows_of_bare_pipes_does_not_blow_up() -> None:
    bomb = "|" + "a|" * 1_000 + "\n|" + "-|" * 1_000 + "\n" + "|\n" * 3_000  # 10 kB
    assert len(render(bomb)) < 4 * len(bomb)  # 670 kB with the library's own bound of 65,536 cells


def many_small_tables(chars: int, columns: int = 20) -> str:
    """Tables that each fill up close to the per-table bound of empty cells, as many as `chars` holds."""
    table = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + "|\n" * (1_000 // (columns - 1) + 1) + "\n"
    return (table * (chars // len(table)))[:chars]


def test_many_small_tables_stop_being_tables_past_the_documents_cells() -> None:
    """A hundred tables of a thousand cells each made a 20 kB post 1.1 MB of HTML after seconds of parsing."""
    bomb = many_small_tables(20_000)
    html = render(bomb)
    cells = html.count("<td") + html.count("<th")
    assert MAX_CELLS <= cells <= MAX_CELLS + 1_100  # the table that crossed the bound ends whole
    assert len(html) < 100_000


def test_a_large_real_table_still_renders_whole() -> None:
    rows = "".join(f"| {i} | {i * 2} | {i * 3} | {i * 4} |\n" for i in range(1_000))
    html = render("| a | b | c | d |\n|---|---|---|---|\n" + rows)
    assert html.count("<td>") == 4_000 and "<td>2997</td>" in html


def test_a_link_used_by_reference_thousands_of_times_is_refused() -> None:
    """Each use repeats the URL: 20 kB of source made 12 MB of HTML, stored and sent at every read."""
    bomb = f"[a]: http://e.x/{'a' * 5_000}\n\n" + "[a]" * 5_000
    for convert in (render, plain):
        with pytest.raises(HdexError) as refused:
            convert(bomb)
        assert refused.value.code == "INVALID_FIELD" and "KiB of HTML" in refused.value.message
    assert render("[a]: http://e.x/\n\n" + "[a] " * 100).count("<a ") == 100  # ordinary use is untouched
    # a text kept before the bound (read back at each view, or migrated) is still shown: nothing fails on it
    assert len(render(bomb, stored=True)) > MAX_HTML_CHARS and plain(bomb, stored=True).startswith("aaa")
