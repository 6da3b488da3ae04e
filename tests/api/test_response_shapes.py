"""The JSON bodies of ``/api/v1`` are a public contract: this pins each one as documented in
``/openapi.json`` (every field, its type, whether it may be null), so a change to a response
model shows up here as a change of contract, on purpose or not.

The models write exactly their fields (tests/api/test_openapi_documented.py checks every route
has one), so the documented shape is the answered shape. To change the contract on purpose,
rewrite ``response_shapes.json`` with ``python -m tests.api.test_response_shapes``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.openapi import api_routes, make_app

SNAPSHOT = Path(__file__).with_name("response_shapes.json")


def _shape(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A schema without its prose: objects as ``{field: shape}`` (``?`` marks optional
    fields), lists as ``[shape]``, ``{"or null": shape}`` for what may be null."""
    if "$ref" in schema:
        return _shape(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        found = (
            _shape(options[0], defs)
            if len(options) == 1
            else [
                "one of",
                *(_shape(s, defs) for s in options),
            ]
        )
        return {"or null": found} if len(options) < len(schema["anyOf"]) else found
    kind = schema.get("type")
    if kind == "array":
        return [_shape(schema.get("items", {}), defs)]
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        out = {
            (name if name in required else f"{name}?"): _shape(sub, defs)
            for name, sub in schema["properties"].items()
        }
        if schema.get("additionalProperties"):
            out["*"] = "any"
        return out
    if kind == "object":
        extra = schema.get("additionalProperties")
        return {"*": _shape(extra, defs) if isinstance(extra, dict) else "any"}
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind or "any"


def documented_shapes() -> dict[str, Any]:
    app = make_app()
    spec = app.openapi()
    defs = spec["components"]["schemas"]
    shapes: dict[str, Any] = {}
    for route in api_routes(app):
        for method in sorted(route.methods or ()):
            op = spec["paths"][route.path][method.lower()]
            for code, answer in op["responses"].items():
                body = (answer.get("content") or {}).get("application/json")
                if code.startswith("2") and body:
                    shapes[f"{method} {route.path} {code}"] = _shape(body["schema"], defs)
    return shapes


def test_every_answer_has_the_shape_it_had() -> None:
    assert documented_shapes() == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":  # one route a line, so a change of contract is a one-line diff
    found = documented_shapes()
    lines = [f"  {json.dumps(k)}: {json.dumps(found[k], sort_keys=True)}" for k in sorted(found)]
    SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
