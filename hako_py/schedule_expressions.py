"""EventBridge Scheduler's schedule expressions: parsed, checked and run forward in time, locally.

Why hako's own module rather than a cron library (research notes, scheduler NOTES.md §7):
croniter reads a sixth field as seconds and numbers days of the week from 0 = Sunday, and on
daylight-saving changes runs a skipped time an hour late and a repeated one twice; cronsim has
neither ``W`` nor the year field; pyawscron and aws-croniter know AWS's syntax but compute in
UTC only. AWS's rules are small enough to state here, each with its source:

- ``cron(minutes hours day-of-month month day-of-week year)``: six fields (API
  CreateScheduleInput.ScheduleExpression); values and wildcards as in EventBridge's cron
  reference (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
  minutes 0-59, hours 0-23, day-of-month 1-31 (``, - * ? / L W``), month 1-12 or JAN-DEC,
  day-of-week 1-7 or SUN-SAT with **1 = Sunday** (``, - * ? L #``), year 1970-2199. One of
  day-of-month and day-of-week must be ``?``; ``#`` allows a single day-of-week entry.
- ``rate(value unit)``: a positive whole number and minute(s), hour(s) or day(s); fixed
  intervals from the schedule's start (Scheduler User Guide, schedule-types.html).
- ``at(yyyy-mm-ddThh:mm:ss)``: once, at that wall-clock time in the schedule's time zone.
- Time zones are IANA names (API ScheduleExpressionTimezone: "The timezone in which the
  scheduling expression is evaluated", a 1-50 character string; the User Guide's examples are
  IANA zone names). Which names exist must not depend on the host (``zoneinfo`` also reads
  ``/usr/share/zoneinfo``, which holds folders, ``posixrules``, ``localtime``, ``right/...``):
  hako accepts exactly the zones of the IANA database as shipped by the ``tzdata`` package
  (its ``zones`` list), less ``Factory``, which is no place's time (:func:`zone_names`).
- Numbers are ASCII digits only: AWS's fields are ``0-59`` and so on, and Python's ``int()`` /
  ``str.isdigit()`` / ``\\d`` also take full-width and other Unicode digits.
- A rate's value: AWS documents only "a positive number" (Scheduler User Guide,
  schedule-types.html#rate-based; EventBridge eb-rate-expressions.html) and no largest one.
  hako bounds the interval by the span AWS's calendar covers (the cron year field, 1970-2199):
  a longer interval could never run twice, and an unbounded one overflows date arithmetic.
- An increment (``a/n``) is at most the number of values in its field: a larger one can only
  ever pick its start value (the cron reference defines ``/`` as increments within the field).
- On a daylight-saving change a time that does not exist is
  skipped and a time that happens twice runs once (AWS re:Post knowledge-center
  eventbridge-scheduler-adjust-dst), which :func:`next_runs` does.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import importlib.resources
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
WEEKDAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
YEAR_RANGE = (1970, 2199)
RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
MAX_RATE_SECONDS = (datetime.date(YEAR_RANGE[1] + 1, 1, 1) - datetime.date(YEAR_RANGE[0], 1, 1)).days * 86400
NOT_A_PLACE = frozenset({"Factory"})  # in tzdata's zone list, but "no place's time" (tzdata's own comment)
SEARCH_DAYS = 366 * 30  # how far ahead next_runs looks for a matching day (a 29 February, a year field)

_RATE = re.compile(r"^rate\((.*)\)$")
_AT = re.compile(r"^at\((.*)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")


def is_digits(text: str) -> bool:
    """Whether *text* is one or more ASCII digits (``str.isdigit`` also takes '１' and '²')."""
    return text.isascii() and text.isdigit()


class ExpressionError(ValueError):
    """An expression AWS would refuse (or that could never run); the message says which part and why."""


@dataclass(frozen=True)
class DayOfMonth:
    """A day-of-month field other than ``?``: plain days, ``L`` (last day), ``NW`` / ``LW`` (nearest weekday)."""

    days: frozenset[int] = frozenset()
    last: bool = False
    nearest_weekday: int | None = None  # NW; 0 for LW (the last weekday of the month)

    def matches(self, day: datetime.date) -> bool:
        length = calendar.monthrange(day.year, day.month)[1]
        if day.day in self.days or (self.last and day.day == length):
            return True
        if self.nearest_weekday is None:
            return False
        wanted = length if self.nearest_weekday == 0 else self.nearest_weekday
        if wanted > length:
            return False  # 31W in a 30-day month: no such day, no run (nearest weekday stays in the month)
        return day.day == _nearest_weekday(day.year, day.month, wanted, length)


def _nearest_weekday(year: int, month: int, wanted: int, length: int) -> int:
    weekday = datetime.date(year, month, wanted).weekday()  # Monday 0 .. Sunday 6
    if weekday == 5:  # Saturday: the Friday before, or Monday the 3rd when the 1st is a Saturday
        return wanted - 1 if wanted > 1 else wanted + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before when it is the month's last day
        return wanted + 1 if wanted < length else wanted - 2
    return wanted


def aws_weekday(day: datetime.date) -> int:
    """AWS's day-of-week number: 1 = Sunday .. 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


