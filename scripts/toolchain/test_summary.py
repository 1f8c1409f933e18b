"""Print one summary of several pytest JUnit reports; exit 1 if any failed or none ran."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def totals(report: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of one JUnit XML report; a missing report counts one failure."""
    if not report.exists():
        return 0, 1, 0
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def main(paths: list[str]) -> int:
    passed = failed = skipped = 0
    for path in paths:
        p, f, s = totals(Path(path))
        print(f"{Path(path).stem}: {p} passed, {f} failed, {s} skipped", file=sys.stderr)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
