"""Every answer under ``/api/v1`` is documented in ``/openapi.json``: a JSON body by a named
model (not ``{}``, not a bare ``object``), anything else by its media type. A new route that
returns ``dict[str, Any]`` (or nothing typed at all) fails here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from tests.support.openapi import api_routes, make_app


def _named(schema: dict[str, Any]) -> bool:
    """A model by name, or a list of them."""
    if "$ref" in schema:
        return True
    return schema.get("type") == "array" and "$ref" in schema.get("items", {})


def undocumented(app: FastAPI) -> list[str]:
    spec = app.openapi()
    problems: list[str] = []
    for route in api_routes(app):
        if not route.include_in_schema:
            problems.append(f"{route.path}: left out of the schema")
            continue
        for method in sorted(route.methods or ()):
            where = f"{method} {route.path}"
            answers = {
                code: answer
                for code, answer in spec["paths"][route.path][method.lower()]["responses"].items()
                if code.startswith("2")
            }
            if not answers:
                problems.append(f"{where}: no 2xx answer")
            for code, answer in answers.items():
                content = answer.get("content") or {}
                if code == "204":
                    if content:
                        problems.append(f"{where}: 204 with a body")
                    continue
                if not content:
                    problems.append(f"{where}: {code} documents no body")
                for media, body in content.items():
                    if "json" in media and not _named(body.get("schema") or {}):
                        problems.append(f"{where}: {code} {media} is {body.get('schema')}")
    return problems


def test_every_api_answer_is_documented() -> None:
    app = make_app()
    assert len(list(api_routes(app))) >= 80  # the included routers are walked
    assert undocumented(app) == []


def test_the_checker_finds_untyped_routes() -> None:
    app = make_app()
    router = APIRouter(prefix="/api/v1")

    @router.get("/untyped-dict")
    async def untyped_dict() -> dict[str, Any]:
        return {}

    @router.get("/untyped")
    async def untyped():
        return {}

    @router.get("/hidden", include_in_schema=False)
    async def hidden() -> dict[str, Any]:
        return {}

    app.include_router(router)
    found = undocumented(app)
    assert any(p.startswith("GET /api/v1/untyped-dict:") for p in found), found
    assert any(p.startswith("GET /api/v1/untyped:") for p in found), found
    assert "/api/v1/hidden: left out of the schema" in found
    assert len(found) == 3, found


def test_the_csv_and_stream_routes_keep_their_media_types() -> None:
    paths = make_app().openapi()["paths"]

    def media(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert media("/api/v1/reports/summary") == {"application/json", "text/csv"}
    assert media("/api/v1/reports/timeseries") == {"application/json", "text/csv"}
    assert media("/api/v1/reports/cycles.csv") == {"text/csv"}
    assert media("/api/v1/rules/export") == {"application/yaml"}
    assert media("/api/v1/live") == {"text/event-stream"}
