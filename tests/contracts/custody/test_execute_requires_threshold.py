from conftest import OWNER_KEYS, reverts_with

from custody.approvals import sign_all


def test_executes_with_threshold_approvals(custody, owners, exchange):
    nonce = custody.nonce()
    tx = owners.execute(exchange, exchange.pause.encode_input())
    assert exchange.paused()
    assert tx.events["Executed"][0]["nonce"] == nonce
    assert custody.nonce() == nonce + 1


def test_executes_with_more_than_threshold_approvals(custody, owners, exchange):
    owners.execute(exchange, exchange.pause.encode_input(), keys=OWNER_KEYS)
    assert exchange.paused()


def test_reverts_when_below_threshold(custody, owners, exchange):
    nonce = custody.nonce()
    with reverts_with("CustodyBelowThreshold"):
        owners.execute(exchange, exchange.pause.encode_input(), keys=OWNER_KEYS[:1])
    assert custody.nonce() == nonce and not exchange.paused()


def test_reverts_when_a_signer_is_not_an_owner(custody, owners, exchange, traders):
    with reverts_with("CustodySignerNotOwner"):
        owners.execute(exchange, exchange.pause.encode_input(), keys=[OWNER_KEYS[0], traders[0].key])


def test_reverts_when_a_signature_is_malformed(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    good = sign_all(tx, OWNER_KEYS[:2])
    with reverts_with("CustodyInvalidSignature"):
        custody.execute(tx.target, 0, tx.data, tx.deadline, [good[0], good[1][:64]], {"from": deployer})


def test_reverts_when_an_approval_is_for_other_call_data(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    signatures = sign_all(tx, OWNER_KEYS[:2])
    # the same approvals presented for another call recover other addresses
    with reverts_with_any():
        custody.execute(tx.target, 0, exchange.unpause.encode_input(), tx.deadline, signatures, {"from": deployer})


def reverts_with_any():
    from contextlib import contextmanager

    from brownie.exceptions import VirtualMachineError

    @contextmanager
    def ctx():
        try:
            yield
        except VirtualMachineError as exc:
            assert (exc.revert_msg or "").split(":")[0] in ("CustodySignerNotOwner", "CustodySignersNotSorted")
        else:
            raise AssertionError("did not revert")
    return ctx()
