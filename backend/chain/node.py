"""A local anvil node started from node_modules: the embedded development chain."""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from backend.chain.jsonrpc import RpcError, rpc_call
from backend.errors import CodedError, ErrorCode
from backend.paths import NODE_BIN
from backend.settings import Settings
from backend.supervise import die_with_parent

log = logging.getLogger(__name__)


class NodeError(CodedError, RuntimeError):
    """anvil is missing, or did not answer in time; the message says which and what to run."""

    CODE = ErrorCode.NODE_UNAVAILABLE


def anvil_executable() -> str:
    """The anvil from node_modules (installed by `make setup`), else one on PATH."""
    local = NODE_BIN / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if found is None:
        raise NodeError(f"anvil not found at {local} nor on PATH: run `make setup` (npm ci)")
    return found


def wait_for_rpc(url: str, timeout: float = 30.0) -> int:
    """Wait until the node answers eth_chainId; returns the chain id."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return int(str(rpc_call(url, "eth_chainId", timeout=1.0)), 16)
        except RpcError:
            if time.monotonic() > deadline:
                raise NodeError(f"no node answered at {url} within {timeout:.0f} s") from None
            time.sleep(0.1)


@dataclass
class AnvilNode:
    """An anvil child process. `state_file` keeps the chain across restarts (dumped on exit)."""

    port: int
    chain_id: int = 31337
    block_time: float = 0.0
    state_file: Path | None = None
    log_file: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> AnvilNode:
        """The embedded development node: its port, chain id and block time from settings; its chain
        state and log under the data dir, so the chain survives restarts."""
        return cls(
            port=settings.anvil_port,
            chain_id=settings.chain_id,
            block_time=settings.anvil_block_time,
            state_file=settings.data_dir / "chain" / "anvil-state.json",
            log_file=settings.data_dir / "logs" / "anvil.log",
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            anvil_executable(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            "10",
        ]
        if self.block_time > 0:
            cmd += ["--block-time", f"{self.block_time:g}"]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--state", str(self.state_file)]
        return cmd

    def start(self, timeout: float = 30.0) -> None:
        """Start anvil and wait until it answers; fails if the port is taken by another node."""
        if self._process is not None:
            raise NodeError("anvil already started")
        try:
            wait_for_rpc(self.url, timeout=0.2)
        except NodeError:
            pass
        else:
            raise NodeError(
                f"port {self.port} already answers JSON-RPC: stop that node or set HDEX_ANVIL_PORT"
            )
        output = subprocess.DEVNULL
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_file.open("ab")  # type: ignore[assignment]
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,  # anvil must not outlive hdex, even after SIGKILL
        )
        try:
            chain_id = wait_for_rpc(self.url, timeout=timeout)
        except NodeError:
            self.stop()
            raise
        if chain_id != self.chain_id:
            self.stop()
            raise NodeError(f"anvil answered chain id {chain_id}, expected {self.chain_id}")
        log.info("anvil started url=%s chain_id=%d pid=%d", self.url, chain_id, self._process.pid)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (anvil dumps its state), then SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.info("anvil stopped port=%d", self.port)

    def __enter__(self) -> AnvilNode:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
