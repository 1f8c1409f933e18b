"""Tier limits: what a wallet may withdraw per day and per 30 days, and the largest order it may place,
by KYC level, valued in one reference token, with per-wallet overrides by staff.

`valuation` prices any token in the reference token (last trade prices, one hop, fixed prices);
`tiers` holds each level's limits and the overrides; `service` answers a wallet's limits and checks
withdrawals (`check_withdrawal`, `charge_withdrawal`); `orders` checks order notionals on the engine
host's hot path. Settings `limits_*`; the rules in README, "Tier limits".
"""
