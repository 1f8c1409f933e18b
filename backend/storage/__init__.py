"""Where KYC documents (and later other attachments) are kept: one `DocumentStore` interface, a folder
under the data dir by default, an S3-compatible bucket when HDEX_STORAGE_URL says so. Chosen by
`document_store_for(settings)`. Nothing here is ever served by the web server: bytes leave only through
the API routes that check who asks."""

from backend.storage.documents import DocumentMissing, DocumentStore, check_key
from backend.storage.factory import document_store_for
from backend.storage.local import LocalFolderStore
from backend.storage.s3 import S3Store

__all__ = ["DocumentMissing", "DocumentStore", "LocalFolderStore", "S3Store", "check_key", "document_store_for"]
