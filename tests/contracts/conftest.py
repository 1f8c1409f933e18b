"""Shared fixtures for the contract tests: a deployed Custody (2-of-3) + Exchange, two tokens, funded traders."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest
from eth_account import Account

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The offline compiler `make setup` adopted (as the Makefile exports it): a compile from a test, or of changed
# sources, must never try to download solc.
os.environ.setdefault("SOLCX_BINARY_PATH", str(ROOT / "var" / "solcx"))

from exchange_signing import BUY, SELL, Order, order_hash, sign_order, trade  # noqa: E402,F401

from custody.approvals import CustodyTransaction, sign_all  # noqa: E402

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
Account.enable_unaudited_hdwallet_features()
DEV_KEYS = [
    "0x" + bytes(Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key).hex()
    for i in range(10)
]
OWNER_KEYS = [DEV_KEYS[2], DEV_KEYS[3], DEV_KEYS[4]]
TIMELOCK_DELAY = 3600
EXIT_DELAY = 3600
MAKER_FEE_RATE = 1_000  # 0.1%
TAKER_FEE_RATE = 2_000  # 0.2%
E18 = 10**18
E6 = 10**6


@pytest.fixture(scope="module", autouse=True)
def reset_chain_per_module(module_isolation):
    pass


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def operator(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def fee_recipient(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def custody(Custody, accounts, deployer):
    return Custody.deploy([accounts[2], accounts[3], accounts[4]], 2, TIMELOCK_DELAY, {"from": deployer})


@pytest.fixture(scope="module")
def exchange(Exchange, custody, operator, fee_recipient, deployer):
    return Exchange.deploy(
        custody, operator, fee_recipient, MAKER_FEE_RATE, TAKER_FEE_RATE, EXIT_DELAY, {"from": deployer}
    )


class CustodyDriver:
    """Drives Custody the way owners do: sign approvals, execute, schedule through the timelock."""

    def __init__(self, custody, chain, sender, keys=OWNER_KEYS[:2]):
        self.custody = custody
        self.chain = chain
        self.sender = sender
        self.keys = keys

    def transaction(self, target, data, value=0, nonce=None, deadline=None, chain_id=None, custody=None):
        return CustodyTransaction(
            chain_id=chain_id if chain_id is not None else self.chain.id,
            custody=str(custody if custody is not None else self.custody.address),
            target=str(target),
            value=value,
            data=bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data),
            nonce=self.custody.nonce() if nonce is None else nonce,
            deadline=deadline if deadline is not None else self.chain[-1].timestamp + 3600,
        )

    def execute(self, target, data, value=0, keys=None, **kw):
        tx = self.transaction(target, data, value, **kw)
        signatures = sign_all(tx, keys or self.keys)
        return self.custody.execute(tx.target, value, tx.data, tx.deadline, signatures, {"from": self.sender})

    def schedule(self, target, data, value=0, salt=b"\x00" * 32):
        call = self.custody.schedule.encode_input(target, value, data, salt)
        return self.execute(self.custody, call)

    def run_timelocked(self, target, data, value=0, salt=b"\x00" * 32):
        self.schedule(target, data, value, salt)
        self.chain.sleep(TIMELOCK_DELAY + 1)
        self.chain.mine()
        return self.custody.executeScheduled(target, value, data, salt, {"from": self.sender})


@pytest.fixture(scope="module")
def owners(custody, chain, deployer):
    return CustodyDriver(custody, chain, deployer)


@pytest.fixture(scope="module")
def base_token(TestERC20, deployer):
    return TestERC20.deploy("Wrapped Ether", "WETH", 18, {"from": deployer})


@pytest.fixture(scope="module")
def quote_token(TestERC20, deployer):
    return TestERC20.deploy("USD Coin", "USDC", 6, {"from": deployer})


@pytest.fixture(scope="module")
def listed(exchange, owners, base_token, quote_token):
    for token in (base_token, quote_token):
        owners.execute(exchange, exchange.setTokenListed.encode_input(token, True))
    return True


class Trader:
    def __init__(self, account, key):
        self.account = account
        self.key = key
        self.address = account.address

    def __str__(self):
        return self.address


def _fund(exchange, token, trader, amount, deployer):
    token.mint(trader.account, amount, {"from": deployer})
    token.approve(exchange, amount, {"from": trader.account})
    exchange.depositToken(token, amount, {"from": trader.account})


@pytest.fixture(scope="module")
def traders(accounts, exchange, listed, base_token, quote_token, deployer):
    """Traders 5..8 with 100 WETH and 1,000,000 USDC each in the vault."""
    result = []
    for i in (5, 6, 7, 8):
        trader = Trader(accounts[i], DEV_KEYS[i])
        _fund(exchange, base_token, trader, 100 * E18, deployer)
        _fund(exchange, quote_token, trader, 1_000_000 * E6, deployer)
        result.append(trader)
    return result


@pytest.fixture(scope="module")
def alice(traders):
    return traders[0]


@pytest.fixture(scope="module")
def bob(traders):
    return traders[1]


class OrderBook:
    """Builds and signs orders on the test market (WETH/USDC) and settles them."""

    def __init__(self, exchange, chain, base, quote, operator):
        self.exchange = exchange
        self.chain = chain
        self.base = base
        self.quote = quote
        self.operator = operator
        self._nonces = itertools.count(1)

    def order(self, trader, side, base_amount, price, **kw):
        """An order of `trader`; without a `nonce`, the next of a counter, as wallets number their orders (a
        nonce names one order: once an order traded or was cancelled, another with its nonce is refused)."""
        kw.setdefault("nonce", next(self._nonces))
        return Order(
            maker=trader.address,
            baseToken=self.base.address,
            quoteToken=self.quote.address,
            side=side,
            baseAmount=base_amount,
            limitPrice=price,
            **kw,
        )

    def sign(self, order, key, chain_id=None, exchange=None):
        return sign_order(order, key, chain_id or self.chain.id, str(exchange or self.exchange.address))

    def settle(self, orders_and_keys, trades, sender=None):
        """Settles `trades` between the orders (see `settle_args`)."""
        return self.exchange.settle(*self.settle_args(orders_and_keys, trades), {"from": sender or self.operator})

    def settle_args(self, orders_and_keys, trades):
        """`settle`'s (orders, signatures, trades): signs (a key) or takes (bytes) each signature, sorts the orders
        by hash as the contract requires and remaps the trades' order indices accordingly."""
        legs = [(o, sig if isinstance(sig, bytes) else self.sign(o, sig)) for o, sig in orders_and_keys]
        digests = [order_hash(o, self.chain.id, str(self.exchange.address)) for o, _ in legs]
        order = sorted(range(len(legs)), key=lambda i: digests[i])
        position = {old: new for new, old in enumerate(order)}
        trades = [(position.get(t[0], t[0]), position.get(t[1], t[1]), *t[2:]) for t in trades]
        return [legs[i][0].as_tuple() for i in order], [legs[i][1] for i in order], trades

    def hash(self, order):
        return self.exchange.hashOrder(order.as_tuple())


