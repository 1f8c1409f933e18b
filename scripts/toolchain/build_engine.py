"""Compile the matching engine's pure core with mypyc, from the same sources, into build/engine-core.

Run by `make setup`: `.venv/bin/python scripts/toolchain/build_engine.py [--force]`. Quick when the
build already matches the sources (it compares their digest and compiles nothing). Without a C
compiler it says so and exits 0: the engine then runs as pure Python, which behaves identically.
Which modules are compiled, where they go and how staleness is detected live in
`backend.engine.native`, the loader that picks the build up at import time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

os.environ["HDEX_ENGINE_PURE"] = "1"  # the build reads the sources; a stale compiled core must not load (or warn)
from backend.engine import native  # noqa: E402


def c_compiler() -> str | None:
    """The compiler setuptools would use (the interpreter's CC), if it is installed."""
    configured = shlex.split(sysconfig.get_config_var("CC") or "cc")
    return shutil.which(configured[0]) if configured else None


def build() -> None:
    """Compile into a fresh directory next to the build, then swap it in whole."""
    from mypyc.build import mypycify  # only the build needs mypyc, never the runtime
    from setuptools import setup

    native.BUILD_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=native.BUILD_DIR.parent, prefix=".engine-core-") as scratch:
        work = Path(scratch)
        sources = [str(native.PACKAGE_DIR / f"{name}.py") for name in native.COMPILED_MODULES]
        digest = native.source_digest()  # taken before compiling: an edit meanwhile makes the build stale
        # mypy's settings for the compile, on their own: the project's config also loads plugins
        (work / "mypy.ini").write_text("[mypy]\nstrict = True\nignore_missing_imports = True\n")
        extensions = mypycify(
            ["--config-file", str(work / "mypy.ini"), *sources],
            opt_level="3",
            group_name="backend.engine.core",  # the shared library lives inside the package
            target_dir=str(work / "c"),
        )
        with contextlib.chdir(work):  # setuptools reads its working directory's pyproject.toml: not ours
            setup(
                name="hdex-engine-core",
                ext_modules=extensions,
                script_args=[
                    "--quiet", "build_ext", "--parallel", "2",
                    "--build-lib", str(work / "lib"), "--build-temp", str(work / "tmp"),
                ],
            )  # fmt: skip
        compiled_dir = work / "lib" / "backend" / "engine"
        (compiled_dir / native.DIGEST_FILE).write_text(digest + "\n")
        shutil.rmtree(native.BUILD_DIR, ignore_errors=True)
        (work / "lib").rename(native.BUILD_DIR)


def main() -> int:
    """Build unless the build is current or no C compiler is installed; say which."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="compile even if the build matches the sources")
    args = parser.parse_args()
    digest_path = native.BUILD_DIR / "backend" / "engine" / native.DIGEST_FILE
    if not args.force and digest_path.exists() and digest_path.read_text().strip() == native.source_digest():
        print("engine core: compiled build is up to date")
        return 0
    if c_compiler() is None:
        print("engine core: no C compiler found; the engine runs as pure Python")
        return 0
    started = time.monotonic()
    build()
    print(f"engine core: compiled with mypyc in {time.monotonic() - started:.1f} s into {native.BUILD_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
