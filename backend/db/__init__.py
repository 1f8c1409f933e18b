"""Persistence: SQLAlchemy 2 models, the unit of work, Alembic migrations (SQLite and PostgreSQL)."""