@pytest.fixture(scope="module")
def book(exchange, chain, base_token, quote_token, operator):
    return OrderBook(exchange, chain, base_token, quote_token, operator)


# 2,000 USDC per WETH: quote base units per 1e18 base units = 2000 * 1e6.
PRICE_2000 = 2000 * E6


def skipped_reasons(tx):
    """The selector (0x-hex) of the error each TradeSkipped of `tx` carries."""
    events = tx.events["TradeSkipped"] if "TradeSkipped" in tx.events else []  # noqa: SIM401 (brownie's EventDict)
    return ["0x" + bytes(ev["reason"])[:4].hex() for ev in events]


def _readable(abi_type, value):
    """An address checksummed and bytes as 0x-hex, as the tests write them."""
    from eth_utils import to_checksum_address

    if abi_type == "address":
        return to_checksum_address(value)
    return "0x" + value.hex() if isinstance(value, bytes) else value


def skipped_errors(tx, exchange):
    """tradeIndex -> (error name, {argument: value}) of each TradeSkipped of `tx`, decoded against the Exchange
    ABI like revert data: the reason must be exactly one of its errors, encoded with all its arguments."""
    from eth_abi import decode, encode
    from eth_utils import keccak

    errors = {}
    for item in exchange.abi:
        if item["type"] == "error":
            types = [i["type"] for i in item["inputs"]]
            errors[keccak(text=f"{item['name']}({','.join(types)})")[:4]] = item
    decoded = {}
    for ev in tx.events["TradeSkipped"] if "TradeSkipped" in tx.events else []:  # noqa: SIM401
        reason = bytes(ev["reason"])
        error = errors[reason[:4]]
        types = [i["type"] for i in error["inputs"]]
        values = decode(types, reason[4:])
        assert encode(types, values) == reason[4:], f"{error['name']}: not exactly its arguments, ABI-encoded"
        named = {i["name"]: _readable(i["type"], v) for i, v in zip(error["inputs"], values, strict=True)}
        decoded[ev["tradeIndex"]] = (error["name"], named)
    return decoded


