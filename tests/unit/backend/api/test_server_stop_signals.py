"""`hdex up`'s server forces its exit on a second stop signal in either order (make run sends both)."""

from __future__ import annotations

import signal

import pytest

from backend.api.server import ApiServer
from backend.settings import load_settings


@pytest.mark.parametrize("first, second", [(signal.SIGTERM, signal.SIGINT), (signal.SIGINT, signal.SIGTERM)])
def test_a_second_stop_signal_forces_the_exit_whichever_comes_first(first: int, second: int) -> None:
    server = ApiServer(lambda *_: None, load_settings(_env_file=None), lambda: None)  # type: ignore[arg-type]

    server.handle_exit(first, None)
    assert server.should_exit and not server.force_exit
    server.handle_exit(second, None)
    assert server.force_exit
