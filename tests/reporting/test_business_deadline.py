"""SLA deadlines counted in business hours: the inverse of business_seconds_between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import BusinessCalendar

MSK = ZoneInfo("Europe/Moscow")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = BusinessCalendar.from_dict(
    {
        "timezone": "Europe/Moscow",
        "weekly": {d: [["09:00", "18:00"]] for d in WEEKDAYS},
        "holidays": ["2026-03-09"],
    }
)
NIGHTS = BusinessCalendar.from_dict(
    {"timezone": "Europe/Moscow", "weekly": {d: [["22:00", "06:00"]] for d in WEEKDAYS}}
)


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_inside_open_hours_it_is_plain_addition() -> None:
    assert OFFICE.business_deadline(msk(2026, 3, 3, 10), 3600) == msk(2026, 3, 3, 11)


def test_it_carries_over_the_night_and_the_weekend_and_a_holiday() -> None:
    # Friday 17:30 + 1 h: 30 min on Friday, then Monday 9 March is a holiday: Tuesday 09:30
    assert OFFICE.business_deadline(msk(2026, 3, 6, 17, 30), 3600) == msk(2026, 3, 10, 9, 30)


def test_a_start_in_closed_time_waits_for_the_opening() -> None:
    assert OFFICE.business_deadline(msk(2026, 3, 3, 7), 600) == msk(2026, 3, 3, 9, 10)


def test_overnight_ranges_belong_to_the_day_they_start() -> None:
    # Friday 05:00 is inside Thursday night's range (to 06:00); 2 h needs 1 h of Friday night
    assert NIGHTS.business_deadline(msk(2026, 3, 6, 5), 7200) == msk(2026, 3, 6, 23)


@pytest.mark.parametrize("hours", [0.5, 3, 9, 20, 47])
def test_it_agrees_with_business_seconds_between(hours: float) -> None:
    start = datetime(2026, 3, 5, 12, 17, tzinfo=UTC)
    for cal in (OFFICE, NIGHTS):
        due = cal.business_deadline(start, hours * 3600)
        assert due is not None
        assert cal.business_seconds_between(start, due) == pytest.approx(hours * 3600)
        assert due.tzinfo is UTC  # in the zone it was given


def test_a_calendar_that_never_opens_has_no_deadline() -> None:
    closed = BusinessCalendar.from_dict({"timezone": "UTC", "weekly": {}})
    assert closed.business_deadline(datetime(2026, 1, 1, tzinfo=UTC), 60) is None
    assert (
        closed.business_seconds_between(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=3)
        )
        == 0
    )
