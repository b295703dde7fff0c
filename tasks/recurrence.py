"""Recurrence rules: parsed and expanded by python-dateutil's ``rrule``, never by hand."""

from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError

from .models import RECURRENCE_MAX_LENGTH

# The contract's shorthands, as the RRULE each stands for.
SHORTHANDS = {name: f"FREQ={name.upper()}" for name in ("daily", "weekly", "monthly", "yearly")}
# A task recurs by days at the finest: an hourly or finer rule is no to-do, and a sub-daily
# rule that never matches would have dateutil scan every second up to year 9999.
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def recurrence_clean(value: str) -> str:
    """The normalised RRULE for ``value`` (a shorthand or an RFC 5545 RRULE); checks its syntax.

    Normalised: upper case, without an ``RRULE:`` prefix, parts in the order given. Raises
    ``ValidationError`` when it does not parse. Whether it ever recurs depends on the due date:
    ``recurrence_check``.
    """
    rule = SHORTHANDS.get(value.strip().lower(), value.strip().upper())
    rule = rule.removeprefix("RRULE:")
    if len(rule) > RECURRENCE_MAX_LENGTH:
        raise ValidationError(f"A rule has at most {RECURRENCE_MAX_LENGTH} characters.", code="max_length")
    # One RRULE: the task's due_at is its start, and a set (RDATE, EXDATE, several lines) is
    # more than a to-do needs.
    if not rule or any(char in rule for char in "\r\n:"):
        raise ValidationError(_expected("not an RRULE"), code="invalid")
    pairs = [part.partition("=") for part in rule.split(";")]
    if not all(name and equals and value for name, equals, value in pairs):
        raise ValidationError(_expected("each part is NAME=VALUE, separated by ;"), code="invalid")
    parts = {name: value for name, _, value in pairs}
    # dateutil takes 0 and negatives here, and an INTERVAL of 0 never advances.
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and int(parts[name]) >= 1):
            raise ValidationError(_expected(f"{name} must be a positive whole number"), code="invalid")
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValidationError(_expected(f"FREQ must be one of {', '.join(FREQUENCIES)}"), code="invalid")
    if "DTSTART" in parts:
        raise ValidationError(_expected("the task's due_at is its start, not DTSTART"), code="invalid")
    _parse(rule, dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    return rule


def recurrence_next(*, rule: str, series_start: datetime, after: datetime) -> datetime | None:
    """The rule's first date strictly after ``after``, counting the series from ``series_start``
    (so COUNT and UNTIL apply to the whole series); None when the series is exhausted."""
    # rrule drops the microseconds of its start; its dates are shifted back by them, so a
    # series due at 09:00:00.5 stays at 09:00:00.5.
    shift = timedelta(microseconds=series_start.microsecond)
    try:
        found = _parse(rule, dtstart=series_start).after(after - shift)
        return None if found is None else found + shift
    except (ValueError, OverflowError):
        return None  # a date past year 9999: exhausted too


def recurrence_check(
    *, rule: str | None, due_at: datetime | None, series_start: datetime | None, must_recur: bool = True
) -> None:
    """Refuses a rule without a due date, and (``must_recur``: a series starting at this task)
    one that never yields a date after ``due_at``.

    ``series_start`` is the series' first due date; raises ``ValidationError`` keyed by the
    field to blame.
    """
    if rule is None:
        return
    if due_at is None:
        raise ValidationError(
            {"recurrence": ValidationError("A recurring task needs a due_at.", code="required")}
        )
    if must_recur and recurrence_next(rule=rule, series_start=series_start or due_at, after=due_at) is None:
        raise ValidationError(
            {
                "recurrence": ValidationError(
                    "This rule never yields a date after due_at.", code="never_recurs"
                )
            }
        )


def _parse(rule: str, *, dtstart: datetime) -> rrule:
    try:
        return rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as error:
        reason = str(error) or "it does not parse"
        if "UNTIL" in reason:  # dateutil's words speak of DTSTART, which the client never sent
            reason = "UNTIL must be a UTC date-time, such as 20271231T235959Z"
        raise ValidationError(_expected(reason), code="invalid") from None


def _expected(reason: str) -> str:
    return f"Expected null, daily, weekly, monthly, yearly or an RFC 5545 RRULE ({reason})."
