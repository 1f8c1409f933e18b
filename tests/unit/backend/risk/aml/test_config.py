"""The AML thresholds file: the shipped defaults load; an override file replaces only its keys; an unreadable,
malformed or impossible file is refused with an error that names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.errors import ErrorCode
from backend.risk.aml import AmlRulesError, load_aml_rules
from backend.risk.aml.config import DEFAULT_RULES_FILE
from backend.settings import load_settings

DAY_MS = 86_400_000


def test_the_shipped_defaults_load_as_documented() -> None:
    rules = load_aml_rules()
    thresholds = rules.thresholds(6)
    assert (rules.interval_s, rules.lookback_ms) == (60, 31 * DAY_MS)
    structuring = thresholds.structuring
    assert (structuring.threshold, structuring.floor, structuring.window_ms, structuring.min_count) == (
        10_000 * 10**6, 9_000 * 10**6, DAY_MS, 3,
    )  # fmt: skip
    velocity = thresholds.velocity
    assert (velocity.level_multiple, velocity.history_multiple, velocity.history_ms) == (5, 10, 30 * DAY_MS)
    assert velocity.min_volume == 1_000 * 10**6
    rapid = thresholds.rapid_in_out
    assert (rapid.window_ms, rapid.out_bps, rapid.trade_bps, rapid.min_deposit) == (DAY_MS, 8_000, 2_000, 1_000 * 10**6)
    assert (thresholds.wash_trading.min_trades, thresholds.wash_trading.window_ms) == (3, DAY_MS)


def test_the_shipped_file_comments_every_threshold() -> None:
    lines = DEFAULT_RULES_FILE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[index - 1].startswith("#") or "#" in line, f"threshold without a comment: {line}"


def test_an_override_file_replaces_only_its_keys(tmp_path: Path) -> None:
    override = tmp_path / "aml.toml"
    override.write_text("[structuring]\nthreshold = 3000\nmin_count = 5\n\n[wash_trading]\nmin_trades = 10\n")
    thresholds = load_aml_rules(override).thresholds(18)
    assert (thresholds.structuring.threshold, thresholds.structuring.min_count) == (3_000 * 10**18, 5)
    assert thresholds.structuring.band_bps == 1_000  # the default stays
    assert thresholds.wash_trading.min_trades == 10 and thresholds.velocity.level_multiple == 5


def test_the_setting_names_the_override_file(tmp_path: Path) -> None:
    override = tmp_path / "aml.toml"
    override.write_text("[velocity]\nlevel_multiple = 2\n")
    settings = load_settings(_env_file=None, aml_rules_file=override)
    assert load_aml_rules(settings.aml_rules_file).thresholds(6).velocity.level_multiple == 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[structuring]\nthreshold = -5\n", "structuring.threshold"),
        ("[structuring]\nthreshold = 10.5\n", "structuring.threshold"),
        ("[structuring]\nband_bps = 0\n", "structuring.band_bps"),
        ("[rapid_in_out]\nout_bps = 10001\n", "rapid_in_out.out_bps"),
        ('[velocity]\nwindow_s = "a day"\n', "velocity.window_s"),
        ("[velocity]\nspeed = 3\n", "velocity.speed"),
        ("[sanctions]\nlist = 1\n", "sanctions"),
        ("structuring = 3\n", "[structuring] must be a table"),
        ("[structuring\n", "not valid TOML"),
        ("[monitor]\nlookback_s = 86400\n", "monitor.lookback_s"),  # shorter than velocity's 31 days
    ],
)
def test_an_impossible_file_is_refused_naming_the_file_and_the_key(tmp_path: Path, text: str, says: str) -> None:
    override = tmp_path / "aml.toml"
    override.write_text(text)
    with pytest.raises(AmlRulesError) as raised:
        load_aml_rules(override)
    assert str(override) in raised.value.message and says in raised.value.message
    assert raised.value.code is ErrorCode.INVALID_RISK_SETTING


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AmlRulesError, match="cannot read the AML rules file"):
        load_aml_rules(tmp_path / "absent.toml")
