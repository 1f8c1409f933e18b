"""Engine failover benchmark: how long the book is down after the engine process is killed. One JSON line.

Run from the repository root: `.venv/bin/python tests/bench/bench_failover.py [--orders N]` (`make bench-failover`).
It starts the one-process server of `bench_api.py` (`hdex up`'s shape: API and engine host; SQLite by default,
`--database-url postgresql://...` for a server; journal fsync on; the engine lease's default term, 15 s) and
rests N signed orders in its book through HTTP. Then, with a second process standing by in a data directory of
its own (another machine, as far as it can tell):

1. `restart_s`: the engine process is killed (SIGKILL) and started again on its own data directory, as a
   supervisor restarts it; the time from the kill until its `/health` says `engine: running`, the median of
   `--restarts` rounds. It takes the dead process's lease at once (the lease's mark on this machine) and restores
   the book from its journal and the database.
2. `takeover_s`: the last of them is killed in turn; the time until the standing-by one runs the book. It waits
   out what was left of the dead one's lease (`term_left_at_kill_s`, up to the whole term: the holder renews it
   every third of a term), then restores the book from the database alone (it has no journal);
   `takeover_after_term_s` is the rest.

Each figure includes starting Python and the server where there is one to start. The benchmark fails unless
both books equal the first one (its best 1,000 levels a side) and all N orders are open in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script, tests/ is not a package
    sys.path.insert(0, str(REPO_ROOT))

import bench_api  # noqa: E402  (beside this script)
import httpx  # noqa: E402
from benchkit import free_port  # noqa: E402

LEASE_S = 15.0  # HDEX_ENGINE_LEASE_S's default


def resume_settings(database_url: str, data_dir: Path) -> str:
    """The settings of a restarted or standing-by server, as JSON: the first one's (`bench_api.serve`), with its
    own data directory."""
    from tests.integration.api.exchange_fixtures import fixture_settings

    settings = fixture_settings(database_url, data_dir, engine_lease_s=LEASE_S, **bench_api.server_settings(None))
    return json.dumps(settings.model_dump(mode="json"))


def resume(settings_json: str, port: int) -> None:
    """The child process of a restart or a standby: the prepared database, nothing added, then the server. It
    imports what `hdex engine serve` does, not the test fixtures, so its start costs what a real one's does."""
    from backend.bootstrap import bootstrap
    from backend.settings import load_settings

    bench_api.run_server(bootstrap(load_settings(_env_file=None, **json.loads(settings_json))), port)


def engine_state(port: int) -> str | None:
    """What the server on `port` says of its engine host; None while it does not answer."""
    try:
        body: dict[str, Any] = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return None
    return str(body.get("engine"))


def wait_for_engine(port: int, state: str, process: subprocess.Popen[bytes], timeout_s: float = 300) -> float:
    """Until the server on `port` reports `state`; returns the time it did (monotonic)."""
    deadline = time.monotonic() + timeout_s
    while (now := time.monotonic()) < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited with {process.returncode}")
        if engine_state(port) == state:
            return now
        time.sleep(0.05)
    raise SystemExit(f"server on {port} never reported engine {state}")


def book(port: int) -> dict[str, Any]:
    """The best 1,000 levels a side of the book of the server on `port`."""
    from tests.integration.api.exchange_fixtures import MARKET

    levels: dict[str, Any] = httpx.get(
        f"http://127.0.0.1:{port}/v1/markets/{MARKET}/book", params={"depth": 1000}, timeout=30
    ).json()
    return {side: levels[side] for side in ("bids", "asks")}


def lease_expiry(database_url: str) -> float:
    """When the engine lease's term runs out unless renewed (epoch seconds)."""
    from sqlalchemy import select

    from backend.db.models import Lease
    from backend.db.session import make_engine
    from backend.trading.hosting.lease import ENGINE_LEASE

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(Lease.expires_at_ms).where(Lease.name == ENGINE_LEASE)) or 0) / 1000
    finally:
        engine.dispose()


def open_in_database(database_url: str) -> int:
    from sqlalchemy import func, select

    from backend.db.models import Order
    from backend.db.session import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).where(Order.status == "open")) or 0)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--restarts", type=int, default=3, help="kill and restart in place this many times")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--resume", nargs=2, metavar=("SETTINGS", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.resume:
        resume(args.resume[0], int(args.resume[1]))
        return
    env = {**os.environ, "HDEX_LOG_LEVEL": "WARNING"}
    processes: list[subprocess.Popen[bytes]] = []

    def start(script: str, *argv: str) -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        argv = tuple(str(port) if arg == "PORT" else arg for arg in argv)
        process = subprocess.Popen([sys.executable, script, *argv], cwd=REPO_ROOT, env=env)
        processes.append(process)
        return process, port

    with tempfile.TemporaryDirectory(prefix="hdex-failover-") as tmp:
        database_url, drop = bench_api.database(args.database_url, Path(tmp))
        try:
            first, first_port = start(bench_api.__file__, "--serve", database_url, tmp, "PORT", "")  # no Redis
            bench_api.wait_ready(first_port, first)
            requests = bench_api.order_requests(bench_api.signed_orders(args.orders), first_port)
            _latencies, errors, _elapsed = asyncio.run(
                bench_api.load([first_port], [requests[i::32] for i in range(32)])
            )
            if errors:
                raise SystemExit(f"{errors} of {args.orders} orders refused")
            before = book(first_port)
            standby_dir = Path(tmp) / "standby"
            standby_dir.mkdir()
            standby, standby_port = start(__file__, "--resume", resume_settings(database_url, standby_dir), "PORT")
            wait_for_engine(standby_port, "standby", standby)

            holder, holder_port, restarts, same = first, first_port, [], True
            for _ in range(args.restarts):
                killed = _kill(holder)
                settings = resume_settings(database_url, Path(tmp))
                holder, holder_port = start(__file__, "--resume", settings, "PORT")
                restarts.append(wait_for_engine(holder_port, "running", holder) - killed)
                same = same and book(holder_port) == before

            killed = _kill(holder)
            term_left_s = lease_expiry(database_url) - time.time()
            takeover_s = wait_for_engine(standby_port, "running", standby) - killed
            same = same and book(standby_port) == before
            resting = open_in_database(database_url)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)
            drop()
    if not same:
        raise SystemExit("the book differs after a failover")
    if resting != args.orders:
        raise SystemExit(f"the book holds {resting} orders after the takeover, not {args.orders}")
    print(json.dumps({
        "benchmark": "engine_failover",
        "open_orders": resting,
        "restart_s": round(statistics.median(restarts), 2),
        "restarts_s": [round(r, 2) for r in restarts],
        "takeover_s": round(takeover_s, 2),
        "term_left_at_kill_s": round(term_left_s, 2),
        "takeover_after_term_s": round(takeover_s - term_left_s, 2),
        "lease_s": LEASE_S,
        "database": database_url.split(":", 1)[0].split("+", 1)[0],
        "cores": os.cpu_count(),
    }))  # fmt: skip


def _kill(process: subprocess.Popen[bytes]) -> float:
    process.send_signal(signal.SIGKILL)
    process.wait()
    return time.monotonic()


if __name__ == "__main__":
    main()
