"""One error root below the doors: every package's errors share it, keep their builtin, carry a code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backend.chain.compiler import CompileError
from backend.chain.deployments import NotDeployed
from backend.chain.jsonrpc import RangeTooLarge, RpcError
from backend.chain.node import NodeError
from backend.compliance.lists import ListFormatError
from backend.compliance.providers import ProviderUnavailable
from backend.errors import CodedError, ErrorCode, HdexError
from backend.signing import SignatureError
from backend.trading.store.markets import MarketError


def test_an_error_body_names_code_message_and_field() -> None:
    error = HdexError(ErrorCode.PRICE_OFF_TICK, "off the grid", "order.limitPrice")
    assert str(error) == "off the grid"
    assert error.body() == {"error": {"code": "PRICE_OFF_TICK", "message": "off the grid", "field": "order.limitPrice"}}


def test_every_wire_code_is_its_own_name_so_clients_can_match_on_it() -> None:
    assert all(code.value == code.name for code in ErrorCode)


@pytest.mark.parametrize(
    ("error_class", "builtin", "code"),
    [
        (SignatureError, ValueError, ErrorCode.INVALID_SIGNATURE),
        (ProviderUnavailable, RuntimeError, ErrorCode.SCREENING_UNAVAILABLE),
        (ListFormatError, ValueError, ErrorCode.INVALID_SCREENING_LIST),
        (MarketError, ValueError, ErrorCode.INVALID_MARKET),
        (RpcError, RuntimeError, ErrorCode.RPC_UNAVAILABLE),
        (RangeTooLarge, RuntimeError, ErrorCode.RPC_UNAVAILABLE),
        (NotDeployed, RuntimeError, ErrorCode.NOT_DEPLOYED),
        (NodeError, RuntimeError, ErrorCode.NODE_UNAVAILABLE),
        (CompileError, RuntimeError, ErrorCode.COMPILE_FAILED),
    ],
)
def test_an_error_that_crosses_a_package_is_an_hdex_error_that_callers_still_catch_as_its_builtin(
    error_class: type[CodedError], builtin: type[Exception], code: ErrorCode
) -> None:
    error = error_class("what went wrong")
    assert isinstance(error, HdexError) and isinstance(error, builtin)
    assert (error.code, error.message, error.field, str(error)) == (code, "what went wrong", None, "what went wrong")


def test_the_error_root_imports_only_the_standard_library() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; before = set(sys.modules); import backend.errors; "
         "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert set(loaded) - set(sys.stdlib_module_names) == {"backend"}
