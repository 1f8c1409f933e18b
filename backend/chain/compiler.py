"""Our own compile path (no brownie): py-solc-x over `contracts/`, with brownie's settings.

It writes the fields of brownie's artifact format that HDEX reads, plus `sourceSha1` (not
`sha1`), so brownie still rebuilds its fuller artifacts the next time it runs.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import solcx
import yaml

from backend.chain.artifacts import COMPILED_SOURCES, source_files, source_sha1, stale_sources
from backend.errors import CodedError, ErrorCode
from backend.paths import ARTIFACTS_DIR, CONTRACTS_DIR, PROJECT_ROOT

log = logging.getLogger(__name__)

COMPILE_LOCK = ".compile.lock"


class CompileError(CodedError, RuntimeError):
    """The compiler is missing or the sources do not compile; the message has solc's errors."""

    CODE = ErrorCode.COMPILE_FAILED


def compiler_config() -> dict[str, Any]:
    """The `compiler` section of brownie-config.yaml: one set of settings for both writers."""
    config = yaml.safe_load((PROJECT_ROOT / "brownie-config.yaml").read_text(encoding="utf-8"))
    section: dict[str, Any] = config["compiler"]
    return section


def ensure_compiled() -> bool:
    """Compile when any source changed since its artifact was built. Returns True if it compiled.

    Processes that start at once (test workers, `hdex up` beside a test run) take turns on a lock, and each
    looks again once it has it: the first compiles, the others find the artifacts fresh and write nothing,
    so no one reads an artifact half written or compiles twice."""
    if not source_files(CONTRACTS_DIR) or not stale_sources():
        return False
    ARTIFACTS_DIR.parent.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS_DIR.parent / COMPILE_LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        if not stale_sources():
            return False
        compile_all()
        return True


def compile_all(contracts_dir: Path = CONTRACTS_DIR, artifacts_dir: Path = ARTIFACTS_DIR) -> list[str]:
    """Compile every source and write one artifact per contract; returns the contract names."""
    sources = source_files(contracts_dir)
    config = compiler_config()
    solc = config["solc"]
    solc_binary = _adopted_compiler(str(solc["version"]))
    relative = {path.relative_to(PROJECT_ROOT).as_posix(): path for path in sources}
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": path.read_text(encoding="utf-8")} for name, path in relative.items()},
        "settings": {
            "evmVersion": config.get("evm_version") or "cancun",
            "optimizer": solc["optimizer"],
            "viaIR": bool(solc.get("viaIR", False)),
            "remappings": solc.get("remappings") or [],
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }
    started = time.monotonic()
    try:
        output = solcx.compile_standard(
            standard_input,
            solc_binary=solc_binary,
            base_path=str(PROJECT_ROOT),
            allow_paths=[str(PROJECT_ROOT)],
        )
    except solcx.exceptions.SolcError as exc:
        raise CompileError(f"solc failed: {exc}") from None
    errors = [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise CompileError("\n".join(errors))
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for source_name, contracts in output["contracts"].items():
        if source_name not in relative:
            continue  # imported library sources (OpenZeppelin) need no artifact of their own
        digest = source_sha1(relative[source_name])
        for name, compiled in contracts.items():
            if not compiled["evm"]["bytecode"]["object"]:
                continue  # interfaces and abstract contracts: nothing to deploy (brownie keeps its own)
            artifact = {
                "contractName": name,
                "sourcePath": source_name,
                "sourceSha1": digest,
                "abi": compiled["abi"],
                "bytecode": compiled["evm"]["bytecode"]["object"],
                "deployedBytecode": compiled["evm"]["deployedBytecode"]["object"],
                "compiler": {"version": str(solc["version"]), "optimizer": solc["optimizer"]},
                # brownie reads these two before it checks an artifact's format; with them present it
                # discards our lighter artifact and rebuilds its own instead of failing to load.
                "offset": [0, 0],
                "pcMap": {},
            }
            _write_json(artifacts_dir / f"{name}.json", artifact)
            names.append(name)
    _write_json(artifacts_dir.parent / COMPILED_SOURCES, {name: source_sha1(path) for name, path in relative.items()})
    log.info("contracts compiled count=%d seconds=%.1f", len(names), time.monotonic() - started)
    return names


def _write_json(target: Path, data: object) -> None:
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, target)


def _adopted_compiler(version: str) -> Path:
    """The solc that `make setup` adopted into var/solcx (or SOLCX_BINARY_PATH): never a download."""
    folder = Path(os.environ.get("SOLCX_BINARY_PATH") or PROJECT_ROOT / "var" / "solcx")
    try:
        return Path(solcx.install.get_executable(version, solcx_binary_path=folder))
    except solcx.exceptions.SolcNotInstalled:
        raise CompileError(
            f"solc {version} is not adopted into {folder}: run `make setup` "
            "(it adopts the npm compiler offline)"
        ) from None