def selector(exchange, error_name):
    """The 4-byte selector of a custom error of the Exchange ABI, as 0x-hex."""
    from eth_utils import keccak

    for item in exchange.abi:
        if item["type"] == "error" and item["name"] == error_name:
            sig = f"{error_name}({','.join(i['type'] for i in item['inputs'])})"
            return "0x" + keccak(text=sig)[:4].hex()
    raise KeyError(error_name)


def order_status(exchange, order_hash):
    """(filled, verified, cancelled) of an order's fill counter, as plain Python values."""
    filled, verified, cancelled = exchange.orderStatus(order_hash)
    return int(filled), bool(verified), bool(cancelled)


def nonce_used(exchange, order):
    """Whether the nonce of `order` (an exchange_signing.Order) is used by its maker."""
    return bool(exchange.isNonceUsed(order.maker, order.nonce))


# Storage slots of the Exchange's `_usedNonces` and `_wallets` mappings (solc's layout: EIP712's two fallback
# strings, then the Exchange's variables in order); test_the_nonce_window_keeps_every_used_nonce checks them.
USED_NONCES_SLOT = 8
WALLETS_SLOT = 9


def _mapping_slot(key, slot):
    from eth_utils import keccak

    return int.from_bytes(keccak(key.to_bytes(32, "big") + slot.to_bytes(32, "big")), "big")


def _storage(exchange, slot):
    from brownie import web3

    return int.from_bytes(web3.eth.get_storage_at(str(exchange.address), slot), "big")


def nonce_window(exchange, wallet):
    """(windowIndex, windowBits) of `wallet`'s slot: the 64 nonces `64 * windowIndex` to `64 * windowIndex + 63`."""
    word = _storage(exchange, _mapping_slot(int(str(wallet), 16), WALLETS_SLOT))
    return (word >> 128) & (2**64 - 1), word >> 192


def nonce_bitmap_word(exchange, maker, index):
    """`_usedNonces[maker][index]`: the used-nonce bits of nonces `256 * index` to `256 * index + 255`."""
    inner = _mapping_slot(int(str(maker), 16), USED_NONCES_SLOT)
    return _storage(exchange, _mapping_slot(index, inner))


def assert_no_bitmap_bit_at_or_above_the_window(exchange, maker, up_to_word):
    """The window's invariant: the bitmap holds no bit of a nonce in or above `maker`'s window (checked up to word
    `up_to_word`)."""
    window, _ = nonce_window(exchange, maker)
    for index in range(window // 4, up_to_word + 1):
        word = nonce_bitmap_word(exchange, maker, index)
        if index == window // 4:
            word >>= 64 * (window % 4)  # the windows of this word at and above the window
        assert word == 0, (maker, window, index)


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "ignore::FutureWarning")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning")
    _await_the_receipt_first()


