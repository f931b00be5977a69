"""EventBridge Scheduler expressions: AWS's cron rules, rate and at, next runs in a time zone."""

from __future__ import annotations

import datetime

import pytest

from hako_py.schedule_expressions import ExpressionError, next_runs, parse, problems

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def runs(expression: str, after: str, count: int = 3, timezone: str = "UTC") -> list[str]:
    return [r.strftime("%Y-%m-%dT%H:%M") for r in next_runs(expression, timezone, at(after), count)]


def test_daily_cron_in_utc() -> None:
    assert runs("cron(0 3 * * ? *)", "2026-03-01T00:00") == ["2026-03-01T03:00", "2026-03-02T03:00",
                                                             "2026-03-03T03:00"]


def test_day_of_week_one_is_sunday() -> None:
    # 2026-03-01 is a Sunday (AWS: 1 = SUN, unlike cron's 0)
    assert runs("cron(0 9 ? * 1 *)", "2026-02-27T00:00", 2) == ["2026-03-01T09:00", "2026-03-08T09:00"]
    assert runs("cron(0 9 ? * SUN *)", "2026-02-27T00:00", 2) == ["2026-03-01T09:00", "2026-03-08T09:00"]
    assert runs("cron(30 8 ? * MON-FRI *)", "2026-03-06T09:00", 2) == ["2026-03-09T08:30", "2026-03-10T08:30"]


def test_last_weekday_nth_and_nearest_weekday() -> None:
    assert runs("cron(0 0 L * ? *)", "2026-01-15T00:00", 3) == ["2026-01-31T00:00", "2026-02-28T00:00",
                                                                "2026-03-31T00:00"]
    assert runs("cron(0 0 ? * 6L *)", "2026-03-01T00:00", 2) == ["2026-03-27T00:00", "2026-04-24T00:00"]  # last Fri
    assert runs("cron(0 0 ? * 3#2 *)", "2026-03-01T00:00", 2) == ["2026-03-10T00:00", "2026-04-14T00:00"]  # 2nd Tue
    # 2026-03-15 is a Sunday: 15W is Monday the 16th; 2026-08-01 is a Saturday: 1W is Monday the 3rd
    assert runs("cron(0 0 15W * ? *)", "2026-03-01T00:00", 1) == ["2026-03-16T00:00"]
    assert runs("cron(0 0 1W 8 ? *)", "2026-03-01T00:00", 1) == ["2026-08-03T00:00"]
    assert runs("cron(0 0 LW 5 ? *)", "2026-03-01T00:00", 1) == ["2026-05-29T00:00"]  # 31 May 2026 is a Sunday


def test_steps_ranges_lists_and_years() -> None:
    assert runs("cron(0/20 1-2 * * ? *)", "2026-03-01T00:00", 4) == ["2026-03-01T01:00", "2026-03-01T01:20",
                                                                     "2026-03-01T01:40", "2026-03-01T02:00"]
    assert runs("cron(0 12 1 JAN,JUL ? 2027-2028)", "2026-03-01T00:00", 5) == [
        "2027-01-01T12:00", "2027-07-01T12:00", "2028-01-01T12:00", "2028-07-01T12:00"]


def test_time_zone_and_daylight_saving_as_aws() -> None:
    # 09:00 in Tokyo is 00:00 UTC
    assert runs("cron(0 9 * * ? *)", "2026-02-28T23:00", 2, "Asia/Tokyo") == ["2026-03-01T00:00", "2026-03-02T00:00"]
    # New York springs forward on 2026-03-08 (02:00 -> 03:00): 02:30 does not exist that day and is skipped
    assert runs("cron(30 2 * * ? *)", "2026-03-07T00:00", 3, "America/New_York") == [
        "2026-03-07T07:30", "2026-03-09T06:30", "2026-03-10T06:30"]
    # ... and falls back on 2026-11-01 (02:00 -> 01:00): 01:30 happens twice and runs once, the first time
    assert runs("cron(30 1 * * ? *)", "2026-10-31T12:00", 3, "America/New_York") == [
        "2026-11-01T05:30", "2026-11-02T06:30", "2026-11-03T06:30"]


def test_rate_counts_from_the_start_and_at_runs_once() -> None:
    start = at("2026-03-01T00:00:30")
    found = next_runs("rate(5 minutes)", "UTC", at("2026-03-01T00:12"), 2, start=start)
    assert [r.isoformat() for r in found] == ["2026-03-01T00:15:30+00:00", "2026-03-01T00:20:30+00:00"]
    assert runs("at(2026-04-01T09:00:00)", "2026-03-01T00:00", 3, "Asia/Tokyo") == ["2026-04-01T00:00"]
    assert runs("at(2026-04-01T09:00:00)", "2026-05-01T00:00") == []


@pytest.mark.parametrize(("expression", "message"), [
    ("cron(0 3 * * *)", "expected 6 fields"),
    ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 3 ? * ? *)", "exactly one of"),
    ("cron(60 3 * * ? *)", "minutes: 60 is out of range (0-59)"),
    ("cron(0 24 * * ? *)", "hours: 24 is out of range"),
    ("cron(0 3 ? * 0 *)", "day-of-week: 0 is out of range (1-7)"),
    ("cron(0 3 ? * FOO *)", "day-of-week: 'FOO' is not a value"),
    ("cron(0 3 * * ? 2200)", "year: 2200 is out of range (1970-2199)"),
    ("cron(0 3 ? * 3#1,6#3 *)", "only one day-of-week entry"),
    ("cron(0 3 ? * 2#6 *)", "the week after # must be 1-5"),
    ("cron(0 3 5-1 * ? *)", "goes backwards"),
    ("cron(0/0 3 * * ? *)", "positive whole number"),
    ("cron(0 3 30 2 ? *)", "never runs"),
    ("cron(L 3 * * ? *)", "belong in day-of-month"),
    ("rate(0 minutes)", "positive whole number"),
    ("rate(5 weeks)", "unknown unit 'weeks'"),
    ("rate(5)", "expected rate(VALUE UNIT)"),
    ("at(2026-02-30T00:00:00)", "day is out of range"),
    ("at(2026-02-01 00:00)", "expected at(yyyy-mm-ddThh:mm:ss)"),
    ("every day", "is not cron(...), rate(...) or at(...)"),
])
def test_invalid_expressions_say_why(expression: str, message: str) -> None:
    found = problems(expression, "UTC")
    assert found and found[0][0] == "expression" and message in found[0][1], found


def test_unknown_time_zone() -> None:
    assert problems("rate(1 day)", "Asia/Tokio") == [
        ("timezone", "unknown time zone 'Asia/Tokio' (an IANA name such as 'UTC' or 'Asia/Tokyo')")]
    assert problems("rate(1 day)", "Europe/Paris") == []


def test_parse_raises_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse("cron(0 3 * * ? * *)")
