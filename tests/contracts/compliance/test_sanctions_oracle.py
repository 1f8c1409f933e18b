"""SanctionsOracle: the owner manages the list; anyone reads it; nobody else changes it."""

import brownie
import pytest

LISTED = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"


@pytest.fixture
def oracle(SanctionsOracle, accounts):
    return SanctionsOracle.deploy(accounts[0], {"from": accounts[0]})


def test_the_owner_adds_and_removes_addresses_with_events(oracle, accounts):
    added = oracle.addToSanctionsList([LISTED], {"from": accounts[0]})
    assert oracle.isSanctioned(LISTED)
    assert added.events["SanctionedAddressesAdded"]["addrs"] == [LISTED]
    oracle.removeFromSanctionsList([LISTED], {"from": accounts[0]})
    assert not oracle.isSanctioned(LISTED)


def test_reverts_when_someone_other_than_the_owner_changes_the_list(oracle, accounts):
    with brownie.reverts():
        oracle.addToSanctionsList([LISTED], {"from": accounts[1]})
    with brownie.reverts():
        oracle.removeFromSanctionsList([LISTED], {"from": accounts[1]})
    assert not oracle.isSanctioned(LISTED)
