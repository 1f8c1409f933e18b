"""The slither gate matches an explained finding by detector and function, so any other finding fails it.

The fixture is slither 0.11.6's JSON for our contracts (trimmed to the fields the gate reads): every high and
medium finding of our sources, plus one from OpenZeppelin, one from contracts/test/ and one low finding.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "slither_results.json"


def _load_gate() -> ModuleType:
    # scripts/ is not a package: the gate is loaded from its file, as slither.sh does.
    spec = importlib.util.spec_from_file_location("slither_gate", ROOT / "scripts" / "toolchain" / "slither_gate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gate = _load_gate()


@pytest.fixture
def results() -> list[dict[str, Any]]:
    detectors: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["results"]["detectors"]
    return detectors


def _moved(result: dict[str, Any], function: str) -> dict[str, Any]:
    """`result` as if slither had found it in another function of the same contract (same file)."""
    moved = copy.deepcopy(result)
    moved["elements"][0]["name"] = function
    moved["description"] = f"{function}: {moved['description']}"
    return moved


def _find(results: list[dict[str, Any]], check: str, function: str) -> dict[str, Any]:
    return next(r for r in results if r["check"] == check and gate.findings_of([r])[0].function == function)


def test_every_high_and_medium_finding_on_the_contracts_is_explained(results: list[dict[str, Any]]) -> None:
    assert gate.unexplained(gate.findings_of(results)) == []
    assert gate.stale(gate.findings_of(results)) == []


def test_findings_are_located_by_the_function_they_are_in(results: list[dict[str, Any]]) -> None:
    located = {(f.detector, f.function) for f in gate.findings_of(results)}
    assert located == {
        ("arbitrary-send-eth", "Custody._call"),
        ("uninitialized-state", "Exchange._wallets"),
        ("incorrect-equality", "Custody.spentToday"),
        ("reentrancy-eth", "Custody.execute"),
        ("unused-return", "Custody._checkApprovals"),
        ("unused-return", "SignatureVerifier.isValidSignatureNow"),
        # a local variable is located by its function
        ("missing-zero-check", "SanctionsOracle.constructor"),
    }


def test_openzeppelin_and_test_fixture_findings_are_not_ours(results: list[dict[str, Any]]) -> None:
    files = {f.file for f in gate.findings_of(results)}
    assert all(path.startswith("contracts/") and not path.startswith("contracts/test/") for path in files)
    assert any(r["elements"][0]["source_mapping"]["filename_relative"].startswith("node_modules/") for r in results)
    assert any(r["elements"][0]["source_mapping"]["filename_relative"].startswith("contracts/test/") for r in results)


def test_an_explained_detector_in_another_function_of_the_same_file_fails(results: list[dict[str, Any]]) -> None:
    new = _moved(_find(results, "arbitrary-send-eth", "Custody._call"), "execute")
    failing = gate.unexplained(gate.findings_of([*results, new]))
    assert [(f.detector, f.file, f.function) for f in failing] == [
        ("arbitrary-send-eth", "contracts/Custody.sol", "Custody.execute")
    ]


def test_one_more_finding_of_an_explained_detector_in_the_same_function_fails(results: list[dict[str, Any]]) -> None:
    again = copy.deepcopy(_find(results, "unused-return", "Custody._checkApprovals"))
    failing = gate.unexplained(gate.findings_of([*results, again]))
    # Both are reported: nothing tells which of the two is the new one.
    assert [(f.detector, f.function) for f in failing] == [("unused-return", "Custody._checkApprovals")] * 2


def test_a_finding_of_a_detector_never_explained_fails(results: list[dict[str, Any]]) -> None:
    new = copy.deepcopy(_find(results, "incorrect-equality", "Custody.spentToday"))
    new["check"] = "controlled-delegatecall"
    new["impact"] = "High"
    failing = gate.unexplained(gate.findings_of([*results, new]))
    assert [(f.impact, f.detector, f.function) for f in failing] == [
        ("High", "controlled-delegatecall", "Custody.spentToday")
    ]


def test_low_findings_never_fail_the_gate(results: list[dict[str, Any]]) -> None:
    low = _moved(_find(results, "missing-zero-check", "SanctionsOracle.constructor"), "setOwner")
    assert gate.unexplained(gate.findings_of([*results, low])) == []


def test_an_explanation_covering_more_than_slither_reports_is_stale(results: list[dict[str, Any]]) -> None:
    fewer = [r for r in results if not (r["check"] == "unused-return" and "recovered_scope" in r["description"])]
    assert len(fewer) == len(results) - 1
    findings = gate.findings_of(fewer)
    assert gate.unexplained(findings) == []
    assert [(e.detector, e.function) for e in gate.stale(findings)] == [
        ("unused-return", "SignatureVerifier.isValidSignatureNow")
    ]


def test_every_explanation_has_its_row_in_security_md() -> None:
    table = (ROOT / "contracts" / "SECURITY.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| High") or line.startswith("| Medium")]
    for entry in gate.EXPLAINED:
        assert any(
            re.search(rf"\|\s*{re.escape(entry.detector)}\s*\|\s*`{re.escape(entry.function)}`", row) for row in rows
        ), f"contracts/SECURITY.md has no row for {entry.detector} in {entry.function}"
