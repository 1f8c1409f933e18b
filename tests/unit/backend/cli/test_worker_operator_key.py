"""`hdex worker` with an operator keystore it cannot decrypt refuses to start, in one line. It started, and its
relayer tick failed on every beat (each one reading the file and deriving the key again) while the rest ran on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

import backend.entrypoints.worker as worker
from backend.cli import main
from backend.settings import get_settings


@pytest.fixture(autouse=True)
def worker_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[list[str]]]:
    """A worker's settings on a SQLite database of its own; Celery itself is not started: its runs are recorded."""
    for name in ("HDEX_DATABASE_URL", "HDEX_OPERATOR_KEY", "HDEX_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HDEX_REDIS_URL", "redis://127.0.0.1:6379/14")
    keystore = tmp_path / "operator.json"
    keystore.write_text(json.dumps(Account.encrypt(bytes.fromhex("11" * 32), "right", kdf="pbkdf2", iterations=1_000)))
    monkeypatch.setenv("HDEX_OPERATOR_KEYSTORE", str(keystore))
    started: list[list[str]] = []

    class Celery:
        def worker_main(self, argv: list[str]) -> None:
            started.append(argv)

    monkeypatch.setattr(worker, "celery_app", Celery)
    get_settings.cache_clear()
    yield started
    get_settings.cache_clear()


def test_a_worker_whose_operator_keystore_does_not_decrypt_does_not_start(
    monkeypatch: pytest.MonkeyPatch, worker_settings: list[list[str]]
) -> None:
    monkeypatch.setenv("HDEX_OPERATOR_KEYSTORE_PASSWORD", "wrong")

    result = CliRunner().invoke(main, ["worker"])

    assert result.exit_code == 2
    assert result.output.startswith("hdex: HDEX_OPERATOR_KEYSTORE: cannot decrypt")
    assert worker_settings == []


def test_a_worker_whose_operator_keystore_decrypts_starts(
    monkeypatch: pytest.MonkeyPatch, worker_settings: list[list[str]]
) -> None:
    monkeypatch.setenv("HDEX_OPERATOR_KEYSTORE_PASSWORD", "right")

    result = CliRunner().invoke(main, ["worker"])

    assert result.exit_code == 0, result.output
    assert [argv[:2] for argv in worker_settings] == [["worker", "--beat"]]
