"""A real-network deployment, planned before it is made: roles, the deployer, and the addresses it will create.

Contract addresses are predicted with the CREATE rule (keccak256(rlp([deployer, nonce]))[12:]): the deployment
sends Custody at the deployer's next nonce and Exchange at the one after, so the plan names both addresses
before any gas is spent, and `execute_plan` refuses to go on if the deployer's nonce moved in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from backend.chain.deploy import (
    DEV_MAKER_FEE_RATE,
    DEV_TAKER_FEE_RATE,
    creation_gas,
    custody_arguments,
    deploy_core,
    exchange_arguments,
    gas_limit,
)
from backend.chain.fees import max_fee_per_gas
from custody.errors import TreasuryError
from custody.review import format_units

# A real network's delays, as scripts/deploy.py's: the dev stack's (an hour each, the contracts' minimums) would
# give a user who sees a harmful admin change scheduled no time to exit before it runs. The timelock outlasts the
# exit delay by a day, so an exit requested when the change is scheduled completes before it.
REAL_TIMELOCK_DELAY = 2 * 86_400
REAL_EXIT_DELAY = 86_400


@dataclass(frozen=True)
class DeployRoles:
    """Who holds what: Custody's owners and threshold (it is also the Exchange's admin and fee recipient)."""

    owners: tuple[str, ...]
    threshold: int
    operator: str
    timelock_delay: int = REAL_TIMELOCK_DELAY
    exit_delay: int = REAL_EXIT_DELAY
    maker_fee_rate: int = DEV_MAKER_FEE_RATE
    taker_fee_rate: int = DEV_TAKER_FEE_RATE

    def __post_init__(self) -> None:
        if not self.owners or len(set(self.owners)) != len(self.owners):
            raise TreasuryError("owners: give distinct addresses")
        if not 1 <= self.threshold <= len(self.owners):
            raise TreasuryError(f"threshold {self.threshold} is not between 1 and {len(self.owners)} owners")
        if self.timelock_delay <= self.exit_delay:
            # what users are promised: one who sees a harmful change scheduled can exit before it runs
            raise TreasuryError(
                f"the timelock delay ({self.timelock_delay} s) must be longer than the exit delay "
                f"({self.exit_delay} s): a user who sees a change scheduled must be able to exit before it runs"
            )


@dataclass(frozen=True)
class DeployPlan:
    chain_id: int
    deployer: str
    nonce: int
    roles: DeployRoles

    @property
    def custody(self) -> str:
        return create_address(self.deployer, self.nonce)

    @property
    def exchange(self) -> str:
        return create_address(self.deployer, self.nonce + 1)

    def lines(self) -> list[str]:
        """The plan as a reviewer reads it."""
        roles = self.roles
        return [
            f"chain id        {self.chain_id}",
            f"deployer        {self.deployer} (nonce {self.nonce})",
            f"Custody         {self.custody} (deployer nonce {self.nonce})",
            f"  owners        {', '.join(roles.owners)}",
            f"  threshold     {roles.threshold} of {len(roles.owners)}",
            f"  timelock      {roles.timelock_delay} s",
            f"Exchange        {self.exchange} (deployer nonce {self.nonce + 1})",
            f"  admin         {self.custody} (Custody)",
            f"  fee recipient {self.custody} (Custody)",
            f"  operator      {roles.operator}",
            f"  fees          maker {roles.maker_fee_rate} / taker {roles.taker_fee_rate} millionths",
            f"  exit delay    {roles.exit_delay} s",
        ]


@dataclass(frozen=True)
class DeployCost:
    """What the deployment may cost the deployer, and what it holds: the node refuses a transaction whose gas limit
    at its highest fee the sender cannot pay, so a deployer short of it would stop after Custody."""

    gas: int  # the two gas limits
    max_fee_per_gas: int  # wei, as the transactions are sent (twice the base fee and the priority fee)
    balance: int  # wei

    @property
    def most(self) -> int:
        return self.gas * self.max_fee_per_gas

    @property
    def short(self) -> bool:
        return self.balance < self.most

    def lines(self) -> list[str]:
        lines = [
            f"  cost          up to {format_units(self.most, 18)} ETH (gas {self.gas:,} at up to "
            f"{format_units(self.max_fee_per_gas, 9)} gwei)",
            f"  deployer      holds {format_units(self.balance, 18)} ETH",
        ]
        if self.short:
            lines.append("  ! the deployer holds less than the deployment may cost: send it ether first")
        return lines


def deployment_cost(w3: Web3, plan: DeployPlan) -> DeployCost:
    """The plan's cost at the node's fees now (they move: a limit, not a quote)."""
    roles = plan.roles
    custody = custody_arguments(roles.owners, roles.threshold, roles.timelock_delay)
    exchange = exchange_arguments(
        plan.custody, roles.operator, roles.maker_fee_rate, roles.taker_fee_rate, roles.exit_delay
    )
    gas = gas_limit(creation_gas(w3, plan.deployer, "Custody", *custody))
    gas += gas_limit(creation_gas(w3, plan.deployer, "Exchange", *exchange))
    block = w3.eth.get_block("latest")
    # what `_Deployer`'s transactions bid (web3 fills in the same by default)
    max_fee = max_fee_per_gas(int(block.get("baseFeePerGas", 0)), int(w3.eth.max_priority_fee))
    return DeployCost(gas, max_fee, int(w3.eth.get_balance(to_checksum_address(plan.deployer))))


def create_address(sender: str, nonce: int) -> str:
    """The address CREATE gives the contract `sender` deploys at `nonce`."""
    nonce_rlp = bytes([0x80]) if nonce == 0 else _rlp_bytes(nonce.to_bytes((nonce.bit_length() + 7) // 8, "big"))
    payload = _rlp_bytes(bytes.fromhex(sender[2:])) + nonce_rlp
    return to_checksum_address(keccak(bytes([0xC0 + len(payload)]) + payload)[12:])


def _rlp_bytes(data: bytes) -> bytes:
    # Short strings only (an address, a nonce): one byte below 0x80 stands for itself, else 0x80 + length.
    return data if len(data) == 1 and data[0] < 0x80 else bytes([0x80 + len(data)]) + data


def plan_deployment(w3: Web3, deployer: str, roles: DeployRoles) -> DeployPlan:
    """The plan on the node's chain, from the deployer's pending nonce."""
    address = to_checksum_address(deployer)
    return DeployPlan(int(w3.eth.chain_id), address, int(w3.eth.get_transaction_count(address, "pending")), roles)


def execute_plan(w3: Web3, plan: DeployPlan, deployer_key: str) -> tuple[dict[str, str], int]:
    """Deploy exactly `plan`; returns ({name: address}, first block). Refuses if the chain or nonce moved."""
    if to_checksum_address(Account.from_key(deployer_key).address) != plan.deployer:
        raise TreasuryError("the deployer key does not belong to the planned deployer")
    current = plan_deployment(w3, plan.deployer, plan.roles)
    if current != plan:
        raise TreasuryError(f"the chain moved since the plan (chain {current.chain_id}, nonce {current.nonce})")
    roles = plan.roles
    custody, exchange, block = deploy_core(
        w3, deployer_key, roles.owners, roles.threshold, roles.operator, timelock_delay=roles.timelock_delay,
        exit_delay=roles.exit_delay, maker_fee_rate=roles.maker_fee_rate, taker_fee_rate=roles.taker_fee_rate,
    )  # fmt: skip
    deployed = {"Custody": str(custody.address), "Exchange": str(exchange.address)}
    if deployed != {"Custody": plan.custody, "Exchange": plan.exchange}:
        raise TreasuryError(f"deployed at {deployed}, not at the planned addresses")
    return deployed, block
