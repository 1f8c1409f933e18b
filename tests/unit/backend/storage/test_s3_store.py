"""The S3 store speaks S3 through the real `minio` client; only the HTTP edge is faked: an in-memory
bucket behind urllib3's `urlopen`, which checks each request is signed (AWS Signature V4). No S3 server
runs in these tests."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import pytest
import urllib3
from urllib3 import HTTPHeaderDict, HTTPResponse

from backend.storage import DocumentMissing, S3Store

NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not '
    b"exist.</Message><Key>k</Key><RequestId>1</RequestId><HostId>h</HostId></Error>"
)


class FakeS3Edge(urllib3.PoolManager):
    """What an S3 server answers, kept in a dict; every request recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, str, HTTPHeaderDict]] = []

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> HTTPResponse:  # type: ignore[override]
        headers: HTTPHeaderDict = kw.get("headers") or HTTPHeaderDict()
        self.requests.append((method, url, headers))
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=key/")
        path = urlsplit(url).path
        if method == "PUT":
            body = kw["body"]
            self.objects[path] = (bytes(body) if body is not None else b"", headers["Content-Type"])
            return HTTPResponse(body=b"", status=200, headers={"ETag": '"e"'}, preload_content=True)
        if method == "GET" and path in self.objects:
            data, content_type = self.objects[path]
            return HTTPResponse(body=io.BytesIO(data), status=200, headers={"Content-Type": content_type},
                                preload_content=kw.get("preload_content", True))  # fmt: skip
        if method == "GET":
            return HTTPResponse(body=io.BytesIO(NO_SUCH_KEY), status=404, headers={"Content-Type": "application/xml"},
                                preload_content=kw.get("preload_content", True))  # fmt: skip
        if method == "DELETE":
            self.objects.pop(path, None)
            return HTTPResponse(body=b"", status=204, headers={}, preload_content=True)
        raise AssertionError(f"unexpected {method} {url}")


@pytest.fixture
def edge() -> FakeS3Edge:
    return FakeS3Edge()


def _store(edge: FakeS3Edge, url: str = "s3://kyc-bucket/hdex") -> S3Store:
    return S3Store.connect(url, "https://s3.example.test", "key", "secret", "eu-central-1", http_client=edge)


def test_put_get_and_delete_go_to_the_bucket_under_the_prefix(edge: FakeS3Edge) -> None:
    store = _store(edge)
    store.put("kyc/abc", b"%PDF-1.4 data", "application/pdf")
    assert edge.objects == {"/kyc-bucket/hdex/kyc/abc": (b"%PDF-1.4 data", "application/pdf")}
    assert store.get("kyc/abc") == b"%PDF-1.4 data"
    store.delete("kyc/abc")
    assert edge.objects == {}
    assert [(method, urlsplit(url).netloc) for method, url, _ in edge.requests] == [
        ("PUT", "s3.example.test"), ("GET", "s3.example.test"), ("DELETE", "s3.example.test"),
    ]  # fmt: skip
    assert all(url.startswith("https://") for _, url, _ in edge.requests)


def test_a_missing_object_is_document_missing(edge: FakeS3Edge) -> None:
    with pytest.raises(DocumentMissing):
        _store(edge).get("kyc/nothing")


def test_no_public_acl_is_ever_asked_for(edge: FakeS3Edge) -> None:
    _store(edge).put("kyc/abc", b"x", "image/png")
    assert all("x-amz-acl" not in {name.lower() for name in headers} for _, _, headers in edge.requests)


def test_without_a_prefix_keys_are_object_names_and_bad_keys_are_refused(edge: FakeS3Edge) -> None:
    store = _store(edge, "s3://kyc-bucket")
    store.put("kyc/abc", b"x", "image/png")
    assert list(edge.objects) == ["/kyc-bucket/kyc/abc"]
    with pytest.raises(ValueError, match="not a document key"):
        store.put("../other-bucket/x", b"x", "image/png")
    assert len(edge.requests) == 1


def test_a_plain_http_endpoint_is_used_as_given(edge: FakeS3Edge) -> None:
    S3Store.connect("s3://kyc", "http://minio.local:9000", "key", "secret", "us-east-1", http_client=edge).put(
        "kyc/a", b"x", "image/png"
    )
    assert edge.requests[0][1].startswith("http://minio.local:9000/kyc/kyc/a")
