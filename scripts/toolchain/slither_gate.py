"""The slither gate: which high and medium findings contracts/SECURITY.md explains, and which it does not.

An explanation names the detector, the function the finding is in (``Contract.function``, or
``Contract.variable`` for a state variable) and how many findings of that detector the function may hold. So a
new finding fails the gate until it is explained, even one of an explained detector in the same file or the
same function. Line numbers are not part of the match, so editing a contract elsewhere does not stale it.

Pure Python over slither's result dicts (what ``Slither.run_detectors`` yields and ``slither --json`` writes
under ``results.detectors``), so it is tested without slither installed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GATED_IMPACTS = ("High", "Medium")
IMPACT_ORDER = ("High", "Medium", "Low", "Informational", "Optimization")


@dataclass(frozen=True)
class Explained:
    """A reviewed finding: `findings` results of `detector` in `function`, and why each is acceptable."""

    detector: str
    function: str
    findings: int
    why: str


# Every entry has a row in contracts/SECURITY.md's table (tests/unit/toolchain/test_slither_gate.py checks it).
EXPLAINED = (
    Explained("uninitialized-state", "Exchange._wallets", 1, "written through storage pointers and its slot"),
    Explained("arbitrary-send-eth", "Custody._call", 1, "sends ETH only where owners approved or the timelock ran"),
    Explained("reentrancy-eth", "Custody.execute", 1, "nonReentrant; the outflow is measured after the call"),
    Explained("incorrect-equality", "Custody.spentToday", 1, "`spending.day == today` compares day numbers"),
    Explained("unused-return", "Custody._checkApprovals", 1, "ECDSA.tryRecover's errArg is not needed"),
    Explained("unused-return", "SignatureVerifier.isValidSignatureNow", 2, "same, for its two tryRecover calls"),
)


@dataclass(frozen=True)
class Finding:
    """One detector result in our own sources, located by file and enclosing function."""

    impact: str
    detector: str
    file: str
    function: str
    description: str

    @property
    def gated(self) -> bool:
        return self.impact in GATED_IMPACTS


def _where(element: Mapping[str, Any]) -> str:
    """``Contract.name`` of a contract member; a node or a local variable is located by its enclosing function."""
    parent = element.get("type_specific_fields", {}).get("parent")
    if not parent:
        return str(element["name"])
    if parent["type"] == "contract":
        return f'{parent["name"]}.{element["name"]}'
    return _where(parent)


def is_own_source(path: str) -> bool:
    """Our contracts only: OpenZeppelin is audited upstream; contracts/test/ holds deliberately bad fixtures."""
    return path.startswith("contracts/") and not path.startswith("contracts/test/")


def findings_of(results: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Our own sources' findings among slither's results, located by the result's first (primary) element."""
    findings = []
    for result in results:
        elements = result.get("elements") or []
        if not elements:
            continue
        primary = elements[0]
        path = primary["source_mapping"]["filename_relative"]
        if not is_own_source(path):
            continue
        description = result["description"].strip().splitlines()[0]
        findings.append(Finding(result["impact"], result["check"], path, _where(primary), description))
    return sorted(findings, key=lambda f: (IMPACT_ORDER.index(f.impact), f.detector, f.function, f.description))


def unexplained(findings: Iterable[Finding], explained: Iterable[Explained] = EXPLAINED) -> list[Finding]:
    """High and medium findings no explanation covers. When a function holds more findings of a detector than
    its explanation allows, all of them are returned: slither's order does not tell which one is new."""
    allowed = {(e.detector, e.function): e.findings for e in explained}
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.gated:
            groups[(finding.detector, finding.function)].append(finding)
    return [f for key, group in groups.items() if len(group) > allowed.get(key, 0) for f in group]


def stale(findings: Iterable[Finding], explained: Iterable[Explained] = EXPLAINED) -> list[Explained]:
    """Explanations that now cover more findings than slither reports: the code changed, the entry should too."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for finding in findings:
        if finding.gated:
            counts[(finding.detector, finding.function)] += 1
    return [e for e in explained if counts[(e.detector, e.function)] < e.findings]
