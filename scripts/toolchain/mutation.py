"""Mutation run over the contracts: weakens each listed check, one at a time, and asks whether the tests notice.

Each mutant is applied to a temporary copy of the brownie project (contracts/ is never edited in place); the
tests named for it run there with the brownie environment (anvil on 8547, so mutants run one after another).
A mutant is killed when its tests fail, survived when they pass, an error when they could not run (e.g. the
mutant did not compile). Before any mutant, the same tests run on the unmutated copy and must pass.

Usage: python scripts/toolchain/mutation.py [--only NAME ...]   (`make mutation`; slow, so not in `make test`)
Prints a table, then one JSON line; exits 0 when every mutant is killed, 1 otherwise, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROWNIE_PYTHON = ROOT / ".venv-brownie" / "bin" / "python"
# What a brownie project run of tests/contracts needs; node_modules (OpenZeppelin) is linked, not copied.
PROJECT_COPY = ("brownie-config.yaml", "contracts", "tests/contracts", "custody", "build/contracts",
                "build/interfaces")
MUTANT_TIMEOUT_SECONDS = 900
# pytest's exit codes: 0 all passed, 1 some test failed; anything else means the tests did not run.
TESTS_PASSED, TESTS_FAILED = 0, 1

PRICE_TESTS = ("tests/contracts/exchange/test_limit_rounding_at_the_boundary_unit.py",
               "tests/contracts/exchange/test_price_limits.py")
BALANCE_TESTS = ("tests/contracts/exchange/test_a_buyer_short_of_quote_is_skipped.py",
                 "tests/contracts/exchange/test_matching_rules.py")
FILL_RECORD_TESTS = ("tests/contracts/exchange/test_a_fully_filled_new_order_cannot_be_filled_again.py",
                     "tests/contracts/exchange/test_fill_counters_and_nonce_bits_never_allow_an_overfill.py",
                     "tests/contracts/exchange/test_cancels_and_nonce_floors_refuse_both_kinds_of_order.py",
                     "tests/contracts/exchange/test_the_nonce_window_keeps_every_used_nonce.py")
STOP_TESTS = ("tests/contracts/exchange/test_stop_orders_wait_for_their_price_source.py",)
FOK_TESTS = ("tests/contracts/exchange/test_fill_or_kill_settles_whole_or_not_at_all.py",)
TIMELOCK_TESTS = ("tests/contracts/custody/test_a_direct_execute_cannot_borrow_the_timelock_window.py",
                  "tests/contracts/custody/test_timelock.py",
                  "tests/contracts/exchange/test_admin_through_custody.py")


@dataclass(frozen=True)
class Mutant:
    """One weakened check: `original` (which must occur exactly once in `source`) becomes `mutated`."""

    name: str
    source: str
    original: str
    mutated: str
    tests: tuple[str, ...]

    def apply(self, text: str) -> str:
        count = text.count(self.original)
        if count != 1:
            raise MutationError(f"{self.name}: expected the original text once in {self.source}, found {count}")
        return text.replace(self.original, self.mutated)


class MutationError(Exception):
    """The run cannot start or continue (stale mutant, failing baseline, missing environment)."""


MUTANTS = (
    Mutant(
        name="buy-limit-rounds-down",
        source="contracts/libraries/TradeMath.sol",
        original="return limitPrice >= (quoteAmount * PRICE_SCALE + baseAmount - 1) / baseAmount;",
        mutated="return limitPrice >= (quoteAmount * PRICE_SCALE) / baseAmount;",
        tests=PRICE_TESTS,
    ),
    Mutant(
        name="sell-limit-rounds-up",
        source="contracts/libraries/TradeMath.sol",
        original="return limitPrice <= (quoteAmount * PRICE_SCALE) / baseAmount;",
        mutated="return limitPrice <= (quoteAmount * PRICE_SCALE + baseAmount - 1) / baseAmount;",
        tests=PRICE_TESTS,
    ),
    Mutant(
        name="buyer-balance-unchecked",
        source="contracts/Exchange.sol",
        original=(
            "        if (buyerQuote < quote) {\n"
            "            return abi.encodeWithSelector(InsufficientBalance.selector, buy.maker, buy.quoteToken,"
            " buyerQuote, quote);\n"
            "        }\n"
        ),
        mutated="",
        tests=BALANCE_TESTS,
    ),
    Mutant(
        name="nonce-bit-unchecked",
        source="contracts/Exchange.sol",
        original="        if (_isNonceUsed(maker, wallet, context.nonce)) {\n",
        mutated="        if (false) {\n",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="partial-fill-sets-no-nonce-bit",
        source="contracts/Exchange.sol",
        original="            _useNonce(context.maker, context.walletSlot, context.nonce);\n",
        mutated=(
            "            if (context.filled == context.baseAmount) {\n"
            "                _useNonce(context.maker, context.walletSlot, context.nonce);\n"
            "            }\n"
        ),
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="cancel-leaves-nonce-unused",
        source="contracts/Exchange.sol",
        original="            _useNonce(msg.sender, _walletSlot(msg.sender), order.nonce);\n",
        mutated="",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="moved-window-not-flushed",
        source="contracts/Exchange.sol",
        original="if (bits != 0) _usedNonces[maker]",
        mutated="if (false) _usedNonces[maker]",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="window-flushed-into-the-wrong-quarter",
        source="contracts/Exchange.sol",
        original="|= bits << ((windowIndex & 3) << 6);",
        mutated="|= bits;",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="nonce-below-the-window-reads-unused",
        source="contracts/Exchange.sol",
        original="return window < windowIndex && (",
        mutated="return false && (",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="nonce-below-the-window-used-in-the-window",
        source="contracts/Exchange.sol",
        original="            _usedNonces[maker][nonce >> 8] |= 1 << (nonce & 0xff);\n",
        mutated="            _sstore(walletSlot, wallet | bit);\n",
        tests=FILL_RECORD_TESTS,
    ),
    Mutant(
        name="scheduled-flag-not-cleared",
        source="contracts/Custody.sol",
        original=(
            "        result = _call(target, value, data);\n"
            "        EXECUTING_SCHEDULED_SLOT.asBoolean().tstore(false);\n"
        ),
        mutated="        result = _call(target, value, data);\n",
        tests=TIMELOCK_TESTS,
    ),
    Mutant(
        name="execute-not-nonreentrant",
        source="contracts/Custody.sol",
        original=(
            "    function execute(address target, uint256 value, bytes calldata data, uint256 deadline,"
            " bytes[] calldata signatures)\n"
            "        external\n"
            "        nonReentrant\n"
        ),
        mutated=(
            "    function execute(address target, uint256 value, bytes calldata data, uint256 deadline,"
            " bytes[] calldata signatures)\n"
            "        external\n"
        ),
        tests=TIMELOCK_TESTS,
    ),
    # The signed conditions added with the price source and fill-or-kill (not in the list, same idea).
    Mutant(
        name="stop-trigger-inclusive-bound-dropped",
        source="contracts/libraries/PriceSourceLib.sol",
        original="return side == 0 ? scaledAnswer >= trigger : scaledAnswer <= trigger;",
        mutated="return side == 0 ? scaledAnswer > trigger : scaledAnswer <= trigger + 1;",
        tests=STOP_TESTS,
    ),
    Mutant(
        name="stale-feed-accepted",
        source="contracts/libraries/PriceSourceLib.sol",
        original="return updatedAt == 0 || updatedAt > now_ || now_ - updatedAt > maxAge;",
        mutated="return updatedAt == 0 || updatedAt > now_;",
        tests=STOP_TESTS,
    ),
    Mutant(
        name="fok-partial-fill-accepted",
        source="contracts/Exchange.sol",
        original="        if (taker.filled != 0 || total != taker.baseAmount) {\n",
        mutated="        if (total > taker.baseAmount) {\n",
        tests=FOK_TESTS,
    ),
    Mutant(
        name="fok-run-balance-unchecked",
        source="contracts/Exchange.sol",
        original="            if (reason.length == 0) reason = _runBalanceFailure(start, i, trades, contexts);\n",
        mutated="",
        tests=FOK_TESTS,
    ),
)


@dataclass(frozen=True)
class Outcome:
    mutant: str
    status: str  # killed | survived | error
    seconds: float
    detail: str


def copy_project(destination: Path) -> None:
    """A brownie project at `destination` with our sources and the current build cache (so only what a mutant
    changes is recompiled)."""
    for relative in PROJECT_COPY:
        source = ROOT / relative
        target = destination / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (destination / "node_modules").symlink_to(ROOT / "node_modules")


def run_tests(project: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    """Runs `tests` in the copied project; returns pytest's exit code and its last summary line."""
    env = dict(os.environ)
    env["HOME"] = str(ROOT / "var" / "brownie-home")
    env["SOLCX_BINARY_PATH"] = str(ROOT / "var" / "solcx")
    env["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), str(ROOT / "var" / "toolbin"),
                                   env.get("PATH", "")])
    command = [str(BROWNIE_PYTHON), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", *tests]
    try:
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True,
                              timeout=MUTANT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {MUTANT_TIMEOUT_SECONDS}s"
    return done.returncode, _summary(done.stdout) or done.stderr.strip()[-200:]


def _summary(output: str) -> str:
    """The first failing test (what killed a mutant), else pytest's closing count line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    failed = next((line.split()[1].split("::")[-1] for line in lines if line.startswith("FAILED ")), None)
    if failed:
        return f"killed by {failed}"
    return next((line.strip("= ") for line in reversed(lines) if " passed" in line or " error" in line), "")


def run_mutant(project: Path, mutant: Mutant) -> Outcome:
    """Applies `mutant` to the copy, runs its tests, and puts the original source back."""
    path = project / mutant.source
    original = path.read_text()
    path.write_text(mutant.apply(original))
    started = time.monotonic()
    try:
        code, summary = run_tests(project, mutant.tests)
    finally:
        path.write_text(original)
    status = {TESTS_FAILED: "killed", TESTS_PASSED: "survived"}.get(code, "error")
    return Outcome(mutant.name, status, time.monotonic() - started, summary)


def run(mutants: tuple[Mutant, ...]) -> list[Outcome]:
    if not BROWNIE_PYTHON.exists():
        raise MutationError(f"{BROWNIE_PYTHON.relative_to(ROOT)} missing: run `make setup` first")
    for mutant in mutants:  # a stale mutant fails before anything slow starts
        mutant.apply((ROOT / mutant.source).read_text())
    with tempfile.TemporaryDirectory(prefix="hdex-mutation-") as scratch:
        project = Path(scratch)
        copy_project(project)
        baseline = tuple(dict.fromkeys(test for mutant in mutants for test in mutant.tests))
        code, summary = run_tests(project, baseline)
        if code != TESTS_PASSED:
            raise MutationError(f"the tests fail without any mutant ({summary}); fix them first")
        return [run_mutant(project, mutant) for mutant in mutants]


def report(outcomes: list[Outcome]) -> str:
    width = max(len(o.mutant) for o in outcomes)
    rows = [f"{'mutant':<{width}}  {'result':<8}  {'seconds':>7}  detail", "-" * (width + 40)]
    rows += [f"{o.mutant:<{width}}  {o.status:<8}  {o.seconds:>7.1f}  {o.detail}" for o in outcomes]
    counts = {status: sum(o.status == status for o in outcomes) for status in ("killed", "survived", "error")}
    line = {"mutation": {**counts, "mutants": {o.mutant: o.status for o in outcomes}}}
    return "\n".join([*rows, json.dumps(line)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[m.name for m in MUTANTS], help="run only these mutants")
    args = parser.parse_args(argv)
    mutants = tuple(m for m in MUTANTS if not args.only or m.name in args.only)
    try:
        outcomes = run(mutants)
    except MutationError as exc:
        print(f"mutation.py: {exc}", file=sys.stderr)
        return 2
    print(report(outcomes))
    return 0 if all(o.status == "killed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
