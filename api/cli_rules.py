"""``omnibox rules import FILE`` / ``omnibox rules export [FILE]``: the rule set as one YAML
file, so it can live in git and be reviewed like code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.automation import store
from inbox.automation.runner import directory
from inbox.db import make_engine, unit_of_work
from inbox.settings import Settings
from rules.compile import validate
from rules.errors import RuleError
from rules.schema import dump_yaml, load_yaml

T = TypeVar("T")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rules = sub.add_parser("rules", help="import or export the rule set as YAML")
    actions = rules.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="replace every rule with those of a YAML file")
    imp.add_argument("file", type=Path)
    exp = actions.add_parser("export", help="write the rule set as YAML (to stdout by default)")
    exp.add_argument("file", type=Path, nargs="?")


def run(args: argparse.Namespace, settings: Settings) -> None:
    path: Path | None = args.file
    if args.action == "import":
        assert path is not None
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            sys.exit(f"omnibox: cannot read {path}: {exc.strerror}")
        count = asyncio.run(_with_engine(settings, partial(_import, text=text, path=path)))
        print(f"imported {count} rule(s) from {path}")
        return
    text = asyncio.run(_with_engine(settings, _export))
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        print(f"wrote the rule set to {path}")


async def _with_engine(settings: Settings, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    engine = make_engine(settings.database_url)
    try:
        return await job(engine)
    finally:
        await engine.dispose()


async def _import(engine: AsyncEngine, *, text: str, path: Path) -> int:

    try:
        async with unit_of_work(engine) as conn:
            rules = validate([r.to_dict() for r in load_yaml(text)], await directory(conn))
            await store.replace_all(conn, [r.to_dict() for r in rules])
        return len(rules)
    except RuleError as exc:
        sys.exit(f"omnibox: {path} has errors, nothing was changed:\n{exc}")


async def _export(engine: AsyncEngine) -> str:
    async with unit_of_work(engine, writer=False) as conn:
        return dump_yaml(validate(await store.definitions(conn), await directory(conn)))
