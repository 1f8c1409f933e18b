"""Wallet users: profiles, e-mail verification, KYC submissions and their review, documents, the vendor
webhook, data export, deletion and the retention purge.

`levels.current_level` / `levels.set_level` are the one way to read and change a wallet's KYC level.
"""
