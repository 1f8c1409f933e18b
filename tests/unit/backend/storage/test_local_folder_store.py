"""The folder store keeps bytes by key under its root, privately, and refuses keys that could escape it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from backend.settings import load_settings
from backend.storage import DocumentMissing, LocalFolderStore, S3Store, document_store_for


def test_put_get_and_delete_round_trip_bytes(tmp_path: Path) -> None:
    store = LocalFolderStore(tmp_path / "documents")
    store.put("kyc/abc", b"\x89PNG bytes", "image/png")
    assert store.get("kyc/abc") == b"\x89PNG bytes"
    store.put("kyc/abc", b"replaced", "image/png")
    assert store.get("kyc/abc") == b"replaced"
    store.delete("kyc/abc")
    with pytest.raises(DocumentMissing):
        store.get("kyc/abc")
    store.delete("kyc/abc")  # twice is fine: the purge may run again after a crash


def test_files_are_private_to_the_server_user_and_leave_no_temporary_behind(tmp_path: Path) -> None:
    store = LocalFolderStore(tmp_path / "documents")
    store.put("kyc/abc", b"data", "application/pdf")
    path = tmp_path / "documents" / "kyc" / "abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["abc"]


@pytest.mark.parametrize("key", ["../escape", "kyc/../../etc/passwd", "/absolute", "kyc//double", "kyc/.", "", "a b"])
def test_a_key_that_could_leave_the_folder_is_refused(tmp_path: Path, key: str) -> None:
    store = LocalFolderStore(tmp_path / "documents")
    with pytest.raises(ValueError, match="not a document key"):
        store.put(key, b"x", "application/pdf")
    assert not (tmp_path / "escape").exists()


def test_the_settings_choose_the_data_dir_folder_by_default_and_a_bucket_by_url(tmp_path: Path) -> None:
    local = document_store_for(load_settings(_env_file=None, data_dir=tmp_path))
    assert isinstance(local, LocalFolderStore)
    local.put("kyc/x", b"1", "application/pdf")
    assert (tmp_path / "documents" / "kyc" / "x").read_bytes() == b"1"
    settings = load_settings(
        _env_file=None, data_dir=tmp_path, storage_url="s3://bucket/prefix", storage_endpoint="http://minio:9000",
        storage_access_key="key", storage_secret_key="secret", storage_region="eu-central-1",
    )  # fmt: skip
    s3 = document_store_for(settings)
    assert isinstance(s3, S3Store)


def test_a_storage_url_that_is_not_s3_is_refused_with_the_variable_named() -> None:
    from backend.settings import SettingsError

    with pytest.raises(SettingsError, match="HDEX_STORAGE_URL"):
        load_settings(_env_file=None, storage_url="ftp://bucket")
