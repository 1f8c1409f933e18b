"""Documents in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...) through the `minio` client."""

from __future__ import annotations

import io

import urllib3
from minio import Minio
from minio.error import S3Error

from backend.storage.documents import DocumentMissing, check_key

MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject"})


class S3Store:
    """A `DocumentStore` in `bucket`, every key under `prefix`. Objects are written with server-side
    encryption left to the bucket's policy; they are never public (no ACL is set)."""

    def __init__(self, client: Minio, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/")

    @classmethod
    def connect(
        cls,
        url: str,
        endpoint: str | None,
        access_key: str | None,
        secret_key: str | None,
        region: str | None,
        http_client: urllib3.PoolManager | None = None,
    ) -> S3Store:
        """The store of `url` ("s3://bucket[/prefix]") on `endpoint` ("https://host[:port]", default AWS)."""
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        endpoint = endpoint or "https://s3.amazonaws.com"
        secure = not endpoint.startswith("http://")
        host = endpoint.removeprefix("https://").removeprefix("http://").rstrip("/")
        client = Minio(
            host, access_key=access_key, secret_key=secret_key, secure=secure, region=region, http_client=http_client
        )
        return cls(client, bucket, prefix)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(self._bucket, self._name(key), io.BytesIO(data), len(data), content_type=content_type)

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(self._bucket, self._name(key))
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise DocumentMissing(key) from None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        # S3 answers 204 for a missing key too: deleting twice is fine.
        self._client.remove_object(self._bucket, self._name(key))

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key
