"""Small pieces the chain benchmarks share (they run as scripts, so this sits beside them)."""

from __future__ import annotations

import socket
import sys

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
