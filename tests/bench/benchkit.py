"""Small pieces the chain benchmarks share (they run as scripts, so this sits beside them)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from eth_abi.abi import encode
from eth_utils.crypto import keccak


def free_port() -> int:
    """A TCP port nothing listens on right now, for a benchmark's own anvil or server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def progress(bench: str, message: str) -> None:
    """One progress line on stderr (stdout carries only the benchmark's JSON line)."""
    print(f"{bench}: {message}", file=sys.stderr, flush=True)


def calldata(signature: str, types: list[str], values: list[object]) -> str:
    """0x-hex calldata of `signature` called with `values`."""
    return "0x" + (keccak(text=signature)[:4] + encode(types, values)).hex()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) process `pid` has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15 of stat(5)
