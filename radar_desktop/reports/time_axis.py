"""Readable time axes: ticks on round local times (minutes, hours, days, months) and their labels."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

MINUTE, HOUR, DAY = 60, 3600, 86400
STEPS = (MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
         HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY)
MONTH_STEPS = (1, 2, 3, 6, 12)
MONTH = 30.4 * DAY


def time_ticks(start: float, end: float, most: int = 8) -> list[tuple[float, str]]:
    """Ticks between the UTC seconds ``start`` and ``end``: (seconds, label) at round local times, at most
    ``most`` of them. A label has a second line with the date (or year) where it changes and on the first."""
    span = max(end - start, 1.0)
    step = next((s for s in STEPS if span / s <= most), None)
    first = datetime.fromtimestamp(start)
    if step is None:
        months = next((m for m in MONTH_STEPS if span / (m * MONTH) <= most), 12 * math.ceil(span / (12 * MONTH * most)))
        times = _month_starts(first, months)
    else:
        # naive local times step over wall-clock hours, so ticks stay on round hours across a clock change
        anchor = datetime(first.year, first.month, first.day)
        if step >= 7 * DAY:
            anchor -= timedelta(days=anchor.weekday())  # weeks start on Monday
        skip = math.ceil((first - anchor).total_seconds() / step)
        times = (anchor + timedelta(seconds=step * k) for k in itertools.count(skip))
    ticks, previous = [], None
    for when in times:
        epoch = when.timestamp()
        if epoch > end:
            break
        if epoch >= start:
            ticks.append((epoch, _label(when, previous, step)))
            previous = when
    return ticks


def _month_starts(first: datetime, months: int):
    index = (first.year * 12 + first.month - 1) // months * months
    while True:
        when = datetime(index // 12, index % 12 + 1, 1)
        if when >= first:
            yield when
        index += months


def _label(when: datetime, previous: datetime | None, step: int | None) -> str:
    if step is not None and step < DAY:
        head, tail, same = f"{when:%H:%M}", f"{when:%d %b}", previous is not None and previous.date() == when.date()
    else:
        head, tail = (f"{when:%d %b}" if step is not None else f"{when:%b}"), f"{when:%Y}"
        same = previous is not None and previous.year == when.year
    return head if same else f"{head}\n{tail}"


def local_time(epoch: float, with_date: bool = True) -> str:
    """UTC seconds as local time: ``2026-11-30 14:02`` (or ``14:02``)."""
    return f"{datetime.fromtimestamp(epoch):%Y-%m-%d %H:%M}" if with_date else f"{datetime.fromtimestamp(epoch):%H:%M}"
