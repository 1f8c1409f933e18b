"""brownie run scripts/deploy.py [--network NAME]: deploy Custody, then Exchange (admin: Custody).

On the development chain (chain id 31337: anvil) it deploys the same dev stack as `hdex up`'s Python path
(backend/chain/deploy.py): Custody 2-of-3 over dev accounts 2, 3, 4; Exchange with Custody as admin and fee
recipient and dev account 1 as operator; WETH (18) and USDC (6) listed through Custody and minted to dev
accounts 5..9; a DevPriceFeed for WETH/USDC (deployed, not made the market's price source). Elsewhere it
reads the roles from the environment:

  HDEX_DEPLOYER_ACCOUNT   brownie account id (`brownie accounts list`) that pays for the deployment
  HDEX_CUSTODY_OWNERS     comma-separated owner addresses
  HDEX_CUSTODY_THRESHOLD  approvals needed (M)
  HDEX_OPERATOR           the relayer's address
  HDEX_TIMELOCK_DELAY     seconds (default 2 days); HDEX_EXIT_DELAY seconds (default 1 day)

The addresses are printed as one JSON line and written to build/deployments/<chain id>.json; `hdex up`
records its own deployment in the database (served by /health).
"""

import json
import os
import sys
from pathlib import Path

from brownie import Custody, DevPriceFeed, Exchange, TestERC20, accounts, chain

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.chain.devkeys import (  # noqa: E402
    CUSTODY_OWNER_INDICES,
    DEPLOYER_INDEX,
    DEV_KEYS,
    OPERATOR_INDEX,
    TRADER_INDICES,
)
from custody.approvals import CustodyTransaction, sign_all  # noqa: E402

DEV_CHAIN_ID = 31337
DEV_TOKENS = (("WETH", "Wrapped Ether", 18, 1_000), ("USDC", "USD Coin", 6, 1_000_000))
MAKER_FEE_RATE, TAKER_FEE_RATE = 1_000, 2_000  # millionths of the amount received
DEV_FEED_DECIMALS, DEV_FEED_ANSWER = 8, 2_000 * 10**8  # a WETH/USDC feed at 2,000, not attached to the market


def _fail(message):
    print(f"deploy: {message}", file=sys.stderr)
    sys.exit(1)


def _execute_through_custody(custody, owner_keys, target, data, sender):
    deadline = chain[-1].timestamp + 3600
    tx = CustodyTransaction(chain_id=chain.id, custody=custody.address, target=str(target), value=0, data=data,
                            nonce=custody.nonce(), deadline=deadline)
    return custody.execute(target, 0, data, deadline, sign_all(tx, owner_keys), {"from": sender})


def deploy_dev():
    deployer = accounts.add(DEV_KEYS[DEPLOYER_INDEX])
    owner_keys = [DEV_KEYS[i] for i in CUSTODY_OWNER_INDICES]
    owners = [accounts.add(k).address for k in owner_keys]
    operator = accounts.add(DEV_KEYS[OPERATOR_INDEX]).address
    custody = Custody.deploy(owners, 2, 3600, {"from": deployer})
    exchange = Exchange.deploy(custody, operator, custody, MAKER_FEE_RATE, TAKER_FEE_RATE, 3600, {"from": deployer})
    contracts = {"Custody": custody.address, "Exchange": exchange.address}
    for symbol, name, decimals, whole in DEV_TOKENS:
        token = TestERC20.deploy(name, symbol, decimals, {"from": deployer})
        contracts[symbol] = token.address
        data = bytes.fromhex(exchange.setTokenListed.encode_input(token, True)[2:])
        _execute_through_custody(custody, owner_keys[:2], exchange, data, deployer)
        for i in TRADER_INDICES:
            token.mint(accounts.add(DEV_KEYS[i]).address, whole * 10**decimals, {"from": deployer})
    feed = DevPriceFeed.deploy(DEV_FEED_DECIMALS, "WETH / USDC", DEV_FEED_ANSWER, {"from": deployer})
    contracts["DevPriceFeed"] = feed.address
    return contracts, custody.tx.block_number


def deploy_configured():
    try:
        deployer = accounts.load(os.environ["HDEX_DEPLOYER_ACCOUNT"])
        owners = [o.strip() for o in os.environ["HDEX_CUSTODY_OWNERS"].split(",") if o.strip()]
        threshold = int(os.environ["HDEX_CUSTODY_THRESHOLD"])
        operator = os.environ["HDEX_OPERATOR"]
    except KeyError as missing:
        _fail(f"set {missing.args[0]} (see the docstring of scripts/deploy.py)")
    timelock_delay = int(os.environ.get("HDEX_TIMELOCK_DELAY", 2 * 86400))
    exit_delay = int(os.environ.get("HDEX_EXIT_DELAY", 86400))
    if timelock_delay <= exit_delay:  # as `hdex chain deploy` refuses it: users could not exit before a change runs
        _fail(f"HDEX_TIMELOCK_DELAY ({timelock_delay} s) must be longer than HDEX_EXIT_DELAY ({exit_delay} s)")
    custody = Custody.deploy(owners, threshold, timelock_delay, {"from": deployer})
    exchange = Exchange.deploy(custody, operator, custody, MAKER_FEE_RATE, TAKER_FEE_RATE, exit_delay,
                               {"from": deployer})
    return {"Custody": custody.address, "Exchange": exchange.address}, custody.tx.block_number


def main():
    contracts, block_number = deploy_dev() if chain.id == DEV_CHAIN_ID else deploy_configured()
    record = {"chain_id": chain.id, "block_number": block_number, "contracts": contracts}
    out = ROOT / "build" / "deployments" / f"{chain.id}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record))
