"""Where a reconnecting alert stream resumes: only from a header that is an alert id."""

from backend.api.routes.staff_alerts import _alert_id
from backend.db.types import MAX_ROW_ID


def test_a_last_event_id_resumes_the_stream_only_when_it_is_an_ascii_alert_id() -> None:
    assert _alert_id("42") == 42 and _alert_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    # "²" (a Latin-1 byte 0xB2 in the header) is a digit to str.isdigit but int() refuses it: it was a 500;
    # "١٢" int() reads, but no client we wrote sends; past 2^31 - 1 no alert id can be.
    for header in ("²", "١٢", str(MAX_ROW_ID + 1), "12ab", "-1", "", None):
        assert _alert_id(header) is None, header
