"""Which core runs: the mypyc-compiled build of this package's sources, or the sources themselves.

`scripts/toolchain/build_engine.py` (run by `make setup` when a C compiler is present) compiles
`COMPILED_MODULES` from these very sources into `BUILD_DIR`, and writes there the digest of the
sources it compiled. `use_compiled_core` puts that build ahead of the sources on the package's
`__path__`, so `backend.engine.book` imports as an extension module, unless `HDEX_ENGINE_PURE=1`
asks for the pure-Python core or the build is missing. A build whose digest no longer matches the
sources would run other code than the source says: it is refused with a warning.

This module is the package's loader, never compiled itself; it only reads files at import time.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import warnings
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PACKAGE_DIR.parents[1] / "build" / "engine-core"
"""Where the compiled package lives: `BUILD_DIR / "backend" / "engine"` holds the extension modules."""

COMPILED_MODULES = (
    "book",
    "codes",
    "commands",
    "engine",
    "events",
    "journal",
    "market",
    "matching",
    "orders",
    "records",
    "recovery",
    "replay_format",
    "snapshot",
    "types",
)
"""The pure core. Not compiled: this loader, `__init__` (it runs the loader), `errors` (mypyc cannot
compile exceptions that also subclass builtins) and the file adapters (I/O bound)."""

DIGEST_FILE = "SOURCES.sha256"
PURE_ENV = "HDEX_ENGINE_PURE"


def source_digest() -> str:
    """SHA-256 over the compiled modules' names and sources, as the build records it."""
    digest = hashlib.sha256()
    for name in COMPILED_MODULES:
        digest.update(name.encode() + b"\0" + (PACKAGE_DIR / f"{name}.py").read_bytes() + b"\0")
    return digest.hexdigest()


def use_compiled_core(package_path: list[str]) -> None:
    """Put the compiled build first on `package_path` (the package's `__path__`) if it may run."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return
    compiled_dir = BUILD_DIR / "backend" / "engine"
    try:
        built_from = (compiled_dir / DIGEST_FILE).read_text().strip()
    except FileNotFoundError:
        return
    if built_from != source_digest():
        warnings.warn(
            f"the compiled engine in {compiled_dir} was built from other sources; running the pure-Python "
            "core (rebuild it with `make setup`)",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    package_path.insert(0, str(compiled_dir))


def is_compiled(module_file: str | None) -> bool:
    """True if the module at `module_file` was loaded from an extension module, not a `.py` file."""
    return module_file is not None and module_file.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
