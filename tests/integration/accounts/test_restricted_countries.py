"""A country added to HDEX_KYC_RESTRICTED_COUNTRIES after a wallet was verified there: the wallet counts at
level 0 while it stays on the list, its granted level comes back once it is off, and no submission resting on
identity data from it is approved meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.accounts.levels import Standing, current_level, standing
from backend.accounts.review import KycReview
from backend.accounts.service import Accounts, ProfileChanges
from backend.accounts.uploads import Upload
from backend.bootstrap import Container
from backend.errors import HdexError

from ..api.exchange_fixtures import wallet
from ..staff.conftest import Inbox, build_container
from .conftest import PDF, PNG, USER
from .test_kyc_review import ADA

REVIEWER = "staff:ann@hdex.example"


@pytest.fixture
def gb_listed(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    """The same database as `container`, once GB joined the restricted countries."""
    built = build_container(database_url, tmp_path, inbox[1], kyc_restricted_countries=["KP", "IR", "GB"])
    yield built
    built.db_engine.dispose()


def approved_level_1(container: Container) -> None:
    submission = Accounts(container).submit_identity(wallet(USER), ADA)
    KycReview(container).decide(submission.id, True, None, REVIEWER, None)


def test_a_wallet_verified_in_a_country_restricted_since_counts_at_level_0_until_it_is_lifted(
    container: Container, gb_listed: Container
) -> None:
    approved_level_1(container)
    restricted = Accounts(gb_listed)
    profile = restricted.profile(wallet(USER))
    assert (profile.country, profile.country_restricted, profile.level) == ("GB", True, 0)
    assert restricted.kyc_status(wallet(USER)).level == 0
    with gb_listed.uow() as uow:
        assert current_level(uow.session, wallet(USER)) == 1  # the approval stays on record
    assert Accounts(container).profile(wallet(USER)).level == 1  # off the list again: it counts again


def test_a_wallet_verified_in_a_country_restricted_since_stays_at_level_0_whatever_country_it_declares(
    container: Container, gb_listed: Container
) -> None:
    """Its approved identity data say GB: declaring DE, before or after GB joined the list, does not give the level
    (or its staff overrides) back, on the profile, the KYC status or the limits."""
    approved_level_1(container)
    restricted = Accounts(gb_listed)
    restricted.update_profile(wallet(USER), ProfileChanges(country="DE"), "http://hdex.test")
    profile = restricted.profile(wallet(USER))
    assert (profile.country, profile.country_restricted, profile.identity_country_restricted) == ("DE", False, True)
    assert profile.level == 0
    assert restricted.kyc_status(wallet(USER)).level == 0
    with gb_listed.uow() as uow:
        assert standing(uow.session, wallet(USER), frozenset(["KP", "IR", "GB"])) == Standing(0, True)
        assert current_level(uow.session, wallet(USER)) == 1  # the approval stays on record
    assert Accounts(container).profile(wallet(USER)).level == 1  # off the list again: it counts again


def test_no_approval_rests_on_identity_data_from_a_country_restricted_since_it_was_submitted(
    container: Container, gb_listed: Container
) -> None:
    accounts = Accounts(container)
    accounts.update_profile(wallet(USER), ProfileChanges(country="DE"), "http://hdex.test")
    level1 = accounts.submit_identity(wallet(USER), ADA)  # GB identity data, DE declared
    with pytest.raises(HdexError) as refused:
        KycReview(gb_listed).decide(level1.id, True, None, REVIEWER, None)
    assert (refused.value.code, refused.value.field) == ("JURISDICTION_RESTRICTED", "country")
    assert accounts.kyc_status(wallet(USER)).submissions[0].status == "pending"
    KycReview(container).decide(level1.id, True, None, REVIEWER, None)
    level2 = accounts.submit_documents(
        wallet(USER), [Upload("identity", PNG, "identityDocument"), Upload("proof_of_address", PDF, "proofOfAddress")]
    )
    with pytest.raises(HdexError) as refused:  # level 2's identity is the approved level 1's
        KycReview(gb_listed).decide(level2.id, True, None, REVIEWER, None)
    assert refused.value.code == "JURISDICTION_RESTRICTED"
    assert accounts.kyc_status(wallet(USER)).level == 1
