"""Two changes of one wallet's account raced at their worst moment: the second runs while the first holds its unit
of work open between its check and its commit."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from backend.errors import HdexError


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except HdexError as exc:
        return exc.code


def race(
    module: object, name: str, monkeypatch: pytest.MonkeyPatch, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Any, Any]:
    """`first` runs until `module.name` has returned inside it and holds its unit of work open there, while `second`
    runs: for up to 2 s, in which it finishes unless a lock makes it wait for `first`. Then both finish. Each
    outcome is the call's result or its HdexError's code."""
    ran, go_on = threading.Event(), threading.Event()
    original = getattr(module, name)

    def run_then_pause(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        if not ran.is_set():  # the first call only (`second` may pass here too)
            ran.set()
            assert go_on.wait(30)
        return result

    monkeypatch.setattr(module, name, run_then_pause)
    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(_outcome, first)
        assert ran.wait(30)
        two = pool.submit(_outcome, second)
        with contextlib.suppress(TimeoutError):
            two.result(timeout=2)
        go_on.set()
        return one.result(timeout=30), two.result(timeout=30)
