"""Lint, types and the import direction are part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "cmd",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("mypy",),
        ("lint-imports",),
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "import-linter"],
)
def test_tool_is_clean(cmd: tuple[str, ...]) -> None:
    exe = shutil.which(cmd[0]) or str(Path(sys.executable).parent / cmd[0])
    result = _run(exe, *cmd[1:])
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for pkg in ("inbox", "bots", "rules", "api", "demo", "fakes")
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations/versions" not in str(p)
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert not big, f"split these modules: {big}"
