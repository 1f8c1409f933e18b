"""The document store the settings choose."""

from __future__ import annotations

from backend.settings import Settings
from backend.storage.documents import DocumentStore
from backend.storage.local import LocalFolderStore
from backend.storage.s3 import S3Store

DOCUMENTS_FOLDER = "documents"


def document_store_for(settings: Settings) -> DocumentStore:
    """An S3-compatible bucket if HDEX_STORAGE_URL is set, else the folder <data_dir>/documents."""
    if settings.storage_url is not None:
        secret = settings.storage_secret_key
        return S3Store.connect(
            settings.storage_url,
            settings.storage_endpoint,
            settings.storage_access_key,
            None if secret is None else secret.get_secret_value(),
            settings.storage_region,
        )
    return LocalFolderStore(settings.data_dir / DOCUMENTS_FOLDER)
