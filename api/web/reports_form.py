"""The reports page's filter form: GET fields (so a report is a URL one can share) read into a
``ReportFilter``, and the links that carry the same selection to the charts and the CSV API.

Dates are local days of the chosen timezone, both ends included; the REST API takes instants,
so its links carry ``from``/``to`` as the local midnights with their offsets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.web.i18n import Translator
from inbox.reporting.report import (
    GROUPS,
    INTERVALS,
    MAX_BUCKETS,
    BadReport,
    ReportFilter,
    bucket_start,
)
from inbox.types import utcnow

CHANNELS = ("telegram", "vk", "facebook", "instagram")
FIELDS = (
    "from",
    "to",
    "tz",
    "channel",
    "account_id",
    "agent_id",
    "team_id",
    "label",
    "group_by",
    "interval",
    "bh",
)
DEFAULT_DAYS = 30
MAX_FIELD = 100
# Suggestions for the timezone field; any IANA name is accepted.
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Yekaterinburg",
    "Asia/Almaty",
    "Asia/Novosibirsk",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Vladivostok",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
_FILTER_KEYS = ("tz", "channel", "account_id", "agent_id", "team_id", "label")


@dataclass(frozen=True, slots=True)
class ReportForm:
    """What the admin asked for: the filter, how to slice it, and the fields to show back."""

    values: dict[str, str]
    filter: ReportFilter
    group_by: str | None
    interval: str
    business: bool

    def page_query(self) -> str:
        """The form's own query string (charts are fetched with it)."""
        return page_query(self.values)

    def api_query(self, *extra: str) -> str:
        """The same selection for ``/api/v1/reports``; ``extra`` adds group_by / interval."""
        f = self.filter
        params = {"from": f.start.isoformat(), "to": f.end.isoformat()}
        params.update({k: self.values[k] for k in _FILTER_KEYS if self.values[k]})
        if f.label is not None:
            params["label"] = f.label
        if "group_by" in extra and self.group_by:
            params["group_by"] = self.group_by
        if "interval" in extra:
            params["interval"] = self.interval
        return urlencode(params)


def page_query(values: Mapping[str, str]) -> str:
    return urlencode({k: values[k] for k in FIELDS if values.get(k)})


def form_values(params: Mapping[str, str], *, now: datetime | None = None) -> dict[str, str]:
    """The fields as typed, trimmed, with the defaults filled in (UTC, the last 30 days)."""
    values = {k: (params.get(k) or "").strip() for k in FIELDS}
    values["tz"] = values["tz"] or "UTC"
    values["interval"] = values["interval"] or "day"
    if not values["to"] or not values["from"]:
        today = _today(values["tz"], now or utcnow())
        if not values["to"]:
            values["to"] = today.isoformat()
        if not values["from"]:
            to = _date_or_none(values["to"]) or today
            values["from"] = (to - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return values


def read_form(values: Mapping[str, str], t: Translator) -> ReportForm:
    """The report the fields ask for; ``BadReport`` (with a readable message) if they cannot."""
    for key in FIELDS:
        if len(values[key]) > MAX_FIELD:
            raise BadReport(t("reports.error.too_long", field=t(f"reports.field.{key}")))
    zone = _zone(values["tz"])
    first = _date(values, "from", t)
    last = _date(values, "to", t)
    try:
        start = datetime.combine(first, datetime.min.time(), zone)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    except OverflowError as exc:
        raise BadReport(t("reports.error.range")) from exc
    interval = _choice(values, "interval", INTERVALS, t) or "day"
    buckets = (last - bucket_start(first, interval)).days // (7 if interval == "week" else 1) + 1
    if buckets > MAX_BUCKETS:
        raise BadReport(t(f"reports.error.buckets_{interval}", max=MAX_BUCKETS))
    label = values["label"]
    report_filter = ReportFilter(
        start=start,
        end=end,
        tz=values["tz"],
        channel=_choice(values, "channel", CHANNELS, t),
        account_id=_int(values, "account_id", t),
        agent_id=_int(values, "agent_id", t),
        team_id=_int(values, "team_id", t),
        label=label.casefold() if label else None,
    )
    return ReportForm(
        values=dict(values),
        filter=report_filter,
        group_by=_choice(values, "group_by", GROUPS, t),
        interval=interval,
        business=values["bh"] in ("1", "on", "true"),
    )


def _zone(tz: str) -> ZoneInfo:
    """The zone, or the reporting service's own complaint about the name."""
    probe = datetime(2000, 1, 1, tzinfo=UTC)
    return ReportFilter(start=probe, end=probe + timedelta(days=1), tz=tz).zone


def _today(tz: str, now: datetime) -> date:
    try:
        return now.astimezone(_zone(tz)).date()
    except BadReport:
        return now.astimezone(UTC).date()


def _date_or_none(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _date(values: Mapping[str, str], key: str, t: Translator) -> date:
    found = _date_or_none(values[key]) if len(values[key]) == 10 else None
    if found is None:
        raise BadReport(t("reports.error.date", field=t(f"reports.field.{key}")))
    return found


def _int(values: Mapping[str, str], key: str, t: Translator) -> int | None:
    raw = values[key]
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadReport(t("reports.error.number", field=t(f"reports.field.{key}")))
    return int(raw)


def _choice(
    values: Mapping[str, str], key: str, allowed: tuple[str, ...], t: Translator
) -> str | None:
    raw = values[key]
    if not raw:
        return None
    if raw not in allowed:
        raise BadReport(t("reports.error.choice", field=t(f"reports.field.{key}")))
    return raw
