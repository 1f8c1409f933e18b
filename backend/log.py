"""Structured logging: one line per event, `key=value` for people or JSON for collectors."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Literal

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _timestamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class KeyValueFormatter(logging.Formatter):
    """`ts=... level=info logger=... msg="..." key=value` (extras from `extra={...}`)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_extras(record),
        }
        line = " ".join(f"{key}={_quote(value)}" for key, value in fields.items())
        if record.exc_info:
            line += " exc=" + _quote(self.formatException(record.exc_info))
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line with the same fields as the key=value format."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        return json.dumps(fields, default=str)


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD_ATTRS}


def _quote(value: object) -> str:
    text = str(value)
    if text and not any(ch in text for ch in ' "=\n\t'):
        return text
    return json.dumps(text)


def configure_logging(level: str = "INFO", fmt: Literal["kv", "json"] = "kv") -> None:
    """Route every logger (ours, uvicorn's, alembic's) through one structured handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Per-request lines of our own RPC client are noise at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Access lines per request are noise at INFO on a trading API; keep them at DEBUG.
    logging.getLogger("uvicorn.access").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
