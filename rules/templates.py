"""Reply templates: Jinja in an immutable sandbox, parsed at save time, rendered per match.

Admins write templates, so they must not reach Python internals (``''.__class__.__mro__`` is a
``SecurityError``), mutate the values they are given, or build huge strings: ``*`` and ``**``
are intercepted and refuse results over ``MAX_OUTPUT`` characters. Unknown variables are an
error at save time and unknown attributes fail the render (``StrictUndefined``), so a reply is
never sent with a silent hole in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

VARIABLES = frozenset({"contact", "conversation", "message", "now"})
MAX_OUTPUT = 10_000


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if sized and len(seq) * n > MAX_OUTPUT:
                    raise SecurityError("result too long")
        return super().call_binop(context, operator, left, right)


ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=1024)  # rule sets repeat the same few replies; compiling costs ~0.5 ms
def parse(source: str) -> Template:
    """Compile ``source``; ``ValueError`` with a readable reason when it cannot be used."""
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as e:
        raise ValueError(f"template syntax error on line {e.lineno}: {e.message}") from None
    unknown = meta.find_undeclared_variables(ast) - VARIABLES
    if unknown:
        raise ValueError(
            f"unknown template variable(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(sorted(VARIABLES))}"
        )
    return ENV.from_string(source)


def render(template: Template, variables: Mapping[str, Any]) -> str:
    """Render, capping the output; raises on any template error (callers trace it)."""
    parts, size = [], 0
    for part in template.generate(variables):  # streamed, so a runaway loop stops early
        size += len(part)
        if size > MAX_OUTPUT:
            raise SecurityError(f"rendered reply longer than {MAX_OUTPUT} characters")
        parts.append(part)
    return "".join(parts).strip()
