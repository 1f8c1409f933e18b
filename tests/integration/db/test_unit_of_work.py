"""The unit of work keeps what is committed and nothing else."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from backend.chain.deployments import deployment_block, load_deployments, record_deployments
from backend.db.models import ContractDeployment
from backend.db.session import UnitOfWork, make_engine


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker]:  # type: ignore[type-arg]
    engine = make_engine(database_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def _count(factory: sessionmaker) -> int:  # type: ignore[type-arg]
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(ContractDeployment)) or 0)


def _row(name: str) -> ContractDeployment:
    return ContractDeployment(chain_id=31337, name=name, address="0x" + "ab" * 20, block_number=1)


def test_leaving_without_commit_rolls_back(session_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    with UnitOfWork(session_factory) as uow:
        uow.session.add(_row("Exchange"))
        uow.session.flush()
    assert _count(session_factory) == 0


def test_an_exception_rolls_back_even_after_a_flush(session_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuntimeError), UnitOfWork(session_factory) as uow:
        uow.session.add(_row("Exchange"))
        uow.session.flush()
        raise RuntimeError("fault in the middle of a write")
    assert _count(session_factory) == 0


def test_commit_keeps_the_writes(session_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    with UnitOfWork(session_factory) as uow:
        uow.session.add(_row("Exchange"))
        uow.commit()
    assert _count(session_factory) == 1


def test_the_session_is_unusable_outside_the_block(session_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    uow = UnitOfWork(session_factory)
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.session


def test_recording_a_deployment_replaces_the_previous_one(session_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    first = {"Exchange": "0x" + "01" * 20, "Custody": "0x" + "02" * 20}
    second = {"Exchange": "0x" + "03" * 20}
    for contracts, block in ((first, 5), (second, 9)):
        with UnitOfWork(session_factory) as uow:
            record_deployments(uow.session, 31337, contracts, block)
            uow.commit()
    with UnitOfWork(session_factory) as uow:
        assert load_deployments(uow.session, 31337) == second
        assert deployment_block(uow.session, 31337) == 9
        assert load_deployments(uow.session, 1) == {}
        assert deployment_block(uow.session, 1) is None
