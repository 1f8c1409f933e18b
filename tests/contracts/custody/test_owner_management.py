from conftest import OWNER_KEYS, reverts_with


def test_reverts_when_an_owner_is_added_directly(custody, accounts):
    with reverts_with("CustodyUnauthorizedCaller"):
        custody.addOwner(accounts[6], 2, {"from": accounts[2]})


def test_reverts_when_an_owner_is_removed_or_the_threshold_changed_directly(custody, accounts):
    with reverts_with("CustodyUnauthorizedCaller"):
        custody.removeOwner(accounts[2], 1, {"from": accounts[2]})
    with reverts_with("CustodyUnauthorizedCaller"):
        custody.changeThreshold(1, {"from": accounts[2]})


def test_owners_and_threshold_change_through_an_approved_call(custody, owners, accounts):
    owners.execute(custody, custody.addOwner.encode_input(accounts[6], 3))
    assert custody.isOwner(accounts[6]) and custody.threshold() == 3
    owners.execute(custody, custody.removeOwner.encode_input(accounts[2], 2), keys=OWNER_KEYS)
    assert not custody.isOwner(accounts[2])
    assert set(custody.getOwners()) == {accounts[3].address, accounts[4].address, accounts[6].address}
    owners.execute(custody, custody.changeThreshold.encode_input(1), keys=OWNER_KEYS[1:])
    assert custody.threshold() == 1


def test_reverts_when_the_threshold_would_exceed_the_owners(custody, owners):
    with reverts_with("CustodyCallFailed"):
        owners.execute(custody, custody.changeThreshold.encode_input(4))
    with reverts_with("CustodyCallFailed"):
        owners.execute(custody, custody.changeThreshold.encode_input(0))


def test_reverts_when_setting_up_with_a_duplicate_or_zero_owner(Custody, accounts, deployer):
    with reverts_with("CustodyInvalidOwner"):
        Custody.deploy([accounts[2], accounts[2]], 1, 3600, {"from": deployer})
    with reverts_with("CustodyInvalidOwner"):
        Custody.deploy([accounts[2], "0x" + "00" * 20], 1, 3600, {"from": deployer})


def test_setup_cannot_run_twice(CustodySetupHarness, accounts, deployer):
    harness = CustodySetupHarness.deploy([accounts[2], accounts[3]], 2, 3600, {"from": deployer})
    with reverts_with("CustodyAlreadySetUp"):
        harness.setupAgain([accounts[7]], 1, 3600, {"from": accounts[7]})
    assert harness.getOwners() == [accounts[2], accounts[3]]


def test_custody_has_no_delegatecall():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[3] / "contracts" / "Custody.sol").read_text()
    assert "delegatecall(" not in source.replace("no delegatecall", "")
