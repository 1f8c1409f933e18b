"""The example taker bot's report counts what the exchange refused, not what it could not read: a balancer's 502 on
the ticker is no refused order (none was signed), and the bot says it could not read the price instead."""

from __future__ import annotations

import json
import subprocess
import sys

from backend.paths import PROJECT_ROOT

from .test_client_deposit_faults import faulty


def test_a_ticker_the_taker_cannot_read_is_no_refused_order(server: str) -> None:
    posted: list[str] = []

    def ticker_down(method: str, path: str, body: bytes) -> int | None:
        if method == "POST":
            posted.append(path)
        return 502 if path.endswith("/ticker") else None

    with faulty(server, ticker_down) as flaky:
        command = [sys.executable, "scripts/taker_bot.py", "--url", flaky, "--seconds", "1.5", "--interval", "0.2"]
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"orders": 0, "filled": 0, "refused": 0, "unknown": 0} and posted == []
    lines = done.stderr.strip().splitlines()
    assert lines and all(line.startswith("taker_bot: cannot read the best price") for line in lines), lines