def _await_the_receipt_first():
    """anvil can answer a sender's nonce past a transaction a moment before it serves the transaction's receipt
    (seen once in CI, on a loaded machine): brownie, which reads the nonce first, then takes the mined transaction
    for dropped and fails the test with "Tx dropped without known replacement". anvil mines every transaction at
    once and drops none, so each transaction's wait first waits for its receipt; brownie's own then finds it."""
    from brownie import web3
    from brownie.network.transaction import TransactionReceipt
    from web3.exceptions import TimeExhausted

    brownies_wait = TransactionReceipt._await_confirmation

    def await_confirmation(receipt, block_number=None, required_confs=1):
        with suppress(TimeExhausted):  # no receipt at all: brownie's wait decides, as before
            web3.eth.wait_for_transaction_receipt(receipt.txid, timeout=30, poll_latency=0.05)
        brownies_wait(receipt, block_number, required_confs)

    TransactionReceipt._await_confirmation = await_confirmation


from contextlib import contextmanager, suppress  # noqa: E402

from brownie.exceptions import VirtualMachineError  # noqa: E402


@contextmanager
def reverts_with(error_name):
    """Expects the transaction inside to revert with the custom error `error_name` (any arguments)."""
    try:
        yield
    except VirtualMachineError as exc:
        message = exc.revert_msg or ""
        assert message.split(":")[0] == error_name, f"reverted with {message!r}, expected {error_name}"
    else:
        raise AssertionError(f"did not revert (expected {error_name})")


def assert_skipped(tx, exchange, error_name, count=1):
    """The batch settled nothing and skipped `count` trades, each because of `error_name`."""
    assert "TradeSettled" not in tx.events
    assert skipped_reasons(tx) == [selector(exchange, error_name)] * count


def assert_settled(tx, count=1):
    assert skipped_reasons(tx) == []
    assert len(tx.events["TradeSettled"]) == count


def revert_data(contract_fn, *args, sender):
    """The raw revert data of calling `contract_fn(*args)` from `sender` (eth_call), or None if it succeeds."""
    return call_revert_data(contract_fn._address, contract_fn.encode_input(*args), sender)


def call_revert_data(to, calldata, sender):
    """The raw revert data of an eth_call of `calldata` (0x-hex) to `to` from `sender`, or None if it succeeds."""
    from brownie import web3
    from web3.exceptions import ContractLogicError

    try:
        web3.eth.call({"to": str(to), "from": str(sender), "data": calldata})
    except ContractLogicError as exc:
        data = exc.data
        return bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    except ValueError as exc:  # brownie's middleware raises the JSON-RPC error dict
        data = exc.args[0]["data"]
        return bytes.fromhex(data[2:])
    return None


def custody_inner_error(owners, target, data):
    """The error selector the target raised inside a direct Custody.execute (unwrapping CustodyCallFailed)."""
    from custody.approvals import sign_all

    tx = owners.transaction(target, data)
    raw = revert_data(owners.custody.execute, tx.target, 0, tx.data, tx.deadline, sign_all(tx, owners.keys),
                      sender=owners.sender)
    return unwrap_custody_failure(raw)


def unwrap_custody_failure(raw):
    """The selector inside CustodyCallFailed(address target, bytes reason) revert data."""
    from eth_abi import decode
    from eth_utils import keccak

    assert raw is not None and raw[:4] == keccak(text="CustodyCallFailed(address,bytes)")[:4], raw
    _, inner = decode(["address", "bytes"], raw[4:])
    return "0x" + inner[:4].hex()


def timelocked_inner_error(owners, target, data, salt=b"\x0f" * 32):
    """Schedules `data` to `target`, waits out the delay, and returns the selector the target reverts with."""
    owners.schedule(target, data, salt=salt)
    owners.chain.sleep(TIMELOCK_DELAY + 1)
    owners.chain.mine()
    raw = revert_data(owners.custody.executeScheduled, target, 0, data, salt, sender=owners.sender)
    return unwrap_custody_failure(raw)
