"""Signed-order API benchmark: one JSON line with accepted orders per second and latency percentiles.

Run from the repository root: `.venv/bin/python tests/bench/bench_api.py [--orders N] [--clients C]`
(`make bench-api`). It starts a real server (uvicorn, uvloop, httptools) in a child process on a
free loopback port, with its database (a fresh SQLite file by default, the embedded shape; or
`--database-url postgresql://...` to a server, where it creates and drops a database), journal
fsync on. Orders are signed beforehand (EIP-712, coincurve) by 100 funded wallets, resting at
distinct prices so none trades (the figure is order entry: checks, holds, engine, journal,
database); `C` concurrent keep-alive HTTP/1.1 connections POST them as fast as the server answers.
The first `--warmup` orders are not measured. `errors` counts every answer that is not 201.
The line also carries the signing path's own rates next to eth-account's, measured in-process.

`--replicas N` (issue 17) measures the scale-out shape instead: the server is the engine process (its
command stream on, over `--redis-url`, default HDEX_REDIS_URL) and the clients spread over N `hdex api`
replicas in front of it. All of it shares this machine's cores with the load generator, whose own CPU use
during the measured part is reported (`loadgen_cpu_share`: CPU seconds per wall second). So is each server's
CPU time per accepted order (`server_cpu_ms_per_order`: the one process, or the engine process;
`replica_cpu_ms_per_order`: all replicas together): one engine process is one Python process, so
1000 / `server_cpu_ms_per_order` is about the most orders per second it can take, however many cores the
replicas are given.

`--cancels` measures cancelling instead (`cancels_per_s`): the orders are placed first, unmeasured, then each is
cancelled by a signed `DELETE /v1/orders/{hash}` (the warm-up's first); the CPU figures are then per cancel
(`server_cpu_ms_per_cancel`, `replica_cpu_ms_per_cancel`).

`--batch N` sends the orders N to a request (`POST /v1/orders/batch`, at most 20): HTTP's cost per request is
then spread over N orders. `orders_per_s` still counts orders (each signed and checked on its own), the latencies
are per request, and `errors` counts every order not answered 201 in its place in the batch.

`--drain` measures that directly: the engine process alone, `--orders` vouched commands put on its stream
while it is stopped, timed from when it resumes until the last answer (no HTTP, no replica on its cores).
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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script, tests/ is not a package
    sys.path.insert(0, str(REPO_ROOT))

import redis  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from benchkit import cpu_seconds, free_port  # noqa: E402  (beside this script)
from eth_account import Account  # noqa: E402

from backend.chain.devkeys import DEV_KEYS  # noqa: E402
from backend.signing import Domain, Order, order_digest, recover_signer, sign_digest  # noqa: E402
from backend.signing.typed_data import typed_data_json  # noqa: E402
from backend.trading.usecases.command_stream import Answer, CommandStream  # noqa: E402
from tests.processes import stop_process  # noqa: E402

WALLETS = 100
COMMAND_KEY = "bench-api-command-key-0123456789abcdef"  # replicas vouch for signatures, as in production
SERVER_ENV = {**os.environ, "HDEX_LOG_LEVEL": "WARNING"}  # every server process the benchmark starts
CHAIN_ID = 31337


def wallet_keys(count: int) -> list[bytes]:
    """Deterministic private keys for the benchmark's wallets (never used anywhere else)."""
    from backend.signing.typed_data import keccak

    return [keccak(f"hdex-bench-wallet-{i}".encode()) for i in range(count)]


def server_settings(redis_url: str | None) -> dict[str, Any]:
    """The benchmark server's settings, beyond the test fixtures' defaults."""
    from backend.settings import default_limit_tiers

    return {
        "rate_limit_ip": "1000000/second",
        "rate_limit_address": "1000000/second",
        "max_open_orders": 100_000,
        "engine_fsync": True,
        "trading_sync_interval": 1.0,
        "limits_tiers": default_limit_tiers(),  # each order checked against the default tier limits, as in production
        "limits_fixed_prices": {},
        **({"redis_url": redis_url, "command_stream": True, "command_key": COMMAND_KEY} if redis_url else {}),
    }


