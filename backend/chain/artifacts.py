"""Compiled contracts, read from the one artifact set: `build/contracts/<Name>.json`.

Both writers produce that set: `brownie compile` (in .venv-brownie) and our own compile path
(`backend.chain.compiler`, in .venv). Readers only need the ABI and the bytecode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from hashlib import sha1
from pathlib import Path
from typing import Any

from backend.paths import ARTIFACTS_DIR, CONTRACTS_DIR, PROJECT_ROOT

# Our compile path's record of every source it compiled (path -> sha1), beside build/contracts.
COMPILED_SOURCES = "hdex-sources.json"


class ArtifactError(RuntimeError):
    """A contract's artifact is missing or unreadable; the message says which and what to run."""


@dataclass(frozen=True, slots=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str


def load_artifact(name: str, artifacts_dir: Path = ARTIFACTS_DIR) -> Artifact:
    """The ABI and bytecode of contract `name` (0x-prefixed hex)."""
    path = artifacts_dir / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no artifact for {name} at {path}: run `hdex chain compile`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"unreadable artifact {path}: {exc}") from None
    return Artifact(
        name=name,
        abi=data["abi"],
        bytecode=_hex(data["bytecode"]),
        deployed_bytecode=_hex(data["deployedBytecode"]),
    )


def source_files(contracts_dir: Path = CONTRACTS_DIR) -> list[Path]:
    """Every Solidity source we own, in a stable order."""
    return sorted(contracts_dir.rglob("*.sol"))


def source_sha1(path: Path) -> str:
    """The hash brownie stores as `sha1` in each artifact: sha1 of the source text."""
    return sha1(path.read_text(encoding="utf-8").encode()).hexdigest()


def stale_sources(contracts_dir: Path = CONTRACTS_DIR, artifacts_dir: Path = ARTIFACTS_DIR) -> list[Path]:
    """Sources whose compiled form is missing or was built from other text.

    A source is current when brownie's artifacts carry its hash (`sha1`), or when our own compile
    path recorded it in `COMPILED_SOURCES` (which also covers interfaces, with no artifact of ours).
    """
    built: dict[str, set[str]] = {}
    for artifact in [*artifacts_dir.glob("*.json"), *artifacts_dir.parent.joinpath("interfaces").glob("*.json")]:
        try:
            data = json.loads(artifact.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        digest = data.get("sha1") or data.get("sourceSha1")
        if isinstance(digest, str) and isinstance(data.get("sourcePath"), str):
            built.setdefault(data["sourcePath"], set()).add(digest)
    try:
        recorded = json.loads(artifacts_dir.parent.joinpath(COMPILED_SOURCES).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        recorded = {}
    for source_path, digest in recorded.items():
        built.setdefault(source_path, set()).add(digest)
    stale = []
    for source in source_files(contracts_dir):
        relative = source.relative_to(PROJECT_ROOT).as_posix()
        if source_sha1(source) not in built.get(relative, set()):
            stale.append(source)
    return stale


def _hex(value: str) -> str:
    return value if value.startswith("0x") else "0x" + value
