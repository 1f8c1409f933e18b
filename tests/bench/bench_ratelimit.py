"""What one per-IP rate-limit check costs the API process with its counters in Redis (issue 17): the CPU and the
wall time of `RateLimiter.hit` with the X-RateLimit-* headers, as every HTTP request but the replicas' order entry
makes it (on the engine process, the reads replicas pass on). Needs HDEX_REDIS_URL; uses its database as is,
under a client key of its own. Prints one JSON line."""

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
from backend.settings import load_settings


async def measure(redis_url: str, checks: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hdex-bench-") as tmp:
        settings = load_settings(_env_file=None, database_url="sqlite://", data_dir=Path(tmp), redis_url=redis_url,
                                 rate_limit_ip=f"{10 * checks}/minute")  # fmt: skip
    limiter = RateLimiter(settings)
    client = f"bench-{uuid.uuid4().hex}"
    try:
        for _ in range(checks // 10):  # warm-up: connection made, script loaded
            await limiter.hit("ip", client, limiter.ip_limits)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(checks):
            headers = await limiter.hit("ip", client, limiter.ip_limits)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await limiter.close()
    assert "X-RateLimit-Remaining" in headers, headers
    return {
        "benchmark": "rate_limit_check",
        "storage": "redis",
        "checks": checks,
        "cpu_us_per_check": round(cpu / checks * 1e6, 1),
        "wall_us_per_check": round(wall / checks * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=5_000)
    parser.add_argument("--redis-url", default=os.environ.get("HDEX_REDIS_URL"))
    args = parser.parse_args()
    if not args.redis_url:
        raise SystemExit("bench_ratelimit needs Redis: --redis-url or HDEX_REDIS_URL")
    print(json.dumps(asyncio.run(measure(args.redis_url, args.checks))))


if __name__ == "__main__":
    main()
