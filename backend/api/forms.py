"""Request bodies that carry files (multipart/form-data), read in the route.

FastAPI reads a route's `Form()` and `File()` parameters before it resolves the route's dependencies, so a
caller without a session would have its upload parsed (spooled, up to the route's body limit) before being told
401. These helpers read the body inside the route instead: after the session check and the rate limits, and with
the codes, fields and messages FastAPI gives a body it refuses.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Sequence
from typing import Any, NoReturn, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from backend.errors import ErrorCode, HdexError

ATTACHMENT = "attachment"
ATTACHMENT_DESCRIPTION = "optional: a PNG, JPEG or PDF (checked by content)"
Fields = TypeVar("Fields", bound=BaseModel)
MULTIPART = "multipart/form-data"
UPLOAD_SCHEMA = {"type": "string", "contentMediaType": "application/octet-stream"}  # a file part, in OpenAPI
FORMS = (MULTIPART, "application/x-www-form-urlencoded")  # what FastAPI reads `Form()` fields from


async def attachment_bytes(attachment: UploadFile | None, max_bytes: int) -> bytes | None:
    """The attachment's bytes, or None for none (a form's empty file input included). One byte past `max_bytes`
    is enough to know it is too large: the rest is never read into memory."""
    if attachment is None:
        return None
    data = await attachment.read(max_bytes + 1)
    return None if not data and not attachment.filename else data


def _media_type(request: Request) -> str | None:
    content_type = request.headers.get("content-type")
    if not content_type:
        return None
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_type()


async def _json_fields(request: Request) -> Any:
    """What FastAPI gives a JSON body model: the parsed body if it says it is JSON, else its bytes (which no
    model takes); an empty body is a missing one."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    media_type = _media_type(request)
    if media_type is None or not (media_type == "application/json" or media_type.endswith("+json")):
        return raw
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise HdexError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON") from None


async def fields_with_attachment(request: Request, model: type[Fields], max_bytes: int) -> tuple[Fields, bytes | None]:
    """A body sent as JSON (read and refused with the codes, fields and messages FastAPI gives a `model` body)
    or as a form (multipart/form-data, or urlencoded without a file): the same fields as form fields, and an
    optional file `attachment` (read as `attachment_bytes` reads it). Called in the route, so the session is
    checked before the body is read."""
    attachment = None
    if _media_type(request) in FORMS:
        async with request.form(max_files=1, max_fields=16) as form:
            fields: Any = {name: value for name, value in form.multi_items() if name != ATTACHMENT}
            file = form.get(ATTACHMENT)
            if isinstance(file, str) and file:  # an empty text part is no attachment, as FastAPI reads forms
                raise HdexError(ErrorCode.INVALID_FIELD, "attachment is a file", ATTACHMENT)
            attachment = await attachment_bytes(None if isinstance(file, str) else file, max_bytes)
    else:
        fields = await _json_fields(request)
    try:
        return model.model_validate(fields, from_attributes=True), attachment
    except ValidationError as refused:  # located as FastAPI locates a body's errors: the handler names the field
        errors = [{**error, "loc": ("body", *error["loc"])} for error in refused.errors()]
        raise RequestValidationError(errors) from None


def json_or_multipart_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting a body `fields_with_attachment` reads: `model` as JSON, or its fields and an
    optional file `attachment` as multipart/form-data."""
    schema = model.model_json_schema()
    upload = {**UPLOAD_SCHEMA, "description": ATTACHMENT_DESCRIPTION}
    form = {**schema, "title": f"{schema['title']}Form", "properties": {**schema["properties"], ATTACHMENT: upload}}
    content = {"application/json": {"schema": schema}, "multipart/form-data": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


async def required_files(request: Request, names: Sequence[str], max_bytes: int) -> list[bytes]:
    """The files `names` of a multipart/form-data body, each read to one byte past `max_bytes` (enough to know it
    is too large: the rest is never read into memory). Each one missing, or sent as text, is refused as FastAPI
    refuses a missing `File()` (422, located at `body.<name>`)."""
    if _media_type(request) != MULTIPART:
        _missing(names)
    async with request.form(max_files=len(names), max_fields=len(names)) as form:
        files = [file for name in names if isinstance(file := form.get(name), UploadFile)]
        if len(files) < len(names):
            _missing([name for name in names if not isinstance(form.get(name), UploadFile)])
        return [await file.read(max_bytes + 1) for file in files]


def _missing(names: Sequence[str]) -> NoReturn:
    errors = [{"type": "missing", "loc": ("body", name), "msg": "Field required", "input": None} for name in names]
    raise RequestValidationError(errors)


def files_body(files: dict[str, str]) -> dict[str, Any]:
    """`openapi_extra` documenting a body `required_files` reads: each file (name -> description) required."""
    properties = {name: {**UPLOAD_SCHEMA, "description": description} for name, description in files.items()}
    schema = {"type": "object", "required": list(files), "properties": properties}
    return {"requestBody": {"required": True, "content": {MULTIPART: {"schema": schema}}}}
