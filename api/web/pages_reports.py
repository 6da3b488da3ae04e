"""``/reports`` (admins): live counts, response / resolution / SLA / CSAT tables and charts for
a filter form whose URL is the report; ``/reports/charts/<name>.svg`` draws the charts.

CSV links point at the REST API, which takes the session cookie on GET. Input the reporting
service refuses (``BadReport``) is shown on the page, never raised as a 500.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from api.deps import RuntimeDep, SessionDep
from api.web import i18n
from api.web import reports_charts as charts
from api.web.page_deps import PageAdmin
from api.web.reports_form import CHANNELS, ZONES, ReportForm, form_values, read_form
from api.web.reports_view import SLA, STATS, duration, percent, rows_of, score, times
from api.web.templating import render
from inbox.accounts import service as accounts
from inbox.conversations import inbox_queries
from inbox.db import Conn
from inbox.reporting import report
from inbox.reporting.live import live_for

router = APIRouter(include_in_schema=False)

# The chart is an image: its own policy lets pygal's <style> apply and nothing run.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
_API = "/api/v1/reports"


async def _options(session: SessionDep, conn: Conn) -> dict[str, Any]:
    return {
        "accounts": await accounts.list_accounts(session),
        "agents": await inbox_queries.agents(conn),
        "teams": await inbox_queries.teams(conn),
        "label_names": await inbox_queries.label_names(conn),
        "channels": CHANNELS,
        "groups": report.GROUPS,
        "intervals": report.INTERVALS,
        "zones": ZONES,
    }


def _links(form: ReportForm, t: i18n.Translator) -> dict[str, Any]:
    query = form.page_query()
    first = "first_response_business" if form.business else "first_response"
    alts = {"first_response": first, "volume": "volume", "csat": "csat", "sla": "sla"}
    return {
        "charts": [
            {
                "name": name,
                "src": f"/reports/charts/{name}.svg?{query}",
                "alt": t(f"reports.chart.{alts[name]}"),
            }
            for name in charts.CHARTS
        ],
        "downloads": [
            ("summary", f"{_API}/summary?{form.api_query('group_by')}&format=csv"),
            (
                "timeseries",
                f"{_API}/timeseries?{form.api_query('group_by', 'interval')}&format=csv",
            ),
            ("cycles", f"{_API}/cycles.csv?{form.api_query()}"),
        ],
    }


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request, session: SessionDep, rt: RuntimeDep, _admin: PageAdmin
) -> HTMLResponse:
    t = i18n.Translator(i18n.choose(request))
    values = form_values(request.query_params)
    conn = await session.connection()
    context: dict[str, Any] = {"v": values, "error": None, **await _options(session, conn)}
    try:
        form = read_form(values, t)
        summary, live = await asyncio.gather(
            report.summary(rt.engine, form.filter, form.group_by), live_for(rt.engine, form.filter)
        )
    except report.BadReport as exc:
        context["error"] = str(exc)
        return render(request, "reports/page.html", context, status_code=422)
    context.update(
        {
            "form": form,
            "live": live,
            "rows": rows_of(summary, t, {str(a["id"]): a["name"] for a in context["agents"]}),
            "times": times(form.business),
            "stats": STATS,
            "sla_targets": SLA,
            "dur": lambda seconds: duration(seconds, t),
            "pct": percent,
            "score": score,
            **_links(form, t),
        }
    )
    return render(request, "reports/page.html", context)


async def _draw(db: AsyncEngine, name: str, form: ReportForm, t: i18n.Translator) -> bytes:
    if name == "csat":
        return charts.csat(await report.summary(db, form.filter), t)
    series = await report.timeseries(db, form.filter, form.interval)
    if name == "first_response":
        return charts.first_response(series, t, business=form.business)
    return charts.volume(series, t) if name == "volume" else charts.sla(series, t)


@router.get("/reports/charts/{name}.svg")
async def chart_svg(request: Request, name: str, rt: RuntimeDep, _admin: PageAdmin) -> Response:
    if name not in charts.CHARTS:
        raise HTTPException(status_code=404, detail="no such chart")
    t = i18n.Translator(i18n.choose(request))
    status = 200
    try:
        form = read_form(form_values(request.query_params), t)
        svg = await _draw(rt.engine, name, form, t)
    except report.BadReport as exc:
        svg, status = charts.message(str(exc), t), 422
    return Response(
        content=svg,
        status_code=status,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": CHART_CSP, "Cache-Control": "private, no-cache"},
    )
