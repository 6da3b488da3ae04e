"""Business hours: overnight ranges, holidays, DST, and the seconds between two instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import BusinessCalendar

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0

SHOP = BusinessCalendar.from_dict(
    {
        "timezone": "Europe/Moscow",
        "weekly": {
            "mon": [["09:00", "18:00"]],
            "tue": [["09:00", "18:00"]],
            "wed": [["09:00", "18:00"]],
            "thu": [["09:00", "18:00"]],
            "fri": [["09:00", "18:00"], ["22:00", "06:00"]],
        },
        "holidays": ["2026-03-07", "2026-03-13", "2026-03-18"],
    }
)


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)  # type: ignore[misc]


class TestIsOpen:
    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            (msk(2026, 3, 2, 8, 59), False),  # Monday before opening
            (msk(2026, 3, 2, 9, 0), True),
            (msk(2026, 3, 2, 17, 59, 59), True),
            (msk(2026, 3, 2, 18, 0), False),  # ends are exclusive
            (msk(2026, 3, 20, 23, 0), True),  # Friday night shift
            (msk(2026, 3, 21, 5, 59), True),  # ... runs into Saturday
            (msk(2026, 3, 21, 6, 0), False),
            (msk(2026, 3, 19, 23, 0), False),  # Thursday has no night shift
            (msk(2026, 3, 22, 3, 0), False),  # nor does Saturday
        ],
    )
    def test_weekly_and_overnight(self, at: datetime, expected: bool) -> None:
        assert SHOP.is_open(at) is expected

    def test_any_timezone_of_the_instant(self) -> None:
        assert SHOP.is_open(datetime(2026, 3, 2, 6, 30, tzinfo=UTC))  # 09:30 Moscow
        assert not SHOP.is_open(datetime(2026, 3, 2, 5, 30, tzinfo=UTC))

    def test_holiday_closes_its_own_ranges(self) -> None:
        assert not SHOP.is_open(msk(2026, 3, 13, 10, 0))  # Friday 13th is a holiday
        assert not SHOP.is_open(msk(2026, 3, 13, 23, 0))  # its night shift does not start
        assert not SHOP.is_open(msk(2026, 3, 14, 1, 0))

    def test_night_shift_before_a_holiday_runs_to_its_end(self) -> None:
        # Saturday 7 March is a holiday; the shift starting Friday 6 March still runs
        assert SHOP.is_open(msk(2026, 3, 6, 23, 30))
        assert SHOP.is_open(msk(2026, 3, 7, 5, 0))

    def test_dst_day_in_berlin(self) -> None:
        cal = BusinessCalendar("Europe/Berlin", {6: ((time(0), time(6)),)})
        # Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST
        assert cal.is_open(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET
        assert cal.is_open(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST
        assert not cal.is_open(datetime(2026, 3, 29, 4, 30, tzinfo=UTC))  # 06:30 CEST

    def test_naive_instant_is_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            SHOP.is_open(datetime(2026, 3, 2, 12, 0))  # noqa: DTZ001


class TestBusinessSeconds:
    def test_over_a_weekend(self) -> None:
        plain = BusinessCalendar.from_dict(
            {
                "timezone": "Europe/Moscow",
                "weekly": {"mon": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]]},
            }
        )
        # Friday 17:00 to Monday 10:00: one hour each side
        assert (
            plain.business_seconds_between(msk(2026, 3, 20, 17), msk(2026, 3, 23, 10)) == 2 * HOUR
        )

    def test_over_a_weekend_with_the_night_shift(self) -> None:
        seconds = SHOP.business_seconds_between(msk(2026, 3, 20, 17), msk(2026, 3, 23, 10))
        assert seconds == (1 + 8 + 1) * HOUR

    def test_starting_inside_last_nights_shift(self) -> None:
        seconds = SHOP.business_seconds_between(msk(2026, 3, 21, 2), msk(2026, 3, 21, 12))
        assert seconds == 4 * HOUR

    def test_over_a_holiday(self) -> None:
        # Tuesday 17 09:00 to Thursday 19 18:00, Wednesday 18 a holiday
        seconds = SHOP.business_seconds_between(msk(2026, 3, 17, 9), msk(2026, 3, 19, 18))
        assert seconds == 18 * HOUR

    def test_dst_days_count_real_seconds(self) -> None:
        cal = BusinessCalendar("Europe/Berlin", {6: ((time(0), time(6)), (time(9), time(18)))})
        spring = datetime(2026, 3, 29, tzinfo=BERLIN)
        autumn = datetime(2026, 10, 25, tzinfo=BERLIN)
        assert cal.business_seconds_between(spring, spring + timedelta(days=1)) == (5 + 9) * HOUR
        assert cal.business_seconds_between(autumn, autumn + timedelta(days=1)) == (7 + 9) * HOUR

    def test_many_weeks(self) -> None:
        cal = BusinessCalendar("Europe/Moscow", {d: ((time(9), time(18)),) for d in range(5)})
        start = msk(2026, 1, 5)  # a Monday
        assert cal.business_seconds_between(start, start + timedelta(weeks=8)) == 8 * 5 * 9 * HOUR

    def test_empty_or_reversed_interval(self) -> None:
        assert SHOP.business_seconds_between(msk(2026, 3, 2, 12), msk(2026, 3, 2, 12)) == 0
        assert SHOP.business_seconds_between(msk(2026, 3, 2, 12), msk(2026, 3, 2, 10)) == 0

    def test_overlapping_ranges_count_once(self) -> None:
        cal = BusinessCalendar("UTC", {0: ((time(9), time(12)), (time(10), time(14)))})
        start = datetime(2026, 3, 2, tzinfo=UTC)
        assert cal.business_seconds_between(start, start + timedelta(days=1)) == 5 * HOUR

    @pytest.mark.parametrize("zone", ["Europe/Berlin", "Europe/Moscow", "America/New_York"])
    @pytest.mark.parametrize("first", [date(2026, 3, 7), date(2026, 10, 17)])
    def test_agrees_with_is_open_quarter_by_quarter(self, zone: str, first: date) -> None:
        """Ranges on and across the spring gap and the autumn fold, sampled every 15 min."""
        cal = BusinessCalendar.from_dict(
            {
                "timezone": zone,
                "weekly": {
                    "sat": [["22:00", "03:00"]],
                    "sun": [["01:30", "02:30"], ["09:00", "18:00"]],
                },
                "holidays": ["2026-03-15"],
            }
        )
        start = datetime(2026, 3, 7, tzinfo=UTC)  # spans the US and EU spring changes
        step = timedelta(minutes=15)
        sampled = 0.0
        at = start
        while at < start + timedelta(days=28):
            sampled += step.total_seconds() if cal.is_open(at) else 0
            at += step
        assert sampled > 0
        assert cal.business_seconds_between(start, at) == sampled


class TestPlainShape:
    def test_round_trip(self) -> None:
        data = SHOP.to_dict()
        assert data["weekly"]["fri"] == [["09:00", "18:00"], ["22:00", "06:00"]]
        assert data["holidays"][0] == "2026-03-07"
        assert BusinessCalendar.from_dict(data) == SHOP

    def test_friendly_forms(self) -> None:
        cal = BusinessCalendar.from_dict(
            {"timezone": "UTC", "weekly": {"Monday": [["9:00", "24:00"]], "tue": [[540, 1080]]}}
        )
        assert cal.weekly == {0: ((time(9), time(0)),), 1: ((time(9), time(18)),)}
        assert cal.holidays == frozenset()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"timezone": "Mars/Olympus", "weekly": {}}, "unknown timezone"),
            ({"weekly": {}}, "timezone"),
            ({"timezone": "UTC", "weekly": {"mnd": []}}, "unknown day 'mnd'"),
            ({"timezone": "UTC", "weekly": {"mon": [["9", "18:00"]]}}, "weekly.mon\\[0\\]"),
            ({"timezone": "UTC", "weekly": {"mon": [["25:00", "18:00"]]}}, "'25:00'"),
            ({"timezone": "UTC", "weekly": {"mon": ["09:00"]}}, "expected \\[start, end\\]"),
            ({"timezone": "UTC", "holidays": ["31.12.2026"]}, "holidays"),
            ({"timezone": "UTC", "hours": {}}, "unknown field"),
        ],
    )
    def test_clear_errors(self, data: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            BusinessCalendar.from_dict(data)

    def test_constructor_checks_too(self) -> None:
        with pytest.raises(ValueError, match="weekday"):
            BusinessCalendar("UTC", {7: ((time(9), time(18)),)})
        assert BusinessCalendar("UTC", {}, frozenset({date(2026, 1, 1)})).holidays == {
            date(2026, 1, 1)
        }
