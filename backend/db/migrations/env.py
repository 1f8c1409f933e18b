"""Alembic environment: the URL comes from the config hdex builds (backend.db.migrate)."""

from alembic import context

from backend.db.models import Base
from backend.db.models.forum import outside_the_search_index
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
            include_name=outside_the_search_index,  # SQLite's FTS5 tables (migration 0015) have no model
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
