from conftest import OWNER_KEYS, TIMELOCK_DELAY, reverts_with

from custody.approvals import sign_all


def _replay_reverts(exc_name_options):
    from contextlib import contextmanager

    from brownie.exceptions import VirtualMachineError

    @contextmanager
    def ctx():
        try:
            yield
        except VirtualMachineError as exc:
            assert (exc.revert_msg or "").split(":")[0] in exc_name_options, exc.revert_msg
        else:
            raise AssertionError("replay accepted")
    return ctx()


# A replayed approval recovers addresses that are not owners (or not in order): either error proves the rejection.
REJECTED = ("CustodySignerNotOwner", "CustodySignersNotSorted")


def test_reverts_when_an_approval_is_replayed_with_a_used_nonce(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    signatures = sign_all(tx, OWNER_KEYS[:2])
    custody.execute(tx.target, 0, tx.data, tx.deadline, signatures, {"from": deployer})
    owners.execute(exchange, exchange.unpause.encode_input())
    with _replay_reverts(REJECTED):
        custody.execute(tx.target, 0, tx.data, tx.deadline, signatures, {"from": deployer})
    assert not exchange.paused()


def test_reverts_when_an_approval_was_signed_for_another_chain(custody, owners, exchange, deployer):
    tx = owners.transaction(exchange, exchange.pause.encode_input(), chain_id=1)
    with _replay_reverts(REJECTED):
        custody.execute(tx.target, 0, tx.data, tx.deadline, sign_all(tx, OWNER_KEYS[:2]), {"from": deployer})


def test_reverts_when_an_approval_was_signed_for_another_custody(Custody, custody, owners, exchange, deployer,
                                                                  accounts):
    other = Custody.deploy([accounts[2], accounts[3], accounts[4]], 2, TIMELOCK_DELAY, {"from": deployer})
    tx = owners.transaction(exchange, exchange.pause.encode_input(), custody=other.address)
    with _replay_reverts(REJECTED):
        custody.execute(tx.target, 0, tx.data, tx.deadline, sign_all(tx, OWNER_KEYS[:2]), {"from": deployer})


def test_reverts_when_the_approval_deadline_passed(custody, owners, exchange, deployer, chain):
    tx = owners.transaction(exchange, exchange.pause.encode_input(), deadline=chain[-1].timestamp + 10)
    signatures = sign_all(tx, OWNER_KEYS[:2])
    chain.sleep(60)
    chain.mine()
    with reverts_with("CustodyApprovalExpired"):
        custody.execute(tx.target, 0, tx.data, tx.deadline, signatures, {"from": deployer})


def test_the_digest_matches_the_client(custody, owners, exchange):
    tx = owners.transaction(exchange, exchange.pause.encode_input())
    assert bytes(custody.hashTransaction(tx.target, 0, tx.data, tx.nonce, tx.deadline)) == tx.digest()
