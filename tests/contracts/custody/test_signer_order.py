from conftest import OWNER_KEYS, reverts_with
from eth_account import Account

from custody.approvals import ApprovalError, collect, sign


def _sorted_keys():
    return sorted(OWNER_KEYS, key=lambda k: int(Account.from_key(k).address, 16))


def test_reverts_when_the_same_signer_appears_twice(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    one = sign(tx, OWNER_KEYS[0]).signature
    with reverts_with("CustodySignersNotSorted"):
        custody.execute(tx.target, 0, tx.data, tx.deadline, [one, one], {"from": deployer})


def test_reverts_when_signers_are_not_in_increasing_order(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    low, high = _sorted_keys()[:2]
    signatures = [sign(tx, high).signature, sign(tx, low).signature]
    with reverts_with("CustodySignersNotSorted"):
        custody.execute(tx.target, 0, tx.data, tx.deadline, signatures, {"from": deployer})
    custody.execute(tx.target, 0, tx.data, tx.deadline, signatures[::-1], {"from": deployer})
    assert exchange.paused()


def test_the_client_refuses_duplicate_approvals_and_sorts_the_rest(custody, owners, exchange):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    approvals = [sign(tx, k) for k in OWNER_KEYS]
    try:
        collect(approvals + approvals[:1])
        raise AssertionError("duplicate accepted")
    except ApprovalError:
        pass
    ordered = collect(reversed(approvals), threshold=2)
    assert ordered == [sign(tx, k).signature for k in _sorted_keys()]
