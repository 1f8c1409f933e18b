"""The AML rules' thresholds: `backend/risk/aml_rules.toml` (shipped, the documented defaults), with the keys of
HDEX_AML_RULES_FILE in their place. Loaded and checked once at start; a bad file is an `AmlRulesError` that
names the file and the key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from backend.errors import CodedError, ErrorCode
from backend.limits.units import whole_to_base
from backend.risk.aml.rapid_in_out import RapidInOutRule
from backend.risk.aml.structuring import StructuringRule
from backend.risk.aml.velocity import VelocityRule
from backend.risk.aml.wash_trading import WashTradingRule

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "aml_rules.toml"
DAY_S = 86_400


def _whole_number_as_text(value: object) -> object:
    # a TOML integer is exact, so `threshold = 10000` is as good as "10000"; a TOML float is not, so no float
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


WholeUnits = Annotated[str, BeforeValidator(_whole_number_as_text), Field(pattern=r"^[0-9]{1,30}(\.[0-9]{1,36})?$")]
Window = Annotated[int, Field(ge=60, le=366 * DAY_S)]
Bps = Annotated[int, Field(ge=1, le=10_000)]


class AmlRulesError(CodedError, ValueError):
    """The AML rules file cannot be used; the message names the file, the key and why."""

    CODE = ErrorCode.INVALID_RISK_SETTING


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Monitor(_Section):
    interval_s: Annotated[int, Field(ge=1, le=DAY_S)]
    lookback_s: Window


class _Structuring(_Section):
    threshold: WholeUnits
    band_bps: Bps
    window_s: Window
    min_count: Annotated[int, Field(ge=2, le=10_000)]


class _Velocity(_Section):
    window_s: Window
    level_multiple: Annotated[int, Field(ge=1, le=1_000_000)]
    history_multiple: Annotated[int, Field(ge=1, le=1_000_000)]
    history_s: Window
    min_volume: WholeUnits


class _RapidInOut(_Section):
    window_s: Window
    out_bps: Bps
    trade_bps: Bps
    min_deposit: WholeUnits


class _WashTrading(_Section):
    min_trades: Annotated[int, Field(ge=2, le=10_000)]
    window_s: Window


class _Document(_Section):
    monitor: _Monitor
    structuring: _Structuring
    velocity: _Velocity
    rapid_in_out: _RapidInOut
    wash_trading: _WashTrading


@dataclass(frozen=True, slots=True)
class AmlThresholds:
    """The rules with their amounts in reference base units (see `AmlRules.thresholds`)."""

    structuring: StructuringRule
    velocity: VelocityRule
    rapid_in_out: RapidInOutRule
    wash_trading: WashTradingRule


@dataclass(frozen=True, slots=True)
class AmlRules:
    """The checked thresholds as the file says them (amounts in whole reference units)."""

    source: str  # the files they came from, for logs and errors
    document: _Document

    @property
    def interval_s(self) -> int:
        return self.document.monitor.interval_s

    @property
    def lookback_ms(self) -> int:
        return self.document.monitor.lookback_s * 1000

    def thresholds(self, decimals: int) -> AmlThresholds:
        """The rules for a reference token of `decimals`."""
        d = self.document
        return AmlThresholds(
            StructuringRule(
                whole_to_base(d.structuring.threshold, decimals), d.structuring.band_bps,
                d.structuring.window_s * 1000, d.structuring.min_count,
            ),
            VelocityRule(
                d.velocity.window_s * 1000, d.velocity.level_multiple, d.velocity.history_multiple,
                d.velocity.history_s * 1000, whole_to_base(d.velocity.min_volume, decimals),
            ),
            RapidInOutRule(
                d.rapid_in_out.window_s * 1000, d.rapid_in_out.out_bps, d.rapid_in_out.trade_bps,
                whole_to_base(d.rapid_in_out.min_deposit, decimals),
            ),
            WashTradingRule(d.wash_trading.window_s * 1000, d.wash_trading.min_trades),
        )  # fmt: skip


def load_aml_rules(override: Path | None = None) -> AmlRules:
    """The shipped defaults with `override`'s keys in their place (HDEX_AML_RULES_FILE); AmlRulesError if
    either file cannot be read or holds an unknown key or an impossible value."""
    document = _read(DEFAULT_RULES_FILE)
    source = str(DEFAULT_RULES_FILE)
    if override is not None:
        for section, values in _read(override).items():
            if not isinstance(values, dict):
                raise AmlRulesError(f"{override}: [{section}] must be a table of thresholds")
            document[section] = {**document.get(section, {}), **values}
        source = str(override)
    try:
        parsed = _Document.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise AmlRulesError(f"{source}: {where}: {first['msg']}") from None
    _check_consistent(parsed, source)
    return AmlRules(source, parsed)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise AmlRulesError(f"{path}: cannot read the AML rules file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise AmlRulesError(f"{path}: not valid TOML ({exc})") from None


def _check_consistent(document: _Document, source: str) -> None:
    """What each key allows alone, but not together: a pass must read back far enough for every window."""
    longest = max(
        document.structuring.window_s,
        document.velocity.window_s + document.velocity.history_s,
        document.rapid_in_out.window_s,
        document.wash_trading.window_s,
    )
    if document.monitor.lookback_s < longest:
        raise AmlRulesError(
            f"{source}: monitor.lookback_s: {document.monitor.lookback_s} s is shorter than the longest rule window "
            f"({longest} s)"
        )
