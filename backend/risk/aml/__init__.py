"""AML rules (issue 14): pure functions over a history of deposits, withdrawals, trades and funding links
(frozen values, no DB), each returning findings with their evidence; thresholds from `aml_rules.toml`
(`config`). `backend.monitoring.aml` runs them over the database and raises the alerts."""

from backend.risk.aml.config import AmlRules, AmlRulesError, AmlThresholds, load_aml_rules
from backend.risk.aml.findings import Finding, Rule
from backend.risk.aml.history import Deposit, Funding, Trade, Withdrawal
from backend.risk.aml.rapid_in_out import RapidInOutRule, rapid_in_out
from backend.risk.aml.structuring import StructuringRule, structuring
from backend.risk.aml.velocity import VelocityRule, velocity
from backend.risk.aml.wash_trading import WashTradingRule, wash_trading

__all__ = [
    "AmlRules", "AmlRulesError", "AmlThresholds", "Deposit", "Finding", "Funding", "RapidInOutRule", "Rule",
    "StructuringRule", "Trade", "VelocityRule", "WashTradingRule", "Withdrawal", "load_aml_rules",
    "rapid_in_out", "structuring", "velocity", "wash_trading",
]  # fmt: skip