def serve(database_url: str, data_dir: Path, port: int, redis_url: str | None) -> None:
    """The child process: fixtures and the benchmark's funded wallets, then uvicorn until killed."""
    from backend.trading.rules.accounts import checksum
    from tests.integration.api.exchange_fixtures import USDC, WETH, fund, prepare

    container = prepare(database_url, data_dir, **server_settings(redis_url))
    for key in wallet_keys(WALLETS):
        address = Account.from_key(key).address
        fund(container, address, checksum(WETH), 10**24)
        fund(container, address, checksum(USDC), 10**15)
    run_server(container, port)


def run_server(container: Any, port: int) -> None:
    """The API of `container` (its engine host included) on `port`, until killed, with the collector tuned as
    `hdex up`, `hdex engine serve` and `hdex api` tune it."""
    import uvicorn

    from backend.api.app import create_app
    from backend.api.server import tune_garbage_collector

    tune_garbage_collector()
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=port, log_level="warning", access_log=False,
        loop="uvloop", http="httptools", lifespan="on",
    )  # fmt: skip
    uvicorn.Server(config).run()


def http_request(method: bytes, path: bytes, port: int, body: bytes) -> bytes:
    """One raw HTTP/1.1 request with a JSON body."""
    return (
        b"%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (method, path, port, len(body), body)
    )


def order_requests(orders: list[SignedOrder], port: int, batch: int = 1) -> list[bytes]:
    """`POST /v1/orders` of each order, or with `batch` above 1 `POST /v1/orders/batch` of each `batch` of them."""
    if batch == 1:
        return [http_request(b"POST", b"/v1/orders", port, body) for body, _hash, _key in orders]
    bodies = [body for body, _hash, _key in orders]
    return [
        http_request(b"POST", b"/v1/orders/batch", port, b'{"orders":[%s]}' % b",".join(bodies[i : i + batch]))
        for i in range(0, len(bodies), batch)
    ]


def cancel_requests(orders: list[SignedOrder], port: int) -> list[bytes]:
    """`DELETE /v1/orders/{hash}` of each order, signed by its maker."""
    from backend.signing import Cancel, cancel_digest

    domain = exchange_domain()
    requests = []
    for _body, order_hash, key in orders:
        digest = cancel_digest(domain, Cancel(Account.from_key(key).address, bytes.fromhex(order_hash[2:])))
        body = json.dumps({"signature": "0x" + sign_digest(key, digest).hex()}).encode()
        requests.append(http_request(b"DELETE", f"/v1/orders/{order_hash}".encode(), port, body))
    return requests


def exchange_domain() -> Domain:
    """The EIP-712 domain of the Exchange the prepared database records."""
    from tests.integration.api.exchange_fixtures import EXCHANGE

    return Domain(CHAIN_ID, EXCHANGE)


def signed_bodies(count: int) -> list[bytes]:
    """`count` POST /v1/orders bodies, each a distinct resting order signed by one of the wallets."""
    return [body for body, _hash, _key in signed_orders(count)]


SignedOrder = tuple[bytes, str, bytes]  # a POST /v1/orders body, the order's hash, its maker's key


