"""Structured logging: one parseable line per event in either format."""

import json
import logging

from backend.log import JsonFormatter, KeyValueFormatter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("hdex.test", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_key_value_lines_quote_values_with_spaces_and_carry_extras() -> None:
    line = KeyValueFormatter().format(_record("deposit credited", wallet="0xabc", amount="10 00"))
    assert "\n" not in line
    assert 'msg="deposit credited"' in line
    assert "wallet=0xabc" in line
    assert 'amount="10 00"' in line
    assert "level=info" in line


def test_json_lines_are_one_object_with_the_same_fields() -> None:
    line = JsonFormatter().format(_record("deposit credited", wallet="0xabc"))
    fields = json.loads(line)
    assert fields["msg"] == "deposit credited"
    assert fields["wallet"] == "0xabc"
    assert fields["logger"] == "hdex.test"
