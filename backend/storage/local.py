"""Documents as files under a folder of the data dir (the embedded default).

The folder is created private (0700) and each file 0600: the documents are personal data. The web server
serves only the built web app's folder, never the data dir.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from backend.storage.documents import DocumentMissing, check_key


class LocalFolderStore:
    """A `DocumentStore` in a folder: key "kyc/a/b" is the file <root>/kyc/a/b."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, a crash leaves no truncated document.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        return self._root / check_key(key)
