"""Markdown rendering stays proportional to what was written: a table's short rows are filled up with empty
cells, but only so many, so a small text cannot expand into megabytes of HTML (it is rendered at every read of
a ticket)."""

from backend.markup import render


def test_a_short_row_still_gets_its_empty_cells() -> None:
    html = render("| a | b |\n|---|---|\n| 1 |\n| 2 | 3 |\n")
    assert html.count("<td>") == 4 and "<td></td>" in html


def test_a_wide_header_over_rows_of_bare_pipes_does_not_blow_up() -> None:
    bomb = "|" + "a|" * 1_000 + "\n|" + "-|" * 1_000 + "\n" + "|\n" * 3_000  # 10 kB
    assert len(render(bomb)) < 4 * len(bomb)  # 670 kB with the library's own bound of 65,536 cells
