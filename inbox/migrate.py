"""Run the Alembic migrations shipped inside the package (``omnibox migrate``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "inbox:migrations")
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Blocking: call it outside a running event loop (it runs its own)."""
    command.upgrade(alembic_config(database_url), revision)