def signed_orders(count: int) -> list[SignedOrder]:
    """`count` distinct resting orders, each signed by one of the wallets."""
    from tests.integration.api.exchange_fixtures import LOT, PRICE, TICK, USDC, WETH, order_json

    domain = exchange_domain()
    keys = wallet_keys(WALLETS)
    makers = [Account.from_key(key).address for key in keys]
    expiry = int(time.time()) + 3600
    out = []
    for i in range(count):
        w = i % WALLETS
        side = i % 2
        offset = (1 + i // 2 % 2000) * TICK  # buys below, sells above the mid: nothing crosses
        price = PRICE - offset if side == 0 else PRICE + offset
        order = Order(makers[w], WETH, USDC, side, 10 * LOT, price, 0, 2_000, i, expiry, 0)
        digest = order_digest(domain, order)
        body = json.dumps({"order": order_json(order), "signature": "0x" + sign_digest(keys[w], digest).hex()})
        out.append((body.encode(), "0x" + digest.hex(), keys[w]))
    return out


async def client(
    port: int, requests: list[bytes], latencies: list[float], errors: list[int], ok: bytes, batch: int
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = status_line.split(b" ", 2)[1]
            if batch == 1:
                errors.append(status != ok)
            else:  # each order's place in the batch answers 201 when placed (the last batch may be short)
                errors.append(request.count(b'"signature"') - body.count(b'"status":201') if status == b"200" else 1)
    finally:
        writer.close()


async def load(
    ports: list[int], per_connection: list[list[bytes]], ok: bytes = b"201", batch: int = 1
) -> tuple[list[float], int, float]:
    """Each list of requests on its own connection, the connections spread over `ports`; an answer not `ok` (in a
    batch: an order not placed) is an error."""
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(client(ports[i % len(ports)], requests, latencies, errors, ok, batch)
          for i, requests in enumerate(per_connection))
    )  # fmt: skip
    return latencies, sum(errors), time.perf_counter() - started


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/markets", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def signing_rates(samples: int = 2_000) -> dict[str, float]:
    """Digest + recovery per second: ours against eth-account's generic path."""
    domain = Domain(CHAIN_ID, "0x" + "e1" * 20)
    key = DEV_KEYS[5]
    order = Order(Account.from_key(key).address, "0x" + "0a" * 20, "0x" + "0b" * 20, 0, 10**18, 3 * 10**9, 0,
                  2_000, 1, 2**40, 0)  # fmt: skip
    signature = sign_digest(bytes.fromhex(key[2:]), order_digest(domain, order))
    started = time.perf_counter()
    for _ in range(samples):
        recover_signer(order_digest(domain, order), signature)
    ours = samples / (time.perf_counter() - started)
    document = typed_data_json(domain, "Order", order._asdict())
    from eth_account.messages import encode_typed_data

    started = time.perf_counter()
    for _ in range(samples // 10):
        Account.recover_message(encode_typed_data(full_message=document), signature=signature)
    theirs = samples // 10 / (time.perf_counter() - started)
    return {"verify_per_s": round(ours), "eth_account_verify_per_s": round(theirs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--replicas", type=int, default=0, help="0: one process (hdex up's shape)")
    parser.add_argument("--drain", action="store_true", help="the engine process alone, draining a full stream")
    parser.add_argument("--cancels", action="store_true", help="cancels of resting orders instead of orders")
    parser.add_argument("--batch", type=int, default=1, help="orders per request (POST /v1/orders/batch), 1-20")
    parser.add_argument("--redis-url", default=os.environ.get("HDEX_REDIS_URL"))
    parser.add_argument("--serve", nargs=4, metavar=("URL", "DIR", "PORT", "REDIS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], Path(args.serve[1]), int(args.serve[2]), args.serve[3] or None)
        return
    if not 1 <= args.batch <= 20 or (args.batch > 1 and (args.cancels or args.drain)):
        raise SystemExit("--batch takes 1 to 20, and measures placing orders over HTTP only")
    if (args.replicas or args.drain) and not args.redis_url:
        raise SystemExit("--replicas and --drain need Redis: --redis-url or HDEX_REDIS_URL")
    print(json.dumps(drain(args) if args.drain else over_http(args)))


@contextmanager
def engine_server(args: argparse.Namespace, redis_url: str) -> Iterator[tuple[int, list[subprocess.Popen[bytes]], str]]:
    """The server (the one process, or with `redis_url` the engine process) on a fresh database: its port, the
    list of the processes to stop at the end (it first), the database URL."""
    with tempfile.TemporaryDirectory(prefix="hdex-bench-") as tmp:
        database_url, drop = database(args.database_url, Path(tmp))
        port = free_port()
        processes = [subprocess.Popen(
            [sys.executable, __file__, "--serve", database_url, tmp, str(port), redis_url], cwd=REPO_ROOT,
            env=SERVER_ENV,
        )]  # fmt: skip
        try:
            wait_ready(port, processes[0])
            yield port, processes, database_url
        finally:
            # The replicas first, then the server; one that hangs is killed and named: left running, unseen
            killed = [
                "the server" if index == 0 else f"replica {index}"
                for index, process in reversed(list(enumerate(processes)))
                if not stop_process(process, timeout_s=30)
            ]
            drop()
            if killed:
                raise SystemExit(f"{', '.join(killed)}: not stopped within 30 s of SIGTERM (killed)")


def over_http(args: argparse.Namespace) -> dict[str, Any]:
    """Signed orders over HTTP: to the one process, or to `--replicas` replicas in front of the engine process.
    With `--cancels`, the orders are placed first, unmeasured, and their cancels are measured instead."""
    redis_url = _empty_redis(args.redis_url) if args.replicas else ""
    what, ok = ("cancels", b"200") if args.cancels else ("orders", b"201")
    with engine_server(args, redis_url) as (port, processes, database_url):
        ports = _start_replicas(args.replicas, port, redis_url, processes) if args.replicas else [port]
        orders = signed_orders(args.warmup + args.orders)
        if args.cancels:
            placed = order_requests(orders, port)
            asyncio.run(load(ports, [placed[i :: args.clients] for i in range(args.clients)]))
            cancels = cancel_requests(orders, port)
            warm, measured = cancels[: args.warmup], cancels[args.warmup :]
        else:
            warm = order_requests(orders[: args.warmup], port, args.batch)
            measured = order_requests(orders[args.warmup :], port, args.batch)
        asyncio.run(load(ports, [warm[i :: args.clients] for i in range(args.clients)], ok, args.batch))
        cpu_before = time.process_time()
        servers_before = [cpu_seconds(process.pid) for process in processes]
        per_client = [measured[i :: args.clients] for i in range(args.clients)]
        latencies, errors, elapsed = asyncio.run(load(ports, per_client, ok, args.batch))
        loadgen_cpu = time.process_time() - cpu_before
        servers_cpu = [cpu_seconds(p.pid) - before for p, before in zip(processes, servers_before, strict=True)]
    latencies.sort()

    def per_order_ms(cpu_s: float) -> float:
        return round(cpu_s * 1000 / int(args.orders), 3)

    return {
        "benchmark": f"api_{what}",
        f"{what}_per_s": round(args.orders / elapsed),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "errors": errors,
        what: args.orders,
        "orders_per_request": args.batch,
        "clients": args.clients,
        "replicas": args.replicas,
        "shape": f"{args.replicas} hdex api + engine process" if args.replicas else "one process",
        "loadgen_cpu_share": round(loadgen_cpu / elapsed, 2),
        f"server_cpu_ms_per_{what[:-1]}": per_order_ms(servers_cpu[0]),
        **({f"replica_cpu_ms_per_{what[:-1]}": per_order_ms(sum(servers_cpu[1:]))} if args.replicas else {}),
        "cores": os.cpu_count(),
        "database": database_kind(database_url),
        **signing_rates(),
    }


def drain(args: argparse.Namespace) -> dict[str, Any]:
    """The engine process alone: `--orders` commands put on the stream as a replica puts them (vouched for) while
    it is stopped (SIGSTOP), then timed from SIGCONT until every answer is back. No HTTP, no replica shares its
    cores: what one engine process takes per second with replicas on cores of their own."""
    redis_url = _empty_redis(args.redis_url)
    bodies = signed_bodies(args.warmup + args.orders)
    warm, measured = bodies[: args.warmup], bodies[args.warmup :]
    with engine_server(args, redis_url) as (_port, processes, database_url):
        elapsed, cpu, errors = asyncio.run(_drain(processes[0], redis_url, warm, measured))
    return {
        "benchmark": "api_orders",
        "orders_per_s": round(args.orders / elapsed),
        "drain_s": round(elapsed, 2),
        "errors": errors,
        "orders": args.orders,
        "shape": "engine process alone, draining the command stream",
        "server_cpu_ms_per_order": round(cpu * 1000 / args.orders, 3),
        "cores": os.cpu_count(),
        "database": database_kind(database_url),
    }


async def _drain(
    engine: subprocess.Popen[bytes], redis_url: str, warm: list[bytes], measured: list[bytes]
) -> tuple[float, float, int]:
    """Seconds from resuming the engine to its last answer, its CPU seconds meanwhile, and the errors answered."""
    client = aioredis.Redis.from_url(redis_url)
    stream = CommandStream(client, "hdex:replies:bench", len(warm) + len(measured), COMMAND_KEY.encode())
    reader = asyncio.create_task(stream.read_answers())
    domain = exchange_domain()

    async def submit(bodies: list[bytes]) -> list[asyncio.Future[Answer]]:
        futures = []
        for body in bodies:
            ticket = uuid.uuid4().hex
            future = await stream.submit(ticket, ticket, body, domain)
            assert future is not None, "the stream refused a command"
            futures.append(future)
        return futures

    try:
        await asyncio.gather(*await submit(warm))
        engine.send_signal(signal.SIGSTOP)
        try:
            waiting = await submit(measured)
        finally:
            engine.send_signal(signal.SIGCONT)
        started, cpu_before = time.perf_counter(), cpu_seconds(engine.pid)
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 600)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(engine.pid) - cpu_before
    finally:
        reader.cancel()
        with suppress(asyncio.CancelledError):  # stopped before its connection is closed under it
            await reader
        await client.aclose()
    return elapsed, cpu, sum(answer.error is not None for answer in answers)


def database_kind(url: str) -> str:
    """sqlite or postgresql, for the result line."""
    return url.split(":", 1)[0].split("+", 1)[0]


def _empty_redis(url: str) -> str:
    """The benchmark's own Redis database (the command stream's keys are fixed), emptied."""
    own = url.rsplit("/", 1)[0] + "/11"
    client = redis.Redis.from_url(own)
    client.flushdb()
    client.close()
    return own


def _start_replicas(
    count: int, engine_port: int, redis_url: str, processes: list[subprocess.Popen[bytes]]
) -> list[int]:
    """`count` `hdex api` replicas in front of the engine process; their ports once all answer."""
    ports = [free_port() for _ in range(count)]
    for port in ports:
        processes.append(subprocess.Popen(
            [str(REPO_ROOT / ".venv" / "bin" / "hdex"), "api"], cwd=REPO_ROOT,
            env={**SERVER_ENV, "HDEX_ENGINE_URL": f"http://127.0.0.1:{engine_port}", "HDEX_REDIS_URL": redis_url,
                 "HDEX_API_PORT": str(port), "HDEX_COMMAND_KEY": COMMAND_KEY, "HDEX_RATE_LIMIT_IP": "1000000/second",
                 "HDEX_RATE_LIMIT_ADDRESS": "1000000/second"},
        ))  # fmt: skip
    for port, process in zip(ports, processes[1:], strict=True):
        wait_ready(port, process)
    return ports


def database(url: str | None, tmp: Path) -> tuple[str, Any]:
    """A database for one run and how to drop it: a SQLite file in `tmp`, or a new one on PostgreSQL server `url`."""
    if url is None or not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'hdex.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"hdex_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
