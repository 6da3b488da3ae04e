"""``/healthz`` and ``/metrics`` for operators."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text

from api.deps import RuntimeDep
from inbox.db import unit_of_work

router = APIRouter(tags=["operations"])
log = logging.getLogger("omnibox.ops")

QUEUE_DEPTH = Gauge("omnibox_queue_depth", "Events waiting or in flight in the queue")


@router.get("/healthz")
async def healthz(rt: RuntimeDep) -> Response:
    checks: dict[str, str] = {}
    try:
        async with unit_of_work(rt.engine, writer=False) as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("health: database: %s", exc)
        checks["database"] = "down"
    try:
        await rt.queue.depth()
        checks["queue"] = "ok"
    except Exception as exc:
        log.warning("health: queue: %s", exc)
        checks["queue"] = "down"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503
    )


@router.get("/metrics")
async def metrics(rt: RuntimeDep) -> Response:
    try:
        QUEUE_DEPTH.set(await rt.queue.depth())
    except Exception as exc:
        log.warning("metrics: queue depth unavailable: %s", exc)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
