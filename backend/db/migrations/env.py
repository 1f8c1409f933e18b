"""Alembic environment: the URL comes from the config hdex builds (backend.db.migrate)."""

from alembic import context

from backend.db.models import Base, include_name
from backend.db.session import make_engine

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "hdex sets sqlalchemy.url (see backend.db.migrate)"
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
            compare_type=True,
            include_name=include_name,  # leaves out the tables no model describes
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
