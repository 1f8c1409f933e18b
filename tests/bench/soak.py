"""Soak: the example market maker and taker bot trade through `hdex up`'s whole stack for a while.

Run: `make soak` (10 minutes; `SOAK_SECONDS=20 make soak` for a short one, as CI runs it). `hdex up` on free
ports (anvil, the contracts, the API and engine, the indexer and the relayer; SQLite), then
`scripts/market_maker.py` (dev account 8) quoting and `scripts/taker_bot.py` (dev account 9) taking, each
depositing first. Every few seconds it samples each process's resident memory (`hdex up`, anvil, the two
bots) and how many fills wait for settlement. At the end the bots stop (the maker cancels its quotes), the
last fills settle, and `hdex reconcile` compares the ledger with the chain.

Passes (exit 0) when: no bot printed an error or exited non-zero, the fills awaiting settlement never
outgrew `--max-unsettled` and all settled at the end, each HDEX process's memory after the warm-up (the
first quarter) stayed within 10% of its first post-warm-up sample (anvil keeps every block in memory, so its
growth is reported, not judged), and reconcile found no difference. Prints one JSON line either way.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchkit import progress  # beside this script

from backend.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the browser tests' stack, shared rather than copied
from tests.browser.stack import FAST_SETTINGS, Stack, running_stack
from tests.processes import without_hdex_settings

MEMORY_GROWTH_LIMIT = 0.10
NOT_JUDGED = ("anvil",)  # a dev chain holds its whole history in memory: growth there is the chain's, not ours
SETTLE_TIMEOUT_S = 120


def rss_kib(pid: int) -> int | None:
    """The process's resident set in KiB (None once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(pid: int) -> dict[int, str]:
    """pid -> command name of every process under `pid` (anvil runs under `hdex up`)."""
    found: dict[int, str] = {}
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                found[child] = Path(f"/proc/{child}/comm").read_text().strip()
                pending.append(child)
    return found


def unsettled_fills(data_dir: Path) -> int:
    """Fills of the stack's SQLite ledger not settled on-chain yet (read-only)."""
    with sqlite3.connect(f"file:{data_dir / 'hdex.db'}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute("SELECT COUNT(*) FROM fills WHERE status != 'settled'").fetchone()
    return int(row[0])


def start_bots(stack: Stack, args: argparse.Namespace) -> dict[str, subprocess.Popen[str]]:
    python, scripts = sys.executable, PROJECT_ROOT / "scripts"
    common = ["--url", stack.url, "--rpc", stack.rpc_url]
    commands = {
        "market_maker": [python, str(scripts / "market_maker.py"), *common, "--refresh", "1", "--levels", "3",
                         "--size", "0.1", "--deposit-base", "20", "--deposit-quote", "60000"],
        "taker_bot": [python, str(scripts / "taker_bot.py"), *common, "--interval", str(args.taker_interval),
                      "--size", "0.05", "--deposit-base", "10", "--deposit-quote", "30000"],
    }  # fmt: skip
    return {
        name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, command in commands.items()
    }


def stop_bots(bots: dict[str, subprocess.Popen[str]]) -> dict[str, dict[str, Any]]:
    outcome = {}
    for name, bot in bots.items():
        bot.send_signal(signal.SIGTERM)
        out, err = bot.communicate(timeout=60)
        outcome[name] = {"exit": bot.returncode, "errors": [line for line in err.splitlines() if line.strip()],
                         "last": out.strip().splitlines()[-1:]}  # fmt: skip
    return outcome


def memory_growth(samples: list[dict[str, int]], name: str) -> float | None:
    """The growth of `name`'s memory from the first post-warm-up sample to the mean of the last three."""
    series = [sample[name] for sample in samples if name in sample]
    if len(series) < 4:
        return None
    return statistics.fmean(series[-3:]) / series[0] - 1


def reconcile(stack: Stack, data_dir: Path) -> tuple[bool, str]:
    anvil_port = stack.rpc_url.rsplit(":", 1)[1]
    env = without_hdex_settings(**FAST_SETTINGS, HDEX_DATA_DIR=str(data_dir), HDEX_ANVIL_PORT=anvil_port)
    run = subprocess.run([sys.executable, "-m", "backend.cli", "reconcile"], cwd=data_dir, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    return run.returncode == 0, (run.stdout + run.stderr).strip()


def soak(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    with running_stack(data_dir) as stack:
        progress("soak", f"stack up at {stack.url}; bots depositing")
        bots = start_bots(stack, args)
        warm_up_until = time.monotonic() + args.seconds / 4
        end = time.monotonic() + args.seconds
        samples: list[dict[str, int]] = []
        most_unsettled = 0
        try:
            while time.monotonic() < end:
                time.sleep(args.sample_s)
                dead = {name: bot.returncode for name, bot in bots.items() if bot.poll() is not None}
                if dead:
                    raise RuntimeError(f"a bot exited early: {dead}")
                most_unsettled = max(most_unsettled, unsettled_fills(data_dir))
                if time.monotonic() < warm_up_until:
                    continue
                processes = {stack.pid: "hdex-up", **descendants(stack.pid)}
                processes.update({bot.pid: name for name, bot in bots.items()})
                sample = {name: rss for pid, name in processes.items() if (rss := rss_kib(pid)) is not None}
                samples.append(sample)
                progress("soak", f"{len(samples)} samples; unsettled {most_unsettled} at most; RSS KiB {sample}")
        finally:
            bots_outcome = stop_bots(bots)
        settle_deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while (left := unsettled_fills(data_dir)) and time.monotonic() < settle_deadline:
            time.sleep(0.5)
        reconciled, report = reconcile(stack, data_dir)
    names = sorted({name for sample in samples for name in sample})
    growth = {name: memory_growth(samples, name) for name in names}
    judged = {name: value for name, value in growth.items() if value is not None and name not in NOT_JUDGED}
    trades = json.loads(bots_outcome["taker_bot"]["last"][0]) if bots_outcome["taker_bot"]["last"] else {}
    errors = sum(len(outcome["errors"]) for outcome in bots_outcome.values())
    checks = {
        "no_errors": errors == 0 and all(outcome["exit"] == 0 for outcome in bots_outcome.values()),
        "settlement_kept_up": most_unsettled <= args.max_unsettled and left == 0,
        "memory_flat": bool(judged) and all(value <= MEMORY_GROWTH_LIMIT for value in judged.values()),
        "reconciled": reconciled,
    }
    return {
        "bench": "soak", "seconds": args.seconds, "ok": all(checks.values()), "checks": checks,
        "taker": trades, "bot_errors": errors, "unsettled_max": most_unsettled, "unsettled_at_end": left,
        "rss_growth": {name: None if value is None else round(value, 4) for name, value in growth.items()},
        "rss_kib_last": samples[-1] if samples else {}, "samples": len(samples),
        "reconcile": report.splitlines()[-1] if report else "",
        "errors_seen": [line for outcome in bots_outcome.values() for line in outcome["errors"]][:5],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--sample-s", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--taker-interval", type=float, default=0.5, help="seconds between the taker's orders")
    parser.add_argument("--max-unsettled", type=int, default=50, help="fills awaiting settlement allowed at once")
    args = parser.parse_args()
    args.sample_s = min(args.sample_s, max(1.0, args.seconds / 12))  # a short soak still gets its samples
    with tempfile.TemporaryDirectory() as tmp:
        result = soak(args, Path(tmp) / "var")
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
