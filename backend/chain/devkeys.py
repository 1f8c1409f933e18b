"""anvil's well-known development accounts, derived from its public test mnemonic.

They are public knowledge: settings refuse them as the operator key outside development.
"""

from eth_account import Account

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10

# Roles on the dev chain. Deployer and operator differ so that admin and settlement keys never mix.
DEPLOYER_INDEX = 0
OPERATOR_INDEX = 1
CUSTODY_OWNER_INDICES = (2, 3, 4)
TRADER_INDICES = (5, 6, 7, 8, 9)


def _derive(count: int) -> tuple[str, ...]:
    Account.enable_unaudited_hdwallet_features()
    return tuple(
        "0x" + bytes(Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key).hex()
        for i in range(count)
    )


DEV_KEYS: tuple[str, ...] = _derive(DEV_ACCOUNT_COUNT)
