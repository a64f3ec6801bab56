"""The review queue over the history: which rows wait for a person, and which images people found good.

REVIEW rows always wait; NOK rows wait too for the profiles set to review them (``review_nok``), so a
queue over several profiles is the REVIEW rows of all of them merged with the NOK rows of those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from radar_desktop.history.database import HistoryDatabase, HistoryFilter, HistoryRow, pending_filter
from radar_desktop.history.export import all_rows
from radar_desktop.profiles.recalibration import GoodImage


def _queue_filters(flt: HistoryFilter, nok_profiles: Iterable[str]) -> list[HistoryFilter]:
    """Filters whose rows together make the queue, no row in two of them."""
    if flt.profile_name is not None:
        return [pending_filter(flt, include_nok=flt.profile_name in set(nok_profiles))]
    noks = [replace(flt, profile_name=name, verdicts=("NOK",), reviewed=False) for name in sorted(set(nok_profiles))]
    return [pending_filter(flt), *noks]


def pending_rows(
    database: HistoryDatabase, flt: HistoryFilter = HistoryFilter(), *, nok_profiles: Iterable[str] = (),
    newest_first: bool = False, limit: int = 200,
) -> list[HistoryRow]:
    """Up to ``limit`` undecided rows of the queue, oldest first (or newest first)."""
    rows = [row for part in _queue_filters(flt, nok_profiles)
            for row in database.query(part, order_by="time", descending=newest_first, limit=limit)]
    rows.sort(key=lambda row: (row.epoch, row.id), reverse=newest_first)
    return rows[:limit]


def pending_count(
    database: HistoryDatabase, flt: HistoryFilter = HistoryFilter(), *, nok_profiles: Iterable[str] = ()
) -> int:
    """How many rows wait for a decision."""
    return sum(database.count(part) for part in _queue_filters(flt, nok_profiles))


def reviewed_good(database: HistoryDatabase, profile_name: str) -> list[GoodImage]:
    """The images of ``profile_name``'s rows whose latest decision is OK, once each (by SHA-256), oldest first."""
    found: dict[str, GoodImage] = {}
    for row in all_rows(database, HistoryFilter(profile_name=profile_name, reviewed=True)):
        if row.review.decision == "OK" and row.record.sha256:
            found.setdefault(row.record.sha256, GoodImage(row.record.path, row.record.sha256))
    return list(found.values())
