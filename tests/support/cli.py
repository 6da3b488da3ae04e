"""``omnibox`` as a newcomer runs it, on its own SQLite file, away from the repository's .env.

Commands run in-process by default: the same ``api.cli.main`` the console script calls, with
the command's own environment, working folder, standard streams and exit code, in a thread of
its own (the commands start their own event loops). A subprocess costs a second or two of
imports per call; :class:`Cli` with ``subprocess=True`` keeps the real console script for the
smoke test that proves the installed command works.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import pytest


class Cli:
    """``omnibox`` on its own SQLite file, away from the repository's .env."""

    def __init__(self, tmp_path: Path, *, subprocess: bool = False) -> None:
        self.cwd = tmp_path
        self.db = tmp_path / "cli.db"
        self.database_url = f"sqlite+aiosqlite:///{self.db}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
        self.env["OMNIBOX_DATABASE_URL"] = self.database_url
        self.env["OMNIBOX_ENVIRONMENT"] = "development"
        self.subprocess = subprocess
        script = Path(sys.executable).parent / "omnibox"  # the installed console script
        self.cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "api"]

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        if self.subprocess:
            return subprocess.run(
                [*self.cmd, *args],
                env=self.env,
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=120,
            )
        return _in_process(list(args), self.env, self.cwd)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql).fetchall()


def _in_process(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    from api import cli
    from inbox.settings import get_settings

    out, err = io.StringIO(), io.StringIO()
    code = 0

    def command() -> None:
        nonlocal code
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                cli.main(args)
        except SystemExit as exit_:
            if isinstance(exit_.code, str):
                err.write(exit_.code + "\n")
                code = 1
            else:
                code = exit_.code or 0
        except BaseException:  # a crash shows as a crashed process would show it
            err.write(traceback.format_exc())
            code = 1

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    get_settings.cache_clear()
    try:
        thread = threading.Thread(target=command, name=f"omnibox {' '.join(args[:2])}")
        thread.start()
        thread.join(timeout=120)
        if thread.is_alive():
            raise TimeoutError(f"omnibox {' '.join(args)} still runs after 120 s")
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        get_settings.cache_clear()
    return subprocess.CompletedProcess(["omnibox", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def migrated_cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``omnibox migrate`` once per test process; each test starts from a copy."""
    run = Cli(tmp_path_factory.mktemp("cli-template"))
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert run.db.is_file()
    return run.db


@pytest.fixture
def cli(tmp_path: Path, migrated_cli_db: Path) -> Cli:
    run = Cli(tmp_path)
    shutil.copyfile(migrated_cli_db, run.db)
    return run
