"""The Exchange ABI the relayer decodes against, from the one artifact set (compiled if a source changed)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.chain.artifacts import load_artifact
from backend.chain.compiler import ensure_compiled


@pytest.fixture(scope="session")
def exchange_abi() -> list[dict[str, Any]]:
    ensure_compiled()
    return list(load_artifact("Exchange").abi)
