"""What the per-IP rate limit costs an API process with its counters shared through Redis (issue 17): a check as
a request makes it (`RateLimiter.hit`, with the X-RateLimit-* headers: counted in the process), and an exchange
with Redis (`SharedWindows.exchange`, every HDEX_RATE_LIMIT_SYNC_S: each window's hits since the last one sent,
every replica's count read back), per window it carries. Needs HDEX_REDIS_URL; uses its database as is, under
client keys of its own. Prints one JSON line."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

from backend.api.ratelimit import RateLimiter
from backend.api.windows import SharedWindows
from backend.settings import load_settings


async def measure(redis_url: str, checks: int, clients: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hdex-bench-") as tmp:
        settings = load_settings(_env_file=None, database_url="sqlite://", data_dir=Path(tmp), redis_url=redis_url,
                                 rate_limit_ip=f"{10 * checks}/minute", rate_limit_sync_s=60)  # fmt: skip
    limiter = RateLimiter(settings)
    windows = limiter._windows
    assert isinstance(windows, SharedWindows)
    ips = [f"bench-{uuid.uuid4().hex}" for _ in range(clients)]
    try:
        for ip in ips:  # warm-up: connection made, script loaded, every window known in Redis
            await limiter.hit("ip", ip, limiter.ip_limits)
        await windows.exchange()
        cpu, wall = time.process_time(), time.perf_counter()
        for number in range(checks):
            headers = await limiter.hit("ip", ips[number % clients], limiter.ip_limits)
        check_cpu, check_wall = time.process_time() - cpu, time.perf_counter() - wall
        exchanges = 200
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(exchanges):  # each with one hit of every client to send
            for ip in ips:
                await limiter.hit("ip", ip, limiter.ip_limits)
            await windows.exchange()
        exchange_cpu = time.process_time() - cpu - exchanges * clients * check_cpu / checks
        exchange_wall = time.perf_counter() - wall - exchanges * clients * check_wall / checks
    finally:
        await limiter.close()
    assert "X-RateLimit-Remaining" in headers, headers
    return {
        "benchmark": "rate_limit",
        "storage": "redis, exchanged",
        "checks": checks,
        "check_cpu_us": round(check_cpu / checks * 1e6, 1),
        "check_wall_us": round(check_wall / checks * 1e6, 1),
        "windows_per_exchange": clients,
        "exchange_cpu_us_per_window": round(exchange_cpu / (exchanges * clients) * 1e6, 1),
        "exchange_wall_ms": round(exchange_wall / exchanges * 1e3, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=64, help="windows each exchange carries")
    parser.add_argument("--redis-url", default=os.environ.get("HDEX_REDIS_URL"))
    args = parser.parse_args()
    if not args.redis_url:
        raise SystemExit("bench_ratelimit needs Redis: --redis-url or HDEX_REDIS_URL")
    print(json.dumps(asyncio.run(measure(args.redis_url, args.checks, args.clients))))


if __name__ == "__main__":
    main()
