"""The example market maker never leaves quotes behind: however it stops, its orders are cancelled.

It runs as a real process against a real server; the test waits for its first round of quotes,
stops it the way a supervisor or a person would, and reads the book back through the API.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from typing import IO, Any

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient
from backend.paths import PROJECT_ROOT

from .exchange_fixtures import MARKET

BOT = 7


def start_bot(server: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """The bot quoting 2 levels a side and then idling (refresh 60 s) until it is stopped."""
    command = [sys.executable, "scripts/market_maker.py", "--url", server, "--key", DEV_KEYS[BOT],
               "--levels", "2", "--refresh", "60"]  # fmt: skip
    bot = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, args=(bot.stdout,), daemon=True).start()
    return bot, lines


def wait_for_line(lines: queue.Queue[str], text: str, timeout: float = 30.0) -> str:
    """The first output line containing `text` (bounded: queue.get times out)."""
    while True:
        line = lines.get(timeout=timeout)
        if text in line:
            return line


def open_orders(server: str) -> list[dict[str, object]]:
    with HdexClient(server, DEV_KEYS[BOT]) as bot:
        return bot.open_orders(MARKET)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signalled_market_maker_cancels_its_quotes_before_exiting(server: str, stop: signal.Signals) -> None:
    bot, lines = start_bot(server)
    try:
        assert "4 quotes around" in wait_for_line(lines, "round 1:")
        assert len(open_orders(server)) == 4
        bot.send_signal(stop)
        assert bot.wait(timeout=30) == 0, bot.stderr.read() if bot.stderr else ""
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(timeout=10)
    assert "cancelled 4 quotes" in wait_for_line(lines, "cancelled", timeout=5)
    assert open_orders(server) == []
    with HdexClient(server) as reader:
        book = reader.book(MARKET)
    assert book["bids"] == [] and book["asks"] == []


def test_a_market_maker_that_fails_mid_run_cancels_its_quotes_and_says_why(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    try:
        import market_maker
    finally:
        sys.path.remove(str(PROJECT_ROOT / "scripts"))
    real_round = market_maker.run_round

    def round_then_fail(*args: Any) -> int:
        real_round(*args)
        raise RuntimeError("the bot's own bug")

    monkeypatch.setattr(market_maker, "run_round", round_then_fail)
    monkeypatch.setattr(sys, "argv", ["market_maker.py", "--url", server, "--key", DEV_KEYS[BOT], "--levels", "2"])
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(RuntimeError, match="the bot's own bug"):
            market_maker.main()
    finally:
        for signum, handler in handlers.items():  # main() installed its own
            signal.signal(signum, handler)
    assert "cancelled 4 quotes" in capsys.readouterr().out
    assert open_orders(server) == []