@dataclass(frozen=True)
class DayOfWeek:
    """A day-of-week field other than ``?``: plain days, ``NL`` (last N-day of the month), ``N#K`` (K-th N-day)."""

    days: frozenset[int] = frozenset()
    last_of: int | None = None
    nth: tuple[int, int] | None = None

    def matches(self, day: datetime.date) -> bool:
        weekday = aws_weekday(day)
        if weekday in self.days:
            return True
        if self.last_of == weekday:
            return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        if self.nth is not None and self.nth[0] == weekday:
            return (day.day - 1) // 7 + 1 == self.nth[1]
        return False


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DayOfMonth | None  # None: ?
    months: frozenset[int]
    day_of_week: DayOfWeek | None  # None: ?
    years: frozenset[int] | None  # None: every year

    def matches_day(self, day: datetime.date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.day_of_month is not None and not self.day_of_month.matches(day):
            return False
        return self.day_of_week is None or self.day_of_week.matches(day)


@dataclass(frozen=True)
class Rate:
    seconds: int


@dataclass(frozen=True)
class At:
    when: datetime.datetime  # naive: wall-clock time in the schedule's time zone


Expression = Cron | Rate | At


def parse(expression: str) -> Expression:
    """The expression, or :class:`ExpressionError` saying what is wrong with it."""
    if not expression.isascii():
        raise ExpressionError(f"{expression!r} has characters other than ASCII (full-width digits or spaces?)")
    text = expression.strip()
    if text != expression:
        raise ExpressionError("has leading or trailing spaces")
    for pattern, parser in ((_CRON, _parse_cron), (_RATE, _parse_rate), (_AT, _parse_at)):
        match = pattern.match(text)
        if match:
            return parser(match.group(1))
    raise ExpressionError(f"{expression!r} is not cron(...), rate(...) or at(...)")


def _parse_rate(body: str) -> Rate:
    parts = body.split()
    if len(parts) != 2:
        raise ExpressionError(f"rate({body}): expected rate(VALUE UNIT), e.g. rate(5 minutes)")
    value, unit = parts
    if not is_digits(value) or int(value) < 1:
        raise ExpressionError(f"rate({body}): the value must be a positive whole number, not {value!r}")
    if unit not in RATE_UNITS:
        raise ExpressionError(f"rate({body}): unknown unit {unit!r} (minute(s), hour(s) or day(s))")
    seconds = int(value) * RATE_UNITS[unit]
    if seconds > MAX_RATE_SECONDS:
        most = MAX_RATE_SECONDS // RATE_UNITS[unit]
        raise ExpressionError(f"rate({body}): {value} {unit} is longer than AWS's calendar ({YEAR_RANGE[0]}-"
                              f"{YEAR_RANGE[1]}): at most {most} {unit}")
    return Rate(seconds)


def _parse_at(body: str) -> At:
    if not _AT_TIME.match(body):
        raise ExpressionError(f"at({body}): expected at(yyyy-mm-ddThh:mm:ss)")
    try:
        return At(datetime.datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
    except ValueError as exc:
        raise ExpressionError(f"at({body}): {exc}") from None


def _number(text: str, field: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    value = (names or {}).get(text.upper())
    if value is None:
        if not is_digits(text):
            allowed = f"{low}-{high}" + (f" or {next(iter(names))}-{list(names)[-1]}" if names else "")
            raise ExpressionError(f"{field}: {text!r} is not a value ({allowed})")
        value = int(text)
    if not low <= value <= high:
        raise ExpressionError(f"{field}: {value} is out of range ({low}-{high})")
    return value


def _values(text: str, field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """``*``, ``a``, ``a-b``, ``*/n``, ``a/n``, ``a-b/n`` and lists of them."""
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ExpressionError(f"{field}: empty entry in {text!r}")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not is_digits(step_text) or int(step_text) < 1:
                raise ExpressionError(f"{field}: the increment in {part!r} must be a positive whole number")
            step = int(step_text)
            if step > high - low + 1:
                raise ExpressionError(f"{field}: the increment in {part!r} is out of range (1-{high - low + 1})")
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _number(start, field, low, high, names), _number(end, field, low, high, names)
            if first > last:
                raise ExpressionError(f"{field}: the range {base!r} goes backwards")
        else:
            first = _number(base, field, low, high, names)
            last = high if slash else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _day_of_month(text: str) -> DayOfMonth:
    field = "day-of-month"
    if text == "L":
        return DayOfMonth(last=True)
    if text == "LW":
        return DayOfMonth(nearest_weekday=0)
    if text.endswith("W"):
        return DayOfMonth(nearest_weekday=_number(text[:-1], field, 1, 31))
    if "L" in text or "W" in text:
        raise ExpressionError(f"{field}: {text!r}: L and W stand alone (L, LW, 15W)")
    return DayOfMonth(days=_values(text, field, 1, 31))


def _day_of_week(text: str) -> DayOfWeek:
    field = "day-of-week"
    if "#" in text:
        day, _, nth = text.partition("#")
        if "," in text:
            raise ExpressionError(f"{field}: {text!r}: with # only one day-of-week entry is allowed")
        if not is_digits(nth) or not 1 <= int(nth) <= 5:
            raise ExpressionError(f"{field}: {text!r}: the week after # must be 1-5")
        return DayOfWeek(nth=(_number(day, field, 1, 7, WEEKDAYS), int(nth)))
    if text == "L":
        return DayOfWeek(days=frozenset({7}))  # the last day of the week: Saturday
    if text.endswith("L"):
        return DayOfWeek(last_of=_number(text[:-1], field, 1, 7, WEEKDAYS))
    return DayOfWeek(days=_values(text, field, 1, 7, WEEKDAYS))


def _parse_cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        hint = " (AWS cron has a sixth field, the year: add ' *')" if len(fields) == 5 else ""
        raise ExpressionError(f"cron({body}): expected 6 fields (minutes hours day-of-month month day-of-week "
                              f"year), got {len(fields)}{hint}")
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ExpressionError(f"cron({body}): exactly one of day-of-month and day-of-week must be '?' (e.g. "
                              "'cron(0 3 * * ? *)' daily, 'cron(0 3 ? * MON-FRI *)' on weekdays)")
    for text, name in ((minutes, "minutes"), (hours, "hours"), (month, "month"), (year, "year")):
        if "?" in text or ("L" in text.upper() and name != "month") or "#" in text:
            raise ExpressionError(f"{name}: {text!r}: ?, L, W and # belong in day-of-month / day-of-week only")
    parsed_years = None if year == "*" else _values(year, "year", *YEAR_RANGE)
    return Cron(
        minutes=tuple(sorted(_values(minutes, "minutes", 0, 59))),
        hours=tuple(sorted(_values(hours, "hours", 0, 23))),
        day_of_month=None if dom == "?" else _day_of_month(dom.upper()),
        months=_values(month, "month", 1, 12, MONTHS),
        day_of_week=None if dow == "?" else _day_of_week(dow.upper()),
        years=parsed_years,
    )


@functools.cache
def zone_names() -> frozenset[str]:
    """The time zone names hako accepts, the same on every host: the IANA database's zones and
    links as the ``tzdata`` package lists them, without ``Factory``."""
    listed = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(listed) - NOT_A_PLACE


def zone(name: str) -> ZoneInfo:
    """The IANA time zone *name*, or :class:`ExpressionError` (folders such as 'America', host
    files such as 'localtime' or 'posixrules' and 'right/...' are not zones AWS knows)."""
    unknown = ExpressionError(f"unknown time zone {name!r} (an IANA name such as 'UTC' or 'Asia/Tokyo')")
    if name not in zone_names():
        raise unknown
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise unknown from None


def _local_to_utc(local: datetime.datetime, tz: ZoneInfo) -> datetime.datetime | None:
    """The instant of wall-clock *local* in *tz*: None when it does not exist (spring forward);
    the first of two when it happens twice (fall back: fold=0)."""
    aware = local.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(datetime.UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local:
        return None
    return instant


def next_runs(expression: str | Expression, timezone: str, after: datetime.datetime, count: int = 3, *,
              start: datetime.datetime | None = None, end: datetime.datetime | None = None
              ) -> list[datetime.datetime]:
    """Up to *count* run times (UTC, aware) strictly after *after* (aware). *start*: when the
    schedule began (StartDate, else its creation): a ``rate`` counts its intervals from there
    (default: *after*), a ``cron`` runs from then on. *end*: EndDate, no run after it. Both
    are ignored for ``at`` ("EventBridge Scheduler ignores StartDate for one-time schedules",
    API CreateScheduleInput.StartDate, and the same of EndDate)."""
    parsed = parse(expression) if isinstance(expression, str) else expression
    runs = _next_runs(parsed, timezone, after, count, start)
    if end is not None and not isinstance(parsed, At):
        runs = [run for run in runs if run <= end]
    return runs


def instant(text: str) -> datetime.datetime:
    """An ISO 8601 date and time with its UTC offset (``2026-04-01T09:00:00+09:00``, ``...Z``), in UTC.

    For StartDate and EndDate (API shapes StartDate, EndDate: timestamps, "in UTC"): the offset
    says which instant is meant, so one is required; seconds are whole, as schedules fire to
    the minute ("60-second precision", Scheduler User Guide schedule-types.html) and what is
    sent must compare equal to what GetSchedule reports.
    """
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ExpressionError(f"{text!r} is not an ISO 8601 date and time (2026-04-01T09:00:00+09:00)") from None
    if parsed.tzinfo is None or "T" not in text:
        raise ExpressionError(f"{text!r} has no UTC offset: add one (2026-04-01T09:00:00+09:00, or Z for UTC)")
    if parsed.microsecond:
        raise ExpressionError(f"{text!r}: give whole seconds (schedules run to the minute)")
    return parsed.astimezone(datetime.UTC)


def _next_runs(parsed: Expression, timezone: str, after: datetime.datetime, count: int,
               start: datetime.datetime | None) -> list[datetime.datetime]:
    tz = zone(timezone)
    after = after.astimezone(datetime.UTC)
    if isinstance(parsed, Cron) and start is not None and start > after:
        after = start.astimezone(datetime.UTC) - datetime.timedelta(microseconds=1)  # runs on or after start
    if isinstance(parsed, Rate):
        anchor = (start or after).astimezone(datetime.UTC)
        step = datetime.timedelta(seconds=parsed.seconds)
        if anchor <= after:
            anchor += step * ((after - anchor) // step + 1)
        return [anchor + step * i for i in range(count)]
    if isinstance(parsed, At):
        instant = _local_to_utc(parsed.when, tz)
        return [instant] if instant is not None and instant > after and count > 0 else []
    runs: list[datetime.datetime] = []
    day = after.astimezone(tz).date()
    for _ in range(SEARCH_DAYS):
        if parsed.years is not None and day.year > max(parsed.years):
            break
        if parsed.matches_day(day):
            for hour in parsed.hours:
                for minute in parsed.minutes:
                    local = datetime.datetime(day.year, day.month, day.day, hour, minute)
                    instant = _local_to_utc(local, tz)
                    if instant is not None and instant > after:
                        runs.append(instant)
                        if len(runs) == count:
                            return runs
        day += datetime.timedelta(days=1)
    return runs


def problems(expression: str, timezone: str | None) -> list[tuple[str, str]]:
    """(which: 'expression' or 'timezone', message) for each problem; [] when AWS would take both."""
    found: list[tuple[str, str]] = []
    parsed: Expression | None = None
    try:
        parsed = parse(expression)
    except ExpressionError as exc:
        found.append(("expression", str(exc)))
    if timezone is not None:
        try:
            zone(timezone)
        except ExpressionError as exc:
            found.append(("timezone", str(exc)))
    if isinstance(parsed, Cron) and not found:
        probe = datetime.datetime(YEAR_RANGE[0], 1, 1, tzinfo=datetime.UTC)
        if parsed.years is not None:
            probe = datetime.datetime(min(parsed.years), 1, 1, tzinfo=datetime.UTC) - datetime.timedelta(days=2)
        if not next_runs(parsed, timezone or "UTC", probe, 1):
            found.append(("expression", f"{expression} never runs (no day matches all its fields)"))
    return found
