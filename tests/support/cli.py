"""``omnibox`` as a newcomer runs it: the installed command, in a subprocess, on its own SQLite
file, away from the repository's .env."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


class Cli:
    """``omnibox`` in a subprocess, on its own SQLite file, away from the repository's .env."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.db = tmp_path / "cli.db"
        self.database_url = f"sqlite+aiosqlite:///{self.db}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
        self.env["OMNIBOX_DATABASE_URL"] = self.database_url
        self.env["OMNIBOX_ENVIRONMENT"] = "development"
        script = Path(sys.executable).parent / "omnibox"  # the installed console script
        self.cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "api"]

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.cmd, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql).fetchall()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path)
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert run.db.is_file()
    return run
