"""``inbox`` knows no platform by name and probes no adapter or sender: what it needs of a
platform is declared on the port (``inbox.platforms.PlatformTraits``) by ``bots/<name>``.

Read from the syntax tree, so prose in docstrings and comments may still explain with examples;
string constants, ``Channel.<NAME>`` and ``hasattr``/``getattr`` with a literal name may not.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INBOX = ROOT / "inbox"
NAMES = frozenset({"telegram", "vk", "facebook", "instagram"})
MEMBERS = frozenset({"TELEGRAM", "VK", "FACEBOOK", "INSTAGRAM"})
PLATFORM_WORDS = ("/start", "/stop", "message_allow", "message_deny", "HUMAN_AGENT")

# Files that may name platforms, and why. Each must still do so (no stale entries).
ALLOWED: dict[str, str] = {}
# Duck-typing that is not about a platform, and why.
ALLOWED_PROBES = {
    ("inbox/reporting/export.py", "isoformat"): "any date or time value in an export row",
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def _findings(source: str, rel: str) -> list[str]:
    """What ``source`` (the module ``rel``) knows of platforms, one line per finding."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    out = []
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            text = node.value
            if text.casefold() in NAMES or any(word in text for word in PLATFORM_WORDS):
                out.append(f"{where}: the string {text!r}")
        elif isinstance(node, ast.Attribute) and node.attr in MEMBERS:
            if isinstance(node.value, ast.Name) and node.value.id == "Channel":
                out.append(f"{where}: Channel.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("hasattr", "getattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and (rel, node.args[1].value) not in ALLOWED_PROBES
        ):
            out.append(f"{where}: {node.func.id}(..., {node.args[1].value!r})")
    return out


def _inbox_modules() -> dict[str, str]:
    return {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(INBOX.rglob("*.py"))
        if "migrations" not in p.parts
    }


def test_inbox_names_no_platform_and_probes_no_adapter() -> None:
    found = [
        line
        for rel, source in _inbox_modules().items()
        if rel not in ALLOWED
        for line in _findings(source, rel)
    ]
    assert not found, "platform knowledge belongs in bots/<name> (its traits):\n" + "\n".join(found)


def test_the_allowlists_are_not_stale() -> None:
    modules = _inbox_modules()
    for rel in ALLOWED:
        assert _findings(modules[rel], rel), f"{rel} names no platform any more: drop it"
    for rel, name in ALLOWED_PROBES:
        source = (ROOT / rel).read_text(encoding="utf-8")
        assert f'"{name}"' in source, f"{rel} no longer probes {name!r}: drop it"


def test_the_check_catches_names_members_and_probes_but_not_prose() -> None:
    source = (
        '"""Telegram\'s "telegram" and VK\'s message_allow, explained."""\n'
        'if channel == "vk" or channel is Channel.TELEGRAM:\n'
        '    batch = hasattr(sender, "deliver_batch")\n'
        'command = "/start"\n'
    )
    assert sorted(_findings(source, "inbox/x.py")) == [
        "inbox/x.py:2: Channel.TELEGRAM",
        "inbox/x.py:2: the string 'vk'",
        "inbox/x.py:3: hasattr(..., 'deliver_batch')",
        "inbox/x.py:4: the string '/start'",
    ]
